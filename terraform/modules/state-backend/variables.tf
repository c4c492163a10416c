variable "name" {
  description = "Name of the state bucket and prefix of the lock table, log bucket and KMS alias. Globally unique for S3."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,50}[a-z0-9]$", var.name))
    error_message = "name must be 3-52 lowercase letters, digits or dashes (S3 bucket naming, leaving room for suffixes)."
  }
}

variable "versioning_enabled" {
  description = "Keep every version of the state objects, so a bad apply can be rolled back. Off only in the policy gate's negative fixtures."
  type        = bool
  default     = true
}

variable "kms_key_rotation_enabled" {
  description = "Rotate the customer-managed key yearly."
  type        = bool
  default     = true
}

variable "kms_deletion_window_days" {
  description = "Days a scheduled key deletion can still be cancelled."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "kms_deletion_window_days must be between 7 and 30 (the KMS limits)."
  }
}

variable "lock_table_pitr_enabled" {
  description = "Point-in-time recovery on the lock table."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Days the access logs of the state bucket are kept."
  type        = number
  default     = 365

  validation {
    condition     = var.log_retention_days >= 90
    error_message = "log_retention_days must be at least 90: access logs are audit evidence."
  }
}
