output "repository_url" {
  description = "ECR repository URL of the service image."
  value       = module.service.repository_url
}

output "role_arn" {
  description = "IAM role the service account assumes through EKS Pod Identity."
  value       = module.service.role_arn
}

output "read_secret_policy_json" {
  description = "The role's secret-reading policy (null when the service reads none)."
  value       = module.service.read_secret_policy_json
}
