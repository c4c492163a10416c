import { describe, expect, it } from 'vitest';
import { replaceMarkedSection } from './marked-section.ts';

const DOC = 'intro\n<!-- bench:x:start -->\nold figures\n<!-- bench:x:end -->\noutro\n';

describe('replaceMarkedSection', () => {
  it('replaces only what stands between the markers, and a second run gives the same text', () => {
    const once = replaceMarkedSection(DOC, 'bench:x', '| new | 1 s |');
    expect(once).toBe(
      'intro\n<!-- bench:x:start -->\n| new | 1 s |\n<!-- bench:x:end -->\noutro\n',
    );
    expect(replaceMarkedSection(once, 'bench:x', '| new | 1 s |\n')).toBe(once);
  });

  it('refuses a document without the markers, or with them reversed (negative twin)', () => {
    expect(() => replaceMarkedSection(DOC, 'bench:y', 'x')).toThrow(/no <!-- bench:y:start -->/);
    const reversed = '<!-- bench:x:end -->\n<!-- bench:x:start -->\n';
    expect(() => replaceMarkedSection(reversed, 'bench:x', 'x')).toThrow(/markers/);
  });
});
