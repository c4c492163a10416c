/**
 * A streaming scanner for one JSON object that hands over only the top-level members a caller
 * asks for. Terraform plans over 100 MB are mostly `prior_state` and `planned_values`; the gate
 * needs `resource_changes` and `configuration`, so everything else is scanned byte by byte (to
 * prove the document is complete and well nested) and dropped without ever becoming a string.
 * `resource_changes` is handed over one element at a time, so its text is never held whole.
 */

/** What to do with the value of a top-level member. */
export type MemberMode = 'skip' | 'value' | 'elements';

export interface TopLevelHandlers {
  modeFor(key: string): MemberMode;
  /** The complete JSON text of a member read in 'value' mode. */
  onValue(key: string, json: string): void;
  /** The JSON text of one element of an array member read in 'elements' mode. */
  onElement(key: string, json: string, index: number): void;
}

export class JsonScanError extends Error {
  readonly code: 'INVALID_JSON' | 'TRUNCATED_JSON' | 'NOT_AN_OBJECT';
  readonly byteOffset: number;

  constructor(code: JsonScanError['code'], byteOffset: number, message: string) {
    super(message);
    this.name = 'JsonScanError';
    this.code = code;
    this.byteOffset = byteOffset;
  }
}

const BEFORE_ROOT = 0;
const KEY_OR_END = 1;
const KEY = 2;
const IN_KEY = 3;
const COLON = 4;
const VALUE = 5;
const IN_VALUE = 6;
const COMMA_OR_END = 7;
const DONE = 8;

const CONTAINER = 0;
const STRING = 1;
const SCALAR = 2;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON_CHAR = 0x3a;

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function describe(c: number): string {
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16)}`;
}

export class JsonTopLevelScanner {
  readonly #handlers: TopLevelHandlers;
  #state = BEFORE_ROOT;
  /** Bytes consumed by earlier chunks: error offsets are absolute. */
  #offset = 0;
  #sawContent = false;

  #key = '';
  #mode: MemberMode = 'skip';
  #valueKind = CONTAINER;
  /** Open brackets of the current value, as their closing byte. */
  #stack: number[] = [];
  #inString = false;
  #escape = false;

  /** Bytes of the member value (or array element) being captured, across chunks. */
  #parts: Buffer[] = [];
  #capturing = false;
  #elementIndex = 0;

  constructor(handlers: TopLevelHandlers) {
    this.#handlers = handlers;
  }

  write(chunk: Buffer): void {
    const n = chunk.length;
    let i = 0;
    let captureFrom = this.#capturing ? 0 : -1;
    // Position of the next backslash in this chunk (n when none): strings are skipped with
    // indexOf, and only a backslash before the closing quote needs a closer look.
    let nextBackslash = -1;

    const fail = (code: JsonScanError['code'], at: number, message: string): never => {
      throw new JsonScanError(code, this.#offset + at, `${message} at byte ${this.#offset + at}`);
    };
    const startCapture = (at: number): void => {
      this.#capturing = true;
      this.#parts = [];
      captureFrom = at;
    };
    const endCapture = (endExclusive: number): string => {
      this.#parts.push(chunk.subarray(captureFrom, endExclusive));
      const text =
        this.#parts.length === 1
          ? (this.#parts[0] as Buffer).toString('utf8')
          : Buffer.concat(this.#parts).toString('utf8');
      this.#parts = [];
      this.#capturing = false;
      captureFrom = -1;
      return text;
    };
    const endValue = (endExclusive: number): void => {
      if (this.#mode === 'value') this.#handlers.onValue(this.#key, endCapture(endExclusive));
      this.#state = COMMA_OR_END;
    };

    while (i < n) {
      const state = this.#state;
      if (state === IN_VALUE) {
        // Hot loop: most of a large plan is skipped here.
        if (this.#inString) {
          if (this.#escape) {
            this.#escape = false;
            i++;
            continue;
          }
          if (nextBackslash < i) {
            nextBackslash = chunk.indexOf(BACKSLASH, i);
            if (nextBackslash === -1) nextBackslash = n;
          }
          const quote = chunk.indexOf(QUOTE, i);
          const end = quote === -1 ? n : quote;
          if (nextBackslash < end) {
            i = nextBackslash + 1;
            if (i < n) i++;
            else this.#escape = true;
            continue;
          }
          if (quote === -1) {
            i = n;
            continue;
          }
          this.#inString = false;
          i = quote + 1;
          if (this.#valueKind === STRING) endValue(i);
          continue;
        }
        if (this.#valueKind === SCALAR) {
          const c = chunk[i] as number;
          if (c === COMMA || c === CLOSE_BRACE || isWhitespace(c)) {
            endValue(i);
            continue;
          }
          if (c === QUOTE || c === OPEN_BRACE || c === OPEN_BRACKET || c === CLOSE_BRACKET) {
            fail('INVALID_JSON', i, `unexpected ${describe(c)} in a value`);
          }
          i++;
          continue;
        }
        const stack = this.#stack;
        const elements = this.#mode === 'elements';
        while (i < n) {
          const c = chunk[i] as number;
          if (c === QUOTE) {
            this.#inString = true;
            i++;
            break;
          }
          if (c === OPEN_BRACE || c === OPEN_BRACKET) {
            if (elements && stack.length === 1) startCapture(i);
            stack.push(c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET);
            i++;
          } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
            if (stack.pop() !== c) fail('INVALID_JSON', i, `unexpected ${describe(c)}`);
            i++;
            if (stack.length === 0) {
              endValue(i);
              break;
            }
            if (elements && stack.length === 1) {
              this.#handlers.onElement(this.#key, endCapture(i), this.#elementIndex++);
            }
          } else {
            if (elements && stack.length === 1 && c !== COMMA && !isWhitespace(c)) {
              fail('INVALID_JSON', i, `expected only objects in "${this.#key}"`);
            }
            i++;
          }
        }
        continue;
      }

      const c = chunk[i] as number;
      if (isWhitespace(c)) {
        i++;
        continue;
      }
      this.#sawContent = true;
      switch (state) {
        case BEFORE_ROOT:
          if (c !== OPEN_BRACE) fail('NOT_AN_OBJECT', i, 'the document is not a JSON object');
          this.#state = KEY_OR_END;
          i++;
          break;
        case KEY_OR_END:
        case KEY:
          if (c === CLOSE_BRACE && state === KEY_OR_END) {
            this.#state = DONE;
          } else if (c === QUOTE) {
            this.#state = IN_KEY;
            startCapture(i);
          } else {
            fail('INVALID_JSON', i, `expected a member name, found ${describe(c)}`);
          }
          i++;
          break;
        case IN_KEY: {
          // Keys are short: a plain loop is fine.
          let j = i;
          while (j < n) {
            const k = chunk[j] as number;
            if (this.#escape) this.#escape = false;
            else if (k === BACKSLASH) this.#escape = true;
            else if (k === QUOTE) break;
            j++;
          }
          if (j === n) {
            i = n;
            break;
          }
          this.#key = JSON.parse(endCapture(j + 1)) as string;
          this.#state = COLON;
          i = j + 1;
          break;
        }
        case COLON:
          if (c !== COLON_CHAR) fail('INVALID_JSON', i, `expected ':', found ${describe(c)}`);
          this.#state = VALUE;
          i++;
          break;
        case VALUE: {
          this.#mode = this.#handlers.modeFor(this.#key);
          if (this.#mode === 'elements' && c !== OPEN_BRACKET) {
            fail('INVALID_JSON', i, `"${this.#key}" must be an array`);
          }
          if (this.#mode === 'value') startCapture(i);
          this.#elementIndex = 0;
          this.#state = IN_VALUE;
          if (c === OPEN_BRACE || c === OPEN_BRACKET) {
            this.#valueKind = CONTAINER;
            this.#stack = [c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET];
          } else if (c === QUOTE) {
            this.#valueKind = STRING;
            this.#inString = true;
          } else if (
            c === 0x2d ||
            (c >= 0x30 && c <= 0x39) ||
            c === 0x74 ||
            c === 0x66 ||
            c === 0x6e
          ) {
            this.#valueKind = SCALAR;
          } else {
            fail('INVALID_JSON', i, `expected a value, found ${describe(c)}`);
          }
          i++;
          break;
        }
        case COMMA_OR_END:
          if (c === COMMA) this.#state = KEY;
          else if (c === CLOSE_BRACE) this.#state = DONE;
          else fail('INVALID_JSON', i, `expected ',' or '}', found ${describe(c)}`);
          i++;
          break;
        case DONE:
          fail('INVALID_JSON', i, 'unexpected data after the end of the JSON document');
          break;
      }
    }
    if (this.#capturing && captureFrom >= 0) this.#parts.push(chunk.subarray(captureFrom));
    this.#offset += n;
  }

  /** Call after the last chunk: throws when the document ended early. */
  end(): void {
    if (this.#state === DONE) return;
    throw new JsonScanError(
      this.#sawContent ? 'TRUNCATED_JSON' : 'INVALID_JSON',
      this.#offset,
      this.#sawContent
        ? `the JSON document ends early after ${this.#offset} bytes (truncated file?)`
        : 'the file holds only whitespace, not a JSON document',
    );
  }
}
