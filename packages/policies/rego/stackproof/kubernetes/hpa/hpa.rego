# METADATA
# title: HorizontalPodAutoscalers
# description: Autoscaling bounds.
package stackproof.kubernetes.hpa

import data.stackproof.lib.k8s
import data.stackproof.lib.text

# The checks of this family, collected by stackproof.main (scripts/check-rego.sh verifies that
# every rule with an id is listed here).
checks := [replicas]

# The kinds this family reads (see workloads.manifest_kinds).
manifest_kinds := k8s.workload_kinds | {"HorizontalPodAutoscaler"}

# METADATA
# title: HPAs keep two replicas and can scale out
# description: >-
#   minReplicas below 2 scales a service down to a single point of failure; maxReplicas not above
#   minReplicas means it cannot scale at all. When the HPA's target is among the manifests its floor
#   is judged once, as that workload's k8s.replicas-min.
# custom:
#   id: k8s.hpa-replicas
#   family: kubernetes
#   severity: medium
#   remediation: Set minReplicas to at least params.min_replicas (2) and maxReplicas above it.
#   references: []
replicas := {"meta": rego.metadata.rule(), "verdicts": [verdict(e) | some e in k8s.entries("HorizontalPodAutoscaler")]}

# "Kind/namespace/name" of the workloads present in the manifests.
workload_addresses contains k8s.address(e.object) if some e in k8s.workloads

target_present(hpa) if {
	ref := hpa.spec.scaleTargetRef
	concat("/", [ref.kind, k8s.namespace(hpa), ref.name]) in workload_addresses
}

verdict(e) := k8s.fail(e, text.format("minReplicas is %s, below %s", [lowest, k8s.min_replicas])) if {
	not target_present(e.object)
	lowest := object.get(e.object, ["spec", "minReplicas"], 1)
	lowest < k8s.min_replicas
} else := k8s.fail(e, text.format("maxReplicas %s is not above minReplicas %s", [highest, lowest])) if {
	lowest := object.get(e.object, ["spec", "minReplicas"], 1)
	highest := object.get(e.object, ["spec", "maxReplicas"], 0)
	highest <= lowest
} else := k8s.pass(e, "")
