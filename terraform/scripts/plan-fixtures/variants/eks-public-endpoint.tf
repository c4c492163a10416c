module "cluster" {
  endpoint_public_access = true
  public_access_cidrs    = ["0.0.0.0/0"]
}
