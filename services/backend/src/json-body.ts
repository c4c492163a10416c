import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.ts';

/**
 * Reads a JSON request body with the checks a public API needs, each with its own status:
 * 415 when the content type is not JSON, 413 when the body is larger than `limitBytes` (decided
 * from Content-Length when present, otherwise while streaming, so a huge body is never buffered),
 * 400 when the bytes are not valid UTF-8 JSON.
 */
export async function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(type)) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      `expected Content-Type: application/json, got ${type === '' ? 'none' : type}`,
    );
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    throw new HttpError(
      413,
      'payload_too_large',
      `request body is ${declared} bytes; the limit is ${limitBytes}`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) {
      throw new HttpError(
        413,
        'payload_too_large',
        `request body exceeds the limit of ${limitBytes} bytes`,
      );
    }
    chunks.push(chunk);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new HttpError(400, 'invalid_json', 'request body is not valid UTF-8');
  }
  if (text.trim() === '')
    throw new HttpError(400, 'invalid_json', 'request body is empty; expected a JSON object');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(
      400,
      'invalid_json',
      `request body is not valid JSON: ${(error as Error).message}`,
    );
  }
}
