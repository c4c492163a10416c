locals {
  workspace = "eks/prod1/k8s"

  platform_namespaces = ["ingress-nginx", "cert-manager", "external-secrets", "monitoring", "cluster-autoscaler"]
  all_namespaces      = concat(local.platform_namespaces, var.app_namespaces)
}

resource "kubernetes_namespace_v1" "this" {
  for_each = toset(local.all_namespaces)

  metadata {
    name = each.value
    labels = {
      "pod-security.kubernetes.io/enforce" = contains(local.platform_namespaces, each.value) ? "baseline" : "restricted"
    }
  }
}

# Every namespace starts closed: no ingress and no egress unless another policy (from the chart
# or the service) opens exactly what is needed.
resource "kubernetes_network_policy_v1" "default_deny" {
  for_each = kubernetes_namespace_v1.this

  metadata {
    name      = "default-deny-all"
    namespace = each.value.metadata[0].name
  }

  spec {
    pod_selector {}
    policy_types = ["Ingress", "Egress"]
  }
}

# DNS is the one thing every pod needs.
resource "kubernetes_network_policy_v1" "allow_dns" {
  for_each = kubernetes_namespace_v1.this

  metadata {
    name      = "allow-dns-egress"
    namespace = each.value.metadata[0].name
  }

  spec {
    pod_selector {}
    policy_types = ["Egress"]

    egress {
      to {
        namespace_selector {
          match_labels = { "kubernetes.io/metadata.name" = "kube-system" }
        }
        pod_selector {
          match_labels = { "k8s-app" = "kube-dns" }
        }
      }

      ports {
        protocol = "UDP"
        port     = "53"
      }

      ports {
        protocol = "TCP"
        port     = "53"
      }
    }
  }
}
