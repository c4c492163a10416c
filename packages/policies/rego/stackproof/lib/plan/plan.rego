# METADATA
# title: Terraform plan helpers
# description: |
#   Indexes of the plan's resource changes and configuration, the three-valued verdict
#   constructors and the resolution of references between resources whose ids are unknown
#   until apply (through the plan's configuration block).
package stackproof.lib.plan

import data.stackproof.lib.text

params := object.get(input, "params", {})

az_count := object.get(params, "az_count", 3)

min_backup_retention_days := object.get(params, "min_backup_retention_days", 7)

# Resource changes judged by the rules, by type: managed resources that still exist after the
# plan (a pure deletion is not judged, nor a resource Terraform forgets; no-op resources are, to
# catch drift). The index holds positions, not the changes: hashing whole resource objects into
# sets dominates large plans. Every index of this library is a set (`contains`), never a keyed
# value: two changes that share an address (a deposed object, a change listed twice) can never
# make two values collide.
changes_by_type[rc.type] contains i if {
	input.kind == "terraform-plan"
	some i, rc in input.plan.resource_changes
	rc.mode == "managed"
	judged_actions(rc.change.actions)
}

judged_actions(actions) if {
	actions != ["delete"]
	actions != ["forget"]
}

# The resource change at a position of the plan's list.
rc_at(i) := input.plan.resource_changes[i]

changes(resource_type) := [input.plan.resource_changes[i] | some i in object.get(changes_by_type, resource_type, set())]

# The changes of a type this evaluation gives verdicts for. The gate cuts a large plan into
# shards that all carry the resources a verdict needs, and names in input.own (address: true) the
# ones each shard judges; without input.own every change is judged. Rules iterate judged() for
# their verdicts and changes() for what they look up.
judged(resource_type) := [rc | some rc in changes(resource_type); own(rc)]

own(_) if not input.own

own(rc) if input.own[rc.address] == true

after(rc) := object.get(rc.change, "after", {})

# A value is unknown when after_unknown marks it, or any block above it, as true.
unknown(rc, path) if object.get(rc.change.after_unknown, path, false) == true

unknown(rc, path) if {
	count(path) > 1
	some n in numbers.range(1, count(path) - 1)
	object.get(rc.change.after_unknown, array.slice(path, 0, n), false) == true
}

# The value at path, or undefined when it is unknown or absent.
known(rc, path) := value if {
	not unknown(rc, path)
	value := object.get(after(rc), path, null)
	value != null
}

pass(rc, message) := {"address": rc.address, "resource_type": rc.type, "status": "pass", "message": message}

fail(rc, message) := {"address": rc.address, "resource_type": rc.type, "status": "fail", "message": message}

unknown_verdict(rc, message) := {"address": rc.address, "resource_type": rc.type, "status": "unknown", "message": message}

# A tri-state verdict for a boolean attribute that must equal want.
bool_verdict(rc, path, want, fail_message) := unknown_verdict(rc, concat("", [path_text(path), " is not known until apply"])) if {
	unknown(rc, path)
} else := pass(rc, "") if {
	object.get(after(rc), path, null) == want
} else := fail(rc, fail_message)

# A KMS key attribute: set (or pointing at an aws_kms_key of this plan) passes, unset fails.
key_verdict(rc, path, fail_message) := pass(rc, "") if {
	known(rc, path) != ""
} else := pass(rc, "") if {
	unknown(rc, path)
	some ref in references(rc, path)
	startswith(ref, "aws_kms_key.")
} else := pass(rc, "the key is an aws_kms_key of this plan") if {
	# through a module output or variable (terraform-aws-modules pass keys as module.kms.key_arn)
	unknown(rc, path)
	count(resolve(rc, path, "aws_kms_key")) > 0
} else := unknown_verdict(rc, concat("", [path_text(path), " is not known until apply"])) if {
	unknown(rc, path)
} else := fail(rc, fail_message)

# Whether the resource's configuration sets the attribute at path (a literal or an expression).
# not_configured holds only when the plan has the resource's configuration and it does not set
# the attribute: a value computed at apply is then the provider's or AWS's default, which is known.
configured(rc, path) if object.get(config_of(rc), array.concat(["expressions"], path), null) != null

not_configured(rc, path) if {
	config_of(rc)
	not configured(rc, path)
}

# Tags of a resource (tags_all holds provider default tags too); unknown tags read as none.
tags(rc) := object.union(object.get(after(rc), "tags_all", {}), object.get(after(rc), "tags", {})) if {
	is_object(object.get(after(rc), "tags_all", {}))
} else := object.get(after(rc), "tags", {})

# -- configuration --------------------------------------------------------------------------
# Module calls are keyed "" (root) and "module.a.module.b." (no instance keys: configuration
# describes each module once, whatever its count or for_each). Sets again: a module name that
# holds ".module." or a resource listed twice cannot make two definitions collide; config_module
# and config_of pick the first of equal keys.

config_module_entries[""] contains input.plan.configuration.root_module

config_module_entries[prefix] contains call.module if {
	some name, call in input.plan.configuration.root_module.module_calls
	prefix := concat("", ["module.", name, "."])
}

config_module_entries[prefix] contains call.module if {
	some n1, c1 in input.plan.configuration.root_module.module_calls
	some n2, call in c1.module.module_calls
	prefix := concat("", ["module.", n1, ".module.", n2, "."])
}

config_module_entries[prefix] contains call.module if {
	some n1, c1 in input.plan.configuration.root_module.module_calls
	some n2, c2 in c1.module.module_calls
	some n3, call in c2.module.module_calls
	prefix := concat("", ["module.", n1, ".module.", n2, ".module.", n3, "."])
}

config_module(prefix) := first(config_module_entries[prefix])

config_resource_entries[concat("", [prefix, resource.address])] contains resource if {
	some prefix, modules in config_module_entries
	some module in modules
	some resource in module.resources
}

# One value of a non-empty set, the same every time (sets iterate in sorted order).
first(values) := [v | some v in values][0]

# "module.a[0].module.b[\"x\"]" -> "module.a.module.b." ; root -> "".
module_prefix(rc) := concat("", [strip_keys(rc.module_address), "."]) if rc.module_address

else := ""

# The instance-independent part of a module address, with the same trailing "." convention.
instance_prefix(rc) := concat("", [rc.module_address, "."]) if rc.module_address

else := ""

strip_keys(address) := concat("", [kept |
	some i, part in split(address, "[")
	kept := strip_part(i, part)
])

strip_part(0, part) := part

strip_part(i, part) := substring(part, indexof(part, "]") + 1, -1) if i > 0

config_of(rc) := first(config_resource_entries[concat("", [module_prefix(rc), rc.type, ".", rc.name])])

# References of the expression at path (e.g. ["vpc_config", 0, "subnet_ids"]). An expression
# on each.value (for_each = aws_subnet.private; subnet_id = each.value.id) also gets the
# for_each expression's references, so the instance pairs with the same key.
references(rc, path) := array.concat(refs, each_value_refs(config, refs)) if {
	config := config_of(rc)
	refs := object.get(config, array.concat(array.concat(["expressions"], path), ["references"]), [])
}

each_value_refs(config, refs) := object.get(config, ["for_each_expression", "references"], []) if {
	some ref in refs
	startswith(ref, "each.value")
} else := []

# -- reference resolution ---------------------------------------------------------------------
# resolve(rc, path, target_type) is the set of resource changes of target_type that the attribute
# at path points at, or undefined when the plan cannot tell. Known ids are matched first; unknown
# ones are followed through the configuration: explicit instance keys ("aws_subnet.a[1].id"),
# count.index / each.key pairing with the referring instance, whole-resource references (lists),
# one module output and one input variable.

resolve(rc, path, target_type) := targets if {
	not unknown(rc, path)
	value := object.get(after(rc), path, null)
	ids := id_list(value)
	count(ids) > 0
	targets := {rc_at(i) | some id in ids; some i in object.get(by_id, concat("|", [target_type, id]), set())}
	count(targets) == count(ids)
} else := targets if {
	refs := references(rc, path)
	targets := resolve_refs(rc, refs, instance_prefix(rc), target_type)
	count(targets) > 0
}

id_list(value) := [value] if is_string(value)

id_list(value) := value if is_array(value)

resolve_refs(rc, refs, prefix, target_type) := plain if {
	plain := resolve_plain(rc, refs, module_prefix(rc), prefix, target_type)
	count(plain) > 0
} else := via_var if {
	# var.<name>: follow the arguments the parent module passes (one level up); an expression
	# that names several variables points at the union of what they point at.
	rc.module_address
	parent_prefix := parent_of(module_prefix(rc))
	parent := config_module(parent_prefix)
	via_var := {t |
		some ref in refs
		startswith(ref, "var.")
		name := split(ref, ".")[1]
		arg_refs := object.get(parent, ["module_calls", call_name(module_prefix(rc)), "expressions", name, "references"], [])
		some t in resolve_plain(rc, arg_refs, parent_prefix, parent_of(prefix), target_type)
	}
	count(via_var) > 0
}

# Direct references, else module.<call>.<output> followed into that module's output.
resolve_plain(rc, refs, config_prefix, prefix, target_type) := direct if {
	direct := ref_targets(rc, refs, prefix, target_type)
	count(direct) > 0
} else := {t |
	some ref in refs
	startswith(ref, "module.")
	parts := split(ref, ".")
	count(parts) >= 3
	module := config_module(concat("", [config_prefix, "module.", parts[1], "."]))
	out_refs := object.get(module, ["outputs", parts[2], "expression", "references"], [])
	some t in ref_targets(rc, out_refs, concat("", [prefix, "module.", parts[1], "."]), target_type)
}

# "module.a.module.b." -> "module.a." ; "module.a." -> ""
parent_of(prefix) := concat("", [p, "."]) if {
	parts := split(trim_suffix(prefix, "."), ".module.")
	count(parts) > 1
	p := concat(".module.", array.slice(parts, 0, count(parts) - 1))
} else := ""

call_name(prefix) := name if {
	parts := split(trim_suffix(prefix, "."), "module.")
	last := parts[count(parts) - 1]
	name := split(trim_suffix(last, "."), "[")[0]
}

# Resource changes by "type|id" (known ids: existing resources) and by "type|module.|name".
by_id[concat("|", [rc.type, id])] contains i if {
	some positions in changes_by_type
	some i in positions
	rc := input.plan.resource_changes[i]
	id := rc.change.after.id
	is_string(id)
}

by_name[concat("|", [rc.type, instance_prefix(rc), rc.name])] contains i if {
	some positions in changes_by_type
	some i in positions
	rc := input.plan.resource_changes[i]
}

instances(target_type, prefix, name) := [rc_at(i) |
	some i in object.get(by_name, concat("|", [target_type, prefix, name]), set())
]

ref_targets(rc, refs, prefix, target_type) := indexed if {
	indexed := {t |
		some ref in refs
		parsed := parse_ref(ref, target_type)
		parsed.key != null
		some t in instances(target_type, prefix, parsed.name)
		index_matches(t, parsed.key)
	}
	count(indexed) > 0
} else := paired if {
	# resource.name[count.index] / [each.key]: the instance with the same key as the referrer
	some r in refs
	r in {"count.index", "each.key", "each.value"}
	paired := {t |
		some ref in refs
		parsed := parse_ref(ref, target_type)
		some t in instances(target_type, prefix, parsed.name)
		t.index == rc.index
	}
	count(paired) > 0
} else := {t |
	some ref in refs
	parsed := parse_ref(ref, target_type)
	some t in instances(target_type, prefix, parsed.name)
}

# "aws_subnet.public[1].id" -> {"name": "public", "key": "1"}; no key -> null
parse_ref(ref, target_type) := {"name": name, "key": key} if {
	startswith(ref, concat("", [target_type, "."]))
	rest := substring(ref, count(target_type) + 1, -1)
	name := split(split(rest, "[")[0], ".")[0]
	key := ref_key(rest)
}

ref_key(rest) := trim(split(split(rest, "[")[1], "]")[0], "\"") if contains(rest, "[")

else := null

index_matches(t, key) if {
	is_number(t.index)
	format_int(t.index, 10) == key
}

index_matches(t, key) if t.index == key

# -- availability zones ----------------------------------------------------------------------

# The AZ of a subnet change, or undefined when it is not known until apply.
subnet_az(subnet) := known(subnet, ["availability_zone"])

# AZs of the subnets an attribute points at: {"azs": set, "complete": bool}; undefined when the
# subnets cannot be resolved at all. Not complete when a subnet's AZ is unknown or when a known id
# names a subnet this plan does not create (its AZ is only known live).
subnet_azs(rc, path) := {"azs": azs, "complete": complete} if {
	subnets := resolve(rc, path, "aws_subnet")
	azs := {az | some s in subnets; az := subnet_az(s)}
	complete := (count({s | some s in subnets; not subnet_az(s)}) + count(ids_outside_plan(rc, path, "aws_subnet"))) == 0
}

# Known ids at path that no resource change of target_type carries (resources this plan does not
# manage, e.g. subnets of another workspace).
ids_outside_plan(rc, path, target_type) := {id |
	not unknown(rc, path)
	some id in id_list(object.get(after(rc), path, null))
	count(object.get(by_id, concat("|", [target_type, id]), set())) == 0
}

unfollowed := " is not known until apply and its reference cannot be followed in the plan (a local value or a data source)"

# Why the AZs behind path are not all known, for unknown verdicts.
spread_gap(rc, path) := concat("", [path_text(path), unfollowed]) if {
	not resolve(rc, path, "aws_subnet")
	unknown(rc, path)
} else := concat("", [path_text(path), " names subnets this plan does not create; their AZs are read live after apply"]) if {
	not unknown(rc, path)
	count(ids_outside_plan(rc, path, "aws_subnet")) > 0
} else := concat("", [path_text(path), " points at subnets whose availability_zone is not known until apply"])

# Tri-state verdict: the subnets at path must cover at least want AZs.
az_spread_verdict(rc, path, want) := fail(rc, message) if {
	spread := subnet_azs(rc, path)
	message := text.format("the subnets cover %s AZ(s) [%s], fewer than %s", [count(spread.azs), concat(", ", sort(spread.azs)), want])
	spread.complete
	count(spread.azs) < want
} else := pass(rc, "") if {
	count(subnet_azs(rc, path).azs) >= want
} else := unknown_verdict(rc, spread_gap(rc, path))

# ["encryption_config", 0, "provider", 0, "key_arn"] -> "encryption_config.provider.key_arn"
path_text(path) := concat(".", [p | some p in path; is_string(p)])
