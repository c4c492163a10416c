# Copied (as moto_override.tf) into a scratch copy of a workspace by generate-plan-fixtures, never
# into terraform/aws itself: points every AWS API the stack uses at the moto server on loopback
# with test credentials. MOTO_ENDPOINT is replaced by the script (http://127.0.0.1:<port>).
provider "aws" {
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = false
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {
    autoscaling    = "MOTO_ENDPOINT"
    cloudwatch     = "MOTO_ENDPOINT"
    dynamodb       = "MOTO_ENDPOINT"
    ec2            = "MOTO_ENDPOINT"
    ecr            = "MOTO_ENDPOINT"
    eks            = "MOTO_ENDPOINT"
    iam            = "MOTO_ENDPOINT"
    kms            = "MOTO_ENDPOINT"
    logs           = "MOTO_ENDPOINT"
    rds            = "MOTO_ENDPOINT"
    s3             = "MOTO_ENDPOINT"
    secretsmanager = "MOTO_ENDPOINT"
    sts            = "MOTO_ENDPOINT"
  }
}

# Plans run with local state in the scratch copy: the S3 backend is for real accounts only.
terraform {
  backend "local" {}
}
