module "cluster" {
  node_min_size     = 1
  node_desired_size = 1
}
