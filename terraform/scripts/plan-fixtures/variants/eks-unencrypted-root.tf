module "cluster" {
  node_root_volume_encrypted = false
}
