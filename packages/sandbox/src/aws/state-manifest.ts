import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TerraformOutputsDocument } from '@stackproof/core';
import { hashTerraformSources } from '@stackproof/iac';
import { AwsStateRecordingError } from './errors.ts';
import { readRecording } from './recording.ts';

/** Where the recorded account state lives, relative to the repository root. */
export const AWS_STATE_DIR = join('fixtures', 'aws-state');
export const AWS_STATE_RECORDING_FILE = 'recording.jsonl';
export const AWS_STATE_MANIFEST_FILE = 'manifest.json';

/** One applied workspace inside a recording. */
export interface AwsStateWorkspace {
  /** `network`, `rds`, `eks/prod1/infra`, … (or a test's own label). */
  readonly name: string;
  /** Index of its first request in the recording (0 is the seed). */
  readonly firstRequest: number;
  readonly requestCount: number;
  /** Resource addresses applied with `-exclude` because moto cannot take them. */
  readonly excluded: readonly string[];
  /**
   * `tofu output -json` of the workspace after its apply, as printed: the sandbox writes it to
   * its outputs directory, which `pnpm test:infra` reads (the outputs contract, in core).
   */
  readonly outputs: TerraformOutputsDocument;
}

/** How a recording came about. */
export interface AwsStateSource {
  /** `tofu-apply` for the stack; `sdk` for recordings made by tests with SDK calls. */
  readonly kind: 'tofu-apply' | 'sdk';
  readonly tofuVersion?: string;
  readonly awsProviderVersion?: string;
  /** sha256 of terraform/ (@stackproof/iac hashTerraformSources) the apply came from. */
  readonly terraformSourceHash?: string;
  readonly description?: string;
}

/** manifest.json beside recording.jsonl. */
export interface AwsStateManifest {
  readonly format: 1;
  readonly recording: string;
  readonly recordingSha256: string;
  readonly requestCount: number;
  readonly region: string;
  readonly seed: number;
  /** moto's version at record time: another version may consume its random source differently. */
  readonly motoVersion: string;
  readonly recordedAt: string;
  readonly source: AwsStateSource;
  readonly workspaces: readonly AwsStateWorkspace[];
  /**
   * The HTTP status of every request when the recording was replayed into a fresh emulator right
   * after it was made. A restore must see exactly these (tofu's reads of absent things are 404s
   * on both sides; anything else that differs means the replay went elsewhere).
   */
  readonly statuses: readonly number[];
}

function isManifest(value: unknown): value is AwsStateManifest {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return (
    m.format === 1 &&
    typeof m.recording === 'string' &&
    typeof m.recordingSha256 === 'string' &&
    typeof m.seed === 'number' &&
    typeof m.region === 'string' &&
    Array.isArray(m.workspaces) &&
    Array.isArray(m.statuses) &&
    m.statuses.every((s) => typeof s === 'number')
  );
}

export async function readAwsStateManifest(file: string): Promise<AwsStateManifest> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new AwsStateRecordingError(
      file,
      `the manifest cannot be read (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (!isManifest(parsed)) {
    throw new AwsStateRecordingError(file, 'the manifest is not an AWS state manifest (format 1)');
  }
  return parsed;
}

/** What the sandbox has to restore the AWS side from. */
export interface AwsStateSummary {
  readonly dir: string;
  readonly recordingFile: string;
  /** True when a recording and its manifest exist and agree (the recording can be restored). */
  readonly available: boolean;
  readonly recordingExists: boolean;
  readonly manifestExists: boolean;
  /** Workspaces the recording covers, in apply order. */
  readonly workspaces: readonly string[];
  readonly requestCount: number | undefined;
  readonly region: string | undefined;
  readonly recordedAt: string | undefined;
  readonly motoVersion: string | undefined;
  readonly source: AwsStateSource | undefined;
  /**
   * For tofu-apply recordings, when `terraformRoot` was given: true when terraform/ changed since
   * the recording was made (it should be re-recorded), false when it did not.
   */
  readonly stale: boolean | undefined;
  /** Why it cannot be used, or what is off about it; empty when all is well. */
  readonly problems: readonly string[];
}

/**
 * Reports whether `dir` (default fixtures/aws-state under the caller's repo) holds a usable
 * recording, which workspaces it covers and whether it is older than terraform/.
 */
export async function describeAwsState(
  dir: string,
  options: { readonly terraformRoot?: string } = {},
): Promise<AwsStateSummary> {
  const manifestFile = join(dir, AWS_STATE_MANIFEST_FILE);
  const problems: string[] = [];
  let manifest: AwsStateManifest | undefined;
  const manifestExists = existsSync(manifestFile);
  if (manifestExists) {
    try {
      manifest = await readAwsStateManifest(manifestFile);
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  } else {
    problems.push(`no ${AWS_STATE_MANIFEST_FILE} in ${dir}`);
  }
  const recordingFile = join(dir, manifest?.recording ?? AWS_STATE_RECORDING_FILE);
  const recordingExists = existsSync(recordingFile);
  let requestCount: number | undefined;
  if (!recordingExists) {
    problems.push(`no recording ${recordingFile}`);
  } else {
    try {
      const recording = await readRecording(recordingFile);
      requestCount = recording.requests.length;
      if (manifest !== undefined && recording.sha256 !== manifest.recordingSha256) {
        problems.push(`${recordingFile} was changed after it was recorded (sha256 differs)`);
      }
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  // A stale recording can still be restored: staleness is reported, it does not disable it.
  const available = manifest !== undefined && requestCount !== undefined && problems.length === 0;
  let stale: boolean | undefined;
  const recordedHash = manifest?.source.terraformSourceHash;
  if (options.terraformRoot !== undefined && recordedHash !== undefined) {
    stale = hashTerraformSources(options.terraformRoot).sha256 !== recordedHash;
    if (stale) problems.push('terraform/ changed since the recording was made: re-record it');
  }
  return {
    dir,
    recordingFile,
    available,
    recordingExists,
    manifestExists,
    workspaces: manifest?.workspaces.map((w) => w.name) ?? [],
    requestCount,
    region: manifest?.region,
    recordedAt: manifest?.recordedAt,
    motoVersion: manifest?.motoVersion,
    source: manifest?.source,
    stale,
    problems,
  };
}
