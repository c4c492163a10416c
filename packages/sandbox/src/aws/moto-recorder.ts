// Thin client for moto's own control API (moto 5.2.1, moto/moto_api/_internal/urls.py):
// /moto-api/reset, /moto-api/seed and the recorder under /moto-api/recorder/. The recorder appends
// every request moto receives (except its own /moto-api/recorder/ calls) as one JSON line
// {headers, method, url, body, body_encoded} to MOTO_RECORDER_FILEPATH while recording is on.

async function motoApi(
  endpoint: string,
  path: string,
  init: { method: 'GET' | 'POST'; body?: string },
): Promise<string> {
  const response = await fetch(`${endpoint}/moto-api/${path}`, {
    ...init,
    signal: AbortSignal.timeout(120_000),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`moto ${init.method} /moto-api/${path} answered ${response.status}: ${text}`);
  }
  return text;
}

/** Drops every resource in every region and account: the next request sees a fresh account. */
export async function resetMoto(endpoint: string): Promise<void> {
  await motoApi(endpoint, 'reset', { method: 'POST' });
}

/**
 * Seeds moto's random source. Resource ids (vpc-…, subnet-…, acl-…) come from it, so the same seed
 * followed by the same requests yields the same ids — which is what makes a replay reproduce the
 * references between resources. While recording, the seed request itself is recorded.
 */
export async function seedMoto(endpoint: string, seed: number): Promise<void> {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`bad moto seed ${seed}`);
  await motoApi(endpoint, `seed?a=${seed}`, { method: 'POST' });
}

/** Empties the recorder's log. */
export async function resetRecording(endpoint: string): Promise<void> {
  await motoApi(endpoint, 'recorder/reset-recording', { method: 'POST' });
}

export async function startRecording(endpoint: string): Promise<void> {
  await motoApi(endpoint, 'recorder/start-recording', { method: 'POST' });
}

export async function stopRecording(endpoint: string): Promise<void> {
  await motoApi(endpoint, 'recorder/stop-recording', { method: 'POST' });
}

/** The recorder's log as JSON lines. */
export async function downloadRecording(endpoint: string): Promise<string> {
  return motoApi(endpoint, 'recorder/download-recording', { method: 'GET' });
}

/** Replaces the recorder's log (moto does not replay it by itself). */
export async function uploadRecording(endpoint: string, jsonLines: string): Promise<void> {
  await motoApi(endpoint, 'recorder/upload-recording', { method: 'POST', body: jsonLines });
}
