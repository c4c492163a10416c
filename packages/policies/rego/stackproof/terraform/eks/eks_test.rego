package stackproof.terraform.eks_test

import data.stackproof.lib.plan_test as t
import data.stackproof.terraform.eks

good_cluster := {
	"access_config": [{"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": false}],
	"vpc_config": [{"endpoint_public_access": false, "endpoint_private_access": true}],
	"encryption_config": [{"resources": ["secrets"], "provider": [{"key_arn": "arn:aws:kms:me-central-1:1:key/1"}]}],
	"enabled_cluster_log_types": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
}

cluster(overrides) := t.change("aws_eks_cluster", "this", object.union(good_cluster, overrides))

cluster_unknown(after, after_unknown) := t.resource("aws_eks_cluster", "this", after, after_unknown, ["create"])

test_success_good_cluster if {
	every check in [eks.private_endpoint, eks.secrets_encryption, eks.control_plane_logs, eks.access_entries] {
		t.statuses(check)["aws_eks_cluster.this"] == "pass"
	} with input as t.plan_input([cluster({})])
}

test_fail_private_endpoint_open_to_world if {
	c := cluster({"vpc_config": [{"endpoint_public_access": true, "public_access_cidrs": ["0.0.0.0/0"]}]})
	t.statuses(eks.private_endpoint)["aws_eks_cluster.this"] == "fail" with input as t.plan_input([c])
}

test_fail_private_endpoint_default_cidrs if {
	c := cluster({"vpc_config": [{"endpoint_public_access": true}]})
	t.statuses(eks.private_endpoint)["aws_eks_cluster.this"] == "fail" with input as t.plan_input([c])
}

test_success_private_endpoint_restricted_cidrs if {
	c := cluster({"vpc_config": [{"endpoint_public_access": true, "public_access_cidrs": ["203.0.113.0/24"]}]})
	t.statuses(eks.private_endpoint)["aws_eks_cluster.this"] == "pass" with input as t.plan_input([c])
}

test_unknown_private_endpoint if {
	c := cluster_unknown({"vpc_config": [{}]}, {"vpc_config": [{"endpoint_public_access": true}]})
	t.statuses(eks.private_endpoint)["aws_eks_cluster.this"] == "unknown" with input as t.plan_input([c])
	d := cluster_unknown({"vpc_config": [{"endpoint_public_access": true}]}, {"vpc_config": [{"public_access_cidrs": true}]})
	t.statuses(eks.private_endpoint)["aws_eks_cluster.this"] == "unknown" with input as t.plan_input([d])
}

test_fail_secrets_encryption_missing if {
	t.statuses(eks.secrets_encryption)["aws_eks_cluster.this"] == "fail" with input as t.plan_input([cluster({"encryption_config": []})])
}

test_fail_secrets_encryption_no_key if {
	c := cluster({"encryption_config": [{"resources": ["secrets"], "provider": [{"key_arn": ""}]}]})
	t.statuses(eks.secrets_encryption)["aws_eks_cluster.this"] == "fail" with input as t.plan_input([c])
}

test_unknown_secrets_encryption_key if {
	c := cluster_unknown(
		object.union(good_cluster, {"encryption_config": [{"resources": ["secrets"], "provider": [{}]}]}),
		{"encryption_config": [{"provider": [{"key_arn": true}]}]},
	)
	t.statuses(eks.secrets_encryption)["aws_eks_cluster.this"] == "unknown" with input as t.plan_input([c])
	u := cluster_unknown({}, {"encryption_config": true})
	t.statuses(eks.secrets_encryption)["aws_eks_cluster.this"] == "unknown" with input as t.plan_input([u])
}

test_success_secrets_encryption_key_from_plan if {
	c := cluster_unknown(
		object.union(good_cluster, {"encryption_config": [{"resources": ["secrets"], "provider": [{}]}]}),
		{"encryption_config": [{"provider": [{"key_arn": true}]}]},
	)
	config := {"resources": [{"address": "aws_eks_cluster.this", "expressions": {"encryption_config": [{"provider": [{"key_arn": {"references": ["aws_kms_key.eks.arn", "aws_kms_key.eks"]}}]}]}}]}
	t.statuses(eks.secrets_encryption)["aws_eks_cluster.this"] == "pass" with input as t.plan_with_config([c], config)
}

test_fail_control_plane_logs if {
	c := cluster({"enabled_cluster_log_types": ["api", "audit"]})
	v := eks.control_plane_logs.verdicts with input as t.plan_input([c])
	v[0].status == "fail"
	v[0].message == "enabled_cluster_log_types lacks authenticator, controllerManager, scheduler"
}

test_unknown_control_plane_logs if {
	c := cluster_unknown({}, {"enabled_cluster_log_types": true})
	t.statuses(eks.control_plane_logs)["aws_eks_cluster.this"] == "unknown" with input as t.plan_input([c])
}

# -- node groups: subnets created in the same plan, ids unknown, resolved via configuration ------

subnet(i, az) := t.instance("", "aws_subnet", "private", i, {"availability_zone": az, "tags": {"Tier": "private"}}, {"id": true})

node_group(min_size) := t.resource("aws_eks_node_group", "default", {"scaling_config": [{"min_size": min_size, "max_size": 6, "desired_size": 3}]}, {"subnet_ids": true}, ["create"])

ng_config := {"resources": [{"address": "aws_eks_node_group.default", "expressions": {"subnet_ids": {"references": ["aws_subnet.private"]}}}]}

three_azs := [subnet(0, "me-central-1a"), subnet(1, "me-central-1b"), subnet(2, "me-central-1c")]

test_success_nodegroup_multi_az if {
	s := t.statuses(eks.nodegroup_multi_az) with input as t.plan_with_config(array.concat(three_azs, [node_group(3)]), ng_config)
	s["aws_eks_node_group.default"] == "pass"
}

test_fail_nodegroup_multi_az if {
	two := [subnet(0, "me-central-1a"), subnet(1, "me-central-1b")]
	v := eks.nodegroup_multi_az.verdicts with input as t.plan_with_config(array.concat(two, [node_group(3)]), ng_config)
	v[0].status == "fail"
	v[0].message == "the node groups span 2 AZ(s) [me-central-1a, me-central-1b], fewer than 3"
}

test_unknown_nodegroup_multi_az_without_configuration if {
	v := eks.nodegroup_multi_az.verdicts with input as t.plan_input(array.concat(three_azs, [node_group(3)]))
	v[0].status == "unknown"
	v[0].message == "node group aws_eks_node_group.default: subnet_ids is not known until apply and its reference cannot be followed in the plan (a local value or a data source)"
}

test_unknown_nodegroup_subnets_outside_plan if {
	ng := t.change("aws_eks_node_group", "default", {"subnet_ids": ["subnet-1", "subnet-2"], "scaling_config": [{"min_size": 3}]})
	v := eks.nodegroup_multi_az.verdicts with input as t.plan_input([ng])
	v[0].status == "unknown"
	v[0].message == "node group aws_eks_node_group.default: subnet_ids names subnets this plan does not create; their AZs are read live after apply"
}

test_unknown_nodegroup_subnet_az_unknown if {
	subnets := [subnet(0, "me-central-1a"), t.instance("", "aws_subnet", "private", 1, {}, {"availability_zone": true})]
	s := t.statuses(eks.nodegroup_multi_az) with input as t.plan_with_config(array.concat(subnets, [node_group(3)]), ng_config)
	s["aws_eks_node_group.default"] == "unknown"
}

test_success_nodegroup_min_size if {
	s := t.statuses(eks.nodegroup_min_size) with input as t.plan_with_config(array.concat(three_azs, [node_group(3)]), ng_config)
	s["aws_eks_node_group.default"] == "pass"
}

test_fail_nodegroup_min_size_below_its_azs if {
	v := eks.nodegroup_min_size.verdicts with input as t.plan_with_config(array.concat(three_azs, [node_group(1)]), ng_config)
	v[0].status == "fail"
	v[0].message == "at the minimum size no node is sure to stay in [me-central-1a, me-central-1b, me-central-1c]: aws_eks_node_group.default (min_size 1 over 3 AZs)"
	not v[0].severity
}

# AZs unknown: a minimum below the required AZ count fails anyway, a minimum at it is unknown.
test_fail_nodegroup_min_size_below_az_count_azs_unknown if {
	t.statuses(eks.nodegroup_min_size)["aws_eks_node_group.default"] == "fail" with input as t.plan_input([node_group(1)])
	t.statuses(eks.nodegroup_min_size)["aws_eks_node_group.default"] == "unknown" with input as t.plan_input([node_group(3)])
}

test_unknown_nodegroup_min_size if {
	ng := t.resource("aws_eks_node_group", "default", {"scaling_config": [{}]}, {"scaling_config": [{"min_size": true}]}, ["create"])
	t.statuses(eks.nodegroup_min_size)["aws_eks_node_group.default"] == "unknown" with input as t.plan_input([ng])
}

# -- one node group per AZ (for_each over the AZs), judged as the cluster -------------------------

per_az_group(az, min_size) := t.instance(
	"", "aws_eks_node_group", "per_az", az, {
		"cluster_name": "prod",
		"subnet_ids": [concat("-", ["subnet", az])],
		"scaling_config": [{"min_size": min_size, "max_size": 3, "desired_size": 1}],
	},
	{},
)

known_subnet(az) := t.instance("", "aws_subnet", "private", az, {"id": concat("-", ["subnet", az]), "availability_zone": az}, {})

per_az_plan(mins) := t.plan_input(array.concat(
	array.concat([t.change("aws_eks_cluster", "this", object.union(good_cluster, {"name": "prod"}))], [known_subnet(az) | some az in ["me-central-1a", "me-central-1b", "me-central-1c"]]),
	[per_az_group(az, mins[i]) | some i, az in ["me-central-1a", "me-central-1b", "me-central-1c"]],
))

test_success_per_az_node_groups_judged_as_cluster if {
	multi := eks.nodegroup_multi_az.verdicts with input as per_az_plan([1, 1, 1])
	[v.address | some v in multi] == ["aws_eks_cluster.this"]
	multi[0].status == "pass"
	minimum := eks.nodegroup_min_size.verdicts with input as per_az_plan([1, 1, 1])
	minimum[0].status == "pass"
	minimum[0].message == "every AZ [me-central-1a, me-central-1b, me-central-1c] keeps a node at the minimum size"
}

test_fail_per_az_node_groups_one_az_can_empty if {
	v := eks.nodegroup_min_size.verdicts with input as per_az_plan([1, 0, 1])
	v[0].status == "fail"
	startswith(v[0].message, "at the minimum size no node is sure to stay in [me-central-1b]: ")
	not v[0].severity
}

test_fail_high_cluster_can_lose_every_node if {
	v := eks.nodegroup_min_size.verdicts with input as per_az_plan([0, 0, 0])
	v[0].status == "fail"
	v[0].severity == "high"
	endswith(v[0].message, "the cluster can lose every node")
}

test_fail_per_az_node_groups_two_azs if {
	groups := [per_az_group(az, 1) | some az in ["me-central-1a", "me-central-1b"]]
	subnets := [known_subnet(az) | some az in ["me-central-1a", "me-central-1b"]]
	v := eks.nodegroup_multi_az.verdicts with input as t.plan_input(array.concat(groups, subnets))
	count(v) == 2
	every verdict in v {
		verdict.status == "fail"
	}
}

# A node group whose cluster_name is unknown joins the cluster its configuration references.
test_success_node_group_joins_cluster_by_reference if {
	ng := t.resource("aws_eks_node_group", "default", {"subnet_ids": ["subnet-me-central-1a"], "scaling_config": [{"min_size": 1}]}, {"cluster_name": true}, ["create"])
	c := t.resource("aws_eks_cluster", "this", good_cluster, {"name": true}, ["create"])
	config := {"resources": [{"address": "aws_eks_node_group.default", "expressions": {"cluster_name": {"references": ["aws_eks_cluster.this.name", "aws_eks_cluster.this"]}}}]}
	v := eks.nodegroup_min_size.verdicts with input as t.plan_with_config([c, ng, known_subnet("me-central-1a")], config)
	[x.address | some x in v] == ["aws_eks_cluster.this"]
}

test_fail_access_entries_config_map if {
	v := eks.access_entries.verdicts with input as t.plan_input([cluster({"access_config": [{"authentication_mode": "API_AND_CONFIG_MAP"}]})])
	v[0].status == "fail"
	v[0].message == "access_config.authentication_mode is API_AND_CONFIG_MAP: the aws-auth ConfigMap still grants access"
}

test_fail_access_entries_default if {
	c := t.change("aws_eks_cluster", "this", object.remove(good_cluster, ["access_config"]))
	t.statuses(eks.access_entries)["aws_eks_cluster.this"] == "fail" with input as t.plan_input([c])
}

test_fail_access_entries_creator_admin if {
	c := cluster({"access_config": [{"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": true}]})
	t.statuses(eks.access_entries)["aws_eks_cluster.this"] == "fail" with input as t.plan_input([c])
}

test_unknown_access_entries if {
	c := cluster_unknown({}, {"access_config": true})
	t.statuses(eks.access_entries)["aws_eks_cluster.this"] == "unknown" with input as t.plan_input([c])
}

# public_access_cidrs computed at apply and not configured: AWS opens the endpoint to 0.0.0.0/0.
test_fail_private_endpoint_cidrs_not_configured if {
	c := cluster_unknown({"vpc_config": [{"endpoint_public_access": true}]}, {"vpc_config": [{"public_access_cidrs": true}]})
	config := {"resources": [{"address": "aws_eks_cluster.this", "expressions": {"vpc_config": [{"subnet_ids": {"references": ["aws_subnet.private"]}}]}}]}
	v := eks.private_endpoint.verdicts with input as t.plan_with_config([c], config)
	v[0].status == "fail"
	v[0].message == "the public API endpoint is open to 0.0.0.0/0 (public_access_cidrs is not set: AWS's default)"
	configured := {"resources": [{"address": "aws_eks_cluster.this", "expressions": {"vpc_config": [{"public_access_cidrs": {"references": ["var.cidrs"]}}]}}]}
	t.statuses(eks.private_endpoint)["aws_eks_cluster.this"] == "unknown" with input as t.plan_with_config([c], configured)
}
