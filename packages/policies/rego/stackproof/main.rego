# METADATA
# title: stackproof policy entrypoint
# description: |
#   Collects the checks of every family (each a rule whose value carries its METADATA under
#   "meta" and its verdicts) and turns the verdicts into the results of the policy contract;
#   lists every rule's metadata. Families are listed by name because the Wasm planner cannot
#   iterate packages that hold functions.
package stackproof

import data.stackproof.kubernetes.hpa
import data.stackproof.kubernetes.images
import data.stackproof.kubernetes.netpol
import data.stackproof.kubernetes.pdb
import data.stackproof.kubernetes.workloads
import data.stackproof.terraform.autoscaling
import data.stackproof.terraform.dynamodb
import data.stackproof.terraform.ec2
import data.stackproof.terraform.ecr
import data.stackproof.terraform.eks
import data.stackproof.terraform.elb
import data.stackproof.terraform.kms
import data.stackproof.terraform.network
import data.stackproof.terraform.rds
import data.stackproof.terraform.s3

# What the gate passes of its inputs to the wasm policy: the TypeScript evaluator reads these
# with the rule catalog before it loads a plan, projects every resource change down to the
# attributes listed here and evaluates "whole" types together and the other judged types in
# bounded shards, each with its context types (docs/policy-gate.md, "Large plans").
plan_reads_by_family := [
	rds.plan_reads, eks.plan_reads, network.plan_reads, ec2.plan_reads, s3.plan_reads,
	dynamodb.plan_reads, kms.plan_reads, ecr.plan_reads, elb.plan_reads, autoscaling.plan_reads,
]

plan_read_types contains t if {
	some reads in plan_reads_by_family
	some t, _ in reads
}

# One entry per type, merged over the families that read it (attributes and context united; whole
# or judged when any family says so).
plan_reads[t] := merged_reads(t, plan_reads_by_family) if some t in plan_read_types

merged_reads(t, families) := {
	"attributes": sort({a | some reads in families; some a in object.get(reads, [t, "attributes"], [])}),
	"context": sort({c | some reads in families; some c in object.get(reads, [t, "context"], [])}),
	"whole": merged_whole({object.get(reads, [t, "whole"], false) | some reads in families; reads[t]}),
	"judged": count({j | some reads in families; reads[t]; j := object.get(reads, [t, "judged"], true); j == true}) > 0,
}

# true (all resources of the type together) wins over "module" (those of one module instance
# together), which wins over false (one at a time).
merged_whole(values) if {
	true in values
} else := "module" if {
	"module" in values
} else := false

manifest_kinds := sort((((workloads.manifest_kinds | pdb.manifest_kinds) | (hpa.manifest_kinds | netpol.manifest_kinds)) | images.manifest_kinds))

terraform_checks := array.concat(
	array.concat(
		array.concat(rds.checks, eks.checks),
		array.concat(network.checks, ec2.checks),
	),
	array.concat(
		array.concat(s3.checks, dynamodb.checks),
		array.concat(
			array.concat(kms.checks, ecr.checks),
			array.concat(elb.checks, autoscaling.checks),
		),
	),
)

kubernetes_checks := array.concat(
	array.concat(workloads.checks, pdb.checks),
	array.concat(hpa.checks, array.concat(netpol.checks, images.checks)),
)

checks := array.concat(
	[{"target": "terraform", "check": c} | some c in terraform_checks],
	[{"target": "kubernetes", "check": c} | some c in kubernetes_checks],
)

rules := [rule_entry(c.target, c.check.meta) | some c in checks]

rule_entry(target, meta) := {
	"id": meta.custom.id,
	"title": meta.title,
	"severity": meta.custom.severity,
	"family": meta.custom.family,
	"target": target,
	"rationale": meta.description,
	"remediation": meta.custom.remediation,
	"references": object.get(meta.custom, "references", []),
}

results := [result(c.check.meta, verdict) | some c in checks; some verdict in c.check.verdicts]

# One object.union per result: the Wasm heap is not collected during an evaluation.
result(meta, verdict) := object.union(verdict, {
	"rule": meta.custom.id,
	"message": message(meta, verdict),
	"live_check": meta.custom.id,
}) if {
	verdict.status == "unknown"
} else := object.union(verdict, {"rule": meta.custom.id, "message": message(meta, verdict)})

message(meta, verdict) := meta.title if verdict.message == ""

else := verdict.message

# METADATA
# entrypoint: true
main := {"results": results, "rules": rules, "plan_reads": plan_reads, "manifest_kinds": manifest_kinds}
