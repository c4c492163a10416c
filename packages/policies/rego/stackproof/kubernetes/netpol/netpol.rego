# METADATA
# title: NetworkPolicies
# description: Default-deny network isolation per namespace.
package stackproof.kubernetes.netpol

import data.stackproof.lib.k8s
import data.stackproof.lib.text

# The checks of this family, collected by stackproof.main (scripts/check-rego.sh verifies that
# every rule with an id is listed here).
checks := [default_deny_netpol]

# The kinds this family reads (see workloads.manifest_kinds).
manifest_kinds := k8s.workload_kinds | {"NetworkPolicy"}

# METADATA
# title: Every workload's pods sit under a default-deny NetworkPolicy
# description: >-
#   Without a default deny any compromised pod can reach every other pod; allow rules only mean
#   something on top of a deny. A policy with podSelector {} covers the whole namespace; a chart may
#   instead deny all traffic to its own pods by label.
# custom:
#   id: k8s.default-deny-netpol
#   family: kubernetes
#   severity: medium
#   remediation: >-
#     Add a NetworkPolicy with podSelector {} (or one selecting the workload's pods), policyTypes
#     [Ingress, Egress] and no ingress rules, then allow what each service needs.
#   references: ["CIS Kubernetes 5.3.2"]
default_deny_netpol := {"meta": rego.metadata.rule(), "verdicts": [verdict(e) | some e in k8s.workloads]}

# A deny-all policy: it names Ingress (the default) and has no ingress rules.
deny_all_policies contains entry.object if {
	some entry in k8s.entries("NetworkPolicy")
	"Ingress" in object.get(entry.object, ["spec", "policyTypes"], ["Ingress"])
	count(object.get(entry.object, ["spec", "ingress"], [])) == 0
}

verdict(e) := k8s.pass(e, "") if {
	some policy in deny_all_policies
	k8s.namespace(policy) == k8s.namespace(e.object)
	k8s.selects(object.get(policy, ["spec", "podSelector"], {}), k8s.pod_labels(e.object))
} else := k8s.fail(e, text.format("no default-deny NetworkPolicy (no ingress rules) in namespace \"%s\" selects its pods", [k8s.namespace(e.object)]))
