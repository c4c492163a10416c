# METADATA
# title: EC2
# description: Launch templates (the ones EKS managed node groups use) and instances.
package stackproof.terraform.ec2

import data.stackproof.lib.plan
import data.stackproof.lib.text

# The checks of this family, collected by stackproof.main (scripts/check-rego.sh verifies that
# every rule with an id is listed here).
checks := [imdsv2_required, launch_template_encrypted_root]

# What the gate passes of the plan to this family (see rds.plan_reads).
plan_reads := {
	"aws_launch_template": {"attributes": ["metadata_options", "block_device_mappings"], "context": ["aws_ebs_encryption_by_default"]},
	"aws_instance": {"attributes": ["metadata_options"]},
	"aws_ebs_encryption_by_default": {"attributes": ["enabled"], "judged": false},
}

# METADATA
# title: Instance metadata requires IMDSv2 with a small hop limit
# description: >-
#   IMDSv1 answers unauthenticated GETs, the classic SSRF credential theft path; a hop limit above 2
#   lets containers reach the node's role credentials through extra network hops.
# custom:
#   id: ec2.imdsv2-required
#   family: ec2
#   severity: high
#   remediation: >-
#     Set metadata_options { http_tokens = "required", http_put_response_hop_limit = 1 (2 when pods
#     need IMDS) }.
#   references: ["AWS FSBP EC2.8", "AWS FSBP EC2.170", "CIS AWS 5.6"]
imdsv2_required := {"meta": rego.metadata.rule(), "verdicts": [imds_verdict(rc) |
	some rc in array.concat(plan.judged("aws_launch_template"), plan.judged("aws_instance"))
]}

imds_verdict(rc) := plan.fail(rc, concat("", [
	"metadata_options is not set: the instance takes the default, which answers IMDSv1 unless the ",
	"AMI or the account default requires IMDSv2",
])) if {
	plan.unknown(rc, ["metadata_options"])
	plan.not_configured(rc, ["metadata_options"])
} else := plan.unknown_verdict(rc, "metadata_options is not known until apply") if {
	some attribute in ["http_tokens", "http_put_response_hop_limit"]
	plan.unknown(rc, ["metadata_options", 0, attribute])
} else := plan.fail(rc, text.format("metadata_options.http_tokens is \"%s\", not \"required\"", [tokens])) if {
	tokens := object.get(plan.after(rc), ["metadata_options", 0, "http_tokens"], "optional")
	tokens != "required"
} else := plan.fail(rc, text.format("metadata_options.http_put_response_hop_limit is %s, above 2", [hops])) if {
	hops := object.get(plan.after(rc), ["metadata_options", 0, "http_put_response_hop_limit"], 1)
	hops > 2
} else := plan.pass(rc, "")

# METADATA
# title: Launch templates encrypt their block devices
# description: >-
#   Node root volumes hold container images, logs and emptyDir data; without an explicit encrypted
#   block device mapping they follow the AMI's snapshot, often unencrypted. No common scanner reads
#   the launch template's block devices.
# custom:
#   id: ec2.launch-template-encrypted-root
#   family: ec2
#   severity: high
#   remediation: >-
#     Add block_device_mappings { device_name = "/dev/xvda", ebs { encrypted = true, kms_key_id =
#     aws_kms_key.ebs.arn } }, or enable aws_ebs_encryption_by_default.
#   references: ["AWS FSBP EC2.7", "CIS AWS 2.2.1"]
launch_template_encrypted_root := {"meta": rego.metadata.rule(), "verdicts": [ebs_verdict(rc) | some rc in plan.judged("aws_launch_template")]}

encryption_by_default if {
	some e in plan.changes("aws_ebs_encryption_by_default")
	object.get(plan.after(e), "enabled", true) == true
}

ebs_verdict(rc) := plan.pass(rc, "EBS encryption by default is enabled in this plan") if {
	encryption_by_default
} else := plan.unknown_verdict(rc, "block_device_mappings is not known until apply") if {
	plan.unknown(rc, ["block_device_mappings"])
} else := plan.fail(rc, "no block_device_mappings: the root volume's encryption follows the AMI snapshot") if {
	count(object.get(plan.after(rc), "block_device_mappings", [])) == 0
} else := plan.fail(rc, text.format("block device %s is not encrypted", [devices[0]])) if {
	devices := [object.get(mapping, "device_name", "?") |
		some mapping in plan.after(rc).block_device_mappings
		not encrypted(object.get(mapping, ["ebs", 0, "encrypted"], null))
		not unknown_mapping(rc, mapping)
	]
	count(devices) > 0
} else := plan.unknown_verdict(rc, "a block device's encryption is not known until apply") if {
	some mapping in plan.after(rc).block_device_mappings
	unknown_mapping(rc, mapping)
} else := plan.pass(rc, "")

# The provider keeps launch template ebs.encrypted as a string.
encrypted(true)

encrypted("true")

unknown_mapping(rc, mapping) if {
	some i, m in plan.after(rc).block_device_mappings
	m == mapping
	plan.unknown(rc, ["block_device_mappings", i, "ebs", 0, "encrypted"])
}
