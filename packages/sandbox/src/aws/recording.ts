import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { AwsStateRecordingError } from './errors.ts';

/** One request as moto's recorder wrote it (moto/moto_api/_internal/recorder/models.py). */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The body as recorded: base64 when `bodyEncoded`, text otherwise. */
  readonly body: string;
  readonly bodyEncoded: boolean;
}

export interface ParsedRecording {
  readonly requests: readonly RecordedRequest[];
  /** The seed of the leading POST /moto-api/seed request. */
  readonly seed: number;
  readonly sha256: string;
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}

function parseLine(line: string, lineNo: number, file: string): RecordedRequest {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch (error) {
    throw new AwsStateRecordingError(
      file,
      `line ${lineNo} is not JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new AwsStateRecordingError(file, `line ${lineNo} is not a JSON object`);
  }
  const {
    method,
    url,
    headers,
    body,
    body_encoded: bodyEncoded,
  } = entry as Record<string, unknown>;
  if (typeof method !== 'string' || method === '') {
    throw new AwsStateRecordingError(file, `line ${lineNo} has no "method"`);
  }
  if (typeof url !== 'string' || !URL.canParse(url)) {
    throw new AwsStateRecordingError(file, `line ${lineNo} has no valid "url"`);
  }
  if (!isStringRecord(headers)) {
    throw new AwsStateRecordingError(file, `line ${lineNo} has no "headers" object of strings`);
  }
  if (body !== undefined && body !== null && typeof body !== 'string') {
    throw new AwsStateRecordingError(file, `line ${lineNo} has a "body" that is not a string`);
  }
  return {
    method,
    url,
    headers,
    body: body ?? '',
    bodyEncoded: bodyEncoded === true,
  };
}

/**
 * Parses and checks a recording. It must start with POST /moto-api/seed: without the seed, moto
 * would hand out other ids on replay and every request that names an earlier resource
 * (CreateSubnet's VpcId, …) would fail.
 */
export function parseRecording(text: string, file: string): ParsedRecording {
  const lines = text.split('\n');
  const requests: RecordedRequest[] = [];
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    requests.push(parseLine(line, i + 1, file));
  }
  const first = requests[0];
  if (first === undefined) throw new AwsStateRecordingError(file, 'it holds no requests');
  const firstUrl = new URL(first.url);
  const seed = Number(firstUrl.searchParams.get('a'));
  if (
    first.method !== 'POST' ||
    firstUrl.pathname !== '/moto-api/seed' ||
    !Number.isSafeInteger(seed)
  ) {
    throw new AwsStateRecordingError(
      file,
      `its first request is ${first.method} ${firstUrl.pathname}, not POST /moto-api/seed?a=<n>; ` +
        'without the seed moto assigns other ids on replay, so it cannot be replayed faithfully',
    );
  }
  return { requests, seed, sha256: createHash('sha256').update(text).digest('hex') };
}

/** Reads and parses a recording file; a missing file is an AwsStateRecordingError too. */
export async function readRecording(file: string): Promise<ParsedRecording & { text: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AwsStateRecordingError(
      file,
      code === 'ENOENT'
        ? 'the file does not exist'
        : `it cannot be read (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  return { ...parseRecording(text, file), text };
}

/** What a replayed request was, for messages: "POST ec2 CreateVpc" or "GET /moto-api/…". */
export function describeRecordedRequest(entry: RecordedRequest): string {
  const url = new URL(entry.url);
  const scope = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(entry.headers.Authorization ?? '');
  const body = entry.bodyEncoded
    ? Buffer.from(entry.body, 'base64').toString('latin1')
    : entry.body;
  const action =
    url.searchParams.get('Action') ??
    /(?:^|&)Action=([^&]+)/.exec(body)?.[1] ??
    entry.headers['X-Amz-Target'] ??
    url.pathname;
  return `${entry.method} ${scope?.[1] ?? url.host} ${action}`;
}

function sendOne(target: URL, entry: RecordedRequest): Promise<number> {
  const original = new URL(entry.url);
  const body = entry.bodyEncoded ? Buffer.from(entry.body, 'base64') : Buffer.from(entry.body);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(entry.headers)) {
    const lower = name.toLowerCase();
    // As moto's replay does, drop chunked framing (the body is whole now); also 'Expect:
    // 100-continue', which would make node wait for an interim response before sending the body.
    if (lower === 'transfer-encoding' || lower === 'expect' || lower === 'content-length') continue;
    headers[name] = value;
  }
  headers['Content-Length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method: entry.method,
        path: `${original.pathname}${original.search}`,
        headers,
        timeout: 120_000,
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
        res.once('error', reject);
      },
    );
    req.once('timeout', () => req.destroy(new Error('no answer within 120 s')));
    req.once('error', reject);
    req.end(body);
  });
}

/**
 * Sends the recorded requests, in order, to `endpoint` and returns the HTTP status of each. This
 * is moto's own replay (Recorder.replay_recording: same method, path, query, headers and body,
 * sent to the new host) done from here, because moto's replay discards the responses: a request
 * that fails on replay would go unnoticed and leave a partial account.
 */
export async function replayRecordedRequests(
  endpoint: string,
  requests: readonly RecordedRequest[],
  onProgress?: (done: number, total: number) => void,
): Promise<number[]> {
  const target = new URL(endpoint);
  const statuses: number[] = [];
  for (const [i, entry] of requests.entries()) {
    try {
      statuses.push(await sendOne(target, entry));
    } catch (error) {
      throw new Error(
        `request ${i + 1} (${describeRecordedRequest(entry)}) got no answer from ${endpoint}: ` +
          `${error instanceof Error ? error.message : String(error)}`,
      );
    }
    onProgress?.(i + 1, requests.length);
  }
  return statuses;
}
