# Sample values standing in for the rds outputs.
database_secret_arn         = "arn:aws:secretsmanager:me-central-1:123456789012:secret:rds!db-0a1b2c3d-AbCdEf"
database_secret_kms_key_arn = "arn:aws:kms:me-central-1:123456789012:key/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"
