/**
 * Just enough of bash to follow what a workflow's `run:` script does: words with quotes and
 * parameter expansion, `for … in …; do … done` (run once per value), `if`/`else`/`fi` (both
 * branches are followed; `[ -f PATH ]` conditions are remembered as guards), assignments,
 * redirections, and `&&`, `||`, `|`, `;` as plain separators. Whatever it cannot know (a command
 * substitution, a variable nobody set, an unknown expression) stays visibly unknown in the word,
 * so a checker can tell "this path is wrong" from "this path cannot be known".
 */

/** Marks a part of a word that cannot be known statically. */
export const UNKNOWN = '\u0000';

type Segment =
  | { readonly kind: 'lit'; readonly text: string }
  | {
      readonly kind: 'var';
      readonly name: string;
      readonly quoted: boolean;
      /** `${name//pattern/replacement}` (global) or `${name/pattern/replacement}`. */
      readonly replace?: {
        readonly pattern: string;
        readonly replacement: string;
        readonly all: boolean;
      };
      readonly fallback?: string;
    }
  | { readonly kind: 'unknown' };

type Token =
  | { readonly kind: 'word'; readonly segments: readonly Segment[] }
  | { readonly kind: 'sep' }
  | { readonly kind: 'redirect'; readonly op: '>' | '>>' | '<' };

/** A word after expansion; `resolved` is false when any part of it cannot be known. */
export interface Word {
  readonly text: string;
  readonly resolved: boolean;
}

export interface Redirect {
  readonly op: '>' | '>>' | '<';
  readonly target: Word;
}

/** A `[ -f PATH ]` condition the command runs under: the path exists (or does not). */
export interface Guard {
  readonly path: string;
  readonly present: boolean;
}

export interface SimpleCommand {
  readonly argv: readonly Word[];
  readonly redirects: readonly Redirect[];
  readonly guards: readonly Guard[];
}

function isNameStart(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z_]/.test(c);
}

function isNameChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_]/.test(c);
}

/** Reads `${...}` starting after `${`; returns the segment and the index after `}`. */
function braced(text: string, start: number, quoted: boolean): [Segment, number] {
  let depth = 1;
  let i = start;
  let body = '';
  while (i < text.length && depth > 0) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < text.length) {
      body += c + text[i + 1];
      i += 2;
      continue;
    }
    if (c === '{') depth++;
    if (c === '}') depth--;
    if (depth > 0) body += c;
    i++;
  }
  const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(body)?.[0];
  if (name === undefined) return [{ kind: 'unknown' }, i];
  const rest = body.slice(name.length);
  if (rest === '') return [{ kind: 'var', name, quoted }, i];
  if (rest.startsWith(':-')) return [{ kind: 'var', name, quoted, fallback: rest.slice(2) }, i];
  const replace = /^\/(\/?)((?:\\.|[^/])*)\/(.*)$/.exec(rest);
  if (replace !== null) {
    const unescaped = (s: string) => s.replace(/\\(.)/g, '$1');
    return [
      {
        kind: 'var',
        name,
        quoted,
        replace: {
          all: replace[1] === '/',
          pattern: unescaped(replace[2] as string),
          replacement: unescaped(replace[3] as string),
        },
      },
      i,
    ];
  }
  return [{ kind: 'unknown' }, i];
}

/** Skips a `$( … )` command substitution (nested parentheses and quotes included). */
function skipSubstitution(text: string, start: number): number {
  let depth = 1;
  let i = start;
  let quote: string | undefined;
  while (i < text.length && depth > 0) {
    const c = text[i];
    if (quote !== undefined) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    i++;
  }
  return i;
}

/** `$…` at `i` (pointing at `$`); returns the segment and the index after it. */
function dollar(text: string, i: number, quoted: boolean): [Segment, number] {
  const next = text[i + 1];
  if (next === '{') return braced(text, i + 2, quoted);
  if (next === '(') return [{ kind: 'unknown' }, skipSubstitution(text, i + 2)];
  if (isNameStart(next)) {
    let j = i + 1;
    while (isNameChar(text[j])) j++;
    return [{ kind: 'var', name: text.slice(i + 1, j), quoted }, j];
  }
  if (next !== undefined && /[?$@*#!0-9-]/.test(next)) return [{ kind: 'unknown' }, i + 2];
  return [{ kind: 'lit', text: '$' }, i + 1];
}

/** Splits a script into words, separators and redirections. */
export function tokenize(script: string): Token[] {
  const tokens: Token[] = [];
  let segments: Segment[] = [];
  let inWord = false;
  const lit = (text: string) => {
    inWord = true;
    const last = segments[segments.length - 1];
    if (last?.kind === 'lit')
      segments[segments.length - 1] = { kind: 'lit', text: last.text + text };
    else segments.push({ kind: 'lit', text });
  };
  const endWord = () => {
    if (inWord) tokens.push({ kind: 'word', segments });
    segments = [];
    inWord = false;
  };
  let i = 0;
  while (i < script.length) {
    const c = script[i] as string;
    if (c === '\\' && script[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (c === '\\') {
      lit(script[i + 1] ?? '');
      i += 2;
      continue;
    }
    if (c === ' ' || c === '\t') {
      endWord();
      i++;
      continue;
    }
    if (c === '#' && !inWord) {
      while (i < script.length && script[i] !== '\n') i++;
      continue;
    }
    if (c === '\n' || c === ';' || c === '|' || c === '&' || c === '(' || c === ')') {
      // `2>&1`, `&>` are redirections of no interest; `&&`, `||`, `|`, `;` separate commands.
      if (c === '&' && script[i + 1] === '>') {
        endWord();
        tokens.push({ kind: 'redirect', op: '>' });
        i += 2;
        continue;
      }
      endWord();
      tokens.push({ kind: 'sep' });
      i += script[i + 1] === c && (c === '|' || c === '&') ? 2 : 1;
      continue;
    }
    if (c === '>' || c === '<') {
      // `2>` / `2>>`: the fd number belongs to the redirection, not to a word.
      const last = segments[segments.length - 1];
      if (inWord && segments.length === 1 && last?.kind === 'lit' && /^[0-9]$/.test(last.text)) {
        segments = [];
        inWord = false;
      } else {
        endWord();
      }
      if (c === '>' && script[i + 1] === '&') {
        // `>&2`: a duplication, not a file.
        i += 2;
        while (i < script.length && /[0-9-]/.test(script[i] as string)) i++;
        continue;
      }
      const append = c === '>' && script[i + 1] === '>';
      tokens.push({ kind: 'redirect', op: c === '<' ? '<' : append ? '>>' : '>' });
      i += append ? 2 : 1;
      continue;
    }
    if (c === "'") {
      const end = script.indexOf("'", i + 1);
      lit(script.slice(i + 1, end === -1 ? script.length : end));
      i = end === -1 ? script.length : end + 1;
      continue;
    }
    if (c === '"') {
      inWord = true;
      i++;
      while (i < script.length && script[i] !== '"') {
        const d = script[i] as string;
        if (d === '\\' && /["\\$`\n]/.test(script[i + 1] ?? '')) {
          if (script[i + 1] !== '\n') lit(script[i + 1] as string);
          i += 2;
        } else if (d === '$') {
          const [segment, next] = dollar(script, i, true);
          segments.push(segment);
          i = next;
        } else if (d === '`') {
          const end = script.indexOf('`', i + 1);
          segments.push({ kind: 'unknown' });
          i = end === -1 ? script.length : end + 1;
        } else {
          lit(d);
          i++;
        }
      }
      i++;
      continue;
    }
    if (c === '$') {
      inWord = true;
      const [segment, next] = dollar(script, i, false);
      segments.push(segment);
      i = next;
      continue;
    }
    if (c === '`') {
      inWord = true;
      const end = script.indexOf('`', i + 1);
      segments.push({ kind: 'unknown' });
      i = end === -1 ? script.length : end + 1;
      continue;
    }
    lit(c);
    i++;
  }
  endWord();
  return tokens;
}

/** Known shell variables; `undefined` means set to something unknowable (or never set). */
export type Variables = Map<string, string | undefined>;

function expandSegment(segment: Segment, vars: Variables): string {
  if (segment.kind === 'lit') return segment.text;
  if (segment.kind === 'unknown') return UNKNOWN;
  let value = vars.get(segment.name);
  if ((value === undefined || value === '') && segment.fallback !== undefined) {
    value = segment.fallback;
  }
  if (value === undefined) return UNKNOWN;
  if (segment.replace !== undefined) {
    const { pattern, replacement, all } = segment.replace;
    value = all ? value.split(pattern).join(replacement) : value.replace(pattern, replacement);
  }
  return value;
}

/** Expands a word; an unquoted variable expansion is split on whitespace, as bash does. */
export function expandWord(segments: readonly Segment[], vars: Variables): Word[] {
  const text = segments.map((s) => expandSegment(s, vars)).join('');
  const splits = segments.some((s) => s.kind === 'var' && !s.quoted);
  const parts = splits ? text.split(/[ \t\n]+/).filter((p) => p !== '') : [text];
  return parts.map((p) => ({ text: p, resolved: !p.includes(UNKNOWN) }));
}

type Statement = readonly Token[];

function splitStatements(tokens: readonly Token[]): Statement[] {
  const statements: Token[][] = [[]];
  for (const token of tokens) {
    if (token.kind === 'sep') statements.push([]);
    else (statements[statements.length - 1] as Token[]).push(token);
  }
  return statements.filter((s) => s.length > 0);
}

function literal(token: Token | undefined): string | undefined {
  if (token?.kind !== 'word') return undefined;
  if (token.segments.length !== 1 || token.segments[0]?.kind !== 'lit') return undefined;
  return token.segments[0].text;
}

const OPENERS = new Set(['for', 'while', 'until']);

/** The index of the `done` that closes the loop whose `for` statement is at `start`. */
function loopEnd(statements: readonly Statement[], start: number): number {
  let depth = 0;
  for (let i = start; i < statements.length; i++) {
    const first = literal(statements[i]?.[0]);
    if (first !== undefined && OPENERS.has(first)) depth++;
    if (first === 'done') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return statements.length;
}

function guardOf(argv: readonly Word[]): Guard | undefined {
  let words = argv.map((w) => w.text);
  let present = true;
  if (words[0] === '!') {
    present = false;
    words = words.slice(1);
  }
  if (words[0] === 'test') words = ['[', ...words.slice(1), ']'];
  if (words[0] === '[[') words = ['[', ...words.slice(1, -1), ']'];
  if (words[0] === '[' && words[1] === '!') {
    present = !present;
    words = ['[', ...words.slice(2)];
  }
  if (words[0] !== '[' || !['-f', '-e', '-d', '-s'].includes(words[1] ?? '')) return undefined;
  const path = argv.find((w) => w.text === words[2]);
  if (path === undefined || !path.resolved) return undefined;
  return { path: path.text, present };
}

export interface InterpretOptions {
  /** Called for every simple command, in order (loop bodies once per value). */
  readonly onCommand: (command: SimpleCommand) => void;
  /** Words appended to the last command of the script (how `pnpm run x ARGS` passes ARGS). */
  readonly appendToLast?: readonly Word[];
}

/** Follows a script, calling `onCommand` for each simple command with its expanded words. */
export function interpret(script: string, vars: Variables, options: InterpretOptions): void {
  const statements = splitStatements(tokenize(script));
  const guards: Guard[] = [];
  const guardDepth: number[] = [];
  const lastIndex = statements.length - 1;

  const run = (list: readonly Statement[], offset: number): void => {
    for (let i = 0; i < list.length; i++) {
      let statement = list[i] as Statement;
      const first = literal(statement[0]);
      if (first === 'for') {
        const name = literal(statement[1]) ?? '';
        const values = statement
          .slice(3)
          .flatMap((t) => (t.kind === 'word' ? expandWord(t.segments, vars) : []));
        const end = loopEnd(list, i);
        // The body starts after `do` (on the next statement, possibly sharing it with a command).
        const body = list.slice(i + 1, end);
        for (const value of values) {
          vars.set(name, value.resolved ? value.text : undefined);
          run(body, offset + i + 1);
        }
        i = end;
        continue;
      }
      // Keywords that only frame other commands.
      let keyword = literal(statement[0]);
      while (
        keyword !== undefined &&
        [
          'do',
          'then',
          'else',
          'elif',
          'if',
          'while',
          'until',
          '{',
          '}',
          'done',
          'fi',
          '!',
        ].includes(keyword)
      ) {
        if (keyword === 'if' || keyword === 'elif') guardDepth.push(guards.length);
        // `else` negates the guard of its own `if` (when that `if` had one).
        if (
          keyword === 'else' &&
          guards.length > (guardDepth[guardDepth.length - 1] ?? guards.length)
        ) {
          const g = guards.pop();
          if (g !== undefined) guards.push({ path: g.path, present: !g.present });
        }
        if (keyword === 'fi') guards.length = guardDepth.pop() ?? guards.length;
        const isIf = keyword === 'if' || keyword === 'elif';
        statement = statement.slice(1);
        keyword = literal(statement[0]);
        if (isIf) {
          const words = statement.flatMap((t) =>
            t.kind === 'word' ? expandWord(t.segments, vars) : [],
          );
          const guard = guardOf(words);
          if (guard !== undefined) {
            guards.push(guard);
            statement = [];
          }
        }
      }
      if (statement.length === 0) continue;
      const argv: Word[] = [];
      const redirects: Redirect[] = [];
      let assignmentsOnly = true;
      for (let t = 0; t < statement.length; t++) {
        const token = statement[t] as Token;
        if (token.kind === 'redirect') {
          const target = statement[t + 1];
          if (target?.kind === 'word') {
            const [word] = expandWord(target.segments, vars);
            if (word !== undefined) redirects.push({ op: token.op, target: word });
          }
          t++;
          continue;
        }
        if (token.kind !== 'word') continue;
        const head = token.segments[0];
        const assignment =
          argv.length === 0 && head?.kind === 'lit'
            ? /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(head.text)
            : null;
        if (assignment !== null && assignmentsOnly) {
          const name = assignment[1] as string;
          const valueSegments: Segment[] = [
            { kind: 'lit', text: (head as { text: string }).text.slice(name.length + 1) },
            ...token.segments.slice(1),
          ];
          const value = valueSegments.some((s) => s.kind === 'lit' && s.text.startsWith('('))
            ? undefined // an array
            : expandWord(
                valueSegments.map((s) => (s.kind === 'var' ? { ...s, quoted: true } : s)),
                vars,
              )[0];
          vars.set(name, value?.resolved ? value.text : undefined);
          continue;
        }
        assignmentsOnly = false;
        argv.push(...expandWord(token.segments, vars));
      }
      if (argv[0]?.text === 'export' || argv[0]?.text === 'local') {
        for (const word of argv.slice(1)) {
          const eq = word.text.indexOf('=');
          if (eq > 0)
            vars.set(word.text.slice(0, eq), word.resolved ? word.text.slice(eq + 1) : undefined);
        }
        continue;
      }
      if (argv.length === 0) continue;
      if (offset + i === lastIndex && options.appendToLast !== undefined) {
        argv.push(...options.appendToLast);
      }
      options.onCommand({ argv, redirects, guards: [...guards] });
    }
  };
  run(statements, 0);
}
