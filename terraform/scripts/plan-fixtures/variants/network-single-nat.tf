module "vpc" {
  nat_gateway_mode = "single"
}
