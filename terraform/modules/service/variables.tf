variable "name" {
  description = "Service name (ECR repository, IAM role and service account)."
  type        = string
}

variable "cluster_name" {
  description = "EKS cluster whose pods assume the role through Pod Identity."
  type        = string
}

variable "namespace" {
  description = "Kubernetes namespace of the service account."
  type        = string
}

variable "service_account" {
  description = "Kubernetes service account that assumes the role."
  type        = string
}

variable "secret_arns" {
  description = "Secrets Manager secrets the service may read (nothing else)."
  type        = list(string)
  default     = []
}

variable "secret_kms_key_arns" {
  description = "KMS keys that encrypt those secrets (decrypt is allowed only via Secrets Manager)."
  type        = list(string)
  default     = []
}

variable "image_tag_mutability" {
  description = "IMMUTABLE: a pushed tag can never point at another image."
  type        = string
  default     = "IMMUTABLE"

  validation {
    condition     = contains(["IMMUTABLE", "MUTABLE"], var.image_tag_mutability)
    error_message = "image_tag_mutability must be IMMUTABLE or MUTABLE."
  }
}

variable "scan_on_push" {
  description = "Scan every pushed image for vulnerabilities."
  type        = bool
  default     = true
}

variable "untagged_image_expiry_days" {
  description = "Untagged images are deleted after this many days."
  type        = number
  default     = 14
}
