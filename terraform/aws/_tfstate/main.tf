locals {
  workspace = "_tfstate"
}

module "state_backend" {
  source = "../../modules/state-backend"

  name = var.state_bucket_name
}

# The account-level policy documents for the roles that run stackproof live here, next to the
# state they read: both are created once per account, before any other workspace.
module "stackproof_iam" {
  source = "../../modules/stackproof-iam"

  region           = var.region
  state_bucket_arn = module.state_backend.bucket_arn
  lock_table_arn   = module.state_backend.lock_table_arn
  cluster_name     = var.cluster_name
}
