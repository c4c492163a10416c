module "vpc" {
  flow_logs_enabled = false
}
