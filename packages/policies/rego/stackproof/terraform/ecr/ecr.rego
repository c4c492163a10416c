# METADATA
# title: ECR
# description: Container image repositories.
package stackproof.terraform.ecr

import data.stackproof.lib.plan
import data.stackproof.lib.text

# The checks of this family, collected by stackproof.main (scripts/check-rego.sh verifies that
# every rule with an id is listed here).
checks := [immutable_tags, scan_on_push, encryption_kms]

# What the gate passes of the plan to this family (see rds.plan_reads).
plan_reads := {
	"aws_ecr_repository": {
		"attributes": ["image_tag_mutability", "image_scanning_configuration", "encryption_configuration"],
		"context": ["aws_ecr_registry_scanning_configuration"],
	},
	"aws_ecr_registry_scanning_configuration": {"attributes": ["scan_type"], "judged": false},
}

repositories := plan.judged("aws_ecr_repository")

# METADATA
# title: ECR tags are immutable
# description: With mutable tags a push can silently replace the image a deployment pinned by tag.
# custom:
#   id: ecr.immutable-tags
#   family: ecr
#   severity: medium
#   remediation: Set image_tag_mutability = "IMMUTABLE".
#   references: ["AWS FSBP ECR.2"]
immutable_tags := {"meta": rego.metadata.rule(), "verdicts": [immutable_verdict(rc) | some rc in repositories]}

immutable_verdict(rc) := plan.unknown_verdict(rc, "image_tag_mutability is not known until apply") if {
	plan.unknown(rc, ["image_tag_mutability"])
} else := plan.pass(rc, "") if {
	startswith(object.get(plan.after(rc), "image_tag_mutability", "MUTABLE"), "IMMUTABLE")
} else := plan.fail(rc, text.format("image_tag_mutability is \"%s\"", [object.get(plan.after(rc), "image_tag_mutability", "MUTABLE")]))

# METADATA
# title: ECR scans images on push
# description: Scanning on push reports known CVEs before an image reaches a cluster.
# custom:
#   id: ecr.scan-on-push
#   family: ecr
#   severity: medium
#   remediation: >-
#     Add image_scanning_configuration { scan_on_push = true } or an
#     aws_ecr_registry_scanning_configuration with scan_type = "ENHANCED".
#   references: ["AWS FSBP ECR.1"]
scan_on_push := {"meta": rego.metadata.rule(), "verdicts": [scan_verdict(rc) | some rc in repositories]}

enhanced_scanning if {
	some c in plan.changes("aws_ecr_registry_scanning_configuration")
	plan.known(c, ["scan_type"]) == "ENHANCED"
}

scan_verdict(rc) := plan.pass(rc, "enhanced scanning is enabled for the registry") if {
	enhanced_scanning
} else := plan.bool_verdict(rc, ["image_scanning_configuration", 0, "scan_on_push"], true, "image_scanning_configuration.scan_on_push is not true")

# METADATA
# title: ECR repositories are encrypted with a customer-managed key
# description: >-
#   A customer-managed key puts image pulls under a key policy and CloudTrail; without an
#   encryption_configuration ECR encrypts with AES256 under an AWS-owned key.
# custom:
#   id: ecr.encryption-kms
#   family: ecr
#   severity: medium
#   remediation: Add encryption_configuration { encryption_type = "KMS", kms_key = aws_kms_key.ecr.arn }.
#   references: []
encryption_kms := {"meta": rego.metadata.rule(), "verdicts": [encryption_verdict(rc) | some rc in repositories]}

encryption_verdict(rc) := plan.unknown_verdict(rc, "encryption_configuration is not known until apply") if {
	plan.unknown(rc, ["encryption_configuration"])
} else := plan.unknown_verdict(rc, "encryption_configuration.encryption_type is not known until apply") if {
	plan.unknown(rc, ["encryption_configuration", 0, "encryption_type"])
} else := plan.key_verdict(rc, ["encryption_configuration", 0, "kms_key"], "encryption_type is KMS without kms_key: the AWS-managed key is used") if {
	object.get(plan.after(rc), ["encryption_configuration", 0, "encryption_type"], "AES256") in {"KMS", "KMS_DSSE"}
} else := plan.fail(rc, text.format("encryption_type is %s: images are encrypted with an AWS-owned key", [
	object.get(plan.after(rc), ["encryption_configuration", 0, "encryption_type"], "AES256"),
]))
