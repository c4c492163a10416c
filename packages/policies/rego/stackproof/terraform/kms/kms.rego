# METADATA
# title: KMS
# description: Customer-managed KMS keys.
package stackproof.terraform.kms

import data.stackproof.lib.plan

# The checks of this family, collected by stackproof.main (scripts/check-rego.sh verifies that
# every rule with an id is listed here).
checks := [rotation]

# What the gate passes of the plan to this family (see rds.plan_reads).
plan_reads := {"aws_kms_key": {"attributes": ["customer_master_key_spec", "enable_key_rotation"]}}

# METADATA
# title: KMS keys rotate
# description: >-
#   Yearly rotation of symmetric customer-managed keys limits what one compromised key version can
#   decrypt.
# custom:
#   id: kms.rotation
#   family: kms
#   severity: medium
#   remediation: Set enable_key_rotation = true.
#   references: ["CIS AWS 3.6", "AWS FSBP KMS.4"]
rotation := {"meta": rego.metadata.rule(), "verdicts": [v |
	some rc in plan.judged("aws_kms_key")
	object.get(plan.after(rc), "customer_master_key_spec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"
	v := plan.bool_verdict(rc, ["enable_key_rotation"], true, "enable_key_rotation is not true")
]}
