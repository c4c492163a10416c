output "repository_url" {
  description = "ECR repository URL (image reference without tag)."
  value       = aws_ecr_repository.this.repository_url
}

output "repository_arn" {
  description = "ARN of the ECR repository."
  value       = aws_ecr_repository.this.arn
}

output "role_arn" {
  description = "IAM role the service account assumes."
  value       = aws_iam_role.this.arn
}

output "read_secret_policy_json" {
  description = "The role's inline policy (null when the service reads no secret)."
  value       = length(var.secret_arns) > 0 ? data.aws_iam_policy_document.read_secret[0].json : null
}
