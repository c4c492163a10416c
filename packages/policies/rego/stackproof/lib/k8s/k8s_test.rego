package stackproof.lib.k8s_test

import data.stackproof.lib.k8s

# -- builders shared by the kubernetes tests ------------------------------------------------------

manifests(objects) := {"kind": "kubernetes", "params": {}, "objects": [{"object": o, "file": "rendered.yaml", "line": i + 1} | some i, o in objects]}

container := {
	"name": "api",
	"image": "registry.example/api:1.4.2",
	"readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
	"livenessProbe": {"httpGet": {"path": "/live", "port": 8080}},
	"resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
	"securityContext": {
		"readOnlyRootFilesystem": true,
		"allowPrivilegeEscalation": false,
		"capabilities": {"drop": ["ALL"]},
	},
}

labels := {"app.kubernetes.io/name": "api"}

spread(key) := {"topologyKey": key, "maxSkew": 1, "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": labels}}

deployment(replicas, c) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "api", "namespace": "shop"},
	"spec": {
		"replicas": replicas,
		"selector": {"matchLabels": labels},
		"template": {
			"metadata": {"labels": labels},
			"spec": {
				"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
				"topologySpreadConstraints": [spread("topology.kubernetes.io/zone"), spread("kubernetes.io/hostname")],
				"containers": [c],
			},
		},
	},
}

pdb(spec) := {
	"apiVersion": "policy/v1",
	"kind": "PodDisruptionBudget",
	"metadata": {"name": "api", "namespace": "shop"},
	"spec": object.union({"selector": {"matchLabels": labels}}, spec),
}

hpa(lowest, highest) := {
	"apiVersion": "autoscaling/v2",
	"kind": "HorizontalPodAutoscaler",
	"metadata": {"name": "api", "namespace": "shop"},
	"spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"}, "minReplicas": lowest, "maxReplicas": highest},
}

default_deny := {
	"apiVersion": "networking.k8s.io/v1",
	"kind": "NetworkPolicy",
	"metadata": {"name": "default-deny", "namespace": "shop"},
	"spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
}

compliant := [deployment(3, container), pdb({"maxUnavailable": 1}), hpa(3, 10), default_deny]

statuses(check) := {v.address: v.status | some v in check.verdicts}

# -- tests of the helpers -------------------------------------------------------------------------

test_success_address_and_location if {
	v := k8s.pass({"object": deployment(2, container), "file": "a.yaml", "line": 7}, "")
	v.address == "Deployment/shop/api"
	v.file == "a.yaml"
	v.line == 7
	k8s.address({"kind": "Service", "metadata": {"name": "x"}}) == "Service/default/x"
}

test_success_selects_expressions if {
	k8s.selects({"matchExpressions": [{"key": "a", "operator": "In", "values": ["1"]}, {"key": "b", "operator": "Exists"}]}, {"a": "1", "b": "x"})
	k8s.selects({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["2"]}, {"key": "c", "operator": "DoesNotExist"}]}, {"a": "1"})
	not k8s.selects({"matchLabels": {"a": "2"}}, {"a": "1"})
}

test_success_cronjob_pod_spec if {
	cron := {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [container]}}}}}}
	k8s.containers(cron) == [container]
}

test_success_objects_ignored_for_plans if {
	count(k8s.workloads) == 0 with input as {"kind": "terraform-plan", "objects": [{"object": deployment(1, container)}]}
}

# The same HPA rendered twice (two files of one folder) or twice with different floors: one value,
# the lowest, never a conflict.
test_success_hpa_min_duplicates_take_the_lowest if {
	objects := [deployment(3, container), hpa(3, 10), hpa(3, 10), hpa(2, 10)]
	k8s.hpa_min(deployment(3, container)) == 2 with input as manifests(objects)
	k8s.replicas(deployment(3, container)) == 2 with input as manifests(objects)
	k8s.replicas(deployment(3, container)) == 3 with input as manifests([deployment(3, container)])
}

# The same Deployment in two namespaces and twice in one: every check still yields one verdict
# per object, with no conflict.
test_success_duplicate_workloads_across_namespaces if {
	other := json.patch(deployment(3, container), [{"op": "replace", "path": "/metadata/namespace", "value": "other"}])
	objects := [deployment(3, container), deployment(1, container), other, hpa(3, 10), hpa(2, 10)]
	count(k8s.replicated) == 3 with input as manifests(objects)
	not k8s.hpa_min(other) with input as manifests(objects)
	count(statuses_list(data.stackproof.kubernetes.workloads.replicas_min)) == 3 with input as manifests(objects)
}

statuses_list(check) := [v.status | some v in check.verdicts]
