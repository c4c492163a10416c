import { describe, expect, it } from 'vitest';
import { JsonScanError, JsonTopLevelScanner, type MemberMode } from './json-top-level-scanner.ts';

const DOC = JSON.stringify({
  format_version: '1.2',
  skipped: { a: ['x', { '}': '"\\', b: [1, 2.5e3, null, true] }], 'quote"key': 'v\\"}' },
  resource_changes: [
    { address: 'a.b', v: '[{' },
    { address: 'c.d["x.y"]', nested: [[{}]] },
  ],
  configuration: { root_module: { resources: [] } },
  tail: -1.5,
  emptyString: '',
});

function scan(text: string, chunkSize: number, modes: Record<string, MemberMode>) {
  const values: Record<string, unknown> = {};
  const elements: unknown[] = [];
  const scanner = new JsonTopLevelScanner({
    modeFor: (key) => modes[key] ?? 'skip',
    onValue: (key, json) => {
      values[key] = JSON.parse(json);
    },
    onElement: (_key, json) => elements.push(JSON.parse(json)),
  });
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += chunkSize) scanner.write(bytes.subarray(i, i + chunkSize));
  scanner.end();
  return { values, elements };
}

const MODES: Record<string, MemberMode> = {
  format_version: 'value',
  configuration: 'value',
  tail: 'value',
  emptyString: 'value',
  resource_changes: 'elements',
};

describe('JsonTopLevelScanner', () => {
  it('hands over exactly the requested members, whatever the chunk boundaries', () => {
    const expected = JSON.parse(DOC) as Record<string, unknown>;
    for (const chunkSize of [1, 2, 3, 7, 64, DOC.length]) {
      const { values, elements } = scan(DOC, chunkSize, MODES);
      expect(values).toEqual({
        format_version: '1.2',
        configuration: expected.configuration,
        tail: -1.5,
        emptyString: '',
      });
      expect(elements).toEqual(expected.resource_changes);
    }
  });

  it('never hands over skipped members', () => {
    const { values } = scan(DOC, 5, { ...MODES, skipped: 'skip' });
    expect(values).not.toHaveProperty('skipped');
  });

  it.each([
    ['truncated inside a skipped member', DOC.slice(0, 40), 'TRUNCATED_JSON'],
    ['truncated inside a string', DOC.slice(0, DOC.indexOf('v\\\\') + 2), 'TRUNCATED_JSON'],
    ['truncated before the closing brace', DOC.slice(0, -1), 'TRUNCATED_JSON'],
    ['mismatched brackets', '{"a":[1,2}}', 'INVALID_JSON'],
    ['data after the document', `${DOC} {}`, 'INVALID_JSON'],
    ['a missing colon', '{"a" 1}', 'INVALID_JSON'],
    ['a top-level array', '[1,2]', 'NOT_AN_OBJECT'],
    ['only whitespace', '   \n', 'INVALID_JSON'],
  ])('rejects %s', (_name, text, code) => {
    for (const chunkSize of [1, 1000]) {
      let caught: unknown;
      try {
        scan(text, chunkSize, MODES);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(JsonScanError);
      expect((caught as JsonScanError).code).toBe(code);
    }
  });

  it('accepts the smallest valid documents (negative twin of the rejections)', () => {
    expect(scan('{}', 1, MODES).values).toEqual({});
    expect(scan(' {"resource_changes":[]} ', 1, MODES).elements).toEqual([]);
  });
});
