package stackproof.kubernetes.images_test

import data.stackproof.kubernetes.images
import data.stackproof.lib.k8s_test as m

status(image) := s if {
	c := object.union(m.container, {"image": image})
	s := m.statuses(images.image_pinned)["Deployment/shop/api"] with input as m.manifests([m.deployment(3, c)])
}

test_success_version_tag if status("registry.example:5000/api:1.4.2") == "pass"

test_success_digest if status("registry.example/api@sha256:0123456789abcdef") == "pass"

test_fail_latest if status("registry.example/api:latest") == "fail"

test_fail_untagged if status("registry.example:5000/api") == "fail"

test_fail_untagged_init_container if {
	d := json.patch(m.deployment(3, m.container), [{"op": "add", "path": "/spec/template/spec/initContainers", "value": [{"name": "init", "image": "busybox"}]}])
	v := images.image_pinned.verdicts with input as m.manifests([d])
	v[0].message == "container \"init\" uses image \"busybox\" (no tag)"
}
