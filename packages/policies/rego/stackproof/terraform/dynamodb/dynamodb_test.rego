package stackproof.terraform.dynamodb_test

import data.stackproof.lib.plan_test as t
import data.stackproof.terraform.dynamodb

table(pitr, sse) := t.change("aws_dynamodb_table", "locks", {
	"point_in_time_recovery": [{"enabled": pitr}],
	"server_side_encryption": [{"enabled": sse}],
})

test_success_table if {
	every check in dynamodb.checks {
		check.verdicts[0].status == "pass"
	} with input as t.plan_input([table(true, true)])
}

test_fail_pitr if {
	t.statuses(dynamodb.pitr)["aws_dynamodb_table.locks"] == "fail" with input as t.plan_input([table(false, true)])
}

test_fail_encryption if {
	t.statuses(dynamodb.encryption)["aws_dynamodb_table.locks"] == "fail" with input as t.plan_input([table(true, false)])
}

test_unknown_pitr if {
	rc := t.resource("aws_dynamodb_table", "locks", {}, {"point_in_time_recovery": true}, ["create"])
	t.statuses(dynamodb.pitr)["aws_dynamodb_table.locks"] == "unknown" with input as t.plan_input([rc])
}
