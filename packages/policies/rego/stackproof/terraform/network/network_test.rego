package stackproof.terraform.network_test

import data.stackproof.lib.plan_test as t
import data.stackproof.terraform.network

azs := ["me-central-1a", "me-central-1b", "me-central-1c"]

subnet(tier, i) := t.instance("", "aws_subnet", tier, i, {"availability_zone": azs[i], "tags": {"Tier": tier}}, {"id": true})

unknown_id(type, name, i) := t.instance("", type, name, i, {}, {"id": true, "subnet_id": true, "route_table_id": true, "nat_gateway_id": true})

route(i) := t.instance("", "aws_route", "private_nat", i, {"destination_cidr_block": "0.0.0.0/0"}, {"route_table_id": true, "nat_gateway_id": true})

paired(address, attribute, target) := {"address": address, "expressions": {attribute: {"references": [target, "count.index"]}}}

config(nat_reference) := {"resources": [
	paired("aws_nat_gateway.this", "subnet_id", "aws_subnet.public"),
	{"address": "aws_route.private_nat", "expressions": {
		"route_table_id": {"references": ["aws_route_table.private", "count.index"]},
		"nat_gateway_id": {"references": nat_reference},
	}},
	{"address": "aws_route_table_association.private", "expressions": {
		"subnet_id": {"references": ["aws_subnet.private", "count.index"]},
		"route_table_id": {"references": ["aws_route_table.private", "count.index"]},
	}},
]}

per_az_nat := ["aws_nat_gateway.this", "count.index"]

single_nat := ["aws_nat_gateway.this[0].id", "aws_nat_gateway.this[0]", "aws_nat_gateway.this"]

network_changes(nat_count) := array.concat(
	[r |
		some i in numbers.range(0, 2)
		some r in [
			subnet("public", i),
			subnet("private", i),
			unknown_id("aws_route_table", "private", i),
			unknown_id("aws_route_table_association", "private", i),
			route(i),
		]
	],
	[unknown_id("aws_nat_gateway", "this", i) | some i in numbers.range(0, nat_count - 1)],
)

good_plan := t.plan_with_config(network_changes(3), config(per_az_nat))

single_nat_plan := t.plan_with_config(network_changes(1), config(single_nat))

test_success_subnets_multi_az if {
	s := t.statuses(network.subnets_multi_az) with input as good_plan
	count(s) == 6
	every status in s {
		status == "pass"
	}
}

test_fail_subnets_multi_az if {
	two := [subnet("private", 0), subnet("private", 1)]
	v := network.subnets_multi_az.verdicts with input as t.plan_input(two)
	every verdict in v {
		verdict.status == "fail"
		verdict.message == "tier \"private\" spans 2 AZ(s) [me-central-1a, me-central-1b], fewer than 3"
	}
}

test_success_subnets_tier_from_name_and_param if {
	plain := [t.instance("", "aws_subnet", "db", i, {"availability_zone": azs[i]}, {}) | some i in [0, 1]]
	s := t.statuses(network.subnets_multi_az) with input as object.union(t.plan_input(plain), {"params": {"az_count": 2}})
	s["aws_subnet.db[0]"] == "pass"
}

test_unknown_subnets_multi_az if {
	subnets := [subnet("private", 0), t.instance("", "aws_subnet", "private", 1, {"tags": {"tier": "private"}}, {"availability_zone": true})]
	s := t.statuses(network.subnets_multi_az) with input as t.plan_input(subnets)
	s["aws_subnet.private[0]"] == "unknown"
}

test_success_nat_per_az if {
	s := t.statuses(network.nat_per_az) with input as good_plan
	s == {"aws_nat_gateway.this[0]": "pass", "aws_nat_gateway.this[1]": "pass", "aws_nat_gateway.this[2]": "pass"}
}

test_fail_nat_per_az_single_nat if {
	v := network.nat_per_az.verdicts with input as single_nat_plan
	v[0].status == "fail"
	v[0].message == "1 NAT gateway(s) for private subnets in 3 AZs [me-central-1a, me-central-1b, me-central-1c]: at least one AZ's private subnets go out through another AZ's NAT"
}

# One NAT cannot serve three AZs, wherever it sits: a fail even when its subnet is unknown.
test_fail_nat_per_az_single_nat_unplaced if {
	v := network.nat_per_az.verdicts with input as t.plan_input(network_changes(1))
	v[0].status == "fail"
	startswith(v[0].message, "1 NAT gateway(s) for private subnets in 3 AZs [me-central-1a, me-central-1b, me-central-1c]")
}

# Three NATs placed in only two AZs: the third AZ is named.
test_fail_nat_per_az_two_azs_named if {
	changes := [t.instance("", "aws_nat_gateway", "this", i, {"subnet_id": sprintf("subnet-%v", [min([i, 1])])}, {"id": true}) | some i in [0, 1, 2]]
	publics := [t.instance("", "aws_subnet", "public", i, {"id": sprintf("subnet-%v", [i]), "availability_zone": azs[i], "tags": {"Tier": "public"}}, {}) | some i in [0, 1]]
	privates := [subnet("private", i) | some i in [0, 1, 2]]
	v := network.nat_per_az.verdicts with input as t.plan_input(array.concat(array.concat(changes, publics), privates))
	v[0].status == "fail"
	v[0].message == "no NAT gateway in [me-central-1c], where private subnets are; NAT gateways sit in [me-central-1a, me-central-1b]"
}

test_unknown_nat_per_az_unresolved if {
	s := t.statuses(network.nat_per_az) with input as t.plan_input(network_changes(3))
	s["aws_nat_gateway.this[0]"] == "unknown"
}

test_unknown_nat_per_az_private_subnet_az_unknown if {
	changes := array.concat(
		[r | some r in network_changes(3); r.address != "aws_subnet.private[2]"],
		[t.instance("", "aws_subnet", "private", 2, {"tags": {"Tier": "private"}}, {"availability_zone": true})],
	)
	s := t.statuses(network.nat_per_az) with input as t.plan_with_config(changes, config(per_az_nat))
	s["aws_nat_gateway.this[0]"] == "unknown"
}

test_success_private_route_own_az_nat if {
	s := t.statuses(network.private_route_own_az_nat) with input as good_plan
	s == {"aws_route.private_nat[0]": "pass", "aws_route.private_nat[1]": "pass", "aws_route.private_nat[2]": "pass"}
}

test_fail_private_route_cross_az_nat if {
	s := t.statuses(network.private_route_own_az_nat) with input as single_nat_plan
	s == {"aws_route.private_nat[0]": "pass", "aws_route.private_nat[1]": "fail", "aws_route.private_nat[2]": "fail"}
}

test_unknown_private_route_unresolved if {
	s := t.statuses(network.private_route_own_az_nat) with input as t.plan_input(network_changes(3))
	s["aws_route.private_nat[0]"] == "unknown"
}

test_unknown_private_route_without_associations if {
	changes := [r | some r in network_changes(3); r.type != "aws_route_table_association"]
	s := t.statuses(network.private_route_own_az_nat) with input as t.plan_with_config(changes, config(per_az_nat))
	s["aws_route.private_nat[0]"] == "unknown"
}

test_unknown_private_route_nat_unresolved if {
	s := t.statuses(network.private_route_own_az_nat) with input as t.plan_with_config(network_changes(3), config(["aws_nat_gateway.this"]))
	s["aws_route.private_nat[1]"] == "unknown"
}

keyed(type, name, key, after) := t.instance("", type, name, key, after, {"id": true, "subnet_id": true, "route_table_id": true, "nat_gateway_id": true})

# The reference module's shape: for_each over subnets / route tables, ids via each.value.
test_success_for_each_each_value_references if {
	changes := [r |
		some key in ["me-central-1a", "me-central-1b"]
		some r in [
			keyed("aws_subnet", "public", key, {"availability_zone": key, "tags": {"stackproof.io/tier": "public"}}),
			keyed("aws_subnet", "private", key, {"availability_zone": key, "tags": {"stackproof.io/tier": "private"}}),
			keyed("aws_nat_gateway", "this", key, {}),
			keyed("aws_route_table", "private", key, {}),
			keyed("aws_route", "private_nat", key, {"destination_cidr_block": "0.0.0.0/0"}),
			keyed("aws_route_table_association", "private", key, {}),
		]
	]
	config := {"resources": [
		{"address": "aws_nat_gateway.this", "expressions": {"subnet_id": {"references": ["aws_subnet.public", "each.key"]}}},
		{
			"address": "aws_route.private_nat",
			"for_each_expression": {"references": ["aws_route_table.private"]},
			"expressions": {
				"route_table_id": {"references": ["each.value.id", "each.value"]},
				"nat_gateway_id": {"references": ["var.nat_gateway_mode", "aws_nat_gateway.this", "each.key", "var.azs[0]", "var.azs"]},
			},
		},
		{
			"address": "aws_route_table_association.private",
			"for_each_expression": {"references": ["aws_subnet.private"]},
			"expressions": {
				"subnet_id": {"references": ["each.value.id", "each.value"]},
				"route_table_id": {"references": ["aws_route_table.private", "each.key"]},
			},
		},
	]}
	routes := t.statuses(network.private_route_own_az_nat) with input as t.plan_with_config(changes, config)
	routes == {"aws_route.private_nat[\"me-central-1a\"]": "pass", "aws_route.private_nat[\"me-central-1b\"]": "pass"}
	nats := t.statuses(network.nat_per_az) with input as object.union(t.plan_with_config(changes, config), {"params": {"az_count": 2}})
	nats["aws_nat_gateway.this[\"me-central-1a\"]"] == "pass"
}

test_success_inline_route_with_known_ids if {
	changes := [
		t.change("aws_subnet", "pub", {"id": "subnet-p", "availability_zone": "me-central-1a", "tags": {"Tier": "public"}}),
		t.change("aws_subnet", "priv", {"id": "subnet-q", "availability_zone": "me-central-1a"}),
		t.change("aws_nat_gateway", "a", {"id": "nat-1", "subnet_id": "subnet-p"}),
		t.change("aws_route_table", "priv", {"id": "rtb-1", "route": [{"cidr_block": "0.0.0.0/0", "nat_gateway_id": "nat-1"}]}),
		t.change("aws_route_table_association", "priv", {"subnet_id": "subnet-q", "route_table_id": "rtb-1"}),
	]
	t.statuses(network.private_route_own_az_nat)["aws_route_table.priv"] == "pass" with input as t.plan_input(changes)
}

test_unknown_route_table_unresolved if {
	r := t.resource("aws_route", "x", {"destination_cidr_block": "0.0.0.0/0", "nat_gateway_id": "nat-1"}, {"route_table_id": true}, ["create"])
	t.statuses(network.private_route_own_az_nat)["aws_route.x"] == "unknown" with input as t.plan_input([r])
}

# -- flow logs, default security group, open ingress --------------------------------------------

vpc := t.resource("aws_vpc", "this", {"cidr_block": "10.0.0.0/16"}, {"id": true}, ["create"])

flow_log := t.resource("aws_flow_log", "this", {"traffic_type": "ALL"}, {"vpc_id": true}, ["create"])

flow_config := {"resources": [{"address": "aws_flow_log.this", "expressions": {"vpc_id": {"references": ["aws_vpc.this.id", "aws_vpc.this"]}}}]}

test_success_vpc_flow_logs if {
	t.statuses(network.vpc_flow_logs)["aws_vpc.this"] == "pass" with input as t.plan_with_config([vpc, flow_log], flow_config)
}

test_fail_vpc_flow_logs if {
	t.statuses(network.vpc_flow_logs)["aws_vpc.this"] == "fail" with input as t.plan_input([vpc])
}

test_unknown_vpc_flow_logs if {
	t.statuses(network.vpc_flow_logs)["aws_vpc.this"] == "unknown" with input as t.plan_input([vpc, flow_log])
}

test_success_default_sg_closed if {
	g := t.change("aws_default_security_group", "this", {"ingress": [], "egress": []})
	t.statuses(network.default_sg_closed)["aws_default_security_group.this"] == "pass" with input as t.plan_input([g])
}

test_fail_default_sg_open if {
	g := t.change("aws_default_security_group", "this", {"ingress": [{"self": true, "protocol": "-1"}], "egress": []})
	t.statuses(network.default_sg_closed)["aws_default_security_group.this"] == "fail" with input as t.plan_input([g])
}

test_unknown_default_sg if {
	g := t.resource("aws_default_security_group", "this", {}, {"ingress": true}, ["create"])
	t.statuses(network.default_sg_closed)["aws_default_security_group.this"] == "unknown" with input as t.plan_input([g])
}

sg(ingress) := t.change("aws_security_group", "web", {"ingress": ingress})

ingress(from, to, protocol, cidrs) := {"from_port": from, "to_port": to, "protocol": protocol, "cidr_blocks": cidrs, "ipv6_cidr_blocks": []}

sg_status(rc) := s if {
	s := t.statuses(network.sg_open_ingress)[rc.address] with input as t.plan_input([rc])
}

test_success_sg_https_from_world if sg_status(sg([ingress(443, 443, "tcp", ["0.0.0.0/0"])])) == "pass"

test_success_sg_ssh_from_office if sg_status(sg([ingress(22, 22, "tcp", ["203.0.113.0/24"])])) == "pass"

test_fail_sg_ssh_from_world if sg_status(sg([ingress(22, 22, "tcp", ["0.0.0.0/0"])])) == "fail"

test_fail_sg_range_covering_postgres if sg_status(sg([ingress(5000, 6000, "tcp", ["0.0.0.0/0"])])) == "fail"

test_fail_sg_all_protocols if sg_status(sg([ingress(0, 0, "-1", ["0.0.0.0/0"])])) == "fail"

test_fail_sg_all_ports_ipv6 if {
	rule := {"from_port": 0, "to_port": 65535, "protocol": "tcp", "cidr_blocks": [], "ipv6_cidr_blocks": ["::/0"]}
	sg_status(sg([rule])) == "fail"
}

test_unknown_sg_ingress if {
	g := t.resource("aws_security_group", "web", {}, {"ingress": true}, ["create"])
	sg_status(g) == "unknown"
}

test_fail_vpc_ingress_rule_rdp if {
	r := t.change("aws_vpc_security_group_ingress_rule", "rdp", {"cidr_ipv4": "0.0.0.0/0", "from_port": 3389, "to_port": 3389, "ip_protocol": "tcp"})
	sg_status(r) == "fail"
}

test_success_vpc_ingress_rule_from_sg if {
	r := t.change("aws_vpc_security_group_ingress_rule", "pg", {"referenced_security_group_id": "sg-1", "from_port": 5432, "to_port": 5432, "ip_protocol": "tcp"})
	sg_status(r) == "pass"
}

test_fail_vpc_ingress_rule_all_traffic if {
	r := t.change("aws_vpc_security_group_ingress_rule", "all", {"cidr_ipv6": "::/0", "ip_protocol": -1})
	sg_status(r) == "fail"
}

test_unknown_vpc_ingress_rule if {
	r := t.resource("aws_vpc_security_group_ingress_rule", "x", {"from_port": 22, "to_port": 22, "ip_protocol": "tcp"}, {"cidr_ipv4": true}, ["create"])
	sg_status(r) == "unknown"
}

test_fail_security_group_rule_ssh if {
	r := t.change("aws_security_group_rule", "ssh", object.union(ingress(22, 22, "tcp", ["0.0.0.0/0"]), {"type": "ingress"}))
	sg_status(r) == "fail"
}

test_success_security_group_rule_egress_ignored if {
	r := t.change("aws_security_group_rule", "out", object.union(ingress(0, 0, "-1", ["0.0.0.0/0"]), {"type": "egress"}))
	count(network.sg_open_ingress.verdicts) == 0 with input as t.plan_input([r])
}

test_unknown_security_group_rule if {
	r := t.resource("aws_security_group_rule", "x", {"type": "ingress", "from_port": 22, "to_port": 22, "protocol": "tcp"}, {"cidr_blocks": true}, ["create"])
	sg_status(r) == "unknown"
}

# ingress computed at apply but not configured: the group has no inline rules.
test_success_sg_without_inline_ingress if {
	g := t.resource("aws_security_group", "default", {"name": "default"}, {"ingress": true}, ["create"])
	config := {"resources": [{"address": "aws_security_group.default", "expressions": {"name": {"constant_value": "default"}}}]}
	t.statuses(network.sg_open_ingress)["aws_security_group.default"] == "pass" with input as t.plan_with_config([g], config)
	configured := {"resources": [{"address": "aws_security_group.default", "expressions": {"ingress": {"references": ["var.rules"]}}}]}
	t.statuses(network.sg_open_ingress)["aws_security_group.default"] == "unknown" with input as t.plan_with_config([g], configured)
}
