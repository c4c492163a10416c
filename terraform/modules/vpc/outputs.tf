output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "azs" {
  description = "Availability zones the VPC spans."
  value       = var.azs
}

output "public_subnet_ids" {
  description = "Public subnet IDs, in the order of azs."
  value       = [for az in var.azs : aws_subnet.public[az].id]
}

output "private_subnet_ids" {
  description = "Private subnet IDs, in the order of azs."
  value       = [for az in var.azs : aws_subnet.private[az].id]
}

output "database_subnet_ids" {
  description = "Database subnet IDs, in the order of azs."
  value       = [for az in var.azs : aws_subnet.database[az].id]
}

output "nat_gateway_ids" {
  description = "NAT gateway IDs by AZ."
  value       = { for az, n in aws_nat_gateway.this : az => n.id }
}

output "private_route_table_ids" {
  description = "Private route table IDs by AZ."
  value       = { for az, rt in aws_route_table.private : az => rt.id }
}

output "network_acl_ids" {
  description = "NACL IDs by \"<tier>-<az>\" (the chaos experiment's targets)."
  value       = { for k, n in aws_network_acl.this : k => n.id }
}

output "flow_log_group_name" {
  description = "CloudWatch log group receiving the flow logs (null when off)."
  value       = var.flow_logs_enabled ? aws_cloudwatch_log_group.flow_logs[0].name : null
}
