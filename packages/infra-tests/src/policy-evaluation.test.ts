import { describe, expect, it } from 'vitest';
import { evaluateLocally, PolicyEvaluationError } from './policy-evaluation.ts';

const doc = (...statements: unknown[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });

describe('evaluateLocally (IAM identity-policy logic)', () => {
  const readOnly = doc({
    Effect: 'Allow',
    Action: ['ec2:Describe*', 's3:GetBucketPolicy'],
    Resource: '*',
    Condition: { StringEquals: { 'aws:RequestedRegion': 'me-central-1' } },
  });

  it('allows a matching action in the region and denies it elsewhere', () => {
    const q = {
      action: 'ec2:DescribeSubnets',
      resource: '*',
      context: { 'aws:RequestedRegion': 'me-central-1' },
    };
    expect(evaluateLocally([readOnly], q)).toBe('allowed');
    expect(
      evaluateLocally([readOnly], { ...q, context: { 'aws:RequestedRegion': 'us-east-1' } }),
    ).toBe('implicitDeny');
    expect(evaluateLocally([readOnly], { ...q, context: {} })).toBe('implicitDeny');
  });

  it('matches actions case-insensitively with wildcards, and only those', () => {
    const q = { resource: '*', context: { 'aws:RequestedRegion': 'me-central-1' } };
    expect(evaluateLocally([readOnly], { ...q, action: 'EC2:describeInstances' })).toBe('allowed');
    expect(evaluateLocally([readOnly], { ...q, action: 'ec2:TerminateInstances' })).toBe(
      'implicitDeny',
    );
    expect(evaluateLocally([readOnly], { ...q, action: 's3:GetObject' })).toBe('implicitDeny');
  });

  it('lets an explicit Deny win over an Allow', () => {
    const deny = doc({ Effect: 'Deny', Action: 'ec2:*', Resource: '*' });
    expect(
      evaluateLocally([readOnly, deny], {
        action: 'ec2:DescribeSubnets',
        resource: '*',
        context: { 'aws:RequestedRegion': 'me-central-1' },
      }),
    ).toBe('explicitDeny');
  });

  it('reads resource tags, several conditions (AND) and resource patterns', () => {
    const chaos = doc({
      Effect: 'Allow',
      Action: ['ec2:StopInstances'],
      Resource: 'arn:aws:ec2:me-central-1:*:instance/*',
      Condition: {
        StringEquals: {
          'aws:ResourceTag/stackproof.io/chaos-target': 'true',
          'aws:ResourceTag/eks:cluster-name': 'prod1',
        },
      },
    });
    const instance = 'arn:aws:ec2:me-central-1:123456789012:instance/i-1';
    const tagged = {
      'aws:ResourceTag/stackproof.io/chaos-target': 'true',
      'aws:ResourceTag/eks:cluster-name': 'prod1',
    };
    expect(
      evaluateLocally([chaos], {
        action: 'ec2:StopInstances',
        resource: instance,
        context: tagged,
      }),
    ).toBe('allowed');
    expect(
      evaluateLocally([chaos], {
        action: 'ec2:StopInstances',
        resource: instance,
        context: { 'aws:ResourceTag/eks:cluster-name': 'prod1' },
      }),
    ).toBe('implicitDeny');
    expect(
      evaluateLocally([chaos], {
        action: 'ec2:StopInstances',
        resource: 'arn:aws:rds:me-central-1:1:db:x',
        context: tagged,
      }),
    ).toBe('implicitDeny');
  });

  it('handles NotAction, negated operators on missing keys, IfExists and Null', () => {
    const notAction = doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' });
    expect(evaluateLocally([notAction], { action: 's3:GetObject', resource: '*' })).toBe('allowed');
    expect(evaluateLocally([notAction], { action: 'iam:PassRole', resource: '*' })).toBe(
      'implicitDeny',
    );
    const notEquals = doc({
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:RequestedRegion': 'me-central-1' } },
    });
    expect(evaluateLocally([notAction, notEquals], { action: 's3:GetObject', resource: '*' })).toBe(
      'explicitDeny',
    );
    const ifExists = doc({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: {
        StringEqualsIfExists: { 'kms:ViaService': 'secretsmanager.me-central-1.amazonaws.com' },
      },
    });
    expect(evaluateLocally([ifExists], { action: 'kms:Decrypt', resource: '*' })).toBe('allowed');
    const viaService = doc({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: {
        StringEquals: { 'kms:ViaService': 'secretsmanager.me-central-1.amazonaws.com' },
      },
    });
    expect(evaluateLocally([viaService], { action: 'kms:Decrypt', resource: '*' })).toBe(
      'implicitDeny',
    );
    const isNull = doc({
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { Null: { 'aws:ResourceTag/owner': 'true' } },
    });
    expect(evaluateLocally([notAction, isNull], { action: 's3:GetObject', resource: '*' })).toBe(
      'explicitDeny',
    );
    expect(
      evaluateLocally([notAction, isNull], {
        action: 's3:GetObject',
        resource: '*',
        context: { 'aws:ResourceTag/owner': 'me' },
      }),
    ).toBe('allowed');
  });

  it('refuses an operator it does not evaluate instead of guessing', () => {
    const ip = doc({
      Effect: 'Allow',
      Action: '*',
      Resource: '*',
      Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
    });
    expect(() =>
      evaluateLocally([ip], {
        action: 's3:GetObject',
        resource: '*',
        context: { 'aws:SourceIp': '10.1.1.1' },
      }),
    ).toThrow(PolicyEvaluationError);
  });
});
