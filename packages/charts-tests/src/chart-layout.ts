import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file (packages/charts-tests/src). */
export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The reference workloads chart: one chart for backend and frontend (docs/adr/0008). */
export const workloadsChartDir = join(repositoryRoot, 'charts', 'stackproof-workloads');

/** Rendered manifests the policy gate judges, and their manifest.json. */
export const manifestFixturesDir = join(repositoryRoot, 'fixtures', 'manifests');

/** The values files the manifest fixtures were rendered with (kept out of the manifests folder). */
export const manifestValuesFixturesDir = join(repositoryRoot, 'fixtures', 'manifest-values');

/** CRDs vendored from upstream modules so the apiserver dry run knows the custom kinds. */
export const crdFixturesDir = join(repositoryRoot, 'fixtures', 'crds');

/**
 * The Kubernetes version charts are rendered for: the one the toolchain builds. Passed as
 * --kube-version because a helm built from source without version stamping assumes v1.20.
 */
export const targetKubeVersion = '1.37.2';
