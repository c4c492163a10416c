import { spawnSync } from 'node:child_process';

/** Runs OpenTofu without prompts or colour; a CLI config file that does not exist is dropped. */
export function runTofu(
  tofu: string,
  cwd: string,
  args: readonly string[],
): { status: number; output: string } {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    NO_COLOR: '1',
  };
  delete env.TF_CLI_CONFIG_FILE;
  const r = spawnSync(tofu, ['init', '-input=false', '-no-color'], { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) return { status: r.status ?? 1, output: `${r.stdout}${r.stderr}` };
  const p = spawnSync(tofu, [...args], { cwd, env, encoding: 'utf8', timeout: 120_000 });
  return { status: p.status ?? 1, output: `${p.stdout}${p.stderr}` };
}
