variable "region" {
  description = "Region the roles may act in (requests to any other region are denied)."
  type        = string
}

variable "state_bucket_arn" {
  description = "ARN of the Terraform state bucket (test:infra reads its configuration, never its objects)."
  type        = string
}

variable "lock_table_arn" {
  description = "ARN of the state lock table."
  type        = string
}

variable "chaos_target_tag_key" {
  description = "Tag key that marks a resource the chaos role may disturb."
  type        = string
  default     = "stackproof.io/chaos-target"
}

variable "chaos_target_tag_value" {
  description = "Value of chaos_target_tag_key on disturbable resources."
  type        = string
  default     = "true"
}

variable "cluster_name" {
  description = "EKS cluster the chaos role may inspect and whose nodes it may stop."
  type        = string
}
