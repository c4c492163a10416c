module "postgres" {
  #checkov:skip=CKV_TF_1:An override file merged into the root's module "postgres" (its source is a local path under terraform/modules): there is no registry source to pin.
  #checkov:skip=CKV_TF_2:An override file merged into the root's module "postgres" (its source is a local path under terraform/modules): there is no registry source to pin.
  backup_retention_days = 1
  deletion_protection   = false
  skip_final_snapshot   = true
}
