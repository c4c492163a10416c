module "postgres" {
  publicly_accessible = true
}
