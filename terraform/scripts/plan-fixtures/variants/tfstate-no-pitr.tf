module "state_backend" {
  lock_table_pitr_enabled = false
}
