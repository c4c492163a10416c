module "service" {
  #checkov:skip=CKV_TF_1:An override file merged into the root's module "service" (its source is a local path under terraform/modules): there is no registry source to pin.
  #checkov:skip=CKV_TF_2:An override file merged into the root's module "service" (its source is a local path under terraform/modules): there is no registry source to pin.
  image_tag_mutability = "MUTABLE"
  scan_on_push         = false
}
