# Sample values standing in for the network and eks/prod1/infra outputs.
vpc_id                     = "vpc-0a1b2c3d4e5f60718"
database_subnet_ids        = ["subnet-0dd4d4d4d4d4d4d4d", "subnet-0ee5e5e5e5e5e5e5e", "subnet-0ff6f6f6f6f6f6f6f"]
eks_node_security_group_id = "sg-0a1b2c3d4e5f60718"
