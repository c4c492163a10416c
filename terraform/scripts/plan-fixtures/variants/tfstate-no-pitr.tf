module "state_backend" {
  #checkov:skip=CKV_TF_1:An override file merged into the root's module "state_backend" (its source is a local path under terraform/modules): there is no registry source to pin.
  #checkov:skip=CKV_TF_2:An override file merged into the root's module "state_backend" (its source is a local path under terraform/modules): there is no registry source to pin.
  lock_table_pitr_enabled = false
}
