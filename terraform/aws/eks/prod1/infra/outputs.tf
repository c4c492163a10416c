output "cluster_name" {
  description = "Name of the cluster (input of eks/prod1/k8s and services/*)."
  value       = module.cluster.cluster_name
}

output "cluster_arn" {
  description = "ARN of the cluster."
  value       = module.cluster.cluster_arn
}

output "cluster_endpoint" {
  description = "API server endpoint (input of eks/prod1/k8s)."
  value       = module.cluster.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64 CA bundle of the API server (input of eks/prod1/k8s)."
  value       = module.cluster.cluster_certificate_authority_data
}

output "cluster_version" {
  description = "Kubernetes version of the control plane."
  value       = module.cluster.cluster_version
}

output "node_security_group_id" {
  description = "Security group of the worker nodes (input of rds)."
  value       = module.cluster.node_security_group_id
}

output "node_group_name" {
  description = "Name of the managed node group."
  value       = module.cluster.node_group_name
}

output "kms_key_arn" {
  description = "Customer-managed key of the cluster."
  value       = module.cluster.kms_key_arn
}
