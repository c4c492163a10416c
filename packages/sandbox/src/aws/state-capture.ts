import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type AwsEndpoint, runTool, startMotoServer } from '@stackproof/toolchain';
import { AwsStateRecordError } from './errors.ts';
import {
  downloadRecording,
  resetMoto,
  resetRecording,
  seedMoto,
  startRecording,
  stopRecording,
} from './moto-recorder.ts';
import { describeRecordedRequest, parseRecording, replayRecordedRequests } from './recording.ts';
import {
  AWS_STATE_MANIFEST_FILE,
  AWS_STATE_RECORDING_FILE,
  type AwsStateManifest,
  type AwsStateSource,
  type AwsStateWorkspace,
} from './state-manifest.ts';

/** The seed recordings use unless told otherwise; any fixed value does. */
export const DEFAULT_AWS_STATE_SEED = 20_260_601;

/**
 * Turns the emulator into a fresh, recording account: resets moto, empties the recorder, starts
 * recording and seeds moto's random source — the seed request is the recording's first line, so a
 * replay reseeds before it recreates anything and gets the same ids.
 */
export async function beginAwsStateRecording(
  endpoint: string,
  seed: number = DEFAULT_AWS_STATE_SEED,
): Promise<void> {
  await stopRecording(endpoint);
  // Backends are created lazily on first use and consume random ids (the default VPC), so the
  // reset must come before the seed on both sides of a record/replay.
  await resetMoto(endpoint);
  await resetRecording(endpoint);
  await startRecording(endpoint);
  await seedMoto(endpoint, seed);
}

/** How many requests the recorder holds so far (to mark where a workspace's apply begins). */
export async function recordedRequestCount(endpoint: string): Promise<number> {
  const text = await downloadRecording(endpoint);
  return text.split('\n').filter((line) => line.trim() !== '').length;
}

/** moto's version as the Python that has it reports it; `unknown` when that cannot be asked. */
export async function detectMotoVersion(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  try {
    const r = await runTool('python3', ['-c', 'import moto; print(moto.__version__)'], {
      env,
      timeoutMs: 60_000,
    });
    return r.exitCode === 0 ? r.stdout.trim() : 'unknown';
  } catch {
    return 'unknown';
  }
}

export interface FinishAwsStateRecordingOptions {
  /** Where recording.jsonl and manifest.json are written (fixtures/aws-state for the stack). */
  readonly outDir: string;
  readonly region: string;
  readonly source: AwsStateSource;
  readonly workspaces: readonly AwsStateWorkspace[];
  /** Directory for the log of the emulator the recording is verified against. */
  readonly logDir: string;
  /**
   * Extra check once the recording has been replayed into a fresh emulator, with both emulators
   * still up (recordAwsState compares `tofu plan` against each). Throwing rejects the recording.
   */
  readonly verify?: (original: AwsEndpoint, replayed: AwsEndpoint) => Promise<void>;
  readonly motoVersion?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Stops recording, replays the recording into a fresh emulator to prove it replays (and to learn
 * the status each request gets there), then writes recording.jsonl and manifest.json to outDir.
 * Nothing is written when the recording does not replay cleanly.
 */
export async function finishAwsStateRecording(
  emulator: AwsEndpoint,
  options: FinishAwsStateRecordingOptions,
): Promise<AwsStateManifest> {
  await stopRecording(emulator.endpoint);
  const text = await downloadRecording(emulator.endpoint);
  const recording = parseRecording(text, `the recording downloaded from ${emulator.endpoint}`);

  await mkdir(options.logDir, { recursive: true });
  const fresh = await startMotoServer({
    logFile: join(options.logDir, 'moto-verify.log'),
    region: emulator.region,
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  let statuses: number[];
  try {
    statuses = await replayRecordedRequests(fresh.endpoint, recording.requests);
    const broken = statuses.findIndex((status) => status >= 500);
    const brokenRequest = recording.requests[broken];
    if (brokenRequest !== undefined) {
      throw new AwsStateRecordError(
        'replay-diverged',
        `request ${broken + 1} (${describeRecordedRequest(brokenRequest)}) fails with ` +
          `${statuses[broken]} when the recording is replayed into a fresh moto ` +
          `(log: ${fresh.process.logFile})`,
      );
    }
    await options.verify?.(emulator, fresh);
  } finally {
    await fresh.stop();
  }

  const manifest: AwsStateManifest = {
    format: 1,
    recording: AWS_STATE_RECORDING_FILE,
    recordingSha256: recording.sha256,
    requestCount: recording.requests.length,
    region: emulator.region,
    seed: recording.seed,
    motoVersion: options.motoVersion ?? (await detectMotoVersion(options.env)),
    recordedAt: new Date().toISOString(),
    source: options.source,
    workspaces: options.workspaces,
    statuses,
  };
  await mkdir(options.outDir, { recursive: true });
  // Written beside the targets and renamed, so a crash never leaves a recording that does not
  // match its manifest; the manifest goes last because describeAwsState keys off it.
  const recordingFile = join(options.outDir, AWS_STATE_RECORDING_FILE);
  const manifestFile = join(options.outDir, AWS_STATE_MANIFEST_FILE);
  await writeFile(`${recordingFile}.tmp`, text);
  await writeFile(`${manifestFile}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(`${recordingFile}.tmp`, recordingFile);
  await rename(`${manifestFile}.tmp`, manifestFile);
  return manifest;
}
