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

variable "vpc_cidr" {
  description = "IPv4 CIDR of the VPC (/16 or larger)."
  type        = string
  default     = "10.20.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && can(regex("/([0-9]|1[0-6])$", var.vpc_cidr))
    error_message = "vpc_cidr must be a valid IPv4 CIDR of size /16 or larger."
  }
}

variable "azs" {
  description = "The three availability zones of the region to spread over."
  type        = list(string)
  default     = ["me-central-1a", "me-central-1b", "me-central-1c"]

  validation {
    condition     = length(var.azs) >= 3 && length(distinct(var.azs)) == length(var.azs)
    error_message = "azs must list at least 3 distinct availability zones: the stack survives the loss of one."
  }
}

variable "cluster_name" {
  description = "EKS cluster that will use the VPC (subnet discovery tags)."
  type        = string
  default     = "prod1"
}

variable "flow_log_retention_days" {
  description = "Days VPC flow logs are kept."
  type        = number
  default     = 365

  validation {
    condition     = contains([90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_retention_days)
    error_message = "flow_log_retention_days must be a CloudWatch Logs retention value of at least 90 days."
  }
}
