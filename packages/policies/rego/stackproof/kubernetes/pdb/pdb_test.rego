package stackproof.kubernetes.pdb_test

import data.stackproof.kubernetes.pdb
import data.stackproof.lib.k8s_test as m

status(budget_spec, replicas) := s if {
	s := m.statuses(pdb.allows_disruption)["Deployment/shop/api"] with input as m.manifests([m.deployment(replicas, m.container), m.pdb(budget_spec)])
}

test_success_max_unavailable if status({"maxUnavailable": 1}, 3) == "pass"

test_success_max_unavailable_percent if status({"maxUnavailable": "34%"}, 3) == "pass"

test_success_min_available if status({"minAvailable": 2}, 3) == "pass"

test_success_min_available_percent if status({"minAvailable": "50%"}, 3) == "pass"

test_fail_max_unavailable_zero if status({"maxUnavailable": 0}, 3) == "fail"

test_fail_min_available_equals_replicas if {
	v := pdb.allows_disruption.verdicts with input as m.manifests([m.deployment(2, m.container), m.pdb({"minAvailable": 2})])
	v[0].status == "fail"
	v[0].message == "PodDisruptionBudget \"api\" allows no disruption with 2 replica(s)"
}

test_fail_min_available_full_percent if status({"minAvailable": "100%"}, 3) == "fail"

test_fail_no_pdb if {
	v := pdb.allows_disruption.verdicts with input as m.manifests([m.deployment(3, m.container)])
	v[0].message == "no PodDisruptionBudget selects its pods"
}

test_fail_pdb_other_namespace if {
	other := json.patch(m.pdb({"maxUnavailable": 1}), [{"op": "replace", "path": "/metadata/namespace", "value": "other"}])
	m.statuses(pdb.allows_disruption)["Deployment/shop/api"] == "fail" with input as m.manifests([m.deployment(3, m.container), other])
}

# A Deployment without spec.replicas under an HPA keeps the HPA's minimum, not 1: a PDB with
# maxUnavailable 1 allows a drain, and minAvailable 2 with minReplicas 3 does too.
test_success_pdb_uses_hpa_minimum if {
	d := json.remove(m.deployment(1, m.container), ["spec/replicas"])
	m.statuses(pdb.allows_disruption)["Deployment/shop/api"] == "pass" with input as m.manifests([d, m.pdb({"minAvailable": 2}), m.hpa(3, 10)])
}

# Negative twin: the same PDB and Deployment with an HPA floor of 2 allows no disruption.
test_fail_pdb_uses_hpa_minimum if {
	d := json.remove(m.deployment(1, m.container), ["spec/replicas"])
	v := pdb.allows_disruption.verdicts with input as m.manifests([d, m.pdb({"minAvailable": 2}), m.hpa(2, 10)])
	v[0].status == "fail"
	v[0].message == "PodDisruptionBudget \"api\" allows no disruption with 2 replica(s)"
}
