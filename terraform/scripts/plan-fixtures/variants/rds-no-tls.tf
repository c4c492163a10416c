module "postgres" {
  force_ssl                           = false
  iam_database_authentication_enabled = false
}
