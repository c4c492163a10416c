output "namespaces" {
  description = "Namespaces created, each with a default-deny NetworkPolicy."
  value       = sort(keys(kubernetes_namespace_v1.this))
}

output "helm_releases" {
  description = "Platform add-ons installed, by release name, with their chart versions."
  value = {
    for r in [
      helm_release.metrics_server,
      helm_release.ingress_nginx,
      helm_release.cert_manager,
      helm_release.external_secrets,
      helm_release.kube_prometheus_stack,
      helm_release.cluster_autoscaler,
    ] : r.name => r.version
  }
}

output "cluster_autoscaler_role_arn" {
  description = "IAM role of the cluster autoscaler."
  value       = aws_iam_role.cluster_autoscaler.arn
}
