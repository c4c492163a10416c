locals {
  workspace = "services/backend"
}

module "service" {
  source = "../../../modules/service"

  name                 = "backend"
  cluster_name         = var.cluster_name
  namespace            = var.namespace
  service_account      = "backend"
  secret_arns          = [var.database_secret_arn]
  secret_kms_key_arns  = [var.database_secret_kms_key_arn]
  image_tag_mutability = "IMMUTABLE"
  scan_on_push         = true
}
