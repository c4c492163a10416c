module "postgres" {
  backup_retention_days = 1
  deletion_protection   = false
  skip_final_snapshot   = true
}
