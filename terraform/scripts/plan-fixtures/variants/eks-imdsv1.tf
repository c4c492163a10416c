module "cluster" {
  #checkov:skip=CKV_TF_1:An override file merged into the root's module "cluster" (its source is a local path under terraform/modules): there is no registry source to pin.
  #checkov:skip=CKV_TF_2:An override file merged into the root's module "cluster" (its source is a local path under terraform/modules): there is no registry source to pin.
  imds_http_tokens = "optional"
  imds_hop_limit   = 2
}
