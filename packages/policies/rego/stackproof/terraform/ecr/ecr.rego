# METADATA
# title: ECR
# description: Container image repositories.
package stackproof.terraform.ecr

import data.stackproof.lib.plan

# The checks of this family, collected by stackproof.main (scripts/check-rego.sh verifies that
# every rule with an id is listed here).
checks := [immutable_tags, scan_on_push]

repositories := plan.changes("aws_ecr_repository")

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
} else := plan.fail(rc, sprintf("image_tag_mutability is \"%s\"", [object.get(plan.after(rc), "image_tag_mutability", "MUTABLE")]))

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
