import { join } from 'node:path';
import { LOOPBACK_HOST } from '@stackproof/core';
import { type ControlPlanePki, SERVICE_CIDR } from './pki.ts';

// Command lines of the control-plane components. Everything binds to 127.0.0.1 only; every
// connection between components is TLS with client certificates from the sandbox PKI.

export interface EtcdPorts {
  readonly client: number;
  readonly peer: number;
}

export function etcdArgs(pki: ControlPlanePki, dataDir: string, ports: EtcdPorts): string[] {
  const clientUrl = `https://${LOOPBACK_HOST}:${ports.client}`;
  const peerUrl = `http://${LOOPBACK_HOST}:${ports.peer}`;
  return [
    '--name=sandbox',
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    // A single member never talks to peers; the peer listener still has to exist.
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=sandbox=${peerUrl}`,
    '--initial-cluster-state=new',
    `--cert-file=${pki.etcdServer.cert}`,
    `--key-file=${pki.etcdServer.key}`,
    `--trusted-ca-file=${pki.ca.cert}`,
    '--client-cert-auth=true',
    // The sandbox is disposable: skipping fsync keeps writes fast on a busy shared disk.
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ];
}

/**
 * How the aggregation layer (APIServices) and webhooks reach a Service:
 * - `endpoints` (`--enable-aggregator-routing=true`): to an address from the Service's
 *   EndpointSlices. Those cannot hold loopback addresses (validation rejects 127.0.0.0/8), so in
 *   this loopback-only sandbox nothing is reachable that way.
 * - `service` (`--enable-aggregator-routing=false`): to the Service's cluster IP, or for an
 *   ExternalName Service to its externalName and the APIService's port. An ExternalName Service
 *   naming 127.0.0.1 is how the metrics pipeline registers metrics-server (metrics-pipeline.ts).
 */
export type AggregatorRouting = 'endpoints' | 'service';

export interface KubeApiserverArgOptions {
  /** Default `endpoints`. */
  readonly aggregatorRouting?: AggregatorRouting;
}

export function kubeApiserverArgs(
  pki: ControlPlanePki,
  workDir: string,
  etcdClientPort: number,
  securePort: number,
  options: KubeApiserverArgOptions = {},
): string[] {
  return [
    `--etcd-servers=https://${LOOPBACK_HOST}:${etcdClientPort}`,
    `--etcd-cafile=${pki.ca.cert}`,
    `--etcd-certfile=${pki.apiserverEtcdClient.cert}`,
    `--etcd-keyfile=${pki.apiserverEtcdClient.key}`,
    `--bind-address=${LOOPBACK_HOST}`,
    `--advertise-address=${LOOPBACK_HOST}`,
    `--secure-port=${securePort}`,
    // Never used with explicit certificates, but its default (/var/run/kubernetes) is outside
    // the work dir.
    `--cert-dir=${join(workDir, 'apiserver-certs')}`,
    `--tls-cert-file=${pki.apiserver.cert}`,
    `--tls-private-key-file=${pki.apiserver.key}`,
    `--client-ca-file=${pki.ca.cert}`,
    '--authorization-mode=Node,RBAC',
    '--allow-privileged=true',
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${pki.serviceAccount.publicKey}`,
    `--service-account-signing-key-file=${pki.serviceAccount.privateKey}`,
    // The default reconciler would publish 127.0.0.1 as the kubernetes Service's endpoint,
    // which Endpoints validation rejects (loopback); no in-cluster client needs it here.
    '--endpoint-reconciler-type=none',
    // Aggregation layer (metrics-server registers an APIService): front-proxy identity, and how
    // the aggregator picks the address of an APIService's Service (see AggregatorRouting).
    `--requestheader-client-ca-file=${pki.frontProxyCa.cert}`,
    '--requestheader-allowed-names=front-proxy-client',
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${pki.frontProxyClient.cert}`,
    `--proxy-client-key-file=${pki.frontProxyClient.key}`,
    `--enable-aggregator-routing=${(options.aggregatorRouting ?? 'endpoints') === 'endpoints'}`,
    '--profiling=false',
  ];
}

/** Flags the controller manager and the scheduler share: identity, secure serving, no HA. */
function componentBaseArgs(
  kubeconfig: string,
  pair: { cert: string; key: string },
  pki: ControlPlanePki,
  securePort: number,
  certDir: string,
): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--bind-address=${LOOPBACK_HOST}`,
    `--secure-port=${securePort}`,
    `--tls-cert-file=${pair.cert}`,
    `--tls-private-key-file=${pair.key}`,
    `--client-ca-file=${pki.ca.cert}`,
    `--cert-dir=${certDir}`,
    // One instance of each: leader election would only add lease traffic and start-up delay.
    '--leader-elect=false',
    '--profiling=false',
  ];
}

export interface KubeControllerManagerArgOptions {
  /**
   * `--horizontal-pod-autoscaler-sync-period` in seconds: how often the HPA controller reads
   * the metrics API and rescales. Default: unset, so the controller's own 15 s (as on EKS).
   */
  readonly horizontalPodAutoscalerSyncPeriodSeconds?: number;
}

export function kubeControllerManagerArgs(
  pki: ControlPlanePki,
  workDir: string,
  kubeconfig: string,
  securePort: number,
  options: KubeControllerManagerArgOptions = {},
): string[] {
  return [
    ...componentBaseArgs(
      kubeconfig,
      pki.controllerManager,
      pki,
      securePort,
      join(workDir, 'controller-manager-certs'),
    ),
    '--cluster-name=stackproof-sandbox',
    `--service-account-private-key-file=${pki.serviceAccount.privateKey}`,
    `--root-ca-file=${pki.ca.cert}`,
    `--cluster-signing-cert-file=${pki.ca.cert}`,
    `--cluster-signing-key-file=${pki.ca.key}`,
    '--use-service-account-credentials=true',
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    ...(options.horizontalPodAutoscalerSyncPeriodSeconds === undefined
      ? []
      : [
          `--horizontal-pod-autoscaler-sync-period=${options.horizontalPodAutoscalerSyncPeriodSeconds}s`,
        ]),
  ];
}

export function kubeSchedulerArgs(
  pki: ControlPlanePki,
  workDir: string,
  kubeconfig: string,
  securePort: number,
): string[] {
  return componentBaseArgs(
    kubeconfig,
    pki.scheduler,
    pki,
    securePort,
    join(workDir, 'scheduler-certs'),
  );
}
