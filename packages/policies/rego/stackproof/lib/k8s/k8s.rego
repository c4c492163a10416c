# METADATA
# title: Kubernetes manifest helpers
# description: Objects by kind, pod templates, addresses and verdict constructors for rendered manifests.
package stackproof.lib.k8s

params := object.get(input, "params", {})

min_replicas := object.get(params, "min_replicas", 2)

# Input entries by kind: {"object": ..., "file"?: ..., "line"?: ...}
entries_by_kind[entry.object.kind] contains entry if {
	input.kind == "kubernetes"
	some entry in input.objects
	is_object(entry.object)
}

entries(kind) := object.get(entries_by_kind, kind, set())

workload_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"}

# Workloads with a pod template.
workloads contains entry if {
	some kind in workload_kinds
	some entry in entries(kind)
}

# Replicated workloads (the ones availability rules are about).
replicated contains entry if {
	some kind in {"Deployment", "StatefulSet"}
	some entry in entries(kind)
}

namespace(obj) := object.get(obj, ["metadata", "namespace"], "default")

# The lowest minReplicas of the HorizontalPodAutoscalers that target the workload (undefined when
# none does): an HPA sets the replica count at run time, so spec.replicas means nothing then. The
# lowest, because the same workload may be targeted twice (two renders of one chart in a folder):
# a set, so duplicates can never make two values collide.
hpa_min(obj) := min(minimums) if {
	minimums := {m |
		some entry in entries("HorizontalPodAutoscaler")
		hpa := entry.object
		namespace(hpa) == namespace(obj)
		hpa.spec.scaleTargetRef.kind == obj.kind
		hpa.spec.scaleTargetRef.name == obj.metadata.name
		m := object.get(hpa.spec, "minReplicas", 1)
		is_number(m)
	}
	count(minimums) > 0
}

# Replicas the workload keeps: the HPA's minimum when an HPA targets it, else spec.replicas
# (default 1).
replicas(obj) := n if {
	n := hpa_min(obj)
} else := object.get(obj, ["spec", "replicas"], 1)

address(obj) := concat("/", [obj.kind, namespace(obj), object.get(obj, ["metadata", "name"], "")])

pod_spec(obj) := obj.spec.jobTemplate.spec.template.spec if obj.kind == "CronJob"

else := object.get(obj, ["spec", "template", "spec"], {})

pod_labels(obj) := object.get(obj, ["spec", "template", "metadata", "labels"], {})

containers(obj) := object.get(pod_spec(obj), "containers", [])

all_containers(obj) := array.concat(containers(obj), object.get(pod_spec(obj), "initContainers", []))

verdict(entry, status, message) := object.union(
	{
		"address": address(entry.object),
		"resource_type": entry.object.kind,
		"status": status,
		"message": message,
	},
	object.filter(entry, {"file", "line"}),
)

pass(entry, message) := verdict(entry, "pass", message)

fail(entry, message) := verdict(entry, "fail", message)

# A label selector's matchLabels/matchExpressions (In, NotIn, Exists, DoesNotExist) against labels.
selects(selector, labels) if {
	every key, value in object.get(selector, "matchLabels", {}) {
		labels[key] == value
	}
	every expression in object.get(selector, "matchExpressions", []) {
		expression_matches(expression, labels)
	}
}

expression_matches(e, labels) if {
	e.operator == "In"
	labels[e.key] in e.values
}

expression_matches(e, labels) if {
	e.operator == "NotIn"
	not labels[e.key] in e.values
}

expression_matches(e, labels) if {
	e.operator == "Exists"
	labels[e.key]
}

expression_matches(e, labels) if {
	e.operator == "DoesNotExist"
	not labels[e.key]
}
