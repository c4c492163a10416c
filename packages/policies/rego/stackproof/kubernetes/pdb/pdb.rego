# METADATA
# title: PodDisruptionBudgets
# description: Voluntary disruptions (node drains, upgrades) against replicated workloads.
package stackproof.kubernetes.pdb

import data.stackproof.lib.k8s
import data.stackproof.lib.text

# The checks of this family, collected by stackproof.main (scripts/check-rego.sh verifies that
# every rule with an id is listed here).
checks := [allows_disruption]

# The kinds this family reads (see workloads.manifest_kinds).
manifest_kinds := {"Deployment", "StatefulSet", "PodDisruptionBudget", "HorizontalPodAutoscaler"}

# METADATA
# title: A PDB covers every Deployment and still allows a disruption
# description: >-
#   Without a PDB a drain can evict every replica at once; a PDB that allows zero disruptions blocks
#   node upgrades forever.
# custom:
#   id: k8s.pdb-allows-disruption
#   family: kubernetes
#   severity: high
#   remediation: >-
#     Add a PodDisruptionBudget selecting the pods with maxUnavailable 1 (or minAvailable below the
#     replica count).
#   references: []
allows_disruption := {"meta": rego.metadata.rule(), "verdicts": [verdict(e) | some e in k8s.replicated]}

budgets(obj) := [entry.object |
	some entry in k8s.entries("PodDisruptionBudget")
	k8s.namespace(entry.object) == k8s.namespace(obj)
	k8s.selects(object.get(entry.object, ["spec", "selector"], {"matchLabels": {"\u0000": ""}}), k8s.pod_labels(obj))
]

verdict(e) := k8s.fail(e, "no PodDisruptionBudget selects its pods") if {
	count(budgets(e.object)) == 0
} else := k8s.fail(e, text.format("PodDisruptionBudget \"%s\" allows no disruption with %s replica(s)", [blocking[0], k8s.replicas(e.object)])) if {
	blocking := [pdb.metadata.name |
		some pdb in budgets(e.object)
		not spec_allows_disruption(pdb.spec, k8s.replicas(e.object))
	]
	count(blocking) > 0
} else := k8s.pass(e, "")

spec_allows_disruption(spec, _) if {
	is_number(spec.maxUnavailable)
	spec.maxUnavailable >= 1
}

spec_allows_disruption(spec, replicas) if {
	is_string(spec.maxUnavailable)
	ceil((percent(spec.maxUnavailable) * replicas) / 100) >= 1
}

spec_allows_disruption(spec, replicas) if {
	is_number(spec.minAvailable)
	spec.minAvailable < replicas
}

# minAvailable as a percentage rounds up: 50% of 2 keeps 1, so 1 may go.
spec_allows_disruption(spec, replicas) if {
	is_string(spec.minAvailable)
	ceil((percent(spec.minAvailable) * replicas) / 100) < replicas
}

percent(value) := to_number(trim_suffix(value, "%"))
