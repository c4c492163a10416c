import { describe, expect, it } from 'vitest';
import { type FisAzOutageInput, FisTemplateError, fisAzOutageTemplate } from './fis-template.ts';

const input: FisAzOutageInput = {
  zone: 'me-central-1a',
  region: 'me-central-1',
  account: '123456789012',
  clusterName: 'prod1',
  subnetIds: ['subnet-1', 'subnet-2', 'subnet-3'],
  dbInstanceArn: 'arn:aws:rds:me-central-1:123456789012:db:prod1-postgres',
  dbPrimaryZone: 'me-central-1a',
  dbFailover: 'auto',
  roleArn: 'arn:aws:iam::123456789012:role/stackproof-fis',
  stopAlarmArns: ['arn:aws:cloudwatch:me-central-1:123456789012:alarm:stackproof-5xx'],
  durationSeconds: 480,
};

describe('the FIS template of az-outage', () => {
  it('disrupts the zone’s subnets, stops its node instances, fails the DB over, and stops on the alarms', () => {
    const t = fisAzOutageTemplate(input) as Record<string, Record<string, unknown>>;
    expect(t.stopConditions).toEqual([
      { source: 'aws:cloudwatch:alarm', value: input.stopAlarmArns[0] },
    ]);
    expect(t.actions).toMatchObject({
      disruptZoneSubnets: {
        actionId: 'aws:network:disrupt-connectivity',
        parameters: { duration: 'PT480S', scope: 'all' },
        targets: { Subnets: 'zoneSubnets' },
      },
      stopZoneNodes: {
        actionId: 'aws:ec2:stop-instances',
        parameters: { startInstancesAfterDuration: 'PT480S' },
      },
      failOverDatabase: {
        actionId: 'aws:rds:reboot-db-instances',
        parameters: { forceFailover: 'true' },
        targets: { DBInstances: 'database' },
      },
    });
    expect(t.targets).toMatchObject({
      zoneSubnets: {
        resourceType: 'aws:ec2:subnet',
        resourceArns: [
          'arn:aws:ec2:me-central-1:123456789012:subnet/subnet-1',
          'arn:aws:ec2:me-central-1:123456789012:subnet/subnet-2',
          'arn:aws:ec2:me-central-1:123456789012:subnet/subnet-3',
        ],
      },
      zoneNodeInstances: {
        resourceTags: { 'stackproof.io/chaos-target': 'true', 'eks:cluster-name': 'prod1' },
        filters: [
          { path: 'Placement.AvailabilityZone', values: ['me-central-1a'] },
          { path: 'State.Name', values: ['running'] },
        ],
      },
      database: { resourceType: 'aws:rds:db', resourceArns: [input.dbInstanceArn] },
    });
  });

  it('leaves the database step out when its primary is in another zone (auto), and keeps it with always', () => {
    const elsewhere = { ...input, dbPrimaryZone: 'me-central-1b' };
    const auto = fisAzOutageTemplate(elsewhere) as Record<string, Record<string, unknown>>;
    expect(auto.actions?.failOverDatabase).toBeUndefined();
    expect(auto.targets?.database).toBeUndefined();
    const always = fisAzOutageTemplate({ ...elsewhere, dbFailover: 'always' }) as Record<
      string,
      Record<string, unknown>
    >;
    expect(always.actions?.failOverDatabase).toBeDefined();
  });

  it('refuses a template without a stop condition (the scenario’s gap), and bad ARNs', () => {
    expect(() => fisAzOutageTemplate({ ...input, stopAlarmArns: [] })).toThrow(FisTemplateError);
    expect(() => fisAzOutageTemplate({ ...input, stopAlarmArns: [] })).toThrow(
      /at least one stop condition/,
    );
    expect(() => fisAzOutageTemplate({ ...input, stopAlarmArns: ['alarm-5xx'] })).toThrow(
      "--stop-alarm must be a CloudWatch alarm ARN, got 'alarm-5xx'",
    );
    expect(() => fisAzOutageTemplate({ ...input, roleArn: 'stackproof-fis' })).toThrow(
      /--role-arn/,
    );
  });
});
