module "postgres" {
  storage_encrypted = false
}
