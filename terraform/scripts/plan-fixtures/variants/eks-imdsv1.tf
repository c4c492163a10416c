module "cluster" {
  imds_http_tokens = "optional"
  imds_hop_limit   = 2
}
