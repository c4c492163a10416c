package stackproof.terraform.eks_test

import data.stackproof.lib.plan_test as t
import data.stackproof.terraform.eks

good_cluster := {
	"vpc_config": [{"endpoint_public_access": false, "endpoint_private_access": true}],
	"encryption_config": [{"resources": ["secrets"], "provider": [{"key_arn": "arn:aws:kms:me-central-1:1:key/1"}]}],
	"enabled_cluster_log_types": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
}

cluster(overrides) := t.change("aws_eks_cluster", "this", object.union(good_cluster, overrides))

cluster_unknown(after, after_unknown) := t.resource("aws_eks_cluster", "this", after, after_unknown, ["create"])

test_success_good_cluster if {
	every check in [eks.private_endpoint, eks.secrets_encryption, eks.control_plane_logs] {
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
	v[0].message == "the subnets cover 2 AZ(s) [me-central-1a, me-central-1b], fewer than 3"
}

test_unknown_nodegroup_multi_az_without_configuration if {
	s := t.statuses(eks.nodegroup_multi_az) with input as t.plan_input(array.concat(three_azs, [node_group(3)]))
	s["aws_eks_node_group.default"] == "unknown"
}

test_unknown_nodegroup_subnet_az_unknown if {
	subnets := [subnet(0, "me-central-1a"), t.instance("", "aws_subnet", "private", 1, {}, {"availability_zone": true})]
	s := t.statuses(eks.nodegroup_multi_az) with input as t.plan_with_config(array.concat(subnets, [node_group(3)]), ng_config)
	s["aws_eks_node_group.default"] == "unknown"
}

test_success_nodegroup_min_size if {
	t.statuses(eks.nodegroup_min_size)["aws_eks_node_group.default"] == "pass" with input as t.plan_input([node_group(3)])
}

test_fail_nodegroup_min_size if {
	t.statuses(eks.nodegroup_min_size)["aws_eks_node_group.default"] == "fail" with input as t.plan_input([node_group(1)])
}

test_unknown_nodegroup_min_size if {
	ng := t.resource("aws_eks_node_group", "default", {"scaling_config": [{}]}, {"scaling_config": [{"min_size": true}]}, ["create"])
	t.statuses(eks.nodegroup_min_size)["aws_eks_node_group.default"] == "unknown" with input as t.plan_input([ng])
}
