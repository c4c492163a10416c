import { resolveTool, runTool, type ToolResult } from '@stackproof/toolchain';
import { targetKubeVersion } from './chart-layout.ts';
import { HelmError } from './helm-error.ts';

export interface ChartValues {
  /** Values files, applied in order (helm -f). */
  readonly valuesFiles?: readonly string[];
}

export interface RenderOptions extends ChartValues {
  readonly releaseName: string;
  readonly namespace: string;
  /** Leave out templates/tests (helm test hooks): fixtures hold what `helm upgrade` applies. */
  readonly skipTests?: boolean;
}

function valuesArgs(options: ChartValues): string[] {
  return (options.valuesFiles ?? []).flatMap((file) => ['--values', file]);
}

/** helm from HELM_BIN, then PATH (the toolchain's convention). */
export function helmBinary(): string {
  return resolveTool('helm').path;
}

/** `helm lint --strict`: returns the result; a failed lint is data, not an exception. */
export function lintChart(chartDir: string, options: ChartValues = {}): Promise<ToolResult> {
  return runTool(helmBinary(), [
    'lint',
    '--strict',
    '--kube-version',
    targetKubeVersion,
    chartDir,
    ...valuesArgs(options),
  ]);
}

/** `helm template`: the rendered multi-document YAML, or a HelmError with helm's message. */
export async function renderChart(chartDir: string, options: RenderOptions): Promise<string> {
  const result = await runTool(helmBinary(), [
    'template',
    options.releaseName,
    chartDir,
    '--namespace',
    options.namespace,
    '--kube-version',
    targetKubeVersion,
    ...(options.skipTests === true ? ['--skip-tests'] : []),
    ...valuesArgs(options),
  ]);
  if (result.exitCode !== 0) throw new HelmError('template', result);
  return result.stdout;
}
