output "db_instance_identifier" {
  description = "Identifier of the DB instance."
  value       = module.postgres.db_instance_identifier
}

output "db_instance_arn" {
  description = "ARN of the DB instance."
  value       = module.postgres.db_instance_arn
}

output "db_instance_resource_id" {
  description = "Resource id, for rds-db:connect IAM policies."
  value       = module.postgres.db_instance_resource_id
}

output "endpoint" {
  description = "host:port of the writer."
  value       = module.postgres.endpoint
}

output "address" {
  description = "Host name of the writer."
  value       = module.postgres.address
}

output "port" {
  description = "PostgreSQL port."
  value       = module.postgres.port
}

output "database_name" {
  description = "Name of the application database."
  value       = module.postgres.database_name
}

output "master_user_secret_arn" {
  description = "Secrets Manager secret of the master credentials (input of services/backend)."
  value       = module.postgres.master_user_secret_arn
}

output "kms_key_arn" {
  description = "Customer-managed key of the database (input of services/backend)."
  value       = module.postgres.kms_key_arn
}

output "security_group_id" {
  description = "Security group of the database."
  value       = module.postgres.security_group_id
}
