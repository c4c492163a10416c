# Partial S3 backend: bucket, region, dynamodb_table and kms_key_id are given at init with
# `tofu init -backend-config=<file>` (see terraform/README.md); the key is fixed here so two
# workspaces can never share a state file.
terraform {
  backend "s3" {
    key     = "network/terraform.tfstate"
    encrypt = true
  }
}
