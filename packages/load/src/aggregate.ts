import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { StackproofError } from '@stackproof/core';
import { judgeRun, type LoadSummary, readRunPlan } from './judge.ts';

/** `stackproof load aggregate DIR` found no k6 output to merge. */
export class NoRunnerOutputsError extends StackproofError {
  constructor(dir: string) {
    super(
      'LOAD_NO_OUTPUTS',
      'bad-input',
      `${dir} holds no k6 JSON output (*.json or *.json.gz beside plan.json, or under raw/); copy each runner's --out json file there`,
    );
  }
}

/** The k6 JSON outputs in `dir` (and `dir/raw`), plan and report files excluded. */
export async function findRunnerOutputs(dir: string): Promise<string[]> {
  const ours = new Set(['plan.json', 'summary.json', 'timeline.json', 'manifest.json']);
  const found: string[] = [];
  for (const sub of [dir, join(dir, 'raw')]) {
    let names: string[];
    try {
      names = await readdir(sub);
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      if (ours.has(name) || !/\.json(\.gz)?$/.test(name) || name.startsWith('summary-export'))
        continue;
      found.push(join(sub, name));
    }
  }
  return found;
}

/**
 * Merges the JSON outputs of N k6 runners (the pods of a k6-operator TestRun, or a local run's
 * `raw/`) into one verdict and report: thresholds on all samples together, the aggregation the
 * operator leaves out. `dir` holds the plan.json written by `stackproof load manifest` (or run).
 */
export async function aggregateLoadRun(dir: string, outDir: string = dir): Promise<LoadSummary> {
  const root = resolve(dir);
  const plan = await readRunPlan(join(root, 'plan.json'));
  const outputs = await findRunnerOutputs(root);
  if (outputs.length === 0) throw new NoRunnerOutputsError(root);
  return judgeRun({ ...plan, instances: outputs.length }, outputs, resolve(outDir));
}
