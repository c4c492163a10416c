# A tiny root module whose plan.json (written by hand in plan format 1.2) exercises modules,
# count instances, unknown values and sensitive values.
module "db" {
  source = "./modules/db"
}

resource "aws_db_instance" "legacy" {
  identifier = "legacy"
  multi_az   = false
}

resource "aws_db_instance" "retired" {
  identifier = "retired"
  multi_az   = false
}
