locals {
  workspace = "services/frontend"
}

# The frontend reads no secret: its role exists so a later need gets a scoped role, not node
# credentials.
module "service" {
  source = "../../../modules/service"

  name                 = "frontend"
  cluster_name         = var.cluster_name
  namespace            = var.namespace
  service_account      = "frontend"
  image_tag_mutability = "IMMUTABLE"
  scan_on_push         = true
}
