/**
 * The gate on real plan JSON (test-fixtures/real-plans, see SOURCES.md there): every format
 * Terraform and OpenTofu wrote, every encoding a shell writes, the shapes that used to make the
 * policy evaluation conflict, and the cluster-level node group and NAT rules. Plans that cannot be
 * redistributed are read from $STACKPROOF_REAL_PLANS_DIR when it is set.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../test-fixtures/paths.ts';
import { PolicyInputError } from './errors.ts';
import type { Finding } from './findings.ts';
import { PolicyBundle } from './policy-bundle.ts';
import { runPolicyCheck } from './policy-check.ts';
import { readTerraformPlan } from './terraform-plan.ts';

const REAL = (name: string) => fixture(`real-plans/${name}`);
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
// The unlicensed plans: where STACKPROOF_REAL_PLANS_DIR says, else the team's shared folder beside
// the checkout (../shared/real-plans) when this machine has it.
const SHARED_PLANS = join(fileURLToPath(new URL('../../../../shared/real-plans', import.meta.url)));
const EXTRA =
  process.env.STACKPROOF_REAL_PLANS_DIR ?? (existsSync(SHARED_PLANS) ? SHARED_PLANS : undefined);

let bundle: PolicyBundle;
let dir: string;
beforeAll(async () => {
  bundle = await PolicyBundle.load();
  dir = await mkdtemp(join(tmpdir(), 'stackproof-real-plans-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const check = (target: string) => runPolicyCheck({ target, version: 'test', bundle, cwd: REPO });

function lines(findings: readonly Finding[], rule?: string): string[] {
  return findings
    .filter((f) => rule === undefined || f.rule === rule)
    .map((f) => `${f.status} ${f.rule} ${f.address}: ${f.message}`)
    .sort();
}

async function refusal(file: string): Promise<PolicyInputError> {
  const error = await check(file).catch((e: unknown) => e);
  if (error instanceof PolicyInputError) return error;
  throw new Error(`${file} was not refused as bad input: ${String(error)}`);
}

describe('formats 0.1 to 1.x are read, 2.x is refused', () => {
  it.each([
    ['0.1', 'checkov-runner-tfplan.json', 'Terraform 0.12.23'],
    ['0.2', 'checkov-asg-dynamodb-tags-variety.json', 'Terraform 1.0.7'],
    ['1.0', 'opentofu-show-json-drift.json', 'OpenTofu'],
    ['1.1', 'checkov-tfplan-win-utf8.json', 'Terraform 1.2.2'],
    ['1.2', 'terraform-data-deposed-plan.json', 'Terraform 1.11.4'],
  ])('format %s (%s, %s) gives a report', async (format, file) => {
    const { plan } = await readTerraformPlan(REAL(file));
    expect(plan.format_version).toBe(format);
    const report = await check(REAL(file));
    expect(report.summary.inputs).toHaveLength(1);
  });

  it('a format 0.1 plan is judged: the 55-resource Checkov plan yields verdicts', async () => {
    const report = await check(REAL('checkov-runner-tfplan.json'));
    expect(report.findings.length).toBeGreaterThan(40);
    expect(lines(report.findings, 'rds.multi-az')).toEqual([
      'fail rds.multi-az aws_db_instance.default: multi_az is not true: the database lives in a single AZ',
    ]);
  });

  it('the same real plan with format_version 2.0 is refused, saying a newer Terraform wrote it', async () => {
    const text = await readFile(REAL('terraform-data-deposed-plan.json'), 'utf8');
    const file = join(dir, 'format-2.json');
    await writeFile(file, text.replace('"format_version":"1.2"', '"format_version":"2.0"'));
    const error = await refusal(file);
    expect(error.code).toBe('UNSUPPORTED_FORMAT_VERSION');
    expect(error.message).toMatch(/format_version 2\.0 is newer than the formats stackproof reads/);
  });
});

describe('encodings: UTF-8 with or without a BOM, UTF-16 LE and BE', () => {
  let utf8: string[];
  beforeAll(async () => {
    utf8 = lines((await check(REAL('checkov-tfplan-win-utf8.json'))).findings);
    expect(utf8.length).toBeGreaterThan(0);
  });

  it('the PowerShell UTF-16 LE plan (with BOM) gives the findings of its UTF-8 twin', async () => {
    const raw = await readFile(REAL('checkov-tfplan-win-utf16.json'));
    expect([...raw.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    expect(lines((await check(REAL('checkov-tfplan-win-utf16.json'))).findings)).toEqual(utf8);
  });

  it.each([
    [
      'UTF-8 with a BOM',
      (t: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(t)]),
    ],
    ['UTF-16 BE with a BOM', (t: string) => Buffer.from(`\ufeff${t}`, 'utf16le').swap16()],
    ['UTF-16 LE without a BOM', (t: string) => Buffer.from(t, 'utf16le')],
    ['UTF-16 BE without a BOM', (t: string) => Buffer.from(t, 'utf16le').swap16()],
  ])('%s gives the same findings', async (name, encode) => {
    const text = await readFile(REAL('checkov-tfplan-win-utf8.json'), 'utf8');
    const file = join(dir, `${name.replaceAll(' ', '-')}.json`);
    await writeFile(file, encode(text));
    expect(lines((await check(file)).findings)).toEqual(utf8);
  });

  it('UTF-32 and broken UTF-16 are refused, naming the encoding', async () => {
    const file = join(dir, 'utf32.json');
    await writeFile(file, Buffer.from([0xff, 0xfe, 0, 0, 0x7b, 0, 0, 0, 0x7d, 0, 0, 0]));
    const utf32 = await refusal(file);
    expect(utf32.code).toBe('UNSUPPORTED_ENCODING');
    expect(utf32.message).toMatch(/UTF-32 LE.*save it as UTF-8/);
    const broken = join(dir, 'broken-utf16.json');
    // A lone high surrogate (0xD800) is not UTF-16.
    await writeFile(broken, Buffer.from([0xff, 0xfe, 0x7b, 0, 0x00, 0xd8, 0x7d, 0]));
    expect((await refusal(broken)).code).toBe('UNSUPPORTED_ENCODING');
  });
});

describe('what is not a plan is refused, saying what it is and what to do', () => {
  it.each([
    [
      'terraform-data-plan-ui-stream.json',
      'UI_STREAM_NOT_PLAN',
      /machine-readable UI log of `terraform plan -json`.*run `terraform plan -out plan.out`, then `terraform show -json plan.out > plan.json`/,
    ],
    [
      'terraform-data-show-state.json',
      'STATE_NOT_PLAN',
      /JSON of Terraform state \(`terraform show -json` without a plan file\)/,
    ],
    ['checkov-corrupted-tfplan-state.json', 'STATE_NOT_PLAN', /JSON of Terraform state/],
    ['odd-state-named-plan-out.json', 'STATE_NOT_PLAN', /JSON of Terraform state/],
    [
      'terraform-data-binary-plan.out',
      'BINARY_PLAN',
      /binary plan file \(`terraform plan -out`\).*terraform show -json/,
    ],
  ])('%s: %s', async (file, code, message) => {
    const error = await refusal(REAL(file));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.message.split('\n')).toHaveLength(1);
  });
});

describe('no evaluation conflict, by construction', () => {
  it('two changes with the same address (a deposed object) are both read, the deposed one not judged', async () => {
    const raw = JSON.parse(await readFile(REAL('terraform-data-deposed-plan.json'), 'utf8')) as {
      resource_changes: { address: string; deposed?: string }[];
    };
    const web = raw.resource_changes.filter((r) => r.address === 'terraform_data.web');
    expect(web.map((r) => r.deposed !== undefined)).toEqual([false, true]);
    await expect(check(REAL('terraform-data-deposed-plan.json'))).resolves.toBeDefined();
  });

  it('an AWS resource of a real plan listed again as a deposed object and as a no-op twin', async () => {
    const raw = JSON.parse(await readFile(REAL('checkov-runner-tfplan.json'), 'utf8')) as {
      resource_changes: Record<string, unknown>[];
    };
    const db = raw.resource_changes.find((r) => r.type === 'aws_db_instance') as Record<
      string,
      unknown
    >;
    const deposed = {
      ...db,
      deposed: '0a1b2c3d',
      change: { ...(db.change as object), actions: ['delete'] },
    };
    const twin = { ...db, change: { ...(db.change as object), actions: ['no-op'] } };
    raw.resource_changes.push(deposed, twin);
    const file = join(dir, 'duplicated.json');
    await writeFile(file, JSON.stringify(raw));
    const report = await check(file);
    // The original and its no-op twin are judged; the deposed object is being destroyed.
    expect(report.findings.filter((f) => f.rule === 'rds.multi-az')).toHaveLength(2);
  });

  it('the same address in resource_drift and resource_changes (OpenTofu)', async () => {
    const raw = await readFile(REAL('opentofu-show-json-drift.json'), 'utf8');
    expect(raw.match(/"address": "test_instance.should_refresh"/g)).toHaveLength(5);
    await expect(check(REAL('opentofu-show-json-drift.json'))).resolves.toBeDefined();
  });

  it('a judged resource drifted outside Terraform: the verdict follows resource_changes', async () => {
    const raw = JSON.parse(await readFile(REAL('checkov-runner-tfplan.json'), 'utf8')) as {
      resource_changes: Record<string, unknown>[];
      resource_drift?: Record<string, unknown>[];
    };
    const db = raw.resource_changes.find((r) => r.type === 'aws_db_instance') as {
      change: { after: Record<string, unknown> };
    };
    // What AWS holds now (Multi-AZ switched on by hand) is drift; the plan puts it back.
    raw.resource_drift = [
      {
        ...db,
        change: {
          ...db.change,
          actions: ['update'],
          after: { ...db.change.after, multi_az: true },
        },
      },
    ];
    const file = join(dir, 'drifted.json');
    await writeFile(file, JSON.stringify(raw));
    expect(lines((await check(file)).findings, 'rds.multi-az')).toEqual([
      'fail rds.multi-az aws_db_instance.default: multi_az is not true: the database lives in a single AZ',
    ]);
  });

  it('drift entries without an address (Terraform 1.0, format 0.1)', async () => {
    const raw = JSON.parse(
      await readFile(REAL('tfcompliance-issue-522-delete-drift.json'), 'utf8'),
    ) as {
      resource_drift: { address?: string }[];
    };
    expect(raw.resource_drift.some((d) => d.address === undefined)).toBe(true);
    const report = await check(REAL('tfcompliance-issue-522-delete-drift.json'));
    expect(lines(report.findings)).toEqual([
      // Its ingress is computed at apply, but the configuration sets no inline rule.
      'pass network.sg-open-ingress aws_security_group.lambda_sg: No security group opens SSH, RDP, PostgreSQL or all ports to the internet',
    ]);
  });

  it('the rendered chart variants of fixtures/manifests (the same objects in eight files)', async () => {
    const report = await check(join(REPO, 'fixtures', 'manifests'));
    // Each render is judged on its own: the compliant render's PDB does not cover the no-pdb one.
    expect(report.summary.inputs).toHaveLength(8);
    expect(report.summary.notes[0]).toMatch(
      /8 manifest files declare the same objects as each other.*alternative renders/,
    );
    const noPdb = report.findings.filter(
      (f) => f.input.endsWith('no-pdb.yaml') && f.rule === 'k8s.pdb-allows-disruption',
    );
    expect(noPdb.length).toBeGreaterThan(0);
    expect(noPdb.every((f) => f.status === 'fail')).toBe(true);
    const compliant = report.findings.filter((f) => f.input.endsWith('compliant.yaml'));
    expect(compliant.filter((f) => f.status === 'fail')).toEqual([]);
  });
});

describe('PodDisruptionBudgets count the HPA minimum (real chart render)', () => {
  async function withPdb(spec: string): Promise<Finding[]> {
    const text = await readFile(join(REPO, 'fixtures', 'manifests', 'compliant.yaml'), 'utf8');
    // The chart's Deployments have no spec.replicas: the HPA (minReplicas 3) sets them.
    expect(text).toMatch(/minReplicas: 3/);
    const file = join(dir, `pdb-${spec.replace(/\W/g, '')}.yaml`);
    await writeFile(file, text.replaceAll('maxUnavailable: 1', spec));
    const report = await check(file);
    return report.findings.filter((f) => f.rule === 'k8s.pdb-allows-disruption');
  }

  it('minAvailable 2 under an HPA floor of 3 allows a drain', async () => {
    const findings = await withPdb('minAvailable: 2');
    expect(findings.length).toBe(2);
    expect(findings.every((f) => f.status === 'pass')).toBe(true);
  });

  it('minAvailable 3 under the same floor allows none (negative twin)', async () => {
    const findings = await withPdb('minAvailable: 3');
    expect(findings.every((f) => f.status === 'fail')).toBe(true);
    expect(findings[0]?.message).toMatch(/allows no disruption with 3 replica\(s\)/);
  });
});

describe('node groups judged per cluster, on a real EKS node group plan', () => {
  it('one node group of min_size 1 cannot keep a node in 3 AZs: a medium fail', async () => {
    const report = await check(REAL('checkov-eks-node-group-remote-access.json'));
    expect(lines(report.findings)).toEqual([
      'fail eks.nodegroup-min-size aws_eks_node_group.test: the node groups keep 1 node(s) at their minimum size, fewer than the 3 AZs required',
      'unknown eks.nodegroup-multi-az aws_eks_node_group.test: node group aws_eks_node_group.test: subnet_ids names subnets this plan does not create; their AZs are read live after apply',
    ]);
    expect(report.findings.find((f) => f.rule === 'eks.nodegroup-min-size')?.severity).toBe(
      'medium',
    );
  });

  it('the same node group able to scale to zero fails high (the cluster can lose every node)', async () => {
    const text = await readFile(REAL('checkov-eks-node-group-remote-access.json'), 'utf8');
    const file = join(dir, 'scale-to-zero.json');
    await writeFile(file, text.replaceAll('"min_size": 1', '"min_size": 0'));
    const report = await check(file);
    const minSize = report.findings.find((f) => f.rule === 'eks.nodegroup-min-size');
    expect(minSize?.status).toBe('fail');
    expect(minSize?.severity).toBe('high');
    expect(minSize?.message).toMatch(/the cluster can lose every node/);
    expect(report.summary.passed).toBe(false);
  });
});

describe('projection and shards change no verdict', () => {
  it.each([
    'checkov-runner-tfplan.json',
    'checkov-asg-dynamodb-tags-variety.json',
    'checkov-eks-node-group-remote-access.json',
    'tfcompliance-issue-522-delete-drift.json',
  ])('%s: the whole plan in one evaluation = projected, in 1 KB shards', async (file) => {
    const { plan } = await readTerraformPlan(REAL(file));
    const whole = await bundle.evaluate({ kind: 'terraform-plan', params: {}, plan });
    const expected = whole.results
      .map((r) => `${r.status} ${r.rule} ${r.address}: ${r.message}`)
      .sort();
    const report = await runPolicyCheck({
      target: REAL(file),
      version: 'test',
      bundle,
      maxShardBytes: 1024,
    });
    expect(lines(report.findings)).toEqual(expected);
  });
});

// Plans from repositories without a licence (not redistributed): NAT gateways per AZ and EKS
// clusters of real platforms. Run with STACKPROOF_REAL_PLANS_DIR=/path/to/them.
const extra = (name: string) => (EXTRA === undefined ? undefined : join(EXTRA, name));
const haveExtra = (name: string) => {
  const path = extra(name);
  return path !== undefined && existsSync(path);
};

describe('plans outside the repository ($STACKPROOF_REAL_PLANS_DIR)', () => {
  it.runIf(haveExtra('tripleaze-eks-rds-platform-plan.json'))(
    'one NAT gateway for private subnets in two AZs fails, naming the AZs',
    async () => {
      const report = await check(extra('tripleaze-eks-rds-platform-plan.json') as string);
      expect(lines(report.findings, 'network.nat-per-az')).toEqual([
        "fail network.nat-per-az module.vpc.aws_nat_gateway.this[0]: 1 NAT gateway(s) for private subnets in 2 AZs [us-east-1a, us-east-1b]: at least one AZ's private subnets go out through another AZ's NAT",
      ]);
    },
  );

  it.runIf(haveExtra('ekra97-eks-noop-drift-plan.json'))(
    'the terraform-aws-modules/eks node group is judged on its cluster',
    async () => {
      const report = await check(extra('ekra97-eks-noop-drift-plan.json') as string);
      expect(lines(report.findings, 'eks.nodegroup-min-size')).toEqual([
        'fail eks.nodegroup-min-size module.eks.aws_eks_cluster.this[0]: at the minimum size no node is sure to stay in [eu-west-3a, eu-west-3b]: module.eks.module.eks_managed_node_group["system"].aws_eks_node_group.this[0] (min_size 1 over 2 AZs)',
      ]);
    },
  );

  it.skipIf(EXTRA !== undefined)(
    'set STACKPROOF_REAL_PLANS_DIR to run the plans that cannot be redistributed',
    () => {},
  );
});
