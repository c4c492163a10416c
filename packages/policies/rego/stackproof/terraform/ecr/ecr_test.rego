package stackproof.terraform.ecr_test

import data.stackproof.lib.plan_test as t
import data.stackproof.terraform.ecr

repo(mutability, scan) := t.change("aws_ecr_repository", "api", {
	"image_tag_mutability": mutability,
	"image_scanning_configuration": [{"scan_on_push": scan}],
	"encryption_configuration": [{"encryption_type": "KMS", "kms_key": "arn:aws:kms:me-central-1:111122223333:key/1"}],
})

test_success_repository if {
	every check in ecr.checks {
		check.verdicts[0].status == "pass"
	} with input as t.plan_input([repo("IMMUTABLE", true)])
}

test_fail_mutable_tags if {
	v := ecr.immutable_tags.verdicts with input as t.plan_input([repo("MUTABLE", true)])
	v[0].status == "fail"
	v[0].message == "image_tag_mutability is \"MUTABLE\""
}

test_unknown_mutable_tags if {
	rc := t.resource("aws_ecr_repository", "api", {}, {"image_tag_mutability": true}, ["create"])
	t.statuses(ecr.immutable_tags)["aws_ecr_repository.api"] == "unknown" with input as t.plan_input([rc])
}

test_fail_scan_on_push if {
	t.statuses(ecr.scan_on_push)["aws_ecr_repository.api"] == "fail" with input as t.plan_input([repo("IMMUTABLE", false)])
}

test_success_enhanced_registry_scanning if {
	changes := [repo("IMMUTABLE", false), t.change("aws_ecr_registry_scanning_configuration", "this", {"scan_type": "ENHANCED"})]
	t.statuses(ecr.scan_on_push)["aws_ecr_repository.api"] == "pass" with input as t.plan_input(changes)
}

test_fail_encryption_aes256_default if {
	rc := t.change("aws_ecr_repository", "api", {"image_tag_mutability": "IMMUTABLE", "encryption_configuration": []})
	v := ecr.encryption_kms.verdicts with input as t.plan_input([rc])
	v[0].status == "fail"
	v[0].message == "encryption_type is AES256: images are encrypted with an AWS-owned key"
}

test_fail_encryption_kms_without_key if {
	rc := t.change("aws_ecr_repository", "api", {"encryption_configuration": [{"encryption_type": "KMS", "kms_key": ""}]})
	t.statuses(ecr.encryption_kms)["aws_ecr_repository.api"] == "fail" with input as t.plan_input([rc])
}

test_unknown_encryption_kms if {
	rc := t.resource("aws_ecr_repository", "api", {}, {"encryption_configuration": true}, ["create"])
	t.statuses(ecr.encryption_kms)["aws_ecr_repository.api"] == "unknown" with input as t.plan_input([rc])
}
