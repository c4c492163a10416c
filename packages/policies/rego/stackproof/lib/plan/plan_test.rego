package stackproof.lib.plan_test

import data.stackproof.lib.plan

# -- builders shared by the terraform tests (plan JSON, format_version 1.2) --------------------

change(type, name, after) := resource(type, name, after, {}, ["create"])

resource(type, name, after, after_unknown, actions) := {
	"address": concat(".", [type, name]),
	"mode": "managed",
	"type": type,
	"name": name,
	"change": {"actions": actions, "before": null, "after": after, "after_unknown": after_unknown},
}

# An instance of a counted resource, optionally inside a module ("" for root).
instance(module, type, name, index, after, after_unknown) := object.union(
	{
		"address": concat("", [module_part(module), type, ".", name, index_part(index)]),
		"mode": "managed",
		"type": type,
		"name": name,
		"index": index,
		"change": {"actions": ["create"], "before": null, "after": after, "after_unknown": after_unknown},
	},
	module_field(module),
)

module_part("") := ""

module_part(module) := concat("", [module, "."]) if module != ""

module_field("") := {}

module_field(module) := {"module_address": module} if module != ""

index_part(index) := concat("", ["[", format_int(index, 10), "]"]) if is_number(index)

index_part(index) := concat("", ["[\"", index, "\"]"]) if is_string(index)

index_part(null) := ""

plan_input(changes) := plan_with_config(changes, {})

plan_with_config(changes, root_module) := {
	"kind": "terraform-plan",
	"params": {},
	"plan": {
		"format_version": "1.2",
		"resource_changes": changes,
		"configuration": {"root_module": root_module},
	},
}

# The statuses of a check's verdicts by address.
statuses(check) := {v.address: v.status | some v in check.verdicts}

# -- tests of the helpers themselves ------------------------------------------------------------

test_success_changes_skip_deletions_and_data_sources if {
	changes := [
		change("aws_kms_key", "kept", {}),
		resource("aws_kms_key", "gone", null, {}, ["delete"]),
		resource("aws_kms_key", "same", {}, {}, ["no-op"]),
		object.union(change("aws_kms_key", "read", {}), {"mode": "data"}),
	]
	got := {rc.address | some rc in plan.changes("aws_kms_key")} with input as plan_input(changes)
	got == {"aws_kms_key.kept", "aws_kms_key.same"}
}

test_success_changes_empty_for_other_input_kinds if {
	count(plan.changes("aws_kms_key")) == 0 with input as {"kind": "kubernetes", "objects": []}
}

test_success_unknown_nested_and_parent if {
	rc := resource("aws_eks_cluster", "a", {}, {"vpc_config": [{"public_access_cidrs": true}], "encryption_config": true}, ["create"])
	plan.unknown(rc, ["vpc_config", 0, "public_access_cidrs"])
	plan.unknown(rc, ["encryption_config", 0, "provider", 0, "key_arn"])
	not plan.unknown(rc, ["vpc_config", 0, "endpoint_public_access"])
}

test_success_params_defaults if {
	plan.az_count == 3 with input as {"kind": "terraform-plan"}
	plan.az_count == 2 with input as {"kind": "terraform-plan", "params": {"az_count": 2}}
	plan.min_backup_retention_days == 7 with input as {"kind": "terraform-plan", "params": {}}
}

test_success_strip_keys if {
	plan.strip_keys("module.a[0].module.b[\"x\"]") == "module.a.module.b"
	plan.parent_of("module.a.module.b.") == "module.a."
	plan.parent_of("module.a.") == ""
	plan.call_name("module.a.module.b.") == "b"
}

test_success_tags_merge_defaults if {
	rc := change("aws_subnet", "a", {"tags": {"Tier": "private"}, "tags_all": {"Env": "prod", "Tier": "private"}})
	plan.tags(rc) == {"Tier": "private", "Env": "prod"}
	plan.tags(change("aws_subnet", "b", {"tags": {"Tier": "x"}, "tags_all": null})) == {"Tier": "x"}
}

subnet(module, name, index, az) := instance(module, "aws_subnet", name, index, {"availability_zone": az}, {"id": true})

test_success_resolve_known_id if {
	s := instance("", "aws_subnet", "a", null, {"id": "subnet-1", "availability_zone": "az1"}, {})
	nat := change("aws_nat_gateway", "n", {"subnet_id": "subnet-1"})
	plan.resolve(nat, ["subnet_id"], "aws_subnet") == {s} with input as plan_input([s, nat])
}

test_success_resolve_explicit_index if {
	s0 := subnet("", "public", 0, "az1")
	s1 := subnet("", "public", 1, "az2")
	nat := resource("aws_nat_gateway", "n", {}, {"subnet_id": true}, ["create"])
	config := {"resources": [{"address": "aws_nat_gateway.n", "expressions": {"subnet_id": {"references": ["aws_subnet.public[1].id", "aws_subnet.public[1]", "aws_subnet.public"]}}}]}
	plan.resolve(nat, ["subnet_id"], "aws_subnet") == {s1} with input as plan_with_config([s0, s1, nat], config)
}

test_success_resolve_for_each_key if {
	sa := subnet("", "public", "a", "az1")
	sb := subnet("", "public", "b", "az2")
	nat := instance("", "aws_nat_gateway", "n", "b", {}, {"subnet_id": true})
	config := {"resources": [{"address": "aws_nat_gateway.n", "expressions": {"subnet_id": {"references": ["aws_subnet.public", "each.key"]}}}]}
	plan.resolve(nat, ["subnet_id"], "aws_subnet") == {sb} with input as plan_with_config([sa, sb, nat], config)
}

test_success_resolve_module_output_and_variable if {
	s0 := subnet("module.vpc", "private", 0, "az1")
	s1 := subnet("module.vpc", "private", 1, "az2")
	ng := instance("module.eks", "aws_eks_node_group", "this", null, {}, {"subnet_ids": true})
	config := {
		"resources": [],
		"module_calls": {
			"vpc": {"module": {
				"resources": [],
				"outputs": {"private_subnets": {"expression": {"references": ["aws_subnet.private"]}}},
			}},
			"eks": {
				"expressions": {"subnet_ids": {"references": ["module.vpc.private_subnets", "module.vpc"]}},
				"module": {"resources": [{"address": "aws_eks_node_group.this", "expressions": {"subnet_ids": {"references": ["var.subnet_ids"]}}}]},
			},
		},
	}
	plan.resolve(ng, ["subnet_ids"], "aws_subnet") == {s0, s1} with input as plan_with_config([s0, s1, ng], config)
}

test_success_resolve_through_module_output_in_same_module if {
	s0 := subnet("module.net.module.vpc", "private", 0, "az1")
	ng := instance("module.net", "aws_eks_node_group", "this", null, {}, {"subnet_ids": true})
	config := {"module_calls": {"net": {"module": {
		"resources": [{"address": "aws_eks_node_group.this", "expressions": {"subnet_ids": {"references": ["module.vpc.private_subnets", "module.vpc"]}}}],
		"module_calls": {"vpc": {"module": {"outputs": {"private_subnets": {"expression": {"references": ["aws_subnet.private"]}}}}}},
	}}}}
	plan.resolve(ng, ["subnet_ids"], "aws_subnet") == {s0} with input as plan_with_config([s0, ng], config)
}

test_success_resolve_unresolvable_is_undefined if {
	nat := resource("aws_nat_gateway", "n", {}, {"subnet_id": true}, ["create"])
	config := {"resources": [{"address": "aws_nat_gateway.n", "expressions": {"subnet_id": {"references": ["data.aws_subnet.x.id", "data.aws_subnet.x"]}}}]}
	not plan.resolve(nat, ["subnet_id"], "aws_subnet") with input as plan_with_config([nat], config)
}

test_success_resolve_depth_three_modules if {
	s := subnet("module.a.module.b.module.c", "x", null, "az1")
	r := instance("module.a.module.b.module.c", "aws_nat_gateway", "n", null, {}, {"subnet_id": true})
	config := {"module_calls": {"a": {"module": {"module_calls": {"b": {"module": {"module_calls": {"c": {"module": {"resources": [{"address": "aws_nat_gateway.n", "expressions": {"subnet_id": {"references": ["aws_subnet.x.id", "aws_subnet.x"]}}}]}}}}}}}}}}
	plan.resolve(r, ["subnet_id"], "aws_subnet") == {s} with input as plan_with_config([s, r], config)
}

test_success_key_verdict if {
	rc := resource("aws_db_instance", "a", {}, {"kms_key_id": true}, ["create"])
	config := {"resources": [{"address": "aws_db_instance.a", "expressions": {"kms_key_id": {"references": ["aws_kms_key.db.arn", "aws_kms_key.db"]}}}]}
	v := plan.key_verdict(rc, ["kms_key_id"], "x") with input as plan_with_config([rc], config)
	v.status == "pass"
	u := plan.key_verdict(rc, ["kms_key_id"], "x") with input as plan_input([rc])
	u.status == "unknown"
	f := plan.key_verdict(change("aws_db_instance", "b", {"kms_key_id": ""}), ["kms_key_id"], "x")
	f.status == "fail"
}

# -- conflicts are impossible by construction ------------------------------------------------------
# Every index is a set and every function single-valued, so inputs that repeat an address or a key
# still evaluate: the whole entrypoint is evaluated on each.

test_success_no_conflict_on_shared_addresses if {
	s := subnet("", "private", 0, "az1")
	deposed := object.union(subnet("", "private", 0, "az2"), {"deposed": "00000001", "change": {"actions": ["no-op"]}})
	nat := resource("aws_nat_gateway", "n", {"subnet_id": "subnet-1"}, {}, ["create"])
	again := resource("aws_nat_gateway", "n", {}, {"subnet_id": true}, ["create"])
	config := {"resources": [
		{"address": "aws_nat_gateway.n", "expressions": {"subnet_id": {"references": ["aws_subnet.private[0].id"]}}},
		{"address": "aws_nat_gateway.n", "expressions": {"subnet_id": {"references": ["aws_subnet.other"]}}},
	]}
	main := data.stackproof.main with input as plan_with_config([s, deposed, nat, again, s], config)
	count(main.results) > 0
}

test_success_no_conflict_on_colliding_module_names if {
	config := {"module_calls": {
		"a.module.b": {"module": {"resources": [{"address": "aws_nat_gateway.n"}]}},
		"a": {"module": {"module_calls": {"b": {"module": {"resources": [{"address": "aws_nat_gateway.n", "expressions": {}}]}}}}},
	}}
	nat := instance("module.a.module.b", "aws_nat_gateway", "n", null, {}, {"subnet_id": true})
	main := data.stackproof.main with input as plan_with_config([nat], config)
	count(main.results) > 0
}

# An expression naming two variables points at the union of what both arguments point at.
test_success_resolve_several_variables if {
	s0 := subnet("module.vpc", "private", 0, "az1")
	s1 := subnet("module.vpc", "public", 0, "az2")
	ng := instance("module.eks", "aws_eks_node_group", "this", null, {}, {"subnet_ids": true})
	config := {"module_calls": {
		"vpc": {"module": {"outputs": {
			"private_subnets": {"expression": {"references": ["aws_subnet.private"]}},
			"public_subnets": {"expression": {"references": ["aws_subnet.public"]}},
		}}},
		"eks": {
			"expressions": {
				"private_ids": {"references": ["module.vpc.private_subnets", "module.vpc"]},
				"public_ids": {"references": ["module.vpc.public_subnets", "module.vpc"]},
			},
			"module": {"resources": [{"address": "aws_eks_node_group.this", "expressions": {"subnet_ids": {"references": ["var.private_ids", "var.public_ids"]}}}]},
		},
	}}
	plan.resolve(ng, ["subnet_ids"], "aws_subnet") == {s0, s1} with input as plan_with_config([s0, s1, ng], config)
}

test_success_forget_is_not_judged if {
	got := {rc.address | some rc in plan.changes("aws_kms_key")} with input as plan_input([resource("aws_kms_key", "gone", {}, {}, ["forget"])])
	got == set()
}

# input.own narrows the judged changes to the named addresses; without it every change is judged.
test_success_judged_follows_input_own if {
	changes := [change("aws_kms_key", "a", {}), change("aws_kms_key", "b", {})]
	everything := {rc.address | some rc in plan.judged("aws_kms_key")} with input as plan_input(changes)
	everything == {"aws_kms_key.a", "aws_kms_key.b"}
	own := {rc.address | some rc in plan.judged("aws_kms_key")} with input as object.union(plan_input(changes), {"own": {"aws_kms_key.b": true}})
	own == {"aws_kms_key.b"}
	count(plan.changes("aws_kms_key")) == 2 with input as object.union(plan_input(changes), {"own": {"aws_kms_key.b": true}})
}
