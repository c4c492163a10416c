package stackproof.terraform.s3_test

import data.stackproof.lib.plan_test as t
import data.stackproof.terraform.s3

bucket := t.resource("aws_s3_bucket", "state", {"bucket": "acme-tfstate"}, {"id": true, "arn": true}, ["create"])

# Child resources naming the bucket by its (known) name.
versioning(status) := t.change("aws_s3_bucket_versioning", "state", {"bucket": "acme-tfstate", "versioning_configuration": [{"status": status}]})

sse(algorithm) := t.change("aws_s3_bucket_server_side_encryption_configuration", "state", {"bucket": "acme-tfstate", "rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": algorithm}]}]})

pab(value) := t.change("aws_s3_bucket_public_access_block", "state", {
	"bucket": "acme-tfstate",
	"block_public_acls": true,
	"block_public_policy": true,
	"ignore_public_acls": true,
	"restrict_public_buckets": value,
})

deny_plain_http := {"Version": "2012-10-17", "Statement": [{
	"Sid": "TLSOnly",
	"Effect": "Deny",
	"Principal": "*",
	"Action": "s3:*",
	"Resource": ["arn:aws:s3:::acme-tfstate", "arn:aws:s3:::acme-tfstate/*"],
	"Condition": {"Bool": {"aws:SecureTransport": "false"}},
}]}

bucket_policy(document) := t.change("aws_s3_bucket_policy", "state", {"bucket": "acme-tfstate", "policy": json.marshal(document)})

logging := t.change("aws_s3_bucket_logging", "state", {"bucket": "acme-tfstate", "target_bucket": "acme-logs"})

compliant := [bucket, versioning("Enabled"), sse("aws:kms"), pab(true), bucket_policy(deny_plain_http), logging]

test_success_compliant_bucket if {
	every check in s3.checks {
		check.verdicts[0].status == "pass"
	} with input as t.plan_input(compliant)
}

test_fail_versioning_suspended if {
	t.statuses(s3.versioning)["aws_s3_bucket.state"] == "fail" with input as t.plan_input([bucket, versioning("Suspended")])
}

test_fail_versioning_missing if {
	v := s3.versioning.verdicts with input as t.plan_input([bucket])
	v[0].status == "fail"
	v[0].message == "no aws_s3_bucket_versioning enables versioning"
}

test_success_versioning_inline if {
	b := t.change("aws_s3_bucket", "state", {"bucket": "acme-tfstate", "versioning": [{"enabled": true}]})
	t.statuses(s3.versioning)["aws_s3_bucket.state"] == "pass" with input as t.plan_input([b])
}

test_success_versioning_through_reference if {
	v := t.resource("aws_s3_bucket_versioning", "state", {"versioning_configuration": [{"status": "Enabled"}]}, {"bucket": true}, ["create"])
	config := {"resources": [{"address": "aws_s3_bucket_versioning.state", "expressions": {"bucket": {"references": ["aws_s3_bucket.state.id", "aws_s3_bucket.state"]}}}]}
	t.statuses(s3.versioning)["aws_s3_bucket.state"] == "pass" with input as t.plan_with_config([bucket, v], config)
}

test_unknown_versioning_bucket_unresolved if {
	v := t.resource("aws_s3_bucket_versioning", "state", {"versioning_configuration": [{"status": "Enabled"}]}, {"bucket": true}, ["create"])
	t.statuses(s3.versioning)["aws_s3_bucket.state"] == "unknown" with input as t.plan_input([bucket, v])
}

test_unknown_versioning_status if {
	v := t.resource("aws_s3_bucket_versioning", "state", {"bucket": "acme-tfstate", "versioning_configuration": [{}]}, {"versioning_configuration": [{"status": true}]}, ["create"])
	t.statuses(s3.versioning)["aws_s3_bucket.state"] == "unknown" with input as t.plan_input([bucket, v])
}

test_fail_encryption_aes256 if {
	t.statuses(s3.encryption_kms)["aws_s3_bucket.state"] == "fail" with input as t.plan_input([bucket, sse("AES256")])
}

test_fail_public_access_block_partial if {
	t.statuses(s3.public_access_block)["aws_s3_bucket.state"] == "fail" with input as t.plan_input([bucket, pab(false)])
}

test_fail_tls_only_without_condition if {
	allow := {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}}
	t.statuses(s3.tls_only)["aws_s3_bucket.state"] == "fail" with input as t.plan_input([bucket, bucket_policy(allow)])
}

test_unknown_tls_only_policy_unknown if {
	p := t.resource("aws_s3_bucket_policy", "state", {"bucket": "acme-tfstate"}, {"policy": true}, ["create"])
	t.statuses(s3.tls_only)["aws_s3_bucket.state"] == "unknown" with input as t.plan_input([bucket, p])
}

test_fail_tls_only_missing if {
	t.statuses(s3.tls_only)["aws_s3_bucket.state"] == "fail" with input as t.plan_input([bucket])
}

test_fail_access_logging_missing if {
	v := s3.access_logging.verdicts with input as t.plan_input([bucket])
	v[0].status == "fail"
	v[0].message == "no aws_s3_bucket_logging sends its access logs to a log bucket"
}

test_success_access_logging_log_bucket_exempt if {
	logs := t.resource("aws_s3_bucket", "logs", {"bucket": "acme-logs"}, {"id": true}, ["create"])
	s := t.statuses(s3.access_logging) with input as t.plan_input([bucket, logs, logging])
	s == {"aws_s3_bucket.state": "pass", "aws_s3_bucket.logs": "pass"}
}

test_success_access_logging_inline if {
	b := t.change("aws_s3_bucket", "state", {"bucket": "acme-tfstate", "logging": [{"target_bucket": "acme-logs"}]})
	t.statuses(s3.access_logging)["aws_s3_bucket.state"] == "pass" with input as t.plan_input([b])
}

test_success_access_logging_target_by_reference if {
	logs := t.resource("aws_s3_bucket", "logs", {}, {"id": true, "bucket": true}, ["create"])
	l := t.resource("aws_s3_bucket_logging", "state", {"bucket": "acme-tfstate"}, {"target_bucket": true}, ["create"])
	config := {"resources": [{"address": "aws_s3_bucket_logging.state", "expressions": {"target_bucket": {"references": ["aws_s3_bucket.logs.id", "aws_s3_bucket.logs"]}}}]}
	s := t.statuses(s3.access_logging) with input as t.plan_with_config([bucket, logs, l], config)
	s == {"aws_s3_bucket.state": "pass", "aws_s3_bucket.logs": "pass"}
}

test_fail_access_logging_empty_target if {
	l := t.change("aws_s3_bucket_logging", "state", {"bucket": "acme-tfstate", "target_bucket": ""})
	t.statuses(s3.access_logging)["aws_s3_bucket.state"] == "fail" with input as t.plan_input([bucket, l])
}

test_success_encryption_kms_inline_block if {
	b := t.change("aws_s3_bucket", "state", {"bucket": "acme-tfstate", "server_side_encryption_configuration": [{"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms"}]}]}]})
	t.statuses(s3.encryption_kms)["aws_s3_bucket.state"] == "pass" with input as t.plan_input([b])
	aes := t.change("aws_s3_bucket", "state", {"bucket": "acme-tfstate", "server_side_encryption_configuration": [{"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "AES256"}]}]}]})
	t.statuses(s3.encryption_kms)["aws_s3_bucket.state"] == "fail" with input as t.plan_input([aes])
}
