package stackproof.kubernetes.netpol_test

import data.stackproof.kubernetes.netpol
import data.stackproof.lib.k8s_test as m

status(objects) := s if {
	s := m.statuses(netpol.default_deny_netpol)["Deployment/shop/api"] with input as m.manifests(objects)
}

test_success_default_deny if status([m.deployment(3, m.container), m.default_deny]) == "pass"

test_fail_no_network_policy if status([m.deployment(3, m.container)]) == "fail"

test_fail_policy_selecting_some_pods if {
	partial := json.patch(m.default_deny, [{"op": "replace", "path": "/spec/podSelector", "value": {"matchLabels": {"app": "x"}}}])
	status([m.deployment(3, m.container), partial]) == "fail"
}

test_fail_policy_with_allow_rules if {
	allow := json.patch(m.default_deny, [{"op": "add", "path": "/spec/ingress", "value": [{}]}])
	status([m.deployment(3, m.container), allow]) == "fail"
}

test_success_policy_selecting_the_workload_pods if {
	scoped := json.patch(m.default_deny, [{"op": "replace", "path": "/spec/podSelector", "value": {"matchLabels": m.labels}}])
	status([m.deployment(3, m.container), scoped]) == "pass"
}

test_fail_policy_in_other_namespace if {
	other := json.patch(m.default_deny, [{"op": "replace", "path": "/metadata/namespace", "value": "other"}])
	status([m.deployment(3, m.container), other]) == "fail"
}
