# METADATA
# title: Container images
# description: Image references of pod templates.
package stackproof.kubernetes.images

import data.stackproof.lib.k8s
import data.stackproof.lib.text

# The checks of this family, collected by stackproof.main (scripts/check-rego.sh verifies that
# every rule with an id is listed here).
checks := [image_pinned]

# The kinds this family reads (see workloads.manifest_kinds).
manifest_kinds := k8s.workload_kinds

# METADATA
# title: Images are pinned to a tag or digest other than latest
# description: >-
#   An untagged or latest image changes under a running deployment; a rollback or a new node then
#   runs code nobody reviewed.
# custom:
#   id: k8s.image-pinned
#   family: kubernetes
#   severity: medium
#   remediation: Reference images by an immutable version tag or, better, by digest (image@sha256:...).
#   references: ["CIS Kubernetes 5.5.1"]
image_pinned := {"meta": rego.metadata.rule(), "verdicts": [image_verdict(e) | some e in k8s.workloads]}

image_verdict(e) := k8s.fail(e, problems[0]) if {
	problems := [text.format("container \"%s\" uses image \"%s\" (%s)", [c.name, c.image, problem]) |
		some c in k8s.all_containers(e.object)
		problem := image_problem(c.image)
	]
	count(problems) > 0
} else := k8s.pass(e, "")

image_problem(image) := "latest tag" if {
	not contains(image, "@")
	tag(image) == "latest"
} else := "no tag" if {
	not contains(image, "@")
	not tag(image)
}

# The tag is after the last ":" of the last path segment (a registry port is not a tag).
tag(image) := t if {
	segments := split(image, "/")
	last := segments[count(segments) - 1]
	contains(last, ":")
	parts := split(last, ":")
	t := parts[count(parts) - 1]
}
