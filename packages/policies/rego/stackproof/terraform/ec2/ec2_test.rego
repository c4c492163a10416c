package stackproof.terraform.ec2_test

import data.stackproof.lib.plan_test as t
import data.stackproof.terraform.ec2

template(after) := t.change("aws_launch_template", "nodes", after)

metadata(tokens, hops) := {"metadata_options": [{"http_tokens": tokens, "http_put_response_hop_limit": hops}]}

imds_status(rc) := s if {
	s := t.statuses(ec2.imdsv2_required)[rc.address] with input as t.plan_input([rc])
}

test_success_imdsv2_required if imds_status(template(metadata("required", 1))) == "pass"

test_fail_imdsv2_optional if imds_status(template(metadata("optional", 1))) == "fail"

test_fail_imdsv2_no_metadata_options if imds_status(t.change("aws_instance", "bastion", {})) == "fail"

test_fail_imdsv2_hop_limit if imds_status(template(metadata("required", 3))) == "fail"

test_unknown_imdsv2 if {
	rc := t.resource("aws_launch_template", "nodes", {"metadata_options": [{}]}, {"metadata_options": [{"http_tokens": true}]}, ["create"])
	imds_status(rc) == "unknown"
}

ebs_status(changes) := s if {
	s := t.statuses(ec2.launch_template_encrypted_root)["aws_launch_template.nodes"] with input as t.plan_input(changes)
}

mapping(encrypted) := {"device_name": "/dev/xvda", "ebs": [{"encrypted": encrypted, "volume_size": 50}]}

test_success_launch_template_encrypted_string if ebs_status([template({"block_device_mappings": [mapping("true")]})]) == "pass"

test_success_launch_template_encrypted_bool if ebs_status([template({"block_device_mappings": [mapping(true)]})]) == "pass"

test_fail_launch_template_unencrypted if {
	v := ec2.launch_template_encrypted_root.verdicts with input as t.plan_input([template({"block_device_mappings": [mapping("false")]})])
	v[0].status == "fail"
	v[0].message == "block device /dev/xvda is not encrypted"
}

test_fail_launch_template_without_mappings if ebs_status([template({"block_device_mappings": []})]) == "fail"

test_success_encryption_by_default if {
	ebs_status([template({}), t.change("aws_ebs_encryption_by_default", "this", {"enabled": true})]) == "pass"
}

test_unknown_launch_template_mappings if {
	ebs_status([t.resource("aws_launch_template", "nodes", {}, {"block_device_mappings": true}, ["create"])]) == "unknown"
}

test_unknown_launch_template_encrypted_flag if {
	rc := t.resource(
		"aws_launch_template", "nodes",
		{"block_device_mappings": [{"device_name": "/dev/xvda", "ebs": [{}]}]},
		{"block_device_mappings": [{"ebs": [{"encrypted": true}]}]}, ["create"],
	)
	ebs_status([rc]) == "unknown"
}

# metadata_options computed at apply and not configured: the instance takes the default (IMDSv1).
test_fail_imds_not_configured if {
	i := t.resource("aws_instance", "web", {}, {"metadata_options": true}, ["create"])
	config := {"resources": [{"address": "aws_instance.web", "expressions": {"ami": {"constant_value": "ami-1"}}}]}
	v := ec2.imdsv2_required.verdicts with input as t.plan_with_config([i], config)
	v[0].status == "fail"
	startswith(v[0].message, "metadata_options is not set")

	# Negative twin: configured from a variable, the value is only known at apply.
	configured := {"resources": [{"address": "aws_instance.web", "expressions": {"metadata_options": [{"http_tokens": {"references": ["var.tokens"]}}]}}]}
	t.statuses(ec2.imdsv2_required)["aws_instance.web"] == "unknown" with input as t.plan_with_config([i], configured)
}
