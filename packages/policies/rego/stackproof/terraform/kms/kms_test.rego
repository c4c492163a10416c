package stackproof.terraform.kms_test

import data.stackproof.lib.plan_test as t
import data.stackproof.terraform.kms

test_success_rotation if {
	t.statuses(kms.rotation)["aws_kms_key.this"] == "pass" with input as t.plan_input([t.change("aws_kms_key", "this", {"enable_key_rotation": true})])
}

test_fail_rotation if {
	t.statuses(kms.rotation)["aws_kms_key.this"] == "fail" with input as t.plan_input([t.change("aws_kms_key", "this", {"enable_key_rotation": false})])
}

test_success_asymmetric_key_not_judged if {
	key := t.change("aws_kms_key", "sign", {"customer_master_key_spec": "RSA_2048", "enable_key_rotation": false})
	count(kms.rotation.verdicts) == 0 with input as t.plan_input([key])
}
