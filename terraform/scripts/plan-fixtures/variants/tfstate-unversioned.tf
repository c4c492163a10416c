module "state_backend" {
  versioning_enabled = false
}
