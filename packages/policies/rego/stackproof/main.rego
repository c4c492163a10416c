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
main := {"results": results, "rules": rules}
