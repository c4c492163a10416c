# The _tfstate root's values in the production account: the bucket, lock table and key alias it creates
# are the ones backend.s3.tfbackend beside this file names (a test checks they agree).
state_bucket_name = "stackproof-production-tfstate"
