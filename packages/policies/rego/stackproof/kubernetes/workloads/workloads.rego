# METADATA
# title: Kubernetes workloads
# description: Replicas, zone spread, probes, resources and security context of pod templates.
package stackproof.kubernetes.workloads

import data.stackproof.lib.k8s
import data.stackproof.lib.text

# The checks of this family, collected by stackproof.main (scripts/check-rego.sh verifies that
# every rule with an id is listed here).
checks := [replicas_min, topology_spread_zone, probes, resource_requests, resource_limits, security_context]

# The kinds this family reads; the gate passes only objects of kinds some family reads.
manifest_kinds := k8s.workload_kinds | {"HorizontalPodAutoscaler"}

# METADATA
# title: Workloads run at least two replicas
# description: A single replica is down during every rollout, node drain and node failure.
# custom:
#   id: k8s.replicas-min
#   family: kubernetes
#   severity: high
#   remediation: >-
#     Set spec.replicas to at least params.min_replicas (2), or target the workload with an HPA whose
#     minReplicas is at least 2.
#   references: []
replicas_min := {"meta": rego.metadata.rule(), "verdicts": [replicas_verdict(e, k8s.min_replicas) | some e in k8s.replicated]}

replicas_verdict(e, wanted) := k8s.pass(e, text.format("the HPA keeps at least %s replicas", [k8s.hpa_min(e.object)])) if {
	k8s.hpa_min(e.object) >= wanted
} else := k8s.fail(e, text.format("the HorizontalPodAutoscaler's minReplicas is %s, below %s", [k8s.hpa_min(e.object), wanted])) if {
	k8s.hpa_min(e.object) < wanted
} else := k8s.pass(e, "") if {
	object.get(e.object, ["spec", "replicas"], 1) >= wanted
} else := k8s.fail(e, text.format("spec.replicas is %s, below %s", [object.get(e.object, ["spec", "replicas"], 1), wanted]))

# METADATA
# title: Pods spread across zones and nodes
# description: >-
#   Without a zone topology spread constraint the scheduler may pack every replica into one AZ, which an
#   AZ outage then takes down together; without a hostname constraint several replicas share a node and
#   fail together when it is drained or lost.
# custom:
#   id: k8s.topology-spread-zone
#   family: kubernetes
#   severity: high
#   remediation: >-
#     Add topologySpreadConstraints on topology.kubernetes.io/zone (maxSkew 1) and on
#     kubernetes.io/hostname, each with a labelSelector matching the pods.
#   references: []
topology_spread_zone := {"meta": rego.metadata.rule(), "verdicts": [spread_verdict(e) | some e in k8s.replicated]}

spread_keys := ["topology.kubernetes.io/zone", "kubernetes.io/hostname"]

spread_verdict(e) := k8s.fail(e, text.format("no topologySpreadConstraints on %s selects the pods", [concat(" or ", missing)])) if {
	missing := [key | some key in spread_keys; not spreads_on(e.object, key)]
	count(missing) > 0
} else := k8s.pass(e, "")

spreads_on(obj, key) if {
	some c in object.get(k8s.pod_spec(obj), "topologySpreadConstraints", [])
	c.topologyKey == key
	k8s.selects(object.get(c, "labelSelector", {"matchLabels": {"\u0000": ""}}), k8s.pod_labels(obj))
}

# METADATA
# title: Containers have readiness and liveness probes
# description: >-
#   Without a readiness probe traffic reaches pods that cannot serve; without a liveness probe a
#   hung process is never restarted.
# custom:
#   id: k8s.probes
#   family: kubernetes
#   severity: medium
#   remediation: Add readinessProbe and livenessProbe to every container.
#   references: []
probes := {"meta": rego.metadata.rule(), "verdicts": [probes_verdict(e) |
	some e in k8s.workloads
	not e.object.kind in {"Job", "CronJob"}
]}

# The first problem found names the verdict (a function must have one value).
probes_verdict(e) := k8s.fail(e, problems[0]) if {
	problems := [text.format("container \"%s\" has no %s", [c.name, probe]) |
		some c in k8s.containers(e.object)
		some probe in ["readinessProbe", "livenessProbe"]
		not c[probe]
	]
	count(problems) > 0
} else := k8s.pass(e, "")

# METADATA
# title: Containers request CPU and memory
# description: >-
#   Requests are what the scheduler places pods by and what the HPA's utilisation target is relative
#   to; without them pods overcommit nodes and CPU autoscaling cannot work.
# custom:
#   id: k8s.resource-requests
#   family: kubernetes
#   severity: medium
#   remediation: Set resources.requests.cpu and resources.requests.memory on every container.
#   references: ["CIS Kubernetes 5.7"]
resource_requests := {"meta": rego.metadata.rule(), "verdicts": [v |
	some e in k8s.workloads
	v := resources_verdict(e, [["requests", "cpu"], ["requests", "memory"]])
]}

# METADATA
# title: Containers limit their memory
# description: >-
#   A memory limit stops one leaking pod from driving its node out of memory and getting its
#   neighbours evicted or OOM-killed.
# custom:
#   id: k8s.resource-limits
#   family: kubernetes
#   severity: medium
#   remediation: Set resources.limits.memory on every container.
#   references: ["CIS Kubernetes 5.7"]
resource_limits := {"meta": rego.metadata.rule(), "verdicts": [v |
	some e in k8s.workloads
	v := resources_verdict(e, [["limits", "memory"]])
]}

resources_verdict(e, fields) := k8s.fail(e, problems[0]) if {
	problems := [text.format("container \"%s\" has no resources.%s", [c.name, concat(".", field)]) |
		some c in k8s.containers(e.object)
		some field in fields
		object.get(c, array.concat(["resources"], field), null) == null
	]
	count(problems) > 0
} else := k8s.pass(e, "")

# METADATA
# title: Containers run hardened
# description: >-
#   Non-root, read-only root filesystem, all capabilities dropped, no privilege escalation and the
#   RuntimeDefault seccomp profile close the usual container escape paths (Pod Security Standards
#   "restricted").
# custom:
#   id: k8s.security-context
#   family: kubernetes
#   severity: high
#   remediation: >-
#     Set runAsNonRoot true, readOnlyRootFilesystem true, allowPrivilegeEscalation false,
#     capabilities.drop ["ALL"] and seccompProfile.type RuntimeDefault (pod or container
#     securityContext).
#   references: ["CIS Kubernetes 5.2", "Kubernetes Pod Security Standards restricted"]
security_context := {"meta": rego.metadata.rule(), "verdicts": [security_verdict(e) | some e in k8s.workloads]}

security_verdict(e) := k8s.fail(e, problems[0]) if {
	problems := [text.format("container \"%s\": %s", [c.name, concat(", ", found)]) |
		some c in k8s.all_containers(e.object)
		found := container_problems(k8s.pod_spec(e.object), c)
		count(found) > 0
	]
	count(problems) > 0
} else := k8s.pass(e, "")

container_problems(pod, c) := array.concat(
	array.concat(
		[m | not run_as_non_root(pod, c); m := "runAsNonRoot is not true"],
		[m | not object.get(c, ["securityContext", "readOnlyRootFilesystem"], false); m := "readOnlyRootFilesystem is not true"],
	),
	array.concat(
		array.concat(
			[m | object.get(c, ["securityContext", "allowPrivilegeEscalation"], true) != false; m := "allowPrivilegeEscalation is not false"],
			[m | not "ALL" in object.get(c, ["securityContext", "capabilities", "drop"], []); m := "capabilities.drop lacks ALL"],
		),
		[m | not seccomp(pod, c); m := "seccompProfile is not RuntimeDefault or Localhost"],
	),
)

run_as_non_root(_, c) if c.securityContext.runAsNonRoot == true

run_as_non_root(pod, c) if {
	pod.securityContext.runAsNonRoot == true
	object.get(c, ["securityContext", "runAsNonRoot"], true) != false
}

# The container's profile wins over the pod's.
seccomp(pod, c) if {
	pod_profile := object.get(pod, ["securityContext", "seccompProfile", "type"], "")
	object.get(c, ["securityContext", "seccompProfile", "type"], pod_profile) in {"RuntimeDefault", "Localhost"}
}
