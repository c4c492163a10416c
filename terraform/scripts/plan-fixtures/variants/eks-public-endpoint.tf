module "cluster" {
  #checkov:skip=CKV_TF_1:An override file merged into the root's module "cluster" (its source is a local path under terraform/modules): there is no registry source to pin.
  #checkov:skip=CKV_TF_2:An override file merged into the root's module "cluster" (its source is a local path under terraform/modules): there is no registry source to pin.
  endpoint_public_access = true
  public_access_cidrs    = ["0.0.0.0/0"]
}
