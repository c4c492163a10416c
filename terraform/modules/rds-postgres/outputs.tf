output "db_instance_identifier" {
  description = "Identifier of the DB instance."
  value       = aws_db_instance.this.identifier
}

output "db_instance_arn" {
  description = "ARN of the DB instance."
  value       = aws_db_instance.this.arn
}

output "db_instance_resource_id" {
  description = "Resource id (dbi-resource-id), the key of rds-db:connect IAM policies."
  value       = aws_db_instance.this.resource_id
}

output "endpoint" {
  description = "host:port of the writer."
  value       = aws_db_instance.this.endpoint
}

output "address" {
  description = "Host name of the writer."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "PostgreSQL port."
  value       = aws_db_instance.this.port
}

output "database_name" {
  description = "Name of the initial database."
  value       = aws_db_instance.this.db_name
}

output "master_user_secret_arn" {
  description = "Secrets Manager secret holding the master credentials (managed and rotated by RDS)."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "security_group_id" {
  description = "Security group of the database."
  value       = aws_security_group.this.id
}

output "kms_key_arn" {
  description = "Customer-managed key of the database."
  value       = aws_kms_key.this.arn
}
