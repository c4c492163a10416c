locals {
  workspace = "rds"
}

module "postgres" {
  source = "../../modules/rds-postgres"

  identifier                 = var.identifier
  vpc_id                     = var.vpc_id
  subnet_ids                 = var.database_subnet_ids
  allowed_security_group_ids = [var.eks_node_security_group_id]
  engine_version             = var.engine_version
  instance_class             = var.instance_class
  database_name              = var.database_name

  multi_az                            = true
  storage_encrypted                   = true
  publicly_accessible                 = false
  deletion_protection                 = true
  iam_database_authentication_enabled = true
  force_ssl                           = true
  backup_retention_days               = var.backup_retention_days
  monitoring_interval_seconds         = 15
  log_exports                         = ["postgresql", "upgrade"]
}
