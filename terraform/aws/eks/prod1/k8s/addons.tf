resource "helm_release" "metrics_server" {
  name       = "metrics-server"
  namespace  = "kube-system"
  repository = "https://kubernetes-sigs.github.io/metrics-server/"
  chart      = "metrics-server"
  version    = var.chart_versions["metrics-server"]

  set = [{ name = "replicas", value = "2" }]
}

resource "helm_release" "ingress_nginx" {
  name       = "ingress-nginx"
  namespace  = kubernetes_namespace_v1.this["ingress-nginx"].metadata[0].name
  repository = "https://kubernetes.github.io/ingress-nginx"
  chart      = "ingress-nginx"
  version    = var.chart_versions["ingress-nginx"]

  set = [
    { name = "controller.replicaCount", value = "3" },
    { name = "controller.topologySpreadConstraints[0].maxSkew", value = "1" },
    { name = "controller.topologySpreadConstraints[0].topologyKey", value = "topology.kubernetes.io/zone" },
    { name = "controller.topologySpreadConstraints[0].whenUnsatisfiable", value = "DoNotSchedule" },
    { name = "controller.topologySpreadConstraints[0].labelSelector.matchLabels.app\\.kubernetes\\.io/name", value = "ingress-nginx" },
    { name = "controller.service.annotations.service\\.beta\\.kubernetes\\.io/aws-load-balancer-type", value = "nlb" },
  ]
}

resource "helm_release" "cert_manager" {
  name       = "cert-manager"
  namespace  = kubernetes_namespace_v1.this["cert-manager"].metadata[0].name
  repository = "https://charts.jetstack.io"
  chart      = "cert-manager"
  version    = var.chart_versions["cert-manager"]

  set = [
    { name = "crds.enabled", value = "true" },
    { name = "replicaCount", value = "2" },
  ]
}

resource "helm_release" "external_secrets" {
  name       = "external-secrets"
  namespace  = kubernetes_namespace_v1.this["external-secrets"].metadata[0].name
  repository = "https://charts.external-secrets.io"
  chart      = "external-secrets"
  version    = var.chart_versions["external-secrets"]

  set = [
    { name = "installCRDs", value = "true" },
    { name = "replicaCount", value = "2" },
  ]
}

resource "helm_release" "kube_prometheus_stack" {
  name       = "kube-prometheus-stack"
  namespace  = kubernetes_namespace_v1.this["monitoring"].metadata[0].name
  repository = "https://prometheus-community.github.io/helm-charts"
  chart      = "kube-prometheus-stack"
  version    = var.chart_versions["kube-prometheus-stack"]

  set = [
    { name = "prometheus.prometheusSpec.retention", value = "15d" },
    { name = "alertmanager.alertmanagerSpec.replicas", value = "2" },
  ]
}

resource "helm_release" "cluster_autoscaler" {
  name       = "cluster-autoscaler"
  namespace  = kubernetes_namespace_v1.this["cluster-autoscaler"].metadata[0].name
  repository = "https://kubernetes.github.io/autoscaler"
  chart      = "cluster-autoscaler"
  version    = var.chart_versions["cluster-autoscaler"]

  set = [
    { name = "autoDiscovery.clusterName", value = var.cluster_name },
    { name = "awsRegion", value = var.region },
    { name = "rbac.serviceAccount.name", value = "cluster-autoscaler" },
    { name = "extraArgs.balance-similar-node-groups", value = "true" },
    { name = "extraArgs.skip-nodes-with-system-pods", value = "false" },
  ]

  depends_on = [aws_eks_pod_identity_association.cluster_autoscaler]
}
