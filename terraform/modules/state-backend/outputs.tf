output "bucket_name" {
  description = "Name of the state bucket (the `bucket` of every workspace's backend config)."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the state bucket."
  value       = aws_s3_bucket.this.arn
}

output "log_bucket_name" {
  description = "Bucket receiving the state bucket's server access logs."
  value       = aws_s3_bucket.logs.id
}

output "lock_table_name" {
  description = "DynamoDB lock table (the `dynamodb_table` of every workspace's backend config)."
  value       = aws_dynamodb_table.lock.name
}

output "lock_table_arn" {
  description = "ARN of the DynamoDB lock table."
  value       = aws_dynamodb_table.lock.arn
}

output "kms_key_arn" {
  description = "Customer-managed key encrypting the state (the `kms_key_id` of every workspace's backend config)."
  value       = aws_kms_key.this.arn
}
