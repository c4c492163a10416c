# METADATA
# title: EKS
# description: Availability and security of EKS clusters and managed node groups.
package stackproof.terraform.eks

import data.stackproof.lib.plan
import data.stackproof.lib.text

# The checks of this family, collected by stackproof.main (scripts/check-rego.sh verifies that
# every rule with an id is listed here).
checks := [private_endpoint, secrets_encryption, control_plane_logs, access_entries, nodegroup_multi_az, nodegroup_min_size]

# What the gate passes of the plan to this family (see rds.plan_reads). Node groups are judged
# per cluster, so clusters, node groups and the subnets they name are evaluated together.
plan_reads := {
	"aws_eks_cluster": {
		"attributes": ["name", "vpc_config", "encryption_config", "enabled_cluster_log_types", "access_config"],
		"context": ["aws_eks_node_group", "aws_subnet"],
		"whole": true,
	},
	"aws_eks_node_group": {"attributes": ["cluster_name", "subnet_ids", "scaling_config"], "context": ["aws_eks_cluster", "aws_subnet"], "whole": true},
	"aws_subnet": {"attributes": ["availability_zone"], "judged": false},
}

clusters := plan.changes("aws_eks_cluster")

node_groups := plan.changes("aws_eks_node_group")

# METADATA
# title: EKS API endpoint is private or limited to known CIDRs
# description: >-
#   A public API endpoint open to 0.0.0.0/0 exposes the control plane to credential stuffing and to
#   every unpatched API server flaw.
# custom:
#   id: eks.private-endpoint
#   family: eks
#   severity: high
#   remediation: >-
#     Set vpc_config.endpoint_public_access = false (endpoint_private_access = true), or restrict
#     vpc_config.public_access_cidrs to your own ranges.
#   references: ["AWS FSBP EKS.1"]
private_endpoint := {"meta": rego.metadata.rule(), "verdicts": [endpoint_verdict(rc) | some rc in plan.judged("aws_eks_cluster")]}

endpoint_verdict(rc) := plan.unknown_verdict(rc, "vpc_config.endpoint_public_access is not known until apply") if {
	plan.unknown(rc, ["vpc_config", 0, "endpoint_public_access"])
} else := plan.pass(rc, "the API endpoint is private") if {
	object.get(plan.after(rc), ["vpc_config", 0, "endpoint_public_access"], true) == false
} else := plan.fail(rc, "the public API endpoint is open to 0.0.0.0/0 (public_access_cidrs is not set: AWS's default)") if {
	plan.unknown(rc, ["vpc_config", 0, "public_access_cidrs"])
	plan.not_configured(rc, ["vpc_config", 0, "public_access_cidrs"])
} else := plan.unknown_verdict(rc, "vpc_config.public_access_cidrs is not known until apply") if {
	plan.unknown(rc, ["vpc_config", 0, "public_access_cidrs"])
} else := plan.fail(rc, text.format("the public API endpoint is open to %s", [concat(", ", open_cidrs(rc))])) if {
	count(open_cidrs(rc)) > 0
} else := plan.pass(rc, "")

# An absent list means the AWS default, 0.0.0.0/0.
open_cidrs(rc) := [cidr |
	some cidr in object.get(plan.after(rc), ["vpc_config", 0, "public_access_cidrs"], ["0.0.0.0/0"])
	cidr in {"0.0.0.0/0", "::/0"}
]

# METADATA
# title: EKS secrets are encrypted with a KMS key
# description: >-
#   Envelope encryption of Kubernetes secrets with a customer-managed key protects them in etcd and
#   its backups.
# custom:
#   id: eks.secrets-encryption
#   family: eks
#   severity: high
#   remediation: >-
#     Add encryption_config { resources = ["secrets"], provider { key_arn = aws_kms_key.eks.arn } }.
#   references: ["AWS FSBP EKS.3"]
secrets_encryption := {"meta": rego.metadata.rule(), "verdicts": [secrets_verdict(rc) | some rc in plan.judged("aws_eks_cluster")]}

secrets_verdict(rc) := plan.unknown_verdict(rc, "encryption_config is not known until apply") if {
	plan.unknown(rc, ["encryption_config"])
} else := plan.key_verdict(rc, ["encryption_config", 0, "provider", 0, "key_arn"], "encryption_config has no provider key_arn") if {
	"secrets" in object.get(plan.after(rc), ["encryption_config", 0, "resources"], [])
} else := plan.fail(rc, "encryption_config does not cover \"secrets\"")

# METADATA
# title: EKS control plane logs all five log types
# description: >-
#   api, audit, authenticator, controllerManager and scheduler logs are what an incident review and
#   the audit trail need.
# custom:
#   id: eks.control-plane-logs
#   family: eks
#   severity: medium
#   remediation: >-
#     Set enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager",
#     "scheduler"].
#   references: ["AWS FSBP EKS.8"]
control_plane_logs := {"meta": rego.metadata.rule(), "verdicts": [logs_verdict(rc) | some rc in plan.judged("aws_eks_cluster")]}

log_types := {"api", "audit", "authenticator", "controllerManager", "scheduler"}

logs_verdict(rc) := plan.unknown_verdict(rc, "enabled_cluster_log_types is not known until apply") if {
	plan.unknown(rc, ["enabled_cluster_log_types"])
} else := plan.fail(rc, text.format("enabled_cluster_log_types lacks %s", [concat(", ", sort(missing))])) if {
	missing := log_types - {t | some t in object.get(plan.after(rc), "enabled_cluster_log_types", [])}
	count(missing) > 0
} else := plan.pass(rc, "")

# METADATA
# title: EKS access goes through access entries
# description: >-
#   With authentication_mode API, cluster access is granted by EKS access entries managed in
#   Terraform and audited in CloudTrail, not by the aws-auth ConfigMap; without the implicit admin
#   of the cluster creator, no identity keeps hidden cluster-admin rights.
# custom:
#   id: eks.access-entries
#   family: eks
#   severity: medium
#   remediation: >-
#     Set access_config { authentication_mode = "API", bootstrap_cluster_creator_admin_permissions =
#     false } and grant access with aws_eks_access_entry and aws_eks_access_policy_association.
#   references: []
access_entries := {"meta": rego.metadata.rule(), "verdicts": [access_verdict(rc) | some rc in plan.judged("aws_eks_cluster")]}

access_verdict(rc) := plan.unknown_verdict(rc, "access_config is not known until apply") if {
	some path in [["access_config"], ["access_config", 0, "authentication_mode"], ["access_config", 0, "bootstrap_cluster_creator_admin_permissions"]]
	plan.unknown(rc, path)
} else := plan.fail(rc, text.format("access_config.authentication_mode is %s: the aws-auth ConfigMap still grants access", [mode])) if {
	mode := object.get(plan.after(rc), ["access_config", 0, "authentication_mode"], "CONFIG_MAP")
	mode != "API"
} else := plan.fail(rc, "bootstrap_cluster_creator_admin_permissions is not false: the identity that created the cluster keeps an implicit cluster-admin") if {
	object.get(plan.after(rc), ["access_config", 0, "bootstrap_cluster_creator_admin_permissions"], true) != false
} else := plan.pass(rc, "")

# -- node groups, judged per cluster -------------------------------------------------------------
# One managed node group per AZ (for_each over the AZs) is a common layout: AZ coverage and the
# nodes kept at the minimum size are properties of the cluster, counting all its node groups.

# The cluster of a node group: its cluster_name when known, else the cluster its configuration
# references; a node group whose cluster cannot be told is judged on its own.
group_cluster_key(ng) := name if {
	name := plan.known(ng, ["cluster_name"])
	is_string(name)
} else := key if {
	found := plan.resolve(ng, ["cluster_name"], "aws_eks_cluster")
	count(found) == 1
	some c in found
	key := cluster_key(c)
} else := ng.address

cluster_key(c) := name if {
	name := plan.known(c, ["name"])
	is_string(name)
} else := c.address

groups_by_cluster[group_cluster_key(ng)] contains ng if some ng in node_groups

clusters_by_key[cluster_key(c)] contains c if some c in clusters

cluster_groups(key) := object.get(groups_by_cluster, key, set())

# What the verdicts are about: each cluster of the plan that has node groups; the node groups of a
# cluster that is not in this plan (node groups added to an existing cluster) each carry it.
cluster_subjects contains {"rc": c, "key": key} if {
	some key, _ in groups_by_cluster
	some c in object.get(clusters_by_key, key, set())
}

cluster_subjects contains {"rc": ng, "key": key} if {
	some key, groups in groups_by_cluster
	count(object.get(clusters_by_key, key, set())) == 0
	some ng in groups
}

group_spread(ng) := plan.subnet_azs(ng, ["subnet_ids"])

cluster_azs(key) := {az | some ng in cluster_groups(key); some az in group_spread(ng).azs}

# A node group whose every AZ the plan gives.
group_azs_complete(ng) if group_spread(ng).complete

# Node groups whose AZs the plan cannot give completely, by address.
groups_without_azs(key) := {ng.address | some ng in cluster_groups(key); not group_azs_complete(ng)}

group_min(ng) := plan.known(ng, ["scaling_config", 0, "min_size"])

min_known(ng) if is_number(group_min(ng))

groups_without_min(key) := {ng.address | some ng in cluster_groups(key); not min_known(ng)}

total_min(key) := sum([group_min(ng) | some ng in cluster_groups(key)])

# AZs where a node group is sure to keep a node at its minimum: an Auto Scaling group balances its
# minimum across its AZs, so min_size >= its AZ count puts a node in each; below that, any AZ of
# the group may end up with none.
guaranteed_azs(key) := {az |
	some ng in cluster_groups(key)
	spread := group_spread(ng)
	spread.complete
	group_min(ng) >= count(spread.azs)
	some az in spread.azs
}

# Node groups whose minimum does not reach every one of their AZs: "address (min_size 1 over 3 AZs)".
thin_groups(key) := sort({text.format("%s (min_size %s over %s AZs)", [ng.address, group_min(ng), count(group_spread(ng).azs)]) |
	some ng in cluster_groups(key)
	group_min(ng) < count(group_spread(ng).azs)
})

# METADATA
# title: EKS node groups span enough AZs
# description: >-
#   A cluster whose node groups together cover fewer AZs than required loses all capacity of the
#   missing zones' share in an AZ outage and cannot reschedule pods spread by zone. All node groups
#   of a cluster count, so one node group per AZ is as good as one node group over every AZ.
# custom:
#   id: eks.nodegroup-multi-az
#   family: eks
#   severity: high
#   remediation: >-
#     Give the cluster's node groups private subnets in at least params.az_count (3) AZs: one node
#     group over all of them, or one node group per AZ.
#   references: []
nodegroup_multi_az := {"meta": rego.metadata.rule(), "verdicts": [multi_az_verdict(s.rc, s.key) | some s in cluster_subjects; plan.own(s.rc)]}

multi_az_verdict(rc, key) := plan.pass(rc, text.format("the node groups span [%s]", [concat(", ", sort(cluster_azs(key)))])) if {
	count(cluster_azs(key)) >= plan.az_count
} else := plan.unknown_verdict(rc, text.format("node group %s: %s", [
	sort(groups_without_azs(key))[0],
	plan.spread_gap(rc_by_address(key, sort(groups_without_azs(key))[0]), ["subnet_ids"]),
])) if {
	count(groups_without_azs(key)) > 0
} else := plan.fail(rc, text.format("the node groups span %s AZ(s) [%s], fewer than %s", [
	count(cluster_azs(key)),
	concat(", ", sort(cluster_azs(key))),
	plan.az_count,
]))

rc_by_address(key, address) := [ng | some ng in cluster_groups(key); ng.address == address][0]

# METADATA
# title: EKS node groups keep at least one node per AZ
# description: >-
#   At their minimum size the node groups of a cluster must still keep a node in every AZ they
#   span, or the autoscaler may leave a zone without nodes and zone-spread pods stay pending there.
#   All node groups of the cluster count; a cluster whose node groups can all scale to zero can lose
#   every node, which is reported as high.
# custom:
#   id: eks.nodegroup-min-size
#   family: eks
#   severity: medium
#   remediation: >-
#     Give each node group a scaling_config.min_size of at least the number of AZs it spans (1 for a
#     node group per AZ), and never let every node group of a cluster scale to zero.
#   references: []
nodegroup_min_size := {"meta": rego.metadata.rule(), "verdicts": [min_size_verdict(s.rc, s.key) | some s in cluster_subjects; plan.own(s.rc)]}

min_size_verdict(rc, key) := object.union(
	plan.fail(rc, text.format("every node group can scale to 0 nodes (%s): the cluster can lose every node", [
		concat(", ", sort({ng.address | some ng in cluster_groups(key)})),
	])),
	{"severity": "high"},
) if {
	count(groups_without_min(key)) == 0
	total_min(key) == 0
} else := plan.unknown_verdict(rc, text.format("scaling_config.min_size of %s is not known until apply", [sort(groups_without_min(key))[0]])) if {
	count(groups_without_min(key)) > 0
} else := plan.fail(rc, text.format("at the minimum size no node is sure to stay in [%s]: %s", [
	concat(", ", sort(cluster_azs(key) - guaranteed_azs(key))),
	concat("; ", thin_groups(key)),
])) if {
	count(groups_without_azs(key)) == 0
	count(cluster_azs(key) - guaranteed_azs(key)) > 0
} else := plan.fail(rc, text.format("the node groups keep %s node(s) at their minimum size, fewer than the %s AZs required", [
	total_min(key),
	plan.az_count,
])) if {
	count(groups_without_azs(key)) > 0
	total_min(key) < plan.az_count
} else := plan.unknown_verdict(rc, text.format("the AZs of node group %s are not in the plan, so which AZs keep a node is not known", [
	sort(groups_without_azs(key))[0],
])) if {
	count(groups_without_azs(key)) > 0
} else := plan.pass(rc, text.format("every AZ [%s] keeps a node at the minimum size", [concat(", ", sort(cluster_azs(key)))]))
