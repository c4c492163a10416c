variable "cluster_name" {
  description = "Name of the EKS cluster."
  type        = string
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the control plane and node groups."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the cluster."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets (one per AZ) for the control plane ENIs and the node group."
  type        = list(string)
}

variable "endpoint_public_access" {
  description = "Expose the API server endpoint publicly (restricted to public_access_cidrs)."
  type        = bool
  default     = false
}

variable "public_access_cidrs" {
  description = "CIDRs allowed to reach the public endpoint when endpoint_public_access is true."
  type        = list(string)
  default     = []
}

variable "secrets_encryption_enabled" {
  description = "Envelope-encrypt Kubernetes Secrets with a customer-managed KMS key."
  type        = bool
  default     = true
}

variable "enabled_log_types" {
  description = "Control-plane log types sent to CloudWatch Logs."
  type        = list(string)
  default     = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
}

variable "log_retention_days" {
  description = "Days control-plane logs are kept."
  type        = number
  default     = 365
}

variable "admin_principal_arns" {
  description = "IAM principals given cluster-admin through EKS access entries."
  type        = list(string)
  default     = []
}

variable "node_instance_types" {
  description = "Instance types of the managed node group."
  type        = list(string)
  default     = ["m6i.large"]
}

variable "node_min_size" {
  description = "Minimum nodes of the node group; at least the number of AZs so every AZ keeps a node."
  type        = number
  default     = 3
}

variable "node_desired_size" {
  description = "Initial desired nodes (the cluster autoscaler owns it afterwards)."
  type        = number
  default     = 3
}

variable "node_max_size" {
  description = "Maximum nodes of the node group."
  type        = number
  default     = 9
}

variable "node_disk_size_gib" {
  description = "Root volume size of each node."
  type        = number
  default     = 50
}

variable "node_root_volume_encrypted" {
  description = "Encrypt the node root volumes (with the cluster KMS key)."
  type        = bool
  default     = true
}

variable "imds_http_tokens" {
  description = "IMDS token mode on the nodes: required means IMDSv2 only."
  type        = string
  default     = "required"

  validation {
    condition     = contains(["required", "optional"], var.imds_http_tokens)
    error_message = "imds_http_tokens must be required or optional."
  }
}

variable "imds_hop_limit" {
  description = "IMDS PUT response hop limit. 1 keeps pods (one extra hop) away from the node's IMDS credentials; workloads get AWS credentials from EKS Pod Identity instead."
  type        = number
  default     = 1

  validation {
    condition     = var.imds_hop_limit >= 1 && var.imds_hop_limit <= 2
    error_message = "imds_hop_limit must be 1 or 2."
  }
}
