import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture } from '../test-fixtures/paths.ts';
import { parseResourceAddress } from './resource-address.ts';
import { SourceLocator } from './source-locations.ts';
import { readTerraformPlan } from './terraform-plan.ts';

describe('parseResourceAddress', () => {
  it.each([
    ['aws_db_instance.this', [], 'managed', 'aws_db_instance', 'this'],
    ['module.db.aws_db_instance.this[0]', ['db'], 'managed', 'aws_db_instance', 'this'],
    [
      'module.a["x.y"].module.b[2].aws_subnet.private["me-central-1a"]',
      ['a', 'b'],
      'managed',
      'aws_subnet',
      'private',
    ],
    [
      'module.net.data.aws_availability_zones.this',
      ['net'],
      'data',
      'aws_availability_zones',
      'this',
    ],
    ['data.aws_caller_identity.current', [], 'data', 'aws_caller_identity', 'current'],
  ])('parses %s', (address, modulePath, mode, type, name) => {
    expect(parseResourceAddress(address)).toEqual({ modulePath, mode, type, name });
  });

  it.each(['Deployment/default/web', 'module.db', 'a.b.c', 'aws_x.y[0'])(
    'rejects %s',
    (address) => {
      expect(parseResourceAddress(address)).toBeUndefined();
    },
  );
});

describe('SourceLocator', () => {
  it('finds the .tf line of root and module resources through local module sources', async () => {
    const { plan } = await readTerraformPlan(fixture('terraform/plan.json'));
    const locator = new SourceLocator(fixture('terraform'), plan.configuration);
    expect(locator.locate('aws_db_instance.legacy')).toEqual({
      file: fixture('terraform/main.tf'),
      line: 7,
    });
    expect(locator.locate('module.db.aws_db_instance.this[0]')).toEqual({
      file: fixture('terraform/modules/db/main.tf'),
      line: 11,
    });
    // Negative twins: a resource that is not declared, a module that is not called.
    expect(locator.locate('aws_db_instance.missing')).toBeUndefined();
    expect(locator.locate('module.nope.aws_db_instance.this')).toBeUndefined();
  });

  it('uses .terraform/modules/modules.json for registry modules', async () => {
    const root = await mkdtemp(join(tmpdir(), 'stackproof-locator-'));
    try {
      const vpcDir = join(root, '.terraform', 'modules', 'vpc');
      await mkdir(vpcDir, { recursive: true });
      await writeFile(join(vpcDir, 'main.tf'), '\n\nresource "aws_vpc" "this" {\n}\n');
      await writeFile(
        join(root, '.terraform', 'modules', 'modules.json'),
        JSON.stringify({
          Modules: [
            { Key: '', Source: '', Dir: '.' },
            {
              Key: 'vpc',
              Source: 'registry.terraform.io/terraform-aws-modules/vpc/aws',
              Dir: '.terraform/modules/vpc',
            },
          ],
        }),
      );
      const configuration = {
        root_module: { module_calls: { vpc: { source: 'terraform-aws-modules/vpc/aws' } } },
      };
      expect(new SourceLocator(root, configuration).locate('module.vpc.aws_vpc.this[0]')).toEqual({
        file: join(vpcDir, 'main.tf'),
        line: 3,
      });
      // Without modules.json a registry source cannot be found on disk.
      await rm(join(root, '.terraform', 'modules', 'modules.json'));
      expect(
        new SourceLocator(root, configuration).locate('module.vpc.aws_vpc.this[0]'),
      ).toBeUndefined();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
