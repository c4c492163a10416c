package stackproof_test

import data.stackproof
import data.stackproof.lib.k8s_test as m
import data.stackproof.lib.plan_test as t

severities := {"low", "medium", "high", "critical"}

test_success_rules_list_every_check_once if {
	ids := [r.id | some r in stackproof.main.rules] with input as t.plan_input([])
	count(ids) == count({id | some id in ids})
	count(ids) > 40
	every r in stackproof.main.rules {
		r.severity in severities
		r.title != ""
		r.rationale != ""
		r.remediation != ""
		r.target in {"terraform", "kubernetes"}
		startswith(r.id, concat("", [family_prefix(r.family), "."]))
		is_array(r.references)
	} with input as t.plan_input([])
}

family_prefix("kubernetes") := "k8s"

family_prefix(family) := family if family != "kubernetes"

test_success_empty_plan_has_no_results if {
	count(stackproof.main.results) == 0 with input as t.plan_input([])
}

test_success_results_follow_the_contract if {
	changes := [
		t.instance("module.db", "aws_db_instance", "this", 0, {"multi_az": false}, {}),
		t.resource("aws_db_instance", "gone", null, {}, ["delete"]),
		t.resource("aws_db_instance", "drifted", {"multi_az": true}, {}, ["no-op"]),
		t.resource("aws_db_instance", "later", {}, {"multi_az": true}, ["create"]),
	]
	results := {r.address: r |
		some r in stackproof.main.results
		r.rule == "rds.multi-az"
	} with input as t.plan_input(changes)
	results["module.db.aws_db_instance.this[0]"].status == "fail"
	results["module.db.aws_db_instance.this[0]"].message == "multi_az is not true: the database lives in a single AZ"
	results["module.db.aws_db_instance.this[0]"].resource_type == "aws_db_instance"
	not results["module.db.aws_db_instance.this[0]"].live_check
	results["aws_db_instance.drifted"].status == "pass"
	results["aws_db_instance.drifted"].message == "RDS databases run Multi-AZ"
	results["aws_db_instance.later"].status == "unknown"
	results["aws_db_instance.later"].live_check == "rds.multi-az"
	not results["aws_db_instance.gone"]
}

test_success_kubernetes_results_carry_file_and_line if {
	results := [r |
		some r in stackproof.main.results
		r.rule == "k8s.replicas-min"
	] with input as m.manifests([m.deployment(1, m.container)])
	count(results) == 1
	results[0].status == "fail"
	results[0].address == "Deployment/shop/api"
	results[0].resource_type == "Deployment"
	results[0].file == "rendered.yaml"
	results[0].line == 1
}

test_success_compliant_manifests_have_no_failures if {
	failures := [r | some r in stackproof.main.results; r.status != "pass"] with input as m.manifests(m.compliant)
	count(failures) == 0
}

test_fail_kubernetes_rules_do_not_judge_plans if {
	every r in stackproof.main.results {
		startswith(r.resource_type, "aws_")
	} with input as t.plan_input([t.change("aws_kms_key", "k", {"enable_key_rotation": false})])
}

# The contract the TypeScript evaluator plans its shards by: one merged entry per type.
test_success_plan_reads_merge_families if {
	reads := stackproof.main.plan_reads with input as {"kind": "contract"}

	# aws_subnet: network judges it over all subnets (whole); eks, elb and autoscaling read its AZ
	reads.aws_subnet == {"attributes": ["availability_zone", "tags", "tags_all"], "context": [], "judged": true, "whole": "module"}
	reads.aws_nat_gateway.whole == true

	# a type only read to judge another is not judged itself
	reads.aws_db_parameter_group.judged == false

	# a type judged one by one travels with its context
	reads.aws_db_instance.whole == false
	reads.aws_db_instance.context == ["aws_db_parameter_group"]
	"multi_az" in reads.aws_db_instance.attributes
}

test_success_manifest_kinds if {
	kinds := stackproof.main.manifest_kinds with input as {"kind": "contract"}
	{"Deployment", "PodDisruptionBudget", "NetworkPolicy", "HorizontalPodAutoscaler"} - {k | some k in kinds} == set()
	not "ConfigMap" in kinds
}

# A verdict may raise its rule's severity (never lower it): the result keeps it.
test_success_result_keeps_a_raised_severity if {
	groups := [t.instance("", "aws_eks_node_group", "g", i, {"cluster_name": "c", "subnet_ids": [], "scaling_config": [{"min_size": 0}]}, {}) | some i in [0, 1]]
	results := [r | some r in stackproof.main.results; r.rule == "eks.nodegroup-min-size"] with input as t.plan_input(groups)
	count(results) == 2
	every r in results {
		r.severity == "high"
	}
}
