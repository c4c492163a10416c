import { join } from 'node:path';

/** Paths of the repository this package sits in (tests only). */
export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
export const TERRAFORM_ROOT = join(REPO_ROOT, 'terraform');
export const PLAN_FIXTURES_OUT = join(REPO_ROOT, 'fixtures', 'plans');
