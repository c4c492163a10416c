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
  description = "EKS cluster whose pods assume the service role: eks/prod1/infra's cluster_name output."
  type        = string
  default     = "prod1"
}

variable "namespace" {
  description = "Kubernetes namespace of the service."
  type        = string
  default     = "frontend"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a DNS-1123 label."
  }
}
