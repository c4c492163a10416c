# METADATA
# title: S3
# description: |
#   Buckets (the Terraform state bucket first): versioning, KMS encryption, public access
#   block and a TLS-only bucket policy, read from the aws_s3_bucket_* resources.
package stackproof.terraform.s3

import data.stackproof.lib.plan
import data.stackproof.lib.text

# The checks of this family, collected by stackproof.main (scripts/check-rego.sh verifies that
# every rule with an id is listed here).
checks := [versioning, encryption_kms, public_access_block, tls_only, access_logging]

# What the gate passes of the plan to this family (see rds.plan_reads). A bucket's verdicts count
# every resource that configures it, so buckets are evaluated together with all of them.
plan_reads := {
	"aws_s3_bucket": {
		"attributes": ["bucket", "versioning", "logging", "server_side_encryption_configuration"],
		"context": bucket_types_list,
		"whole": true,
	},
	"aws_s3_bucket_versioning": {"attributes": ["bucket", "versioning_configuration"], "judged": false},
	"aws_s3_bucket_server_side_encryption_configuration": {"attributes": ["bucket", "rule"], "judged": false},
	"aws_s3_bucket_public_access_block": {"attributes": array.concat(["bucket"], pab_settings), "judged": false},
	"aws_s3_bucket_policy": {"attributes": ["bucket", "policy"], "judged": false},
	"aws_s3_bucket_logging": {"attributes": ["bucket", "target_bucket"], "judged": false},
}

bucket_types_list := [
	"aws_s3_bucket_versioning",
	"aws_s3_bucket_server_side_encryption_configuration",
	"aws_s3_bucket_public_access_block",
	"aws_s3_bucket_policy",
	"aws_s3_bucket_logging",
]

buckets := plan.changes("aws_s3_bucket")

bucket_types := {t | some t in bucket_types_list}

buckets_by_name[name] contains b if {
	some b in buckets
	name := plan.known(b, ["bucket"])
}

# The resources of type t configuring a bucket, by "type|bucket address": matched by the bucket
# name when known, else through the configuration reference. Built once.
attachments[concat("|", [c.type, b.address])] contains c if {
	some t in bucket_types
	some c in plan.changes(t)
	some b in object.get(buckets_by_name, plan.known(c, ["bucket"]), set())
}

attachments[concat("|", [c.type, b.address])] contains c if {
	some t in bucket_types
	some c in plan.changes(t)
	plan.unknown(c, ["bucket"])
	some b in plan.resolve(c, ["bucket"], "aws_s3_bucket")
}

attached(t, b) := object.get(attachments, concat("|", [t, b.address]), set())

# Types with a resource whose bucket cannot be told.
unresolved_types contains c.type if {
	some t in bucket_types
	some c in plan.changes(t)
	plan.unknown(c, ["bucket"])
	not plan.resolve(c, ["bucket"], "aws_s3_bucket")
}

unresolved(t) if t in unresolved_types

# verdict over the attached resources: ok(c) decides for one; none -> fail(missing)
attached_verdict(b, t, good, missing, bad) := plan.pass(b, "") if {
	some c in attached(t, b)
	c in good
} else := plan.unknown_verdict(b, text.format("the bucket of an %s is not known until apply", [t])) if {
	unresolved(t)
} else := plan.fail(b, missing) if {
	count(attached(t, b)) == 0
} else := plan.unknown_verdict(b, text.format("the %s settings are not known until apply", [t])) if {
	some c in attached(t, b)
	not c in good
	not c in bad
} else := plan.fail(b, text.format("its %s does not comply", [t]))

# METADATA
# title: S3 buckets are versioned
# description: Versioning lets you recover a state file or object that was overwritten or deleted by mistake.
# custom:
#   id: s3.versioning
#   family: s3
#   severity: high
#   remediation: Add aws_s3_bucket_versioning { versioning_configuration { status = "Enabled" } }.
#   references: ["AWS FSBP S3.14", "CIS AWS 2.1.3"]
versioning := {"meta": rego.metadata.rule(), "verdicts": [versioning_verdict(b) | some b in plan.judged("aws_s3_bucket")]}

versioning_good contains c if {
	some c in plan.changes("aws_s3_bucket_versioning")
	plan.known(c, ["versioning_configuration", 0, "status"]) == "Enabled"
}

versioning_bad contains c if {
	some c in plan.changes("aws_s3_bucket_versioning")
	status := plan.known(c, ["versioning_configuration", 0, "status"])
	status != "Enabled"
}

versioning_verdict(b) := plan.pass(b, "") if {
	plan.known(b, ["versioning", 0, "enabled"]) == true
} else := attached_verdict(b, "aws_s3_bucket_versioning", versioning_good, "no aws_s3_bucket_versioning enables versioning", versioning_bad)

# METADATA
# title: S3 buckets are encrypted with KMS
# description: SSE-KMS puts reads of the bucket (state files hold secrets) under a key policy and CloudTrail.
# custom:
#   id: s3.encryption-kms
#   family: s3
#   severity: high
#   remediation: >-
#     Add aws_s3_bucket_server_side_encryption_configuration with sse_algorithm = "aws:kms" and
#     kms_master_key_id.
#   references: ["AWS FSBP S3.17"]
encryption_kms := {"meta": rego.metadata.rule(), "verdicts": [encryption_verdict(b) | some b in plan.judged("aws_s3_bucket")]}

# The inline block of AWS provider versions before 4 (server_side_encryption_configuration on the
# bucket) counts like the separate resource.
encryption_verdict(b) := plan.pass(b, "inline server_side_encryption_configuration uses KMS") if {
	plan.known(b, array.concat(["server_side_encryption_configuration", 0], sse_path)) in {"aws:kms", "aws:kms:dsse"}
} else := attached_verdict(
	b, "aws_s3_bucket_server_side_encryption_configuration", sse_good,
	"no aws_s3_bucket_server_side_encryption_configuration uses aws:kms", sse_bad,
)

sse_path := ["rule", 0, "apply_server_side_encryption_by_default", 0, "sse_algorithm"]

sse_good contains c if {
	some c in plan.changes("aws_s3_bucket_server_side_encryption_configuration")
	plan.known(c, sse_path) in {"aws:kms", "aws:kms:dsse"}
}

sse_bad contains c if {
	some c in plan.changes("aws_s3_bucket_server_side_encryption_configuration")
	not plan.unknown(c, sse_path)
	not c in sse_good
}

# METADATA
# title: S3 buckets block public access
# description: All four public access block settings stop a stray ACL or policy from publishing the bucket.
# custom:
#   id: s3.public-access-block
#   family: s3
#   severity: critical
#   remediation: >-
#     Add aws_s3_bucket_public_access_block with block_public_acls, block_public_policy,
#     ignore_public_acls and restrict_public_buckets all true.
#   references: ["AWS FSBP S3.8", "CIS AWS 2.1.4"]
public_access_block := {"meta": rego.metadata.rule(), "verdicts": [v |
	some b in plan.judged("aws_s3_bucket")
	v := attached_verdict(b, "aws_s3_bucket_public_access_block", pab_good, "no aws_s3_bucket_public_access_block covers the bucket", pab_bad)
]}

pab_settings := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

pab_good contains c if {
	some c in plan.changes("aws_s3_bucket_public_access_block")
	every s in pab_settings {
		plan.known(c, [s]) == true
	}
}

pab_bad contains c if {
	some c in plan.changes("aws_s3_bucket_public_access_block")
	some s in pab_settings
	plan.known(c, [s]) == false
}

# METADATA
# title: S3 bucket policies deny requests without TLS
# description: A Deny on aws:SecureTransport = false keeps state files and objects off plain HTTP.
# custom:
#   id: s3.tls-only
#   family: s3
#   severity: high
#   remediation: >-
#     Add an aws_s3_bucket_policy with a Deny statement for all principals and actions when
#     aws:SecureTransport is "false".
#   references: ["AWS FSBP S3.5"]
tls_only := {"meta": rego.metadata.rule(), "verdicts": [v |
	some b in plan.judged("aws_s3_bucket")
	v := attached_verdict(b, "aws_s3_bucket_policy", tls_good, "no aws_s3_bucket_policy denies non-TLS requests", tls_bad)
]}

policy_document(c) := json.unmarshal(plan.known(c, ["policy"]))

denies_plain_http(document) if {
	some statement in as_array(document.Statement)
	statement.Effect == "Deny"
	value := object.get(statement, ["Condition", "Bool", "aws:SecureTransport"], null)
	lower(format_bool(value)) == "false"
}

as_array(x) := x if is_array(x)

as_array(x) := [x] if is_object(x)

format_bool(x) := x if is_string(x)

format_bool(false) := "false"

tls_good contains c if {
	some c in plan.changes("aws_s3_bucket_policy")
	denies_plain_http(policy_document(c))
}

tls_bad contains c if {
	some c in plan.changes("aws_s3_bucket_policy")
	not plan.unknown(c, ["policy"])
	not c in tls_good
}

# METADATA
# title: S3 bucket access is logged
# description: >-
#   Server access logs show who read or wrote a bucket (the state bucket holds every secret the stack
#   outputs). A bucket that receives other buckets' access logs is not asked to log into itself.
# custom:
#   id: s3.access-logging
#   family: s3
#   severity: medium
#   remediation: Add an aws_s3_bucket_logging with target_bucket set to a separate log bucket.
#   references: ["AWS FSBP S3.9"]
access_logging := {"meta": rego.metadata.rule(), "verdicts": [logging_verdict(b, log_targets) | some b in plan.judged("aws_s3_bucket")]}

logging_good contains c if {
	some c in plan.changes("aws_s3_bucket_logging")
	plan.known(c, ["target_bucket"]) != ""
}

logging_good contains c if {
	some c in plan.changes("aws_s3_bucket_logging")
	plan.unknown(c, ["target_bucket"])
}

logging_bad contains c if {
	some c in plan.changes("aws_s3_bucket_logging")
	not c in logging_good
}

# Buckets that receive access logs, by address: named by a known target_bucket or referenced.
log_targets contains b.address if {
	some c in plan.changes("aws_s3_bucket_logging")
	some b in object.get(buckets_by_name, plan.known(c, ["target_bucket"]), set())
}

log_targets contains b.address if {
	some c in plan.changes("aws_s3_bucket_logging")
	plan.unknown(c, ["target_bucket"])
	some b in plan.resolve(c, ["target_bucket"], "aws_s3_bucket")
}

logging_verdict(b, targets) := plan.pass(b, "inline logging block") if {
	plan.known(b, ["logging", 0, "target_bucket"]) != ""
} else := plan.pass(b, "the bucket receives the access logs of other buckets") if {
	b.address in targets
} else := attached_logging_verdict(b)

attached_logging_verdict(b) := attached_verdict(
	b, "aws_s3_bucket_logging", logging_good,
	"no aws_s3_bucket_logging sends its access logs to a log bucket", logging_bad,
)
