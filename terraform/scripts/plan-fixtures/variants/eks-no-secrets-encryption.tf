module "cluster" {
  secrets_encryption_enabled = false
}
