# A real Terraform configuration that needs no provider download (terraform_data and local-exec
# are built in). Applied with generation=1, then generation=2: the replacement of web is created
# first (create_before_destroy) and its provisioner fails, so the old object stays in the state as
# a deposed object and the next plan holds two changes with the same address.
variable "generation" {
  type    = string
  default = "1"
}

resource "terraform_data" "web" {
  triggers_replace = [var.generation]
  input            = { tier = "web" }
  lifecycle {
    create_before_destroy = true
  }
  provisioner "local-exec" {
    command = "test ${var.generation} = 1"
  }
}

resource "terraform_data" "db" {
  input = "db"
}
