import { readFile, writeFile } from 'node:fs/promises';
import type { CertKeyPair } from './pki.ts';

export interface KubeconfigSpec {
  /** https URL of the apiserver. */
  readonly server: string;
  /** CA certificate file that signed the apiserver's serving certificate. */
  readonly caFile: string;
  /** Client certificate and key the kubeconfig authenticates with. */
  readonly client: CertKeyPair;
  readonly user: string;
  readonly clusterName?: string;
}

const base64 = async (path: string): Promise<string> => (await readFile(path)).toString('base64');

/**
 * Writes a kubeconfig with the certificates embedded, so the file keeps working when copied or
 * when the PKI directory is not readable by its user. Mode 0600: it holds a private key.
 */
export async function writeKubeconfig(path: string, spec: KubeconfigSpec): Promise<void> {
  const cluster = spec.clusterName ?? 'stackproof-sandbox';
  const context = `${spec.user}@${cluster}`;
  const [ca, cert, key] = await Promise.all([
    base64(spec.caFile),
    base64(spec.client.cert),
    base64(spec.client.key),
  ]);
  const text = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${cluster}`,
    '  cluster:',
    `    server: ${spec.server}`,
    `    certificate-authority-data: ${ca}`,
    'users:',
    `- name: ${spec.user}`,
    '  user:',
    `    client-certificate-data: ${cert}`,
    `    client-key-data: ${key}`,
    'contexts:',
    `- name: ${context}`,
    '  context:',
    `    cluster: ${cluster}`,
    `    user: ${spec.user}`,
    `current-context: ${context}`,
    'preferences: {}',
    '',
  ].join('\n');
  await writeFile(path, text, { mode: 0o600 });
}
