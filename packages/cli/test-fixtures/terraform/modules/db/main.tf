variable "password" {
  type      = string
  sensitive = true
  default   = "do-not-print-me"
}

resource "aws_kms_key" "this" {
  description = "db"
}

resource "aws_db_instance" "this" {
  count      = 1
  identifier = "main"
  multi_az   = true
  password   = var.password
}

resource "aws_db_instance" "replica" {
  identifier = "replica"
  multi_az   = aws_kms_key.this.arn != "" # computed: unknown until apply
}
