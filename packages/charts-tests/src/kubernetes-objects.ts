import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

function isKubernetesObject(value: unknown): value is KubernetesObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.apiVersion === 'string' && typeof candidate.kind === 'string';
}

/** Splits rendered multi-document YAML into objects; empty documents are skipped. */
export function parseManifests(text: string): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  for (const document of parseAllDocuments(text)) {
    const error = document.errors[0];
    if (error !== undefined) throw new Error(`rendered YAML does not parse: ${error.message}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    if (!isKubernetesObject(value)) {
      throw new Error('rendered YAML holds a document without apiVersion and kind');
    }
    objects.push(value);
  }
  return objects;
}

export function describeObject(object: KubernetesObject): string {
  return `${object.kind}/${object.metadata?.name ?? '(unnamed)'}`;
}
