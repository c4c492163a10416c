package stackproof.kubernetes.workloads_test

import data.stackproof.kubernetes.workloads
import data.stackproof.lib.k8s_test as m

test_success_compliant_workload if {
	every check in workloads.checks {
		check.verdicts[0].status == "pass"
	} with input as m.manifests(m.compliant)
}

test_fail_replicas_min if {
	v := workloads.replicas_min.verdicts with input as m.manifests([m.deployment(1, m.container)])
	v[0].status == "fail"
	v[0].message == "spec.replicas is 1, below 2"
	v[0].file == "rendered.yaml"
}

test_success_replicas_from_hpa if {
	d := json.remove(m.deployment(1, m.container), ["spec/replicas"])
	m.statuses(workloads.replicas_min)["Deployment/shop/api"] == "pass" with input as m.manifests([d, m.hpa(2, 5)])
}

test_fail_replicas_from_hpa_floor if {
	d := json.remove(m.deployment(3, m.container), ["spec/replicas"])
	v := workloads.replicas_min.verdicts with input as m.manifests([d, m.hpa(1, 5)])
	v[0].message == "the HorizontalPodAutoscaler's minReplicas is 1, below 2"
}

test_success_replicas_min_param if {
	s := m.statuses(workloads.replicas_min) with input as object.union(m.manifests([m.deployment(1, m.container)]), {"params": {"min_replicas": 1}})
	s["Deployment/shop/api"] == "pass"
}

without_spread(key) := json.patch(m.deployment(3, m.container), [{"op": "replace", "path": "/spec/template/spec/topologySpreadConstraints", "value": [m.spread(key)]}])

test_fail_topology_spread_zone if {
	m.statuses(workloads.topology_spread_zone)["Deployment/shop/api"] == "fail" with input as m.manifests([without_spread("kubernetes.io/hostname")])
}

test_fail_topology_spread_hostname if {
	v := workloads.topology_spread_zone.verdicts with input as m.manifests([without_spread("topology.kubernetes.io/zone")])
	v[0].status == "fail"
	v[0].message == "no topologySpreadConstraints on kubernetes.io/hostname selects the pods"
}

test_fail_topology_spread_selector_mismatch if {
	d := json.patch(m.deployment(3, m.container), [{"op": "replace", "path": "/spec/template/spec/topologySpreadConstraints/0/labelSelector", "value": {"matchLabels": {"app": "other"}}}])
	m.statuses(workloads.topology_spread_zone)["Deployment/shop/api"] == "fail" with input as m.manifests([d])
}

test_fail_probes if {
	v := workloads.probes.verdicts with input as m.manifests([m.deployment(3, object.remove(m.container, ["livenessProbe"]))])
	v[0].status == "fail"
	v[0].message == "container \"api\" has no livenessProbe"
}

test_fail_resource_limits if {
	c := json.remove(m.container, ["resources/limits"])
	v := workloads.resource_limits.verdicts with input as m.manifests([m.deployment(3, c)])
	v[0].message == "container \"api\" has no resources.limits.memory"
	r := workloads.resource_requests.verdicts with input as m.manifests([m.deployment(3, c)])
	r[0].status == "pass"
}

test_fail_resource_requests if {
	c := json.remove(m.container, ["resources/requests/cpu"])
	v := workloads.resource_requests.verdicts with input as m.manifests([m.deployment(3, c)])
	v[0].message == "container \"api\" has no resources.requests.cpu"
}

test_fail_security_context if {
	c := object.union(m.container, {"securityContext": {"readOnlyRootFilesystem": false}})
	v := workloads.security_context.verdicts with input as m.manifests([m.deployment(3, c)])
	v[0].status == "fail"
	v[0].message == "container \"api\": readOnlyRootFilesystem is not true"
}

test_fail_security_context_root_and_seccomp if {
	d := json.remove(m.deployment(3, m.container), ["spec/template/spec/securityContext"])
	v := workloads.security_context.verdicts with input as m.manifests([d])
	v[0].message == "container \"api\": runAsNonRoot is not true, seccompProfile is not RuntimeDefault or Localhost"
}

test_success_security_context_on_container if {
	c := object.union(m.container, {"securityContext": object.union(m.container.securityContext, {"runAsNonRoot": true, "seccompProfile": {"type": "Localhost"}})})
	d := json.remove(m.deployment(3, c), ["spec/template/spec/securityContext"])
	m.statuses(workloads.security_context)["Deployment/shop/api"] == "pass" with input as m.manifests([d])
}

test_fail_security_context_container_overrides_pod if {
	c := object.union(m.container, {"securityContext": object.union(m.container.securityContext, {"runAsNonRoot": false})})
	m.statuses(workloads.security_context)["Deployment/shop/api"] == "fail" with input as m.manifests([m.deployment(3, c)])
}

test_success_jobs_not_judged_for_probes if {
	job := {"kind": "Job", "metadata": {"name": "migrate"}, "spec": {"template": {"spec": {"containers": [{"name": "m", "image": "x:1"}]}}}}
	count(workloads.probes.verdicts) == 0 with input as m.manifests([job])
}
