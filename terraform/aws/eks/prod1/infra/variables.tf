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

variable "cluster_name" {
  description = "Name of the EKS cluster."
  type        = string
  default     = "prod1"
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the control plane and nodes (a version EKS supports in standard support)."
  type        = string
  default     = "1.34"

  validation {
    condition     = can(regex("^1\\.(3[3-9]|[4-9][0-9])$", var.kubernetes_version))
    error_message = "kubernetes_version must be 1.33 or newer, as major.minor (for example 1.34)."
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

variable "private_subnet_ids" {
  description = "Private subnet IDs, one per AZ: the network workspace's private_subnet_ids output."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 3 && alltrue([for s in var.private_subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "private_subnet_ids must list at least 3 subnet IDs (one per AZ)."
  }
}

variable "public_access_cidrs" {
  description = "CIDRs allowed to reach a public API endpoint. Empty (the default) keeps the endpoint private only."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.public_access_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "public_access_cidrs must be valid CIDRs and must not include 0.0.0.0/0."
  }
}

variable "admin_principal_arns" {
  description = "IAM roles or users given cluster-admin through EKS access entries."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.admin_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/", a))])
    error_message = "admin_principal_arns must be IAM role or user ARNs."
  }
}

variable "node_instance_types" {
  description = "Instance types of the managed node group."
  type        = list(string)
  default     = ["m6i.large"]
}

variable "node_min_size" {
  description = "Minimum nodes; at least one per AZ."
  type        = number
  default     = 3

  validation {
    condition     = var.node_min_size >= 3
    error_message = "node_min_size must be at least 3 (one node per AZ)."
  }
}

variable "node_max_size" {
  description = "Maximum nodes the cluster autoscaler may reach."
  type        = number
  default     = 9

  validation {
    condition     = var.node_max_size >= 3
    error_message = "node_max_size must be at least 3."
  }
}
