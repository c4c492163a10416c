package stackproof.terraform.rds_test

import data.stackproof.lib.plan_test as t
import data.stackproof.terraform.rds

good_instance := {
	"multi_az": true,
	"deletion_protection": true,
	"backup_retention_period": 14,
	"storage_encrypted": true,
	"kms_key_id": "arn:aws:kms:me-central-1:111122223333:key/1",
	"publicly_accessible": false,
	"iam_database_authentication_enabled": true,
	"parameter_group_name": "pg-tls",
	"performance_insights_enabled": true,
	"performance_insights_kms_key_id": "arn:aws:kms:me-central-1:111122223333:key/1",
	"enabled_cloudwatch_logs_exports": ["postgresql", "upgrade"],
	"engine": "postgres",
	"monitoring_interval": 15,
	"manage_master_user_password": true,
	"master_user_secret_kms_key_id": "arn:aws:kms:me-central-1:111122223333:key/1",
	"password": null,
}

tls_group := t.change("aws_db_parameter_group", "tls", {"id": "pg-tls", "name": "pg-tls", "parameter": [{"name": "rds.force_ssl", "value": "1"}]})

db(overrides) := t.change("aws_db_instance", "db", object.union(good_instance, overrides))

db_unknown(attribute) := t.resource("aws_db_instance", "db", object.remove(good_instance, [attribute]), {attribute: true}, ["create"])

test_success_good_instance_passes_every_rule if {
	every check in rds.checks {
		check.verdicts[0].status == "pass"
	} with input as t.plan_input([db({}), tls_group])
}

test_fail_multi_az if t.statuses(rds.multi_az)["aws_db_instance.db"] == "fail" with input as t.plan_input([db({"multi_az": false})])

test_unknown_multi_az if t.statuses(rds.multi_az)["aws_db_instance.db"] == "unknown" with input as t.plan_input([db_unknown("multi_az")])

test_fail_deletion_protection if t.statuses(rds.deletion_protection)["aws_db_instance.db"] == "fail" with input as t.plan_input([db({"deletion_protection": false})])

test_fail_backup_retention if t.statuses(rds.backup_retention)["aws_db_instance.db"] == "fail" with input as t.plan_input([db({"backup_retention_period": 1})])

test_unknown_backup_retention if t.statuses(rds.backup_retention)["aws_db_instance.db"] == "unknown" with input as t.plan_input([db_unknown("backup_retention_period")])

test_success_backup_retention_param if {
	verdicts := rds.backup_retention.verdicts with input as object.union(t.plan_input([db({"backup_retention_period": 3})]), {"params": {"min_backup_retention_days": 3}})
	verdicts[0].status == "pass"
}

test_fail_encrypted_cmk_unencrypted if t.statuses(rds.encrypted_cmk)["aws_db_instance.db"] == "fail" with input as t.plan_input([db({"storage_encrypted": false})])

test_fail_encrypted_cmk_aws_managed_key if t.statuses(rds.encrypted_cmk)["aws_db_instance.db"] == "fail" with input as t.plan_input([db({"kms_key_id": null})])

test_unknown_encrypted_cmk if t.statuses(rds.encrypted_cmk)["aws_db_instance.db"] == "unknown" with input as t.plan_input([db_unknown("kms_key_id")])

test_unknown_encrypted_storage if t.statuses(rds.encrypted_cmk)["aws_db_instance.db"] == "unknown" with input as t.plan_input([db_unknown("storage_encrypted")])

test_fail_not_public if t.statuses(rds.not_public)["aws_db_instance.db"] == "fail" with input as t.plan_input([db({"publicly_accessible": true})])

test_fail_iam_auth if t.statuses(rds.iam_auth)["aws_db_instance.db"] == "fail" with input as t.plan_input([db({"iam_database_authentication_enabled": false})])

test_fail_force_ssl_default_group if t.statuses(rds.force_ssl)["aws_db_instance.db"] == "fail" with input as t.plan_input([db({"parameter_group_name": "default.postgres16"})])

test_fail_force_ssl_group_without_parameter if {
	group := t.change("aws_db_parameter_group", "tls", {"id": "pg-tls", "parameter": [{"name": "log_connections", "value": "1"}]})
	t.statuses(rds.force_ssl)["aws_db_instance.db"] == "fail" with input as t.plan_input([db({}), group])
}

test_success_force_ssl_through_reference if {
	group := t.resource("aws_db_parameter_group", "tls", {"parameter": [{"name": "rds.force_ssl", "value": 1}]}, {"id": true}, ["create"])
	instance := t.resource("aws_db_instance", "db", object.remove(good_instance, ["parameter_group_name"]), {"parameter_group_name": true}, ["create"])
	config := {"resources": [{"address": "aws_db_instance.db", "expressions": {"parameter_group_name": {"references": ["aws_db_parameter_group.tls.name", "aws_db_parameter_group.tls"]}}}]}
	verdicts := rds.force_ssl.verdicts with input as t.plan_with_config([instance, group], config)
	verdicts[0].status == "pass"
}

test_unknown_force_ssl if t.statuses(rds.force_ssl)["aws_db_instance.db"] == "unknown" with input as t.plan_input([db_unknown("parameter_group_name")])

test_fail_performance_insights_disabled if t.statuses(rds.performance_insights_encrypted)["aws_db_instance.db"] == "fail" with input as t.plan_input([db({"performance_insights_enabled": false})])

test_fail_performance_insights_default_key if t.statuses(rds.performance_insights_encrypted)["aws_db_instance.db"] == "fail" with input as t.plan_input([db({"performance_insights_kms_key_id": ""})])

test_unknown_performance_insights if t.statuses(rds.performance_insights_encrypted)["aws_db_instance.db"] == "unknown" with input as t.plan_input([db_unknown("performance_insights_enabled")])

test_fail_log_exports_empty if t.statuses(rds.log_exports)["aws_db_instance.db"] == "fail" with input as t.plan_input([db({"enabled_cloudwatch_logs_exports": []})])

test_fail_log_exports_without_postgresql if t.statuses(rds.log_exports)["aws_db_instance.db"] == "fail" with input as t.plan_input([db({"enabled_cloudwatch_logs_exports": ["upgrade"]})])

test_unknown_log_exports if t.statuses(rds.log_exports)["aws_db_instance.db"] == "unknown" with input as t.plan_input([db_unknown("enabled_cloudwatch_logs_exports")])

# -- clusters ------------------------------------------------------------------------------------

cluster := t.resource("aws_rds_cluster", "main", {"engine": "aurora-postgresql", "deletion_protection": true}, {"id": true}, ["create"])

cluster_instance(i) := t.instance("", "aws_rds_cluster_instance", "main", i, {"publicly_accessible": false}, {"cluster_identifier": true})

cluster_config := {"resources": [{"address": "aws_rds_cluster_instance.main", "expressions": {"cluster_identifier": {"references": ["aws_rds_cluster.main.id", "aws_rds_cluster.main"]}}}]}

test_success_cluster_with_two_instances if t.statuses(rds.multi_az)["aws_rds_cluster.main"] == "pass" with input as t.plan_with_config([cluster, cluster_instance(0), cluster_instance(1)], cluster_config)

test_fail_cluster_with_one_instance if t.statuses(rds.multi_az)["aws_rds_cluster.main"] == "fail" with input as t.plan_with_config([cluster, cluster_instance(0)], cluster_config)

test_unknown_cluster_instances_unresolved if t.statuses(rds.multi_az)["aws_rds_cluster.main"] == "unknown" with input as t.plan_with_config([cluster, cluster_instance(0)], {})

test_success_multi_az_db_cluster if {
	multi := t.change("aws_rds_cluster", "main", {"db_cluster_instance_class": "db.m6gd.large"})
	t.statuses(rds.multi_az)["aws_rds_cluster.main"] == "pass" with input as t.plan_with_config([multi], {})
}

test_fail_cluster_instance_public if {
	public := t.instance("", "aws_rds_cluster_instance", "main", 0, {"publicly_accessible": true}, {})
	t.statuses(rds.not_public)["aws_rds_cluster_instance.main[0]"] == "fail" with input as t.plan_input([public])
}

test_fail_cluster_force_ssl_unset if {
	c := t.change("aws_rds_cluster", "main", {"db_cluster_parameter_group_name": null})
	t.statuses(rds.force_ssl)["aws_rds_cluster.main"] == "fail" with input as t.plan_input([c])
}

# -- enhanced monitoring and the managed master password ------------------------------------------

test_fail_enhanced_monitoring_off if {
	v := rds.enhanced_monitoring.verdicts with input as t.plan_input([db({"monitoring_interval": 0})])
	v[0].status == "fail"
	v[0].message == "monitoring_interval is 0: enhanced monitoring is off"
}

test_fail_enhanced_monitoring_coarse if {
	v := rds.enhanced_monitoring.verdicts with input as t.plan_input([db({"monitoring_interval": 60})])
	v[0].message == "monitoring_interval is 60 s, coarser than 15 s"
}

test_unknown_enhanced_monitoring if t.statuses(rds.enhanced_monitoring)["aws_db_instance.db"] == "unknown" with input as t.plan_input([db_unknown("monitoring_interval")])

test_success_enhanced_monitoring_cluster_instance if {
	i := t.instance("", "aws_rds_cluster_instance", "main", 0, {"monitoring_interval": 5}, {})
	t.statuses(rds.enhanced_monitoring)["aws_rds_cluster_instance.main[0]"] == "pass" with input as t.plan_input([i])
}

test_fail_managed_master_password_literal if {
	v := rds.managed_master_password.verdicts with input as t.plan_input([db({"manage_master_user_password": null, "password": "(sensitive)"})])
	v[0].status == "fail"
	v[0].message == "password is set in the configuration: the master password lands in the plan and the state"
}

test_fail_managed_master_password_unmanaged if {
	v := rds.managed_master_password.verdicts with input as t.plan_input([db({"manage_master_user_password": false})])
	v[0].message == "manage_master_user_password is not true: RDS does not manage the master password"
}

test_fail_managed_master_password_aws_key if {
	t.statuses(rds.managed_master_password)["aws_db_instance.db"] == "fail" with input as t.plan_input([db({"master_user_secret_kms_key_id": null})])
}

test_unknown_managed_master_password if t.statuses(rds.managed_master_password)["aws_db_instance.db"] == "unknown" with input as t.plan_input([db_unknown("manage_master_user_password")])

test_success_managed_master_password_replica_not_judged if {
	v := rds.managed_master_password.verdicts with input as t.plan_input([db({"manage_master_user_password": null, "replicate_source_db": "main"})])
	count(v) == 0
}

# -- TLS by engine and version; log exports left unset ---------------------------------------------

test_fail_log_exports_not_set if {
	v := rds.log_exports.verdicts with input as t.plan_input([db({"enabled_cloudwatch_logs_exports": null})])
	v[0].status == "fail"
	v[0].message == "enabled_cloudwatch_logs_exports is empty"
}

test_success_force_ssl_postgres_15_default_group if {
	v := rds.force_ssl.verdicts with input as t.plan_input([db({"engine_version": "15.4", "parameter_group_name": "default.postgres15"})])
	v[0].status == "pass"
	v[0].message == "the default parameter group of PostgreSQL 15 and later sets rds.force_ssl = 1"
}

test_fail_force_ssl_postgres_14_default_group if {
	t.statuses(rds.force_ssl)["aws_db_instance.db"] == "fail" with input as t.plan_input([db({"engine_version": "14.9", "parameter_group_name": "default.postgres14"})])
}

mysql_group(value) := t.change("aws_db_parameter_group", "tls", {"id": "pg-tls", "family": "mysql8.0", "parameter": [{"name": "require_secure_transport", "value": value}]})

test_success_force_ssl_mysql_require_secure_transport if {
	t.statuses(rds.force_ssl)["aws_db_instance.db"] == "pass" with input as t.plan_input([db({"engine": "mysql"}), mysql_group("ON")])
}

test_fail_force_ssl_mysql_require_secure_transport_off if {
	t.statuses(rds.force_ssl)["aws_db_instance.db"] == "fail" with input as t.plan_input([db({"engine": "mysql"}), mysql_group("OFF")])
}

pg_group(parameters) := t.change("aws_db_parameter_group", "tls", {"id": "pg-tls", "family": "postgres16", "parameter": parameters})

test_success_force_ssl_postgres_16_family_keeps_default if {
	t.statuses(rds.force_ssl)["aws_db_instance.db"] == "pass" with input as t.plan_input([db({}), pg_group([{"name": "log_connections", "value": "1"}])])
}

test_fail_force_ssl_postgres_16_family_turned_off if {
	t.statuses(rds.force_ssl)["aws_db_instance.db"] == "fail" with input as t.plan_input([db({}), pg_group([{"name": "rds.force_ssl", "value": "0"}])])
}

# A customer-managed key reached through a module output (terraform-aws-modules/kms).
test_success_encrypted_cmk_key_through_module_output if {
	key := t.instance("module.kms", "aws_kms_key", "this", 0, {}, {"id": true, "arn": true})
	instance := t.resource("aws_db_instance", "db", object.remove(good_instance, ["kms_key_id"]), {"kms_key_id": true}, ["create"])
	config := {
		"resources": [{"address": "aws_db_instance.db", "expressions": {"kms_key_id": {"references": ["module.kms.key_arn", "module.kms"]}}}],
		"module_calls": {"kms": {"module": {"outputs": {"key_arn": {"expression": {"references": ["aws_kms_key.this[0].arn", "aws_kms_key.this[0]", "aws_kms_key.this"]}}}}}},
	}
	t.statuses(rds.encrypted_cmk)["aws_db_instance.db"] == "pass" with input as t.plan_with_config([instance, key], config)

	# Negative twin: without the module's output the key cannot be told.
	t.statuses(rds.encrypted_cmk)["aws_db_instance.db"] == "unknown" with input as t.plan_input([instance, key])
}
