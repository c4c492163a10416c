output "test_infra_policy_json" {
  description = "Read-only policy for the role that runs `pnpm test:infra`."
  value       = data.aws_iam_policy_document.test_infra.json
}

output "chaos_policy_json" {
  description = "Policy for the role that runs chaos experiments, limited to resources tagged as chaos targets."
  value       = data.aws_iam_policy_document.chaos.json
}
