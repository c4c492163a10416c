provider "aws" {
  region = var.region

  default_tags {
    tags = {
      "stackproof.io/stack"     = var.stack_name
      "stackproof.io/workspace" = local.workspace
      "managed-by"              = "terraform"
    }
  }
}

# A short-lived token from the caller's AWS identity (an EKS access entry must grant it access).
data "aws_eks_cluster_auth" "this" {
  name = var.cluster_name
}

provider "kubernetes" {
  host                   = var.cluster_endpoint
  cluster_ca_certificate = base64decode(var.cluster_certificate_authority_data)
  token                  = data.aws_eks_cluster_auth.this.token
}

provider "helm" {
  kubernetes = {
    host                   = var.cluster_endpoint
    cluster_ca_certificate = base64decode(var.cluster_certificate_authority_data)
    token                  = data.aws_eks_cluster_auth.this.token
  }
}
