locals {
  workspace = "eks/prod1/infra"
}

module "cluster" {
  source = "../../../../modules/eks-cluster"

  cluster_name       = var.cluster_name
  kubernetes_version = var.kubernetes_version
  vpc_id             = var.vpc_id
  subnet_ids         = var.private_subnet_ids

  endpoint_public_access     = length(var.public_access_cidrs) > 0
  public_access_cidrs        = var.public_access_cidrs
  secrets_encryption_enabled = true
  admin_principal_arns       = var.admin_principal_arns

  node_instance_types        = var.node_instance_types
  node_min_size              = var.node_min_size
  node_desired_size          = var.node_min_size
  node_max_size              = var.node_max_size
  node_root_volume_encrypted = true
  imds_http_tokens           = "required"
  imds_hop_limit             = 1
}
