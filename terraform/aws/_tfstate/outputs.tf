output "state_bucket_name" {
  description = "Bucket for every workspace's backend config."
  value       = module.state_backend.bucket_name
}

output "state_log_bucket_name" {
  description = "Bucket receiving the state bucket's access logs."
  value       = module.state_backend.log_bucket_name
}

output "lock_table_name" {
  description = "DynamoDB lock table for every workspace's backend config."
  value       = module.state_backend.lock_table_name
}

output "state_kms_key_arn" {
  description = "Customer-managed key of the state."
  value       = module.state_backend.kms_key_arn
}

output "test_infra_policy_json" {
  description = "Read-only IAM policy for the role that runs `pnpm test:infra`."
  value       = module.stackproof_iam.test_infra_policy_json
}

output "chaos_policy_json" {
  description = "Tag-limited IAM policy for the role that runs chaos experiments."
  value       = module.stackproof_iam.chaos_policy_json
}
