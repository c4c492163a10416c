variable "region" {
  description = "AWS region of the stack."
  type        = string
  default     = "me-central-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as me-central-1."
  }
}

variable "stack_name" {
  description = "Name of the stack; tagged on every resource as stackproof.io/stack."
  type        = string
  default     = "prod1"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.stack_name))
    error_message = "stack_name must be 2-31 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "identifier" {
  description = "Identifier of the DB instance."
  type        = string
  default     = "prod1-postgres"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,58}[a-z0-9]$", var.identifier))
    error_message = "identifier must be 2-60 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "vpc_id" {
  description = "VPC ID: the network workspace's vpc_id output."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123abcd."
  }
}

variable "database_subnet_ids" {
  description = "Database subnet IDs, one per AZ: the network workspace's database_subnet_ids output."
  type        = list(string)

  validation {
    condition     = length(var.database_subnet_ids) >= 3
    error_message = "database_subnet_ids must list at least 3 subnets (one per AZ) so the standby has somewhere to go."
  }
}

variable "eks_node_security_group_id" {
  description = "Security group of the EKS nodes, the only source admitted on 5432: eks/prod1/infra's node_security_group_id output."
  type        = string

  validation {
    condition     = can(regex("^sg-[0-9a-f]+$", var.eks_node_security_group_id))
    error_message = "eks_node_security_group_id must look like sg-0123abcd."
  }
}

variable "engine_version" {
  description = "PostgreSQL version (16 or newer)."
  type        = string
  default     = "17.6"

  validation {
    condition     = can(regex("^(1[6-9]|[2-9][0-9])\\.[0-9]+$", var.engine_version))
    error_message = "engine_version must be major.minor with major 16 or newer."
  }
}

variable "instance_class" {
  description = "DB instance class."
  type        = string
  default     = "db.m6g.large"
}

variable "backup_retention_days" {
  description = "Days automated backups are kept (7 to 35)."
  type        = number
  default     = 14

  validation {
    condition     = var.backup_retention_days >= 7 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must be between 7 and 35."
  }
}

variable "database_name" {
  description = "Name of the application database."
  type        = string
  default     = "app"
}
