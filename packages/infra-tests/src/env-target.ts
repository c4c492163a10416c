import { isAbsolute, resolve } from 'node:path';
import type { LiveTargetOptions } from './live-target.ts';

/**
 * The live target as `pnpm test:infra` finds it in the environment, the way the ecosystem's tools
 * do: STACKPROOF_OUTPUTS_DIR (default .sandbox/outputs, what `stackproof sandbox up` writes),
 * STACKPROOF_EXPECTATIONS (default expectations/sandbox.json), KUBECONFIG and optionally
 * STACKPROOF_KUBE_CONTEXT; AWS credentials, region and AWS_ENDPOINT_URL through the SDK's own chain.
 * Relative paths are taken from where the command was started (pnpm's INIT_CWD), not from the
 * package directory pnpm runs the script in.
 */
export function liveTargetOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): LiveTargetOptions {
  const base = env.INIT_CWD ?? process.cwd();
  const path = (value: string | undefined, fallback: string): string => {
    const chosen = value !== undefined && value !== '' ? value : fallback;
    return isAbsolute(chosen) ? chosen : resolve(base, chosen);
  };
  return {
    outputsDir: path(env.STACKPROOF_OUTPUTS_DIR, '.sandbox/outputs'),
    expectationsFile: path(env.STACKPROOF_EXPECTATIONS, 'expectations/sandbox.json'),
    ...(env.STACKPROOF_KUBE_CONTEXT ? { context: env.STACKPROOF_KUBE_CONTEXT } : {}),
  };
}
