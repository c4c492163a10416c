module "postgres" {
  multi_az = false
}
