import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IacError } from './iac-error.ts';
import { PLAN_FIXTURES_DIR } from './workspace-files.ts';

/** One plan fixture as declared in terraform/scripts/plan-fixtures/fixtures.json. */
export interface FixtureSpec {
  /** File name without `.json` under fixtures/plans/. */
  readonly name: string;
  /** Workspace directory under terraform/aws/. */
  readonly workspace: string;
  /** Sample inputs standing in for other workspaces' outputs (relative to the fixtures folder). */
  readonly varFile: string | null;
  /** Override file that breaks the plan on purpose; null for the compliant plan. */
  readonly variant: string | null;
  /** Property ids the variant breaks (empty for the compliant plan). */
  readonly breaks: readonly string[];
}

export const FIXTURE_LIST_PATH = join(PLAN_FIXTURES_DIR, 'fixtures.json');

function isStringOrNull(v: unknown): v is string | null {
  return v === null || typeof v === 'string';
}

/** Reads and checks the fixture list under `terraformRoot`; a malformed entry is an error naming it. */
export function readFixtureList(terraformRoot: string): FixtureSpec[] {
  const path = join(terraformRoot, FIXTURE_LIST_PATH);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new IacError('FIXTURE_LIST_UNREADABLE', `cannot read ${path}: ${(err as Error).message}`);
  }
  const list = (raw as { fixtures?: unknown }).fixtures;
  if (!Array.isArray(list)) {
    throw new IacError('FIXTURE_LIST_INVALID', `${path}: "fixtures" must be an array`);
  }
  const names = new Set<string>();
  return list.map((entry: unknown, i: number) => {
    const e = entry as Record<string, unknown>;
    const ok =
      typeof e.name === 'string' &&
      /^[a-z0-9_][a-z0-9_.-]*$/.test(e.name) &&
      typeof e.workspace === 'string' &&
      isStringOrNull(e.varFile) &&
      isStringOrNull(e.variant) &&
      Array.isArray(e.breaks) &&
      e.breaks.every((b) => typeof b === 'string') &&
      (e.variant === null) === (e.breaks.length === 0);
    if (!ok) {
      throw new IacError(
        'FIXTURE_LIST_INVALID',
        `${path}: fixtures[${i}] needs name, workspace, varFile, variant and breaks (a variant breaks at least one property; a compliant plan breaks none)`,
      );
    }
    if (names.has(e.name as string)) {
      throw new IacError(
        'FIXTURE_LIST_INVALID',
        `${path}: fixture name "${String(e.name)}" appears twice`,
      );
    }
    names.add(e.name as string);
    return e as unknown as FixtureSpec;
  });
}
