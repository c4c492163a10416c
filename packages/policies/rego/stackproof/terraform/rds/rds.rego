# METADATA
# title: RDS
# description: Availability and security of RDS instances and clusters (PostgreSQL).
package stackproof.terraform.rds

import data.stackproof.lib.plan
import data.stackproof.lib.text

# The checks of this family, collected by stackproof.main (scripts/check-rego.sh verifies that
# every rule with an id is listed here).
checks := [
	multi_az, deletion_protection, backup_retention, encrypted_cmk, not_public, iam_auth, force_ssl,
	performance_insights_encrypted, log_exports, enhanced_monitoring, managed_master_password,
]

# What the gate passes of the plan to this family (stackproof.main plan_reads): per resource type
# the top-level attributes the rules read; "context" types travel with every shard of the type;
# "whole" types are evaluated together because a verdict counts several of them (all of them,
# or with "module" those of one module instance).
plan_reads := {
	"aws_db_instance": {
		"attributes": array.concat(database_attributes, [
			"multi_az", "publicly_accessible", "parameter_group_name", "monitoring_interval",
			"replicate_source_db", "engine_version",
		]),
		"context": ["aws_db_parameter_group"],
	},
	"aws_rds_cluster": {
		"attributes": array.concat(database_attributes, ["db_cluster_instance_class", "db_cluster_parameter_group_name"]),
		"context": ["aws_rds_cluster_instance", "aws_rds_cluster_parameter_group"],
		"whole": true,
	},
	"aws_rds_cluster_instance": {"attributes": ["cluster_identifier", "publicly_accessible", "monitoring_interval"]},
	"aws_db_parameter_group": {"attributes": ["name", "family", "parameter"], "judged": false},
	"aws_rds_cluster_parameter_group": {"attributes": ["name", "family", "parameter"], "judged": false},
}

database_attributes := [
	"engine", "deletion_protection", "backup_retention_period", "storage_encrypted", "kms_key_id",
	"iam_database_authentication_enabled", "performance_insights_enabled", "performance_insights_kms_key_id",
	"enabled_cloudwatch_logs_exports", "manage_master_user_password", "master_user_secret_kms_key_id", "password",
]

databases := array.concat(plan.judged("aws_db_instance"), plan.judged("aws_rds_cluster"))

# METADATA
# title: RDS databases run Multi-AZ
# description: >-
#   A single-AZ database is down for the whole length of an AZ outage or a host failure; Multi-AZ
#   fails over to a standby in another AZ within minutes.
# custom:
#   id: rds.multi-az
#   family: rds
#   severity: high
#   remediation: >-
#     Set multi_az = true on aws_db_instance; give an Aurora aws_rds_cluster at least two
#     aws_rds_cluster_instance (or set db_cluster_instance_class for a Multi-AZ DB cluster).
#   references: ["AWS FSBP RDS.5", "AWS FSBP RDS.15"]
multi_az := {"meta": rego.metadata.rule(), "verdicts": [multi_az_verdict(rc) | some rc in databases]}

multi_az_verdict(rc) := plan.bool_verdict(rc, ["multi_az"], true, "multi_az is not true: the database lives in a single AZ") if {
	rc.type == "aws_db_instance"
}

multi_az_verdict(rc) := cluster_multi_az_verdict(rc, cluster_instances(rc)) if rc.type == "aws_rds_cluster"

instances_by_cluster[cluster.address] contains i if {
	some i in plan.changes("aws_rds_cluster_instance")
	some cluster in plan.resolve(i, ["cluster_identifier"], "aws_rds_cluster")
}

cluster_instances(cluster) := object.get(instances_by_cluster, cluster.address, set())

unresolved_cluster_instances contains i if {
	some i in plan.changes("aws_rds_cluster_instance")
	not plan.resolve(i, ["cluster_identifier"], "aws_rds_cluster")
}

cluster_multi_az_verdict(rc, instances) := plan.pass(rc, "Multi-AZ DB cluster (db_cluster_instance_class is set)") if {
	plan.known(rc, ["db_cluster_instance_class"]) != ""
} else := plan.pass(rc, "") if {
	count(instances) >= 2
} else := plan.unknown_verdict(rc, "cluster instances whose cluster_identifier is not known until apply") if {
	count(unresolved_cluster_instances) > 0
} else := plan.fail(rc, text.format("the cluster has %s instance(s): no reader in another AZ to fail over to", [count(instances)]))

# METADATA
# title: RDS databases have deletion protection
# description: >-
#   Deletion protection stops a plan, a console click or a script from destroying the database and
#   its automated backups.
# custom:
#   id: rds.deletion-protection
#   family: rds
#   severity: high
#   remediation: Set deletion_protection = true.
#   references: ["AWS FSBP RDS.7", "AWS FSBP RDS.8"]
deletion_protection := {"meta": rego.metadata.rule(), "verdicts": [v |
	some rc in databases
	v := plan.bool_verdict(rc, ["deletion_protection"], true, "deletion_protection is not true")
]}

# METADATA
# title: RDS backups are kept long enough
# description: >-
#   Automated backups and point-in-time restore cover at least the configured number of days (7 by
#   default).
# custom:
#   id: rds.backup-retention
#   family: rds
#   severity: medium
#   remediation: Set backup_retention_period to at least 7 (params.min_backup_retention_days).
#   references: ["AWS FSBP RDS.11"]
backup_retention := {"meta": rego.metadata.rule(), "verdicts": [backup_verdict(rc) | some rc in databases]}

backup_verdict(rc) := plan.unknown_verdict(rc, "backup_retention_period is not known until apply") if {
	plan.unknown(rc, ["backup_retention_period"])
} else := plan.pass(rc, "") if {
	object.get(plan.after(rc), "backup_retention_period", 0) >= plan.min_backup_retention_days
} else := plan.fail(rc, text.format("backup_retention_period is %s days, below %s", [
	object.get(plan.after(rc), "backup_retention_period", 0),
	plan.min_backup_retention_days,
]))

# METADATA
# title: RDS storage is encrypted with a customer-managed KMS key
# description: >-
#   Encryption at rest with a customer-managed key lets you control, audit and revoke access to the
#   data and its snapshots.
# custom:
#   id: rds.encrypted-cmk
#   family: rds
#   severity: high
#   remediation: Set storage_encrypted = true and kms_key_id to the ARN of an aws_kms_key.
#   references: ["AWS FSBP RDS.3", "CIS AWS 2.3.1"]
encrypted_cmk := {"meta": rego.metadata.rule(), "verdicts": [encrypted_verdict(rc) | some rc in databases]}

encrypted_verdict(rc) := plan.unknown_verdict(rc, "storage_encrypted is not known until apply") if {
	plan.unknown(rc, ["storage_encrypted"])
} else := plan.fail(rc, "storage_encrypted is not true: the storage is not encrypted") if {
	object.get(plan.after(rc), "storage_encrypted", false) != true
} else := plan.key_verdict(rc, ["kms_key_id"], "kms_key_id is not set: storage is encrypted with the AWS-managed key")

# METADATA
# title: RDS databases are not publicly accessible
# description: >-
#   A publicly accessible database gets a public DNS name and address; it must only be reachable
#   from inside the VPC.
# custom:
#   id: rds.not-public
#   family: rds
#   severity: critical
#   remediation: Set publicly_accessible = false.
#   references: ["AWS FSBP RDS.2", "CIS AWS 2.3.3"]
not_public := {"meta": rego.metadata.rule(), "verdicts": [v |
	some rc in array.concat(plan.judged("aws_db_instance"), plan.judged("aws_rds_cluster_instance"))
	v := plan.bool_verdict(rc, ["publicly_accessible"], false, "publicly_accessible is true")
]}

# METADATA
# title: RDS IAM database authentication is enabled
# description: >-
#   IAM authentication replaces long-lived database passwords with short-lived tokens tied to IAM
#   roles.
# custom:
#   id: rds.iam-auth
#   family: rds
#   severity: medium
#   remediation: Set iam_database_authentication_enabled = true.
#   references: ["AWS FSBP RDS.10", "AWS FSBP RDS.12"]
iam_auth := {"meta": rego.metadata.rule(), "verdicts": [v |
	some rc in databases
	v := plan.bool_verdict(rc, ["iam_database_authentication_enabled"], true, "iam_database_authentication_enabled is not true")
]}

# METADATA
# title: RDS parameter group forces TLS
# description: >-
#   With rds.force_ssl = 1 (PostgreSQL, SQL Server; the default from PostgreSQL 15 on) or
#   require_secure_transport = ON (MySQL, MariaDB) the server refuses unencrypted client
#   connections.
# custom:
#   id: rds.force-ssl
#   family: rds
#   severity: high
#   remediation: >-
#     Attach a parameter group (aws_db_parameter_group / aws_rds_cluster_parameter_group) with
#     parameter rds.force_ssl = 1 (require_secure_transport = ON for MySQL and MariaDB), or use
#     PostgreSQL 15 or later without turning it off.
#   references: ["AWS FSBP RDS.38"]
force_ssl := {"meta": rego.metadata.rule(), "verdicts": [force_ssl_verdict(rc, group_attribute[rc.type]) | some rc in databases]}

group_attribute := {
	"aws_db_instance": ["parameter_group_name", "aws_db_parameter_group"],
	"aws_rds_cluster": ["db_cluster_parameter_group_name", "aws_rds_cluster_parameter_group"],
}

# group is [the attribute naming the parameter group, the group's resource type].
force_ssl_verdict(rc, group) := verdict if {
	verdict := group_verdict(rc, group[0], plan.resolve(rc, [group[0]], group[1]))
} else := plan.pass(rc, "the default parameter group of PostgreSQL 15 and later sets rds.force_ssl = 1") if {
	not plan.unknown(rc, [group[0]])
	default_group(object.get(plan.after(rc), group[0], null))
	postgres_15_or_later(rc)
} else := plan.fail(rc, "the default parameter group is attached: it does not force TLS") if {
	not plan.unknown(rc, [group[0]])
	default_group(object.get(plan.after(rc), group[0], null))
} else := plan.unknown_verdict(rc, "the parameter group is not in this plan or not known until apply")

default_group(null)

default_group("")

default_group(name) if startswith(name, "default.")

# RDS for PostgreSQL 15 and later force TLS by default (engine "postgres", not Aurora).
postgres_15_or_later(rc) if {
	plan.known(rc, ["engine"]) == "postgres"
	major := to_number(split(plan.known(rc, ["engine_version"]), ".")[0])
	major >= 15
}

group_verdict(rc, attribute, groups) := plan.pass(rc, "") if {
	every group in groups {
		forces_ssl(group)
	}
} else := plan.fail(rc, text.format(
	"the parameter group in %s does not force TLS (rds.force_ssl = 1, or require_secure_transport = ON for MySQL and MariaDB)",
	[attribute],
))

tls_parameters := {"rds.force_ssl", "require_secure_transport"}

forces_ssl(group) if {
	some parameter in object.get(plan.after(group), "parameter", [])
	parameter.name in tls_parameters
	lower(format_value(parameter.value)) in {"1", "on", "true"}
}

# A PostgreSQL 15+ family keeps the default rds.force_ssl = 1 unless the group turns it off.
forces_ssl(group) if {
	family := plan.known(group, ["family"])
	startswith(family, "postgres")
	to_number(trim_prefix(family, "postgres")) >= 15
	not turns_off_force_ssl(group)
}

turns_off_force_ssl(group) if {
	some parameter in object.get(plan.after(group), "parameter", [])
	parameter.name == "rds.force_ssl"
	format_value(parameter.value) == "0"
}

format_value(value) := value if is_string(value)

format_value(value) := format_int(value, 10) if is_number(value)

# METADATA
# title: RDS Performance Insights is on and encrypted with a customer-managed key
# description: Performance Insights holds query text; it must be encrypted with a key you control.
# custom:
#   id: rds.performance-insights-encrypted
#   family: rds
#   severity: medium
#   remediation: >-
#     Set performance_insights_enabled = true and performance_insights_kms_key_id to an aws_kms_key
#     ARN.
#   references: ["AWS FSBP RDS.41"]
performance_insights_encrypted := {"meta": rego.metadata.rule(), "verdicts": [pi_verdict(rc) | some rc in databases]}

pi_verdict(rc) := plan.unknown_verdict(rc, "performance_insights_enabled is not known until apply") if {
	plan.unknown(rc, ["performance_insights_enabled"])
} else := plan.fail(rc, "performance_insights_enabled is not true") if {
	object.get(plan.after(rc), "performance_insights_enabled", false) != true
} else := plan.key_verdict(rc, ["performance_insights_kms_key_id"], "performance_insights_kms_key_id is not set: the AWS-managed key is used")

# METADATA
# title: RDS exports its logs to CloudWatch
# description: Exported PostgreSQL logs survive instance replacement and can be searched and alarmed on.
# custom:
#   id: rds.log-exports
#   family: rds
#   severity: medium
#   remediation: Set enabled_cloudwatch_logs_exports = ["postgresql", "upgrade"] (or the engine's log types).
#   references: ["AWS FSBP RDS.9"]
log_exports := {"meta": rego.metadata.rule(), "verdicts": [log_verdict(rc) | some rc in databases]}

log_verdict(rc) := plan.unknown_verdict(rc, "enabled_cloudwatch_logs_exports is not known until apply") if {
	plan.unknown(rc, ["enabled_cloudwatch_logs_exports"])
} else := plan.fail(rc, "enabled_cloudwatch_logs_exports is empty") if {
	not some_exports(object.get(plan.after(rc), "enabled_cloudwatch_logs_exports", null))
} else := plan.fail(rc, "enabled_cloudwatch_logs_exports lacks \"postgresql\" on a PostgreSQL engine") if {
	contains(object.get(plan.after(rc), "engine", ""), "postgres")
	not "postgresql" in object.get(plan.after(rc), "enabled_cloudwatch_logs_exports", [])
} else := plan.pass(rc, "")

some_exports(exports) if {
	is_array(exports)
	count(exports) > 0
}

# METADATA
# title: RDS enhanced monitoring at 15 s or finer
# description: >-
#   OS-level metrics at a fine interval show what the database host did during a failover or a load
#   peak; the default (0) turns enhanced monitoring off.
# custom:
#   id: rds.enhanced-monitoring
#   family: rds
#   severity: low
#   remediation: Set monitoring_interval to 15 (or 1, 5, 10) and monitoring_role_arn to a role with AmazonRDSEnhancedMonitoringRole.
#   references: []
enhanced_monitoring := {"meta": rego.metadata.rule(), "verdicts": [monitoring_verdict(rc) |
	some rc in array.concat(plan.judged("aws_db_instance"), plan.judged("aws_rds_cluster_instance"))
]}

monitoring_verdict(rc) := plan.unknown_verdict(rc, "monitoring_interval is not known until apply") if {
	plan.unknown(rc, ["monitoring_interval"])
} else := plan.pass(rc, "") if {
	object.get(plan.after(rc), "monitoring_interval", 0) in {1, 5, 10, 15}
} else := plan.fail(rc, "monitoring_interval is 0: enhanced monitoring is off") if {
	object.get(plan.after(rc), "monitoring_interval", 0) in {0, null}
} else := plan.fail(rc, text.format("monitoring_interval is %s s, coarser than 15 s", [object.get(plan.after(rc), "monitoring_interval", 0)]))

# METADATA
# title: RDS master password is managed by RDS in Secrets Manager
# description: >-
#   A password generated and rotated by RDS in Secrets Manager never appears in Terraform state,
#   plans or variables; the secret is encrypted with a customer-managed key.
# custom:
#   id: rds.managed-master-password
#   family: rds
#   severity: high
#   remediation: >-
#     Set manage_master_user_password = true and master_user_secret_kms_key_id to an aws_kms_key ARN;
#     remove password.
#   references: ["AWS FSBP RDS.39"]
managed_master_password := {"meta": rego.metadata.rule(), "verdicts": [password_verdict(rc) |
	some rc in databases
	not replica(rc)
]}

# A read replica has no master password of its own.
replica(rc) if plan.known(rc, ["replicate_source_db"]) != ""

password_verdict(rc) := plan.unknown_verdict(rc, "manage_master_user_password is not known until apply") if {
	plan.unknown(rc, ["manage_master_user_password"])
} else := plan.key_verdict(
	rc, ["master_user_secret_kms_key_id"],
	"master_user_secret_kms_key_id is not set: the secret is encrypted with the AWS-managed key",
) if {
	plan.known(rc, ["manage_master_user_password"]) == true
} else := plan.fail(rc, "password is set in the configuration: the master password lands in the plan and the state") if {
	object.get(plan.after(rc), "password", null) != null
} else := plan.fail(rc, "manage_master_user_password is not true: RDS does not manage the master password")
