// Types of the xk6-kubernetes extension (v0.9.0 API, ported to k6 v2 by tools/go/k6/build.sh).
// Only what the scripts use. Kinds are `Kind.group` (`HorizontalPodAutoscaler.autoscaling`,
// `PodMetrics.metrics.k8s.io`): the extension maps a bare kind to the core group only.
declare module 'k6/x/kubernetes' {
  export interface KubernetesConfig {
    /** A kubeconfig file; without it: in-cluster config, then ~/.kube/config. */
    config_path?: string;
    server?: string;
    token?: string;
  }
  export type KubeObject = { [key: string]: unknown };
  export class Kubernetes {
    constructor(config?: KubernetesConfig);
    get(kind: string, name: string, namespace: string): KubeObject;
    list(kind: string, namespace: string): KubeObject[];
  }
}
