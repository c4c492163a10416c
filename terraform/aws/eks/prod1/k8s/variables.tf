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
  description = "EKS cluster: eks/prod1/infra's cluster_name output."
  type        = string
  default     = "prod1"
}

variable "cluster_endpoint" {
  description = "API server endpoint: eks/prod1/infra's cluster_endpoint output."
  type        = string

  validation {
    condition     = startswith(var.cluster_endpoint, "https://")
    error_message = "cluster_endpoint must be an https:// URL."
  }
}

variable "cluster_certificate_authority_data" {
  description = "Base64 CA bundle: eks/prod1/infra's cluster_certificate_authority_data output."
  type        = string

  validation {
    condition     = can(base64decode(var.cluster_certificate_authority_data))
    error_message = "cluster_certificate_authority_data must be base64."
  }
}

variable "app_namespaces" {
  description = "Namespaces of the reference services; each gets a default-deny NetworkPolicy."
  type        = list(string)
  default     = ["backend", "frontend"]
}

variable "chart_versions" {
  description = "Pinned chart versions of the platform add-ons."
  type        = map(string)
  default = {
    metrics-server        = "3.13.0"
    ingress-nginx         = "4.13.3"
    cert-manager          = "v1.19.1"
    external-secrets      = "0.20.4"
    kube-prometheus-stack = "79.5.0"
    cluster-autoscaler    = "9.52.1"
  }

  validation {
    condition = alltrue([for k in ["metrics-server", "ingress-nginx", "cert-manager", "external-secrets", "kube-prometheus-stack", "cluster-autoscaler"] :
    can(regex("^v?[0-9]+\\.[0-9]+\\.[0-9]+$", lookup(var.chart_versions, k, "")))])
    error_message = "chart_versions must pin an exact version for metrics-server, ingress-nginx, cert-manager, external-secrets, kube-prometheus-stack and cluster-autoscaler."
  }
}
