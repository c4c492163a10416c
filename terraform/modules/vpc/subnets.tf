# Every subnet carries its tier and AZ as tags: the live suite and the chaos AZ-outage experiment
# select subnets (and their NACLs) by these tags, never by id.
resource "aws_subnet" "public" {
  for_each = local.public_cidrs

  vpc_id                  = aws_vpc.this.id
  availability_zone       = each.key
  cidr_block              = each.value
  map_public_ip_on_launch = false

  tags = merge(local.cluster_tag, {
    Name                     = "${var.name}-public-${each.key}"
    "stackproof.io/tier"     = "public"
    "stackproof.io/az"       = each.key
    "kubernetes.io/role/elb" = "1"
  })
}

resource "aws_subnet" "private" {
  for_each = local.private_cidrs

  vpc_id            = aws_vpc.this.id
  availability_zone = each.key
  cidr_block        = each.value

  tags = merge(local.cluster_tag, {
    Name                              = "${var.name}-private-${each.key}"
    "stackproof.io/tier"              = "private"
    "stackproof.io/az"                = each.key
    "kubernetes.io/role/internal-elb" = "1"
  })
}

resource "aws_subnet" "database" {
  for_each = local.database_cidrs

  vpc_id            = aws_vpc.this.id
  availability_zone = each.key
  cidr_block        = each.value

  tags = {
    Name                 = "${var.name}-database-${each.key}"
    "stackproof.io/tier" = "database"
    "stackproof.io/az"   = each.key
  }
}
