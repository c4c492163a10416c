locals {
  workspace = "network"
}

module "vpc" {
  source = "../../modules/vpc"

  name                    = var.stack_name
  cidr_block              = var.vpc_cidr
  azs                     = var.azs
  nat_gateway_mode        = "per_az"
  flow_logs_enabled       = true
  flow_log_retention_days = var.flow_log_retention_days
  cluster_name            = var.cluster_name
}

check "azs_in_region" {
  assert {
    condition     = alltrue([for az in var.azs : startswith(az, var.region)])
    error_message = "Every AZ in azs must belong to var.region."
  }
}
