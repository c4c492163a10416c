# METADATA
# title: Network
# description: |
#   VPC layout across AZs (subnet tiers, NAT gateways, private routes), flow logs and
#   security groups.
package stackproof.terraform.network

import data.stackproof.lib.plan
import data.stackproof.lib.text

# The checks of this family, collected by stackproof.main (scripts/check-rego.sh verifies that
# every rule with an id is listed here).
checks := [subnets_multi_az, nat_per_az, private_route_own_az_nat, vpc_flow_logs, default_sg_closed, sg_open_ingress]

# What the gate passes of the plan to this family (see rds.plan_reads). Subnet tiers, NAT
# placement, routes and flow logs count several resources per verdict ("whole"); a subnet's tier
# only counts the subnets of its own module instance ("module"); security groups and their rules
# are judged one by one.
plan_reads := {
	"aws_subnet": {"attributes": ["availability_zone", "tags", "tags_all"], "whole": "module"},
	"aws_nat_gateway": {"attributes": ["subnet_id"], "context": ["aws_subnet"], "whole": true},
	"aws_route": {"attributes": ["destination_cidr_block", "nat_gateway_id", "route_table_id"], "context": route_context, "whole": true},
	"aws_route_table": {"attributes": ["route"], "context": route_context, "whole": true},
	"aws_route_table_association": {"attributes": ["subnet_id", "route_table_id"], "judged": false},
	"aws_vpc": {"attributes": [], "context": ["aws_flow_log"], "whole": true},
	"aws_flow_log": {"attributes": ["vpc_id"], "judged": false},
	"aws_default_security_group": {"attributes": ["ingress", "egress"]},
	"aws_security_group": {"attributes": ["ingress"]},
	"aws_vpc_security_group_ingress_rule": {"attributes": ["cidr_ipv4", "cidr_ipv6", "from_port", "to_port", "ip_protocol"]},
	"aws_security_group_rule": {"attributes": ["type", "cidr_blocks", "ipv6_cidr_blocks", "from_port", "to_port", "protocol"]},
}

route_context := ["aws_route_table", "aws_route_table_association", "aws_nat_gateway", "aws_subnet", "aws_route"]

subnets := plan.changes("aws_subnet")

# The tier of a subnet: its first tier tag, else its resource name (aws_subnet.private -> private).
tier_tags := ["stackproof.io/tier", "Tier", "tier"]

tier(subnet) := tiers[0] if {
	tags := plan.tags(subnet)
	tiers := [value | some key in tier_tags; value := object.get(tags, key, null); is_string(value)]
	count(tiers) > 0
} else := subnet.name

# Subnets are grouped per module instance and tier: one VPC module call is one network.
group(subnet) := concat("", [plan.instance_prefix(subnet), tier(subnet)])

public(subnet) if contains(lower(tier(subnet)), "public")

# METADATA
# title: Each subnet tier spans enough AZs
# description: >-
#   A tier (public, private, database...) confined to fewer AZs than required cannot host
#   zone-redundant load balancers, nodes or databases.
# custom:
#   id: network.subnets-multi-az
#   family: network
#   severity: high
#   remediation: >-
#     Create one subnet of every tier in each of at least params.az_count (3) AZs; tag subnets with
#     Tier.
#   references: []
subnets_multi_az := {"meta": rego.metadata.rule(), "verdicts": [subnet_verdict(s) | some s in plan.judged("aws_subnet")]}

# Indexes built once per evaluation (functions over all subnets per subnet would be quadratic).
group_az_index[group(s)] contains az if {
	some s in subnets
	az := plan.subnet_az(s)
}

groups_with_unknown_az contains group(s) if {
	some s in subnets
	not plan.subnet_az(s)
}

group_azs(g) := object.get(group_az_index, g, set())

group_has_unknown_az(g) if g in groups_with_unknown_az

subnet_verdict(s) := plan.pass(s, "") if {
	count(group_azs(group(s))) >= plan.az_count
} else := plan.unknown_verdict(s, "availability_zone of a subnet of this tier is not known until apply") if {
	group_has_unknown_az(group(s))
} else := plan.fail(s, text.format("tier \"%s\" spans %s AZ(s) [%s], fewer than %s", [
	tier(s),
	count(group_azs(group(s))),
	concat(", ", sort(group_azs(group(s)))),
	plan.az_count,
]))

# AZ of the subnet a resource sits in (NAT gateway), undefined when unresolvable.
placed_az(rc) := az if {
	placed := plan.resolve(rc, ["subnet_id"], "aws_subnet")
	count(placed) == 1
	some s in placed
	az := plan.subnet_az(s)
}

nat_gateways := plan.changes("aws_nat_gateway")

# METADATA
# title: One NAT gateway per AZ
# description: >-
#   With a single NAT gateway every private subnet loses its egress when that NAT's AZ fails; a NAT
#   per AZ keeps each AZ independent.
# custom:
#   id: network.nat-per-az
#   family: network
#   severity: high
#   remediation: >-
#     Create one aws_nat_gateway in a public subnet of every AZ that has private subnets
#     (terraform-aws-modules/vpc one_nat_gateway_per_az = true).
#   references: []
nat_per_az := {"meta": rego.metadata.rule(), "verdicts": [nat_verdict(n) | some n in plan.judged("aws_nat_gateway")]}

# The private-subnet AZs, the NAT gateways and the NAT AZs of each network (module instance).
private_az_index[plan.instance_prefix(s)] contains az if {
	some s in subnets
	not public(s)
	az := plan.subnet_az(s)
}

private_unknown_az_prefixes contains plan.instance_prefix(s) if {
	some s in subnets
	not public(s)
	not plan.subnet_az(s)
}

nat_index[plan.instance_prefix(n)] contains n.address if some n in nat_gateways

nat_az_index[plan.instance_prefix(n)] contains az if {
	some n in nat_gateways
	az := placed_az(n)
}

unplaced_nat_index[plan.instance_prefix(n)] contains n.address if {
	some n in nat_gateways
	not placed_az(n)
}

private_azs(prefix) := object.get(private_az_index, prefix, set())

nat_azs(prefix) := object.get(nat_az_index, prefix, set())

nat_count(prefix) := count(object.get(nat_index, prefix, set()))

unplaced_nats(prefix) := object.get(unplaced_nat_index, prefix, set())

# Fewer NAT gateways than AZs with private subnets is a fail whatever their subnets: one NAT cannot
# sit in two AZs. Only which AZ lacks one can wait for apply.
nat_verdict(n) := plan.fail(n, text.format("%s NAT gateway(s) for private subnets in %s AZs [%s]: %s", [
	nat_count(prefix),
	count(private_azs(prefix)),
	concat(", ", sort(private_azs(prefix))),
	"at least one AZ's private subnets go out through another AZ's NAT",
])) if {
	prefix := plan.instance_prefix(n)
	nat_count(prefix) < count(private_azs(prefix))
} else := plan.fail(n, text.format("no NAT gateway in [%s], where private subnets are; NAT gateways sit in [%s]", [
	concat(", ", sort(private_azs(prefix) - nat_azs(prefix))),
	concat(", ", sort(nat_azs(prefix))),
])) if {
	prefix := plan.instance_prefix(n)
	count(unplaced_nats(prefix)) == 0
	count(private_azs(prefix) - nat_azs(prefix)) > 0
} else := plan.unknown_verdict(n, text.format("the subnet_id of NAT gateway %s%s", [
	sort(unplaced_nats(plan.instance_prefix(n)))[0],
	plan.unfollowed,
])) if {
	count(unplaced_nats(plan.instance_prefix(n))) > 0
} else := plan.unknown_verdict(n, "the availability_zone of a private subnet of this network is not known until apply") if {
	plan.instance_prefix(n) in private_unknown_az_prefixes
} else := plan.pass(n, text.format("NAT gateways in [%s] serve private subnets in [%s]", [
	concat(", ", sort(nat_azs(plan.instance_prefix(n)))),
	concat(", ", sort(private_azs(plan.instance_prefix(n)))),
]))

# METADATA
# title: Private default routes use a NAT gateway in their own AZ
# description: >-
#   A private route table whose default route crosses to another AZ's NAT loses egress when that AZ
#   fails, and pays cross-AZ data charges every day.
# custom:
#   id: network.private-route-own-az-nat
#   family: network
#   severity: high
#   remediation: Give each AZ its own private route table with 0.0.0.0/0 to the NAT gateway of the same AZ.
#   references: []
private_route_own_az_nat := {"meta": rego.metadata.rule(), "verdicts": [route_verdict(r) | some r in nat_routes; plan.own(r.rc)]}

# Default routes to a NAT gateway: aws_route resources and inline routes of aws_route_table.
nat_routes contains {"rc": r, "table": table, "nat_path": ["nat_gateway_id"]} if {
	some r in plan.changes("aws_route")
	object.get(plan.after(r), "destination_cidr_block", "") == "0.0.0.0/0"
	nat_target(r, ["nat_gateway_id"])
	table := plan.resolve(r, ["route_table_id"], "aws_route_table")
}

nat_routes contains {"rc": r, "table": null, "nat_path": ["nat_gateway_id"]} if {
	some r in plan.changes("aws_route")
	object.get(plan.after(r), "destination_cidr_block", "") == "0.0.0.0/0"
	nat_target(r, ["nat_gateway_id"])
	not plan.resolve(r, ["route_table_id"], "aws_route_table")
}

nat_routes contains {"rc": t, "table": {t}, "nat_path": ["route", i, "nat_gateway_id"]} if {
	some t in plan.changes("aws_route_table")
	some i, route in object.get(plan.after(t), "route", [])
	object.get(route, "cidr_block", "") == "0.0.0.0/0"
	nat_target(t, ["route", i, "nat_gateway_id"])
}

nat_target(rc, path) if plan.known(rc, path) != ""

nat_target(rc, path) if plan.unknown(rc, path)

# AZs of the subnets associated with each route table, by table address.
association_az_index[t.address] contains az if {
	some a in plan.changes("aws_route_table_association")
	some t in plan.resolve(a, ["route_table_id"], "aws_route_table")
	some s in plan.resolve(a, ["subnet_id"], "aws_subnet")
	az := plan.subnet_az(s)
}

table_azs(tables) := {az | some t in tables; some az in object.get(association_az_index, t.address, set())}

route_nat_az(route) := az if {
	nats := plan.resolve(route.rc, route.nat_path, "aws_nat_gateway")
	count(nats) == 1
	some n in nats
	az := placed_az(n)
}

route_verdict(route) := plan.unknown_verdict(route.rc, "the route table is not known until apply") if {
	route.table == null
} else := plan.unknown_verdict(route.rc, "the NAT gateway of the default route or its AZ is not known until apply") if {
	not route_nat_az(route)
} else := plan.unknown_verdict(route.rc, "the subnets associated with the route table are not known until apply") if {
	count(table_azs(route.table)) == 0
} else := plan.pass(route.rc, "") if {
	table_azs(route.table) == {route_nat_az(route)}
} else := plan.fail(route.rc, text.format("the default route goes to a NAT gateway in %s but the table serves subnets in [%s]", [
	route_nat_az(route),
	concat(", ", sort(table_azs(route.table))),
]))

# METADATA
# title: VPCs have flow logs
# description: >-
#   Flow logs are the record of who talked to what; without them an incident cannot be
#   reconstructed.
# custom:
#   id: network.vpc-flow-logs
#   family: network
#   severity: medium
#   remediation: Add an aws_flow_log with vpc_id = aws_vpc.this.id and traffic_type = "ALL".
#   references: ["AWS FSBP EC2.6", "CIS AWS 3.7"]
vpc_flow_logs := {"meta": rego.metadata.rule(), "verdicts": [flow_verdict(v) | some v in plan.judged("aws_vpc")]}

unresolved_flow_log if {
	some f in plan.changes("aws_flow_log")
	not plan.resolve(f, ["vpc_id"], "aws_vpc")
}

vpcs_with_flow_logs contains vpc.address if {
	some f in plan.changes("aws_flow_log")
	some vpc in plan.resolve(f, ["vpc_id"], "aws_vpc")
}

flow_verdict(vpc) := plan.pass(vpc, "") if {
	vpc.address in vpcs_with_flow_logs
} else := plan.unknown_verdict(vpc, "a flow log's vpc_id is not known until apply") if {
	unresolved_flow_log
} else := plan.fail(vpc, "no aws_flow_log points at this VPC")

# METADATA
# title: The default security group allows no traffic
# description: >-
#   Resources launched without a security group land in the default one; it must deny everything so
#   nothing is exposed by omission.
# custom:
#   id: network.default-sg-closed
#   family: network
#   severity: medium
#   remediation: Manage aws_default_security_group for each VPC with no ingress and no egress blocks.
#   references: ["AWS FSBP EC2.2", "CIS AWS 5.4"]
default_sg_closed := {"meta": rego.metadata.rule(), "verdicts": [default_sg_verdict(g) | some g in plan.judged("aws_default_security_group")]}

default_sg_verdict(g) := plan.unknown_verdict(g, "its rules are not known until apply") if {
	some direction in ["ingress", "egress"]
	plan.unknown(g, [direction])
} else := plan.pass(g, "") if {
	count(object.get(plan.after(g), "ingress", [])) + count(object.get(plan.after(g), "egress", [])) == 0
} else := plan.fail(g, text.format("the default security group has %s ingress and %s egress rule(s)", [
	count(object.get(plan.after(g), "ingress", [])),
	count(object.get(plan.after(g), "egress", [])),
]))

# METADATA
# title: No security group opens SSH, RDP, PostgreSQL or all ports to the internet
# description: >-
#   Ingress from 0.0.0.0/0 or ::/0 to 22, 3389, 5432 or every port invites brute force and exploits;
#   reach these through a bastion, SSM or a VPN.
# custom:
#   id: network.sg-open-ingress
#   family: network
#   severity: critical
#   remediation: >-
#     Restrict the rule's CIDR to known ranges or reference a security group; use SSM Session Manager
#     instead of SSH.
#   references: ["AWS FSBP EC2.13", "AWS FSBP EC2.14", "AWS FSBP EC2.19", "CIS AWS 5.2", "CIS AWS 5.3"]
sg_open_ingress := {"meta": rego.metadata.rule(), "verdicts": [sg_verdict(rc, ingress_rules(rc)) | some rc in sg_resources]}

sg_resources := array.concat(
	array.concat(plan.judged("aws_security_group"), plan.judged("aws_vpc_security_group_ingress_rule")),
	[r |
		some r in plan.judged("aws_security_group_rule")
		object.get(plan.after(r), "type", "") == "ingress"
	],
)

# Normalised ingress rules: {from, to, all, cidrs, unknown}.
ingress_rules(rc) := [] if {
	# ingress computed at apply but not configured: the group has no inline rules (separate
	# aws_security_group_rule / aws_vpc_security_group_ingress_rule are judged on their own)
	rc.type == "aws_security_group"
	plan.unknown(rc, ["ingress"])
	plan.not_configured(rc, ["ingress"])
} else := [{"unknown": true}] if {
	rc.type == "aws_security_group"
	plan.unknown(rc, ["ingress"])
} else := rules if {
	rc.type == "aws_security_group"
	rules := [normalise(rule, rule.protocol, array.concat(object.get(rule, "cidr_blocks", []), object.get(rule, "ipv6_cidr_blocks", []))) |
		some rule in object.get(plan.after(rc), "ingress", [])
	]
}

ingress_rules(rc) := [{"unknown": true}] if {
	rc.type == "aws_vpc_security_group_ingress_rule"
	some attribute in ["cidr_ipv4", "cidr_ipv6", "from_port", "to_port", "ip_protocol"]
	plan.unknown(rc, [attribute])
} else := [normalise(after, after.ip_protocol, [c | some c in [object.get(after, "cidr_ipv4", null), object.get(after, "cidr_ipv6", null)]; c != null])] if {
	rc.type == "aws_vpc_security_group_ingress_rule"
	after := plan.after(rc)
}

ingress_rules(rc) := [{"unknown": true}] if {
	rc.type == "aws_security_group_rule"
	some attribute in ["cidr_blocks", "ipv6_cidr_blocks", "from_port", "to_port", "protocol"]
	plan.unknown(rc, [attribute])
} else := [normalise(after, after.protocol, array.concat(object.get(after, "cidr_blocks", []), object.get(after, "ipv6_cidr_blocks", [])))] if {
	rc.type == "aws_security_group_rule"
	after := plan.after(rc)
}

normalise(rule, protocol, cidrs) := {
	"unknown": false,
	"from": object.get(rule, "from_port", 0),
	"to": object.get(rule, "to_port", 0),
	"all": format_protocol(protocol) in {"-1", "all"},
	"cidrs": [c | some c in cidrs; c != null],
}

format_protocol(p) := p if is_string(p)

format_protocol(p) := format_int(p, 10) if is_number(p)

format_protocol(null) := "-1"

admin_ports := [22, 3389, 5432]

exposure(rule) := "all ports" if {
	rule.all
} else := "all ports" if {
	rule.from <= 0
	rule.to >= 65535
} else := text.format("port %s", [ports[0]]) if {
	ports := [port | some port in admin_ports; rule.from <= port; port <= rule.to]
	count(ports) > 0
}

open_to_world(rule) := [c | some c in rule.cidrs; c in {"0.0.0.0/0", "::/0"}]

sg_verdict(rc, rules) := plan.fail(rc, problems[0]) if {
	problems := [text.format("ingress from %s to %s", [open_to_world(rule)[0], exposure(rule)]) |
		some rule in rules
		not rule.unknown
		count(open_to_world(rule)) > 0
		exposure(rule)
	]
	count(problems) > 0
} else := plan.unknown_verdict(rc, "its ingress rules are not known until apply") if {
	some rule in rules
	rule.unknown
} else := plan.pass(rc, "")
