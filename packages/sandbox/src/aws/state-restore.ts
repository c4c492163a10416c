import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AwsEndpoint } from '@stackproof/toolchain';
import { AwsStateRecordingError, AwsStateRestoreError } from './errors.ts';
import { resetMoto, stopRecording, uploadRecording } from './moto-recorder.ts';
import { describeRecordedRequest, readRecording, replayRecordedRequests } from './recording.ts';
import {
  AWS_STATE_MANIFEST_FILE,
  type AwsStateManifest,
  type AwsStateWorkspace,
  readAwsStateManifest,
} from './state-manifest.ts';

export interface RestoreAwsStateOptions {
  /** Default: manifest.json beside the recording, when it exists. */
  readonly manifestFile?: string;
  /**
   * Reset moto first (default true). The ids only come out the same in an account that has seen
   * nothing since its reset; turn this off only for an emulator that has just been started.
   */
  readonly reset?: boolean;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface RestoredAwsState {
  readonly requestCount: number;
  /** Workspaces (with their outputs) the manifest lists; empty without a manifest. */
  readonly workspaces: readonly AwsStateWorkspace[];
  readonly manifest: AwsStateManifest | undefined;
  /**
   * `statuses`: every request got the status it got when the recording was verified (manifest
   * present). `no-server-errors`: no manifest, so only moto failures (5xx) could be detected.
   */
  readonly verifiedBy: 'statuses' | 'no-server-errors';
  /** Requests answered with 4xx (tofu's reads of things that do not exist yet are expected). */
  readonly clientErrors: number;
  readonly durationMs: number;
}

/**
 * Restores a recorded account into the emulator at `target`: checks the recording (and its
 * manifest), resets moto, uploads the recording into moto's recorder (so the emulator's own
 * recording holds the account's history and a later recording session appends to it) and replays
 * it request by request, comparing each status with the one recorded in the manifest.
 *
 * Throws AwsStateRecordingError for a missing, corrupt or edited recording and
 * AwsStateRestoreError when the replay diverges.
 */
export async function restoreAwsState(
  target: string | AwsEndpoint,
  recordingFile: string,
  options: RestoreAwsStateOptions = {},
): Promise<RestoredAwsState> {
  const endpoint = typeof target === 'string' ? target : target.endpoint;
  const started = Date.now();
  const recording = await readRecording(recordingFile);
  const manifestFile =
    options.manifestFile ?? join(dirname(recordingFile), AWS_STATE_MANIFEST_FILE);
  let manifest: AwsStateManifest | undefined;
  if (options.manifestFile !== undefined || existsSync(manifestFile)) {
    manifest = await readAwsStateManifest(manifestFile);
    if (manifest.recordingSha256 !== recording.sha256) {
      throw new AwsStateRecordingError(
        recordingFile,
        `it does not match ${manifestFile} (sha256 differs): it was edited or belongs to another manifest`,
      );
    }
    if (manifest.statuses.length !== recording.requests.length) {
      throw new AwsStateRecordingError(
        manifestFile,
        `it lists ${manifest.statuses.length} statuses for ${recording.requests.length} requests`,
      );
    }
  }
  if (typeof target !== 'string' && manifest !== undefined && manifest.region !== target.region) {
    // Not fatal for moto (requests carry their region), but the endpoint handed to users would
    // point them at an empty region.
    throw new AwsStateRestoreError(
      endpoint,
      `the recording is of region ${manifest.region}, the emulator is handed out for ${target.region}`,
    );
  }

  try {
    // A recorder left on would append the replay to the history it is restoring.
    await stopRecording(endpoint);
    if (options.reset ?? true) await resetMoto(endpoint);
    await uploadRecording(endpoint, recording.text);
  } catch (error) {
    throw new AwsStateRestoreError(
      endpoint,
      error instanceof Error ? error.message : String(error),
    );
  }
  let statuses: number[];
  try {
    statuses = await replayRecordedRequests(endpoint, recording.requests, options.onProgress);
  } catch (error) {
    throw new AwsStateRestoreError(
      endpoint,
      error instanceof Error ? error.message : String(error),
    );
  }
  for (const [i, status] of statuses.entries()) {
    const expected = manifest?.statuses[i];
    const diverged = expected === undefined ? status >= 500 : status !== expected;
    if (diverged) {
      const entry = recording.requests[i];
      const what = entry === undefined ? '' : ` (${describeRecordedRequest(entry)})`;
      throw new AwsStateRestoreError(
        endpoint,
        `request ${i + 1} of ${statuses.length}${what} answered ${status}` +
          (expected === undefined ? '' : `, expected ${expected} as when the recording was made`) +
          '; a replay reproduces the recorded ids only in a freshly reset moto' +
          (manifest === undefined
            ? ''
            : ` of the version that recorded it (${manifest.motoVersion}); with another moto, re-record it`),
      );
    }
  }
  return {
    requestCount: recording.requests.length,
    workspaces: manifest?.workspaces ?? [],
    manifest,
    verifiedBy: manifest === undefined ? 'no-server-errors' : 'statuses',
    clientErrors: statuses.filter((s) => s >= 400 && s < 500).length,
    durationMs: Date.now() - started,
  };
}
