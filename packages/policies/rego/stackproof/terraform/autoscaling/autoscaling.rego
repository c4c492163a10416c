# METADATA
# title: Auto Scaling
# description: Availability of Auto Scaling groups.
package stackproof.terraform.autoscaling

import data.stackproof.lib.plan

# The checks of this family, collected by stackproof.main (scripts/check-rego.sh verifies that
# every rule with an id is listed here).
checks := [multi_az]

# What the gate passes of the plan to this family (see rds.plan_reads).
plan_reads := {
	"aws_autoscaling_group": {"attributes": ["availability_zones", "vpc_zone_identifier"], "context": ["aws_subnet"]},
	"aws_subnet": {"attributes": ["availability_zone"], "judged": false},
}

# METADATA
# title: Auto Scaling groups span enough AZs
# description: An Auto Scaling group in fewer AZs than required cannot replace capacity lost with an AZ.
# custom:
#   id: autoscaling.multi-az
#   family: autoscaling
#   severity: high
#   remediation: Set vpc_zone_identifier to subnets in at least params.az_count (3) AZs.
#   references: ["AWS FSBP AutoScaling.2"]
multi_az := {"meta": rego.metadata.rule(), "verdicts": [asg_verdict(rc) | some rc in plan.judged("aws_autoscaling_group")]}

asg_verdict(rc) := plan.pass(rc, "") if {
	count(plan.known(rc, ["availability_zones"])) >= plan.az_count
} else := plan.az_spread_verdict(rc, ["vpc_zone_identifier"], plan.az_count)
