state_bucket_name = "stackproof-prod1-tfstate"
