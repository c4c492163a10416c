# Sample values standing in for the network workspace's outputs: remote state cannot exist when a
# workspace is planned alone against the emulator.
vpc_id             = "vpc-0a1b2c3d4e5f60718"
private_subnet_ids = ["subnet-0aa1a1a1a1a1a1a1a", "subnet-0bb2b2b2b2b2b2b2b", "subnet-0cc3c3c3c3c3c3c3c"]
