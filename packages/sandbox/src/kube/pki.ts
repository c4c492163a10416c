import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StackproofError } from '@stackproof/core';
import { outputTail, runTool } from '@stackproof/toolchain';

/** Generating the control plane's keys and certificates with the openssl CLI failed. */
export class PkiError extends StackproofError {
  constructor(step: string, detail: string) {
    super(
      'PKI_FAILED',
      'environment',
      `could not create the sandbox PKI (${step}): ${detail}. ` +
        `The sandbox needs the openssl CLI: 'apt-get install openssl' (or run 'make tools').`,
    );
  }
}

/** A key pair on disk: PEM certificate and PKCS#8 private key. */
export interface CertKeyPair {
  readonly cert: string;
  readonly key: string;
}

/** Every file the control plane's TLS, client authentication and token signing need. */
export interface ControlPlanePki {
  readonly dir: string;
  /** Signs every serving and client certificate below, and is the apiserver's --client-ca-file. */
  readonly ca: CertKeyPair;
  /** Separate CA for the aggregation layer's front proxy (requestheader), as kubeadm does. */
  readonly frontProxyCa: CertKeyPair;
  readonly apiserver: CertKeyPair;
  readonly apiserverEtcdClient: CertKeyPair;
  readonly frontProxyClient: CertKeyPair;
  readonly etcdServer: CertKeyPair;
  /** CN=kubernetes-admin, O=system:masters: the identity of the written kubeconfig. */
  readonly admin: CertKeyPair;
  readonly controllerManager: CertKeyPair;
  readonly scheduler: CertKeyPair;
  /** Service-account token signing key (private) and verification key (public). */
  readonly serviceAccount: { readonly privateKey: string; readonly publicKey: string };
}

/** The apiserver's in-cluster Service IP: the first address of the service CIDR. */
export const SERVICE_CIDR = '10.96.0.0/16';
const KUBERNETES_SERVICE_IP = '10.96.0.1';
/** Subject alternative names of a certificate served on loopback only. */
export const LOOPBACK_SANS = ['IP:127.0.0.1', 'IP:0:0:0:0:0:0:0:1', 'DNS:localhost'];
const CA_DAYS = 3650;
const LEAF_DAYS = 365;

/** A certificate signed by one of the sandbox CAs (see issueCertificate). */
export interface LeafSpec {
  /** Base name of the files: `<file>.crt` and `<file>.key`. */
  readonly file: string;
  readonly cn: string;
  readonly org?: string;
  readonly usage: readonly ('serverAuth' | 'clientAuth')[];
  readonly sans?: readonly string[];
  readonly signer: CertKeyPair;
}

async function openssl(step: string, args: readonly string[]): Promise<void> {
  // A missing openssl is the toolchain's ToolNotFoundError (an environment error saying how to
  // install it); a failing one is a PkiError with what openssl said.
  const result = await runTool('openssl', args, { timeoutMs: 30_000 });
  if (result.exitCode !== 0) throw new PkiError(step, outputTail(result, 10));
}

/** ECDSA P-256: accepted by etcd, every Kubernetes component and service-account signing. */
async function generateKey(path: string): Promise<void> {
  await openssl(`key ${path}`, [
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-out',
    path,
  ]);
}

function serial(): string {
  // Positive 127-bit serial, as RFC 5280 asks for unpredictable serials.
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return `0x${bytes.toString('hex')}`;
}

// openssl reads the subject and extensions from a config file: -subj cannot express every
// extension and -addext collides with the defaults of the system openssl.cnf.
function opensslConfig(cn: string, org: string | undefined, extensions: readonly string[]): string {
  return [
    '[req]',
    'prompt = no',
    'distinguished_name = dn',
    '[dn]',
    ...(org === undefined ? [] : [`O = ${org}`]),
    `CN = ${cn}`,
    '[ext]',
    ...extensions,
    '',
  ].join('\n');
}

async function createCa(dir: string, name: string, cn: string): Promise<CertKeyPair> {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  const config = join(dir, `${name}.cnf`);
  await generateKey(pair.key);
  await writeFile(
    config,
    opensslConfig(cn, undefined, [
      'basicConstraints = critical, CA:TRUE',
      'keyUsage = critical, digitalSignature, keyCertSign, cRLSign',
      'subjectKeyIdentifier = hash',
    ]),
  );
  await openssl(`CA ${name}`, [
    'req',
    '-x509',
    '-new',
    '-key',
    pair.key,
    '-config',
    config,
    '-extensions',
    'ext',
    '-days',
    String(CA_DAYS),
    '-set_serial',
    serial(),
    '-out',
    pair.cert,
  ]);
  await rm(config);
  return pair;
}

async function createLeaf(dir: string, spec: LeafSpec): Promise<CertKeyPair> {
  const pair = { cert: join(dir, `${spec.file}.crt`), key: join(dir, `${spec.file}.key`) };
  const config = join(dir, `${spec.file}.cnf`);
  const csr = join(dir, `${spec.file}.csr`);
  await generateKey(pair.key);
  await writeFile(
    config,
    opensslConfig(spec.cn, spec.org, [
      'basicConstraints = critical, CA:FALSE',
      'keyUsage = critical, digitalSignature, keyEncipherment',
      `extendedKeyUsage = ${spec.usage.join(', ')}`,
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid',
      ...(spec.sans === undefined ? [] : [`subjectAltName = ${spec.sans.join(', ')}`]),
    ]),
  );
  await openssl(`CSR ${spec.file}`, [
    'req',
    '-new',
    '-key',
    pair.key,
    '-config',
    config,
    '-out',
    csr,
  ]);
  await openssl(`certificate ${spec.file}`, [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    spec.signer.cert,
    '-CAkey',
    spec.signer.key,
    '-set_serial',
    serial(),
    '-days',
    String(LEAF_DAYS),
    '-extfile',
    config,
    '-extensions',
    'ext',
    '-out',
    pair.cert,
  ]);
  await Promise.all([rm(config), rm(csr)]);
  return pair;
}

/**
 * Issues one more certificate from a sandbox CA (for example `pki.ca`) into `dir` (created, mode
 * 0700): a component added beside the control plane (metrics-server, KWOK's kubelet endpoint)
 * gets its own identity and serving certificate rather than borrowing the apiserver's.
 */
export async function issueCertificate(dir: string, spec: LeafSpec): Promise<CertKeyPair> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return createLeaf(dir, spec);
}

/**
 * Creates a fresh CA and every certificate the sandbox control plane uses, in `dir` (created,
 * mode 0700). Serving certificates name only loopback addresses (and the apiserver's in-cluster
 * names), so nothing here is valid beyond this machine.
 */
export async function createControlPlanePki(dir: string): Promise<ControlPlanePki> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const [ca, frontProxyCa] = await Promise.all([
    createCa(dir, 'ca', 'stackproof-sandbox-ca'),
    createCa(dir, 'front-proxy-ca', 'stackproof-sandbox-front-proxy-ca'),
  ]);
  const serving = ['serverAuth'] as const;
  const client = ['clientAuth'] as const;
  const both = ['serverAuth', 'clientAuth'] as const;
  const saKey = join(dir, 'sa.key');
  const saPub = join(dir, 'sa.pub');
  const [
    apiserver,
    apiserverEtcdClient,
    frontProxyClient,
    etcdServer,
    admin,
    controllerManager,
    scheduler,
  ] = await Promise.all([
    createLeaf(dir, {
      file: 'apiserver',
      cn: 'kube-apiserver',
      usage: serving,
      signer: ca,
      sans: [
        ...LOOPBACK_SANS,
        `IP:${KUBERNETES_SERVICE_IP}`,
        'DNS:kubernetes',
        'DNS:kubernetes.default',
        'DNS:kubernetes.default.svc',
        'DNS:kubernetes.default.svc.cluster.local',
      ],
    }),
    createLeaf(dir, {
      file: 'apiserver-etcd-client',
      cn: 'kube-apiserver-etcd-client',
      usage: client,
      signer: ca,
    }),
    createLeaf(dir, {
      file: 'front-proxy-client',
      cn: 'front-proxy-client',
      usage: client,
      signer: frontProxyCa,
    }),
    createLeaf(dir, {
      file: 'etcd-server',
      cn: 'etcd',
      usage: both,
      signer: ca,
      sans: LOOPBACK_SANS,
    }),
    createLeaf(dir, {
      file: 'admin',
      cn: 'kubernetes-admin',
      org: 'system:masters',
      usage: client,
      signer: ca,
    }),
    // The controller manager and scheduler serve /healthz and authenticate to the apiserver
    // with the same certificate, as their identities are fixed names RBAC already knows.
    createLeaf(dir, {
      file: 'controller-manager',
      cn: 'system:kube-controller-manager',
      usage: both,
      signer: ca,
      sans: LOOPBACK_SANS,
    }),
    createLeaf(dir, {
      file: 'scheduler',
      cn: 'system:kube-scheduler',
      usage: both,
      signer: ca,
      sans: LOOPBACK_SANS,
    }),
    generateKey(saKey).then(() =>
      openssl('service-account public key', ['pkey', '-in', saKey, '-pubout', '-out', saPub]),
    ),
  ]);
  return {
    dir,
    ca,
    frontProxyCa,
    apiserver,
    apiserverEtcdClient,
    frontProxyClient,
    etcdServer,
    admin,
    controllerManager,
    scheduler,
    serviceAccount: { privateKey: saKey, publicKey: saPub },
  };
}
