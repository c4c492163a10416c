module "vpc" {
  azs = ["me-central-1a"]
}
