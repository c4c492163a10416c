package stackproof.terraform.autoscaling_test

import data.stackproof.lib.plan_test as t
import data.stackproof.terraform.autoscaling

subnet(i, az) := t.change("aws_subnet", sprintf("s%d", [i]), {"id": sprintf("subnet-%d", [i]), "availability_zone": az})

subnets := [subnet(0, "me-central-1a"), subnet(1, "me-central-1b"), subnet(2, "me-central-1c")]

asg(ids) := t.change("aws_autoscaling_group", "workers", {"vpc_zone_identifier": ids})

status(changes) := s if {
	s := t.statuses(autoscaling.multi_az)["aws_autoscaling_group.workers"] with input as t.plan_input(changes)
}

test_success_asg_three_azs if status(array.concat(subnets, [asg(["subnet-0", "subnet-1", "subnet-2"])])) == "pass"

test_success_asg_availability_zones if {
	status([t.change("aws_autoscaling_group", "workers", {"availability_zones": ["a", "b", "c"]})]) == "pass"
}

test_fail_asg_one_az if status(array.concat(subnets, [asg(["subnet-0"])])) == "fail"

test_unknown_asg_subnets_outside_plan if status(array.concat(subnets, [asg(["subnet-9"])])) == "unknown"

test_unknown_asg_subnets_unknown if {
	status([t.resource("aws_autoscaling_group", "workers", {}, {"vpc_zone_identifier": true}, ["create"])]) == "unknown"
}
