locals {
  az_index = { for i, az in var.azs : az => i }

  # /16 layout: public /24s at 0..n, private /20s at 1..n (of the /20 grid), database /24s at 200+.
  public_cidrs   = { for az, i in local.az_index : az => cidrsubnet(var.cidr_block, 8, i) }
  private_cidrs  = { for az, i in local.az_index : az => cidrsubnet(var.cidr_block, 4, i + 1) }
  database_cidrs = { for az, i in local.az_index : az => cidrsubnet(var.cidr_block, 8, 200 + i) }

  nat_azs = var.nat_gateway_mode == "per_az" ? var.azs : [var.azs[0]]

  cluster_tag = var.cluster_name == "" ? {} : { "kubernetes.io/cluster/${var.cluster_name}" = "shared" }
}

resource "aws_vpc" "this" {
  cidr_block           = var.cidr_block
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = { Name = var.name }
}

# Adopting the default security group with no rules removes its allow-all rules: nothing can use
# it by accident.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id

  tags = { Name = "${var.name}-default-closed" }
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = { Name = var.name }
}
