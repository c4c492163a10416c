import { describe, expect, it } from 'vitest';
import { WaiverFileError } from './errors.ts';
import { globToRegExp, parseWaivers, waiverMatcher } from './waivers.ts';

const NOW = new Date('2026-11-23T12:00:00Z');

const VALID = `
waivers:
  - rule: rds.multi-az
    address: module.legacy.*
    reason: legacy database, migration tracked in PLAT-123
    owner: team-db
    expires: 2026-12-31
  - rule: ec2.imdsv2
    address: aws_launch_template.old
    reason: vendor AMI without IMDSv2, replaced in Q1
    owner: team-compute
    expires: 2026-11-22
  - rule: s3.versioning
    address: aws_s3_bucket.never-matches
    reason: kept to prove unmatched waivers are reported
    owner: team-storage
    expires: 2026-11-23
`;

function problems(text: string): readonly string[] {
  try {
    parseWaivers(text, 'waivers.yaml');
  } catch (error) {
    if (error instanceof WaiverFileError) return error.problems;
    throw error;
  }
  return [];
}

describe('waivers', () => {
  it('parses a valid file, keeping dates as text', () => {
    const waivers = parseWaivers(VALID, 'waivers.yaml');
    expect(waivers).toHaveLength(3);
    expect(waivers[0]?.expires).toBe('2026-12-31');
  });

  it('lists every schema problem at once', () => {
    const found = problems(`
waivers:
  - rule: rds.multi-az
    address: "*"
    reason: short
    expires: 31/12/2026
    extra: 1
`);
    expect(found.join('\n')).toMatch(/owner/);
    expect(found.join('\n')).toMatch(/reason must NOT have fewer than 10 characters/);
    expect(found.join('\n')).toMatch(/expires must match pattern/);
    expect(found.join('\n')).toMatch(/additional properties/);
    expect(
      problems(
        'waivers:\n  - rule: a.b\n    address: x\n    reason: long enough reason\n    owner: o\n    expires: 2026-02-30\n',
      ),
    ).toEqual(['waivers.0.expires 2026-02-30 is not a date']);
    expect(problems('not: [valid')).toHaveLength(1);
  });

  it('matches address globs literally except * and ?', () => {
    expect(
      globToRegExp('module.db.aws_db_instance.this[0]').test('module.db.aws_db_instance.this[0]'),
    ).toBe(true);
    expect(
      globToRegExp('module.db.aws_db_instance.this[0]').test('module.db.aws_db_instance.this0'),
    ).toBe(false);
    expect(
      globToRegExp('module.*.aws_db_instance.this[?]').test('module.x.y.aws_db_instance.this[3]'),
    ).toBe(true);
    expect(globToRegExp('aws_s3_bucket.*').test('module.a.aws_s3_bucket.b')).toBe(false);
  });

  it('waives only with an active waiver, and reports expired and unmatched ones', () => {
    const matcher = waiverMatcher(parseWaivers(VALID, 'waivers.yaml'), NOW);
    expect(matcher.match('rds.multi-az', 'module.legacy.aws_db_instance.this')?.owner).toBe(
      'team-db',
    );
    expect(matcher.match('rds.multi-az', 'module.current.aws_db_instance.this')).toBeUndefined();
    expect(matcher.match('other.rule', 'module.legacy.aws_db_instance.this')).toBeUndefined();
    // Expired yesterday: matches, but waives nothing.
    expect(matcher.match('ec2.imdsv2', 'aws_launch_template.old')).toBeUndefined();
    expect(matcher.expired().map((w) => w.rule)).toEqual(['ec2.imdsv2']);
    // Expires today: still valid, but it matched nothing.
    expect(matcher.unmatched().map((w) => w.rule)).toEqual(['s3.versioning']);
  });
});
