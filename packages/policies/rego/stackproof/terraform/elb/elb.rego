# METADATA
# title: Load balancers
# description: Availability of application and network load balancers.
package stackproof.terraform.elb

import data.stackproof.lib.plan

# The checks of this family, collected by stackproof.main (scripts/check-rego.sh verifies that
# every rule with an id is listed here).
checks := [multi_az]

# What the gate passes of the plan to this family (see rds.plan_reads).
plan_reads := {
	"aws_lb": {"attributes": ["subnets"], "context": ["aws_subnet"]},
	"aws_alb": {"attributes": ["subnets"], "context": ["aws_subnet"]},
	"aws_subnet": {"attributes": ["availability_zone"], "judged": false},
}

# METADATA
# title: Load balancers span enough AZs
# description: >-
#   A load balancer only has nodes in the AZs of its subnets; fewer AZs than required means an AZ
#   outage takes part or all of the entry point down.
# custom:
#   id: elb.multi-az
#   family: elb
#   severity: high
#   remediation: Set subnets (or subnet_mapping) to one subnet in each of at least params.az_count (3) AZs.
#   references: ["AWS FSBP ELB.10", "AWS FSBP ELB.13"]
multi_az := {"meta": rego.metadata.rule(), "verdicts": [lb_verdict(rc) | some rc in array.concat(plan.judged("aws_lb"), plan.judged("aws_alb"))]}

# subnet_mapping blocks leave "subnets" unknown until apply, which reads as unknown here.
lb_verdict(rc) := plan.az_spread_verdict(rc, ["subnets"], plan.az_count)
