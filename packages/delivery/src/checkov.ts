import { spawn } from 'node:child_process';
import { resolveTool } from '@stackproof/toolchain';
import { DeliveryError } from './delivery-error.ts';

/** The Checkov version tools/bootstrap.sh installs (tools/python/checkov/requirements.txt). */
export const CHECKOV_VERSION = '3.3.30';

/** One check result of a Checkov run. */
export interface CheckovResult {
  readonly checkId: string;
  readonly checkName: string;
  /** `module.vpc.aws_network_acl_rule.allow_all_in`. */
  readonly resource: string;
  /** Path relative to the scanned directory, as Checkov prints it (`/modules/vpc/nacls.tf`). */
  readonly file: string;
  readonly lines: readonly [number, number];
  /** The reason of a `checkov:skip` comment (skipped results only). */
  readonly suppressComment?: string;
}

export interface CheckovScan {
  readonly version: string;
  readonly passed: number;
  readonly failed: readonly CheckovResult[];
  readonly skipped: readonly CheckovResult[];
  readonly parsingErrors: readonly string[];
}

interface RawCheck {
  check_id: string;
  check_name: string;
  resource: string;
  file_path: string;
  file_line_range: [number, number];
  check_result?: { suppress_comment?: string };
}

interface RawReport {
  check_type: string;
  results: {
    failed_checks?: RawCheck[];
    skipped_checks?: RawCheck[];
    parsing_errors?: string[];
  };
  summary: { passed: number; checkov_version: string };
}

function toResult(raw: RawCheck): CheckovResult {
  return {
    checkId: raw.check_id,
    checkName: raw.check_name,
    resource: raw.resource,
    file: raw.file_path,
    lines: raw.file_line_range,
    ...(raw.check_result?.suppress_comment === undefined
      ? {}
      : { suppressComment: raw.check_result.suppress_comment }),
  };
}

/**
 * Runs the pinned Checkov (CHECKOV_BIN, then PATH) on a Terraform directory and returns what it
 * found. Only the terraform framework runs: the scan is about the reference stack, and the other
 * frameworks (secrets, SCA) would reach the network. Checkov exits 1 when a check fails; that is a
 * result, not an error; anything else that prevents a report is `CHECKOV_FAILED`.
 */
export async function runCheckov(
  directory: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CheckovScan> {
  const bin = resolveTool('checkov', env).path;
  const args = ['--directory', directory, '--framework', 'terraform', '--output', 'json'];
  const { code, stdout, stderr } = await new Promise<{
    code: number;
    stdout: string;
    stderr: string;
  }>((resolve, reject) => {
    // Not --quiet: it drops the skipped checks, whose reasons the suite reads.
    const child = spawn(bin, [...args, '--compact', '--skip-download'], {
      env: {
        ...env,
        // No calls home: no version check, no Prisma Cloud, no SCA package scan.
        CHECKOV_RUN_SCA_PACKAGE_SCAN_V2: 'false',
        BC_SKIP_MAPPING: 'TRUE',
        CKV_SKIP_PACKAGE_UPDATE_CHECK: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 600_000,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (exitCode) =>
      resolve({
        code: exitCode ?? 1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new DeliveryError(
      'CHECKOV_FAILED',
      `checkov ${args.join(' ')} exited ${code} without a JSON report: ${stderr.trim().split('\n').slice(-3).join(' ')}`,
    );
  }
  // One report per framework; an empty directory gives a bare summary instead.
  const reports = (Array.isArray(parsed) ? parsed : [parsed]) as RawReport[];
  const terraform = reports.find((r) => r.check_type === 'terraform');
  if (terraform === undefined) {
    throw new DeliveryError('CHECKOV_FAILED', `checkov found no Terraform files in ${directory}`);
  }
  return {
    version: terraform.summary.checkov_version,
    passed: terraform.summary.passed,
    failed: (terraform.results.failed_checks ?? []).map(toResult),
    skipped: (terraform.results.skipped_checks ?? []).map(toResult),
    parsingErrors: terraform.results.parsing_errors ?? [],
  };
}

/** `CKV_AWS_58 module.cluster.aws_eks_cluster.this (/modules/eks-cluster/main.tf:46): …`. */
export function describeCheckovResult(result: CheckovResult): string {
  return `${result.checkId} ${result.resource} (${result.file}:${result.lines[0]}): ${result.checkName}`;
}
