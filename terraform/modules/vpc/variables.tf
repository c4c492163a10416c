variable "name" {
  description = "Name prefix of every network resource."
  type        = string
}

variable "cidr_block" {
  description = "IPv4 CIDR of the VPC. A /16 leaves room for the /20 private and /24 public and database subnets."
  type        = string

  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && can(regex("/([0-9]|1[0-6])$", var.cidr_block))
    error_message = "cidr_block must be a valid IPv4 CIDR of size /16 or larger."
  }
}

variable "azs" {
  description = "Availability zones to spread over; one public, one private and one database subnet in each."
  type        = list(string)

  validation {
    condition     = length(var.azs) >= 1 && length(var.azs) <= 6 && length(distinct(var.azs)) == length(var.azs)
    error_message = "azs must list 1 to 6 distinct availability zones."
  }
}

variable "nat_gateway_mode" {
  description = "per_az: one NAT gateway per AZ and each private route table routes to the NAT in its own AZ; single: one shared NAT (an AZ outage cuts egress everywhere)."
  type        = string
  default     = "per_az"

  validation {
    condition     = contains(["per_az", "single"], var.nat_gateway_mode)
    error_message = "nat_gateway_mode must be per_az or single."
  }
}

variable "flow_logs_enabled" {
  description = "Send VPC flow logs (all traffic) to CloudWatch Logs."
  type        = bool
  default     = true
}

variable "flow_log_retention_days" {
  description = "Days flow logs are kept in CloudWatch Logs."
  type        = number
  default     = 365
}

variable "cluster_name" {
  description = "EKS cluster that uses this VPC; subnets get the kubernetes.io/cluster/<name> tag so load balancers find them. Empty: no tag."
  type        = string
  default     = ""
}
