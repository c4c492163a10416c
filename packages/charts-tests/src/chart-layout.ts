import { repoPath } from '@stackproof/core';

/** The reference workloads chart: one chart for backend and frontend (docs/adr/0008). */
export const workloadsChartDir = repoPath('charts', 'stackproof-workloads');

/** Rendered manifests the policy gate judges, and their manifest.json. */
export const manifestFixturesDir = repoPath('fixtures', 'manifests');

/** The values files the manifest fixtures were rendered with (kept out of the manifests folder). */
export const manifestValuesFixturesDir = repoPath('fixtures', 'manifest-values');

/** CRDs vendored from upstream modules so the apiserver dry run knows the custom kinds. */
export const crdFixturesDir = repoPath('fixtures', 'crds');

/**
 * The Kubernetes version charts are rendered for: the one the toolchain builds. Passed as
 * --kube-version because a helm built from source without version stamping assumes v1.20.
 */
export const targetKubeVersion = '1.37.2';
