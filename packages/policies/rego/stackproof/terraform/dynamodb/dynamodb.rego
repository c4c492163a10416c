# METADATA
# title: DynamoDB
# description: Recovery and encryption of DynamoDB tables (the Terraform lock table among them).
package stackproof.terraform.dynamodb

import data.stackproof.lib.plan

# The checks of this family, collected by stackproof.main (scripts/check-rego.sh verifies that
# every rule with an id is listed here).
checks := [pitr, encryption]

# What the gate passes of the plan to this family (see rds.plan_reads).
plan_reads := {"aws_dynamodb_table": {"attributes": ["point_in_time_recovery", "server_side_encryption"]}}

tables := plan.judged("aws_dynamodb_table")

# METADATA
# title: DynamoDB tables have point-in-time recovery
# description: >-
#   Point-in-time recovery restores a table to any second of the last 35 days after a bad write or
#   delete.
# custom:
#   id: dynamodb.pitr
#   family: dynamodb
#   severity: medium
#   remediation: Add point_in_time_recovery { enabled = true }.
#   references: ["AWS FSBP DynamoDB.2"]
pitr := {"meta": rego.metadata.rule(), "verdicts": [v |
	some rc in tables
	v := plan.bool_verdict(rc, ["point_in_time_recovery", 0, "enabled"], true, "point_in_time_recovery is not enabled")
]}

# METADATA
# title: DynamoDB tables are encrypted with a KMS key
# description: >-
#   Server-side encryption with KMS (rather than the AWS-owned key) puts table reads under a key
#   policy and CloudTrail.
# custom:
#   id: dynamodb.encryption
#   family: dynamodb
#   severity: medium
#   remediation: Add server_side_encryption { enabled = true, kms_key_arn = aws_kms_key.this.arn }.
#   references: ["AWS FSBP DynamoDB.7"]
encryption := {"meta": rego.metadata.rule(), "verdicts": [v |
	some rc in tables
	v := plan.bool_verdict(rc, ["server_side_encryption", 0, "enabled"], true, "server_side_encryption is not enabled: the AWS-owned key is used")
]}
