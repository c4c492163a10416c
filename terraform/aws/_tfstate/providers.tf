provider "aws" {
  region = var.region

  default_tags {
    tags = {
      "stackproof.io/stack"     = var.stack_name
      "stackproof.io/workspace" = local.workspace
      "managed-by"              = "terraform"
    }
  }
}
