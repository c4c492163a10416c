package stackproof.kubernetes.hpa_test

import data.stackproof.kubernetes.hpa
import data.stackproof.lib.k8s_test as m

status(lowest, highest) := s if {
	s := m.statuses(hpa.replicas)["HorizontalPodAutoscaler/shop/api"] with input as m.manifests([m.hpa(lowest, highest)])
}

test_success_hpa if status(2, 10) == "pass"

test_fail_hpa_min_one if status(1, 10) == "fail"

test_fail_hpa_max_not_above_min if status(3, 3) == "fail"

test_success_floor_left_to_replicas_min_when_target_present if {
	s := m.statuses(hpa.replicas) with input as m.manifests([json.remove(m.deployment(1, m.container), ["spec/replicas"]), m.hpa(1, 10)])
	s["HorizontalPodAutoscaler/shop/api"] == "pass"
}
