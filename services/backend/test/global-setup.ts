// Starts one throwaway PostgreSQL for the whole backend project and keeps an initialised, stopped
// data dir as a template so tests that need their own server (outage, TLS, shutdown) copy it
// instead of running initdb again. Missing PostgreSQL fails loudly (it is required, not optional).

import { type ClusterInfo, PostgresCluster } from '@stackproof/sandbox';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pg: ClusterInfo;
    pgTemplateDataDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const template = await PostgresCluster.create();
  await template.stop();
  const shared = await PostgresCluster.create({ templateDataDir: template.info.dataDir });
  project.provide('pg', shared.info);
  project.provide('pgTemplateDataDir', template.info.dataDir);
  return async () => {
    await shared.destroy();
    await template.destroy();
  };
}
