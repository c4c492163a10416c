package stackproof.terraform.elb_test

import data.stackproof.lib.plan_test as t
import data.stackproof.terraform.elb

subnet(i) := t.instance("", "aws_subnet", "public", i, {"availability_zone": ["me-central-1a", "me-central-1b", "me-central-1c"][i]}, {"id": true})

lb := t.resource("aws_lb", "web", {"load_balancer_type": "application"}, {"subnets": true}, ["create"])

config := {"resources": [{"address": "aws_lb.web", "expressions": {"subnets": {"references": ["aws_subnet.public"]}}}]}

status(changes, configuration) := s if {
	s := t.statuses(elb.multi_az)["aws_lb.web"] with input as t.plan_with_config(changes, configuration)
}

test_success_lb_three_azs if status([subnet(0), subnet(1), subnet(2), lb], config) == "pass"

test_fail_lb_one_az if status([subnet(0), lb], config) == "fail"

test_unknown_lb_subnets if status([subnet(0), subnet(1), subnet(2), lb], {}) == "unknown"
