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

variable "state_bucket_name" {
  description = "Globally unique name of the state bucket (the lock table, log bucket and key alias derive from it)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,50}[a-z0-9]$", var.state_bucket_name))
    error_message = "state_bucket_name must be 3-52 lowercase letters, digits or dashes."
  }
}

variable "cluster_name" {
  description = "EKS cluster the chaos role may inspect and whose tagged nodes it may stop."
  type        = string
  default     = "prod1"
}
