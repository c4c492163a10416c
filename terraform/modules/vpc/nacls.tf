# One NACL per subnet (tier x AZ). They allow everything by default (security groups do the
# filtering); they exist so the chaos AZ-outage experiment can blackhole exactly one AZ by adding a
# low-numbered deny rule to that AZ's NACLs, found by the stackproof.io/az tag, and remove it again.
locals {
  nacl_subnets = merge(
    { for az, s in aws_subnet.public : "public-${az}" => { id = s.id, tier = "public", az = az } },
    { for az, s in aws_subnet.private : "private-${az}" => { id = s.id, tier = "private", az = az } },
    { for az, s in aws_subnet.database : "database-${az}" => { id = s.id, tier = "database", az = az } },
  )
}

resource "aws_network_acl" "this" {
  for_each = local.nacl_subnets

  vpc_id     = aws_vpc.this.id
  subnet_ids = [each.value.id]

  tags = {
    Name                 = "${var.name}-${each.key}"
    "stackproof.io/tier" = each.value.tier
    "stackproof.io/az"   = each.value.az
    # The chaos role may only add/remove entries on NACLs carrying this tag.
    "stackproof.io/chaos-target" = "true"
  }
}

# Rule numbers 100 leave 1-99 free for the chaos experiment's deny rules.
resource "aws_network_acl_rule" "allow_all_in" {
  #checkov:skip=CKV_AWS_229:Allow-all by design: security groups filter traffic; these NACLs exist so the AZ-outage experiment can blackhole one AZ with deny rules numbered below 100.
  #checkov:skip=CKV_AWS_230:Allow-all by design: security groups filter traffic; these NACLs exist so the AZ-outage experiment can blackhole one AZ with deny rules numbered below 100.
  #checkov:skip=CKV_AWS_231:Allow-all by design: security groups filter traffic; these NACLs exist so the AZ-outage experiment can blackhole one AZ with deny rules numbered below 100.
  #checkov:skip=CKV_AWS_232:Allow-all by design: security groups filter traffic; these NACLs exist so the AZ-outage experiment can blackhole one AZ with deny rules numbered below 100.
  #checkov:skip=CKV_AWS_352:Allow-all by design: security groups filter traffic; these NACLs exist so the AZ-outage experiment can blackhole one AZ with deny rules numbered below 100.
  for_each = aws_network_acl.this

  network_acl_id = each.value.id
  rule_number    = 100
  egress         = false
  protocol       = "-1"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
}

resource "aws_network_acl_rule" "allow_all_out" {
  for_each = aws_network_acl.this

  network_acl_id = each.value.id
  rule_number    = 100
  egress         = true
  protocol       = "-1"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
}
