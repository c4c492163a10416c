output "vpc_id" {
  description = "ID of the VPC."
  value       = module.vpc.vpc_id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR of the VPC."
  value       = module.vpc.vpc_cidr_block
}

output "azs" {
  description = "Availability zones the VPC spans."
  value       = module.vpc.azs
}

output "public_subnet_ids" {
  description = "Public subnet IDs, in the order of azs."
  value       = module.vpc.public_subnet_ids
}

output "private_subnet_ids" {
  description = "Private subnet IDs, in the order of azs (input of eks/prod1/infra)."
  value       = module.vpc.private_subnet_ids
}

output "database_subnet_ids" {
  description = "Database subnet IDs, in the order of azs (input of rds)."
  value       = module.vpc.database_subnet_ids
}

output "nat_gateway_ids" {
  description = "NAT gateway IDs by AZ."
  value       = module.vpc.nat_gateway_ids
}

output "private_route_table_ids" {
  description = "Private route table IDs by AZ."
  value       = module.vpc.private_route_table_ids
}

output "network_acl_ids" {
  description = "NACL IDs by \"<tier>-<az>\"."
  value       = module.vpc.network_acl_ids
}

output "flow_log_group_name" {
  description = "CloudWatch log group of the VPC flow logs."
  value       = module.vpc.flow_log_group_name
}
