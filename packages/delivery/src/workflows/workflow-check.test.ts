import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWorkflows, describeWorkflowProblem, type WorkflowProblem } from './workflow-check.ts';

// The real workflows, checked against the real repository and the real CLI (`--help` of every
// stackproof subcommand they call).
describe('every workflow calls only what exists', () => {
  it('finds no problem in .github/workflows', async () => {
    const problems = await checkWorkflows();
    expect(problems.map(describeWorkflowProblem)).toEqual([]);
  });
});

const CHECKOUT = `      - uses: actions/checkout@08eba0b27e820071cde6df949e0beb9ba4906955 # v4.3.0
        with:
          persist-credentials: false`;

function workflow(steps: string, extra = ''): string {
  return `name: variant
on: workflow_dispatch
jobs:
  job:
    runs-on: ubuntu-24.04
${extra}    steps:
${CHECKOUT}
${steps}`;
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a JS template
const STAGING = '${{ github.workspace }}/terraform/environments/staging/backend.s3.tfbackend';

/** Negative twins: each file breaks one thing the check must catch. */
const VARIANTS: Readonly<Record<string, string>> = {
  'missing-script.yml': workflow('      - run: pnpm run no-such-script'),
  'missing-subcommand.yml': workflow('      - run: pnpm -s stackproof no-such-command run --fast'),
  'unknown-flag.yml': workflow(
    `      - run: |
          echo '{}' > plan.json
          pnpm run policy plan.json --no-such-flag x`,
  ),
  'missing-file.yml': workflow('      - run: bash tools/no-such-script.sh'),
  'unwritten-file.yml': workflow(
    '      - run: pnpm run policy terraform/aws/network/plan.json --format sarif',
  ),
  'before-checkout.yml': `name: variant
on: workflow_dispatch
jobs:
  job:
    runs-on: ubuntu-24.04
    steps:
      - run: bash tools/demo.sh
`,
  'no-backend.yml': workflow(
    `      - run: terraform -chdir=terraform/aws/network init -input=false`,
  ),
  'environment-without-backend.yml': workflow(
    `      - run: terraform -chdir=terraform/aws/network init -input=false -backend-config="${STAGING}"`,
    '    environment: qa\n',
  ),
  'lockfile.yml': workflow(
    `      - name: unguarded
        run: terraform -chdir=terraform/aws/network init -lockfile=readonly -backend-config="${STAGING}"
      - name: guarded
        run: |
          if [ -f terraform/aws/rds/.terraform.lock.hcl ]; then
            terraform -chdir=terraform/aws/rds init -lockfile=readonly -backend-config="${STAGING}"
          else
            terraform -chdir=terraform/aws/rds init -backend-config="${STAGING}"
          fi`,
  ),
  'missing-variables.yml': workflow(
    `      - run: |
          terraform -chdir=terraform/aws/rds init -input=false -backend-config="${STAGING}"
          terraform -chdir=terraform/aws/rds plan -input=false -out=plan.out`,
  ),
  'missing-upstream-outputs.yml': workflow(
    `      - run: |
          mkdir -p out
          for upstream in network; do
            terraform -chdir="terraform/aws/$upstream" init -backend-config="${STAGING}"
            terraform -chdir="terraform/aws/$upstream" output -json > "out/\${upstream//\\//-}.json"
          done
          pnpm -s stackproof terraform inputs rds --outputs-dir out`,
  ),
  'missing-reusable.yml': `name: variant
on: workflow_dispatch
jobs:
  call:
    uses: ./.github/workflows/no-such-workflow.yml
`,
  'missing-make-target.yml': workflow('      - run: make no-such-target'),
  'chaos-without-outputs.yml': workflow(
    `      - run: pnpm exec stackproof chaos run az-outage --zone me-central-1a --stack aws --outputs .reports/outputs --dry-run --out .reports/chaos`,
  ),
  'chaos-unknown-flag.yml': workflow(
    `      - run: pnpm exec stackproof chaos run az-outage --zone me-central-1a --zones me-central-1b`,
  ),
  'gameday-without-outputs.yml': workflow(
    `      - run: pnpm exec stackproof gameday --outputs .reports/outputs --expectations expectations/staging.json --out .reports/gameday`,
  ),
  'gameday-unknown-flag.yml': workflow(
    `      - run: pnpm exec stackproof gameday --expectations expectations/staging.json --stages outage`,
  ),
  'live-without-expectations.yml': workflow(
    `      - run: pnpm exec stackproof live check --outputs fixtures --expectations expectations/qa.json --format junit --output live.xml`,
  ),
};

describe('negative twins: a workflow variant that calls something missing fails the check', () => {
  let dir = '';
  let problems: WorkflowProblem[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stackproof-workflows-'));
    for (const [file, text] of Object.entries(VARIANTS)) await writeFile(join(dir, file), text);
    problems = await checkWorkflows({ workflowsDir: dir });
    // Each variant's commands are answered by the real CLI (--help): slow on a loaded machine.
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const of = (file: string) =>
    problems.filter((p) => p.workflow === file).map((p) => `${p.step}: ${p.message}`);

  it.each([
    ['missing-script.yml', /package\.json has no script "no-such-script"/],
    ['missing-subcommand.yml', /stackproof no-such-command run --help exits 2: no such subcommand/],
    ['unknown-flag.yml', /stackproof policy check: --help lists no option --no-such-flag/],
    ['missing-file.yml', /reads tools\/no-such-script\.sh, which is not in the repository/],
    [
      'unwritten-file.yml',
      /reads terraform\/aws\/network\/plan\.json, which is not in the repository and no earlier step writes it/,
    ],
    ['before-checkout.yml', /reads tools\/demo\.sh before actions\/checkout/],
    ['no-backend.yml', /init in terraform\/aws\/network without -backend-config/],
    [
      'environment-without-backend.yml',
      /names environment 'qa' but there are no backend settings for it: add terraform\/environments\/qa\/backend\.s3\.tfbackend/,
    ],
    [
      'lockfile.yml',
      /^unguarded: .*-lockfile=readonly in terraform\/aws\/network, which has no committed/,
    ],
    [
      'missing-variables.yml',
      /plan -input=false in terraform\/aws\/rds gives no value to vpc_id, database_subnet_ids, eks_node_security_group_id/,
    ],
    [
      'missing-upstream-outputs.yml',
      /reads out\/eks-prod1-infra\.json, which is not in the repository and no earlier step writes it/,
    ],
    [
      'missing-reusable.yml',
      /calls \.\/\.github\/workflows\/no-such-workflow\.yml, which does not exist/,
    ],
    ['missing-make-target.yml', /Makefile has no target 'no-such-target'/],
    [
      'chaos-without-outputs.yml',
      /stackproof chaos run --outputs: reads \.reports\/outputs, which is not in the repository and no earlier step writes it/,
    ],
    ['chaos-unknown-flag.yml', /stackproof chaos run: --help lists no option --zones/],
    [
      'gameday-without-outputs.yml',
      /stackproof gameday --outputs: reads \.reports\/outputs, which is not in the repository and no earlier step writes it/,
    ],
    ['gameday-unknown-flag.yml', /stackproof gameday: --help lists no option --stages/],
    [
      'live-without-expectations.yml',
      /stackproof live check --expectations: reads expectations\/qa\.json, which is not in the repository/,
    ],
  ])('%s', (file, expected) => {
    expect(of(file)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  it('accepts -lockfile=readonly under `if [ -f <lock file> ]`, and the variants nothing else', () => {
    expect(of('lockfile.yml')).toHaveLength(1);
    expect(of('missing-script.yml')).toHaveLength(1);
    // The network outputs were written by the loop: only the missing upstream is reported.
    expect(of('missing-upstream-outputs.yml')).toHaveLength(1);
  });
});
