/**
 * Plans and manifests reach the gate in the encoding of whatever wrote them: `terraform show
 * -json plan.out > plan.json` in Windows PowerShell 5 writes UTF-16 LE with a byte-order mark,
 * PowerShell 7 and editors write UTF-8 with or without one. The gate reads all of these and hands
 * its parsers UTF-8 without a BOM.
 */
export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be';

export type SniffedEncoding =
  | { readonly encoding: TextEncodingName; readonly bomBytes: number }
  | { readonly unsupported: string };

/**
 * The encoding of a text from its first bytes: a byte-order mark when there is one, else the
 * pattern of zero bytes around the first ASCII character (RFC 4627 section 3: a JSON text starts
 * with an ASCII character, so UTF-16 shows a zero byte beside it and UTF-32 three).
 */
export function sniffEncoding(head: Uint8Array): SniffedEncoding {
  const [b0, b1, b2, b3] = head;
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return { encoding: 'utf-8', bomBytes: 3 };
  if (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) {
    return { unsupported: 'UTF-32 LE (byte-order mark FF FE 00 00)' };
  }
  if (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff) {
    return { unsupported: 'UTF-32 BE (byte-order mark 00 00 FE FF)' };
  }
  if (b0 === 0xff && b1 === 0xfe) return { encoding: 'utf-16le', bomBytes: 2 };
  if (b0 === 0xfe && b1 === 0xff) return { encoding: 'utf-16be', bomBytes: 2 };
  if (head.length >= 4 && b0 !== 0 && b1 === 0 && b2 === 0 && b3 === 0) {
    return { unsupported: 'UTF-32 LE without a byte-order mark' };
  }
  if (head.length >= 4 && b0 === 0 && b1 === 0 && b2 === 0 && b3 !== 0) {
    return { unsupported: 'UTF-32 BE without a byte-order mark' };
  }
  if (head.length >= 2 && b0 !== 0 && b1 === 0) return { encoding: 'utf-16le', bomBytes: 0 };
  if (head.length >= 2 && b0 === 0 && b1 !== 0) return { encoding: 'utf-16be', bomBytes: 0 };
  return { encoding: 'utf-8', bomBytes: 0 };
}

/** Text that is not valid in the encoding its first bytes announce. */
export class TextDecodingError extends Error {
  constructor(encoding: TextEncodingName) {
    super(`the file starts like ${encoding.toUpperCase()} but is not valid ${encoding}`);
    this.name = 'TextDecodingError';
  }
}

/**
 * Turns chunks of a text in `encoding` into chunks of UTF-8, across chunk boundaries (a UTF-16
 * code unit or surrogate pair may be split between two reads). UTF-8 passes through untouched.
 */
export function utf8Transcoder(
  encoding: TextEncodingName,
): (chunk: Uint8Array, last: boolean) => Buffer {
  if (encoding === 'utf-8') return (chunk) => Buffer.from(chunk);
  const decoder = new TextDecoder(encoding, { fatal: true });
  return (chunk, last) => {
    try {
      return Buffer.from(decoder.decode(chunk, { stream: !last }), 'utf8');
    } catch {
      throw new TextDecodingError(encoding);
    }
  };
}

/** A whole file's bytes as a string (for YAML manifests, which are read whole). */
export function decodeText(bytes: Uint8Array): string {
  const sniffed = sniffEncoding(bytes.subarray(0, 4));
  if ('unsupported' in sniffed) throw new UnsupportedEncodingError(sniffed.unsupported);
  const body = bytes.subarray(sniffed.bomBytes);
  if (sniffed.encoding === 'utf-8') return Buffer.from(body).toString('utf8');
  try {
    return new TextDecoder(sniffed.encoding, { fatal: true }).decode(body);
  } catch {
    throw new TextDecodingError(sniffed.encoding);
  }
}

/** An encoding the gate does not read (UTF-32). */
export class UnsupportedEncodingError extends Error {
  readonly encoding: string;
  constructor(encoding: string) {
    super(`the file is ${encoding}`);
    this.name = 'UnsupportedEncodingError';
    this.encoding = encoding;
  }
}
