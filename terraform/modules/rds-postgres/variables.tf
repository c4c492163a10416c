variable "identifier" {
  description = "Identifier of the DB instance (prefix of its key, groups and roles)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the database."
  type        = string
}

variable "subnet_ids" {
  description = "Database subnets, one per AZ."
  type        = list(string)
}

variable "allowed_security_group_ids" {
  description = "Security groups admitted on the PostgreSQL port (the EKS node security group)."
  type        = list(string)
}

variable "engine_version" {
  description = "PostgreSQL major.minor version."
  type        = string
  default     = "16.8"
}

variable "instance_class" {
  description = "DB instance class."
  type        = string
  default     = "db.m6g.large"
}

variable "allocated_storage_gib" {
  description = "Initial storage."
  type        = number
  default     = 50
}

variable "max_allocated_storage_gib" {
  description = "Storage autoscaling ceiling."
  type        = number
  default     = 200
}

variable "database_name" {
  description = "Name of the initial database."
  type        = string
  default     = "app"
}

variable "master_username" {
  description = "Master user name; its password is generated and rotated by RDS in Secrets Manager."
  type        = string
  default     = "stackproof_admin"
}

variable "multi_az" {
  description = "Synchronous standby in another AZ with automatic failover."
  type        = bool
  default     = true
}

variable "storage_encrypted" {
  description = "Encrypt storage with the customer-managed key."
  type        = bool
  default     = true
}

variable "publicly_accessible" {
  description = "Give the instance a public address."
  type        = bool
  default     = false
}

variable "backup_retention_days" {
  description = "Days automated backups are kept."
  type        = number
  default     = 14
}

variable "deletion_protection" {
  description = "Refuse DeleteDBInstance until turned off."
  type        = bool
  default     = true
}

variable "iam_database_authentication_enabled" {
  description = "Allow IAM tokens as database passwords."
  type        = bool
  default     = true
}

variable "force_ssl" {
  description = "rds.force_ssl in the parameter group: refuse connections without TLS."
  type        = bool
  default     = true
}

variable "monitoring_interval_seconds" {
  description = "Enhanced monitoring interval (0 turns it off)."
  type        = number
  default     = 15
}

variable "log_exports" {
  description = "Log types exported to CloudWatch Logs."
  type        = list(string)
  default     = ["postgresql", "upgrade"]
}

variable "skip_final_snapshot" {
  description = "Skip the final snapshot on destroy (sandbox only)."
  type        = bool
  default     = false
}
