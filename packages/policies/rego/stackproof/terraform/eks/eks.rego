# METADATA
# title: EKS
# description: Availability and security of EKS clusters and managed node groups.
package stackproof.terraform.eks

import data.stackproof.lib.plan

# The checks of this family, collected by stackproof.main (scripts/check-rego.sh verifies that
# every rule with an id is listed here).
checks := [private_endpoint, secrets_encryption, control_plane_logs, nodegroup_multi_az, nodegroup_min_size]

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
private_endpoint := {"meta": rego.metadata.rule(), "verdicts": [endpoint_verdict(rc) | some rc in clusters]}

endpoint_verdict(rc) := plan.unknown_verdict(rc, "vpc_config.endpoint_public_access is not known until apply") if {
	plan.unknown(rc, ["vpc_config", 0, "endpoint_public_access"])
} else := plan.pass(rc, "the API endpoint is private") if {
	object.get(plan.after(rc), ["vpc_config", 0, "endpoint_public_access"], true) == false
} else := plan.unknown_verdict(rc, "vpc_config.public_access_cidrs is not known until apply") if {
	plan.unknown(rc, ["vpc_config", 0, "public_access_cidrs"])
} else := plan.fail(rc, sprintf("the public API endpoint is open to %s", [concat(", ", open_cidrs(rc))])) if {
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
secrets_encryption := {"meta": rego.metadata.rule(), "verdicts": [secrets_verdict(rc) | some rc in clusters]}

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
control_plane_logs := {"meta": rego.metadata.rule(), "verdicts": [logs_verdict(rc) | some rc in clusters]}

log_types := {"api", "audit", "authenticator", "controllerManager", "scheduler"}

logs_verdict(rc) := plan.unknown_verdict(rc, "enabled_cluster_log_types is not known until apply") if {
	plan.unknown(rc, ["enabled_cluster_log_types"])
} else := plan.fail(rc, sprintf("enabled_cluster_log_types lacks %s", [concat(", ", sort(missing))])) if {
	missing := log_types - {t | some t in object.get(plan.after(rc), "enabled_cluster_log_types", [])}
	count(missing) > 0
} else := plan.pass(rc, "")

# METADATA
# title: EKS node groups span enough AZs
# description: >-
#   A node group whose subnets cover fewer AZs than required loses all capacity of the missing
#   zones' share in an AZ outage and cannot reschedule pods spread by zone.
# custom:
#   id: eks.nodegroup-multi-az
#   family: eks
#   severity: high
#   remediation: Give subnet_ids one private subnet in each of at least params.az_count (3) AZs.
#   references: []
nodegroup_multi_az := {"meta": rego.metadata.rule(), "verdicts": [v |
	some rc in node_groups
	v := plan.az_spread_verdict(rc, ["subnet_ids"], plan.az_count)
]}

# METADATA
# title: EKS node groups keep at least one node per AZ
# description: >-
#   With min_size below the AZ count the autoscaler may leave a zone without nodes, so zone-spread
#   pods stay pending there.
# custom:
#   id: eks.nodegroup-min-size
#   family: eks
#   severity: medium
#   remediation: Set scaling_config.min_size to at least params.az_count (3).
#   references: []
nodegroup_min_size := {"meta": rego.metadata.rule(), "verdicts": [min_size_verdict(rc) | some rc in node_groups]}

min_size_verdict(rc) := plan.unknown_verdict(rc, "scaling_config.min_size is not known until apply") if {
	plan.unknown(rc, ["scaling_config", 0, "min_size"])
} else := plan.pass(rc, "") if {
	object.get(plan.after(rc), ["scaling_config", 0, "min_size"], 0) >= plan.az_count
} else := plan.fail(rc, sprintf("scaling_config.min_size is %v, below the AZ count %v", [
	object.get(plan.after(rc), ["scaling_config", 0, "min_size"], 0),
	plan.az_count,
]))
