/**
 * Synthetic Terraform plans (format 1.2) for the benchmark and the large-input tests: resources
 * spread over modules, count instances, about 10% of values unknown until apply, a few sensitive
 * values, and planned_values / prior_state blocks as big as a real plan's so that loaders which
 * read everything pay for it.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

type Json = Record<string, unknown>;

interface ResourceShape {
  readonly type: string;
  after(i: number): Json;
  /** Attributes left unknown for instances picked as "unknown". */
  readonly unknown: readonly string[];
  readonly sensitive?: readonly string[];
}

const AZS = ['me-central-1a', 'me-central-1b', 'me-central-1c'];

const SHAPES: readonly ResourceShape[] = [
  {
    type: 'aws_db_instance',
    after: (i) => ({
      identifier: `db-${i}`,
      engine: 'postgres',
      engine_version: '16.4',
      instance_class: 'db.r6g.large',
      multi_az: i % 7 !== 0,
      storage_encrypted: i % 11 !== 0,
      kms_key_id: `arn:aws:kms:me-central-1:111122223333:key/${i}`,
      publicly_accessible: false,
      deletion_protection: true,
      backup_retention_period: i % 13 === 0 ? 1 : 7,
      iam_database_authentication_enabled: true,
      performance_insights_enabled: true,
      performance_insights_kms_key_id: `arn:aws:kms:me-central-1:111122223333:key/${i}`,
      enabled_cloudwatch_logs_exports: ['postgresql', 'upgrade'],
      password: `secret-${i}`,
      tags: { team: 'db', index: String(i) },
    }),
    unknown: ['kms_key_id', 'multi_az'],
    sensitive: ['password'],
  },
  {
    type: 'aws_security_group',
    after: (i) => ({
      name: `sg-${i}`,
      description: 'service',
      vpc_id: 'vpc-0123456789',
      ingress: [
        {
          from_port: i % 9 === 0 ? 22 : 443,
          to_port: i % 9 === 0 ? 22 : 443,
          protocol: 'tcp',
          cidr_blocks: [i % 9 === 0 ? '0.0.0.0/0' : '10.0.0.0/8'],
          ipv6_cidr_blocks: [],
          description: 'https',
          self: false,
          security_groups: [],
          prefix_list_ids: [],
        },
      ],
      egress: [],
      tags: { index: String(i) },
    }),
    unknown: ['vpc_id'],
  },
  {
    type: 'aws_subnet',
    after: (i) => ({
      vpc_id: 'vpc-0123456789',
      cidr_block: `10.${Math.floor(i / 256) % 256}.${i % 256}.0/24`,
      availability_zone: AZS[i % 3],
      map_public_ip_on_launch: false,
      tags: { Name: `subnet-${i}`, tier: i % 2 === 0 ? 'private' : 'public' },
    }),
    unknown: ['availability_zone'],
  },
  {
    type: 'aws_s3_bucket',
    after: (i) => ({ bucket: `bucket-${i}`, force_destroy: false, tags: { index: String(i) } }),
    unknown: ['bucket'],
  },
  {
    type: 'aws_launch_template',
    after: (i) => ({
      name: `lt-${i}`,
      metadata_options: [
        { http_tokens: i % 5 === 0 ? 'optional' : 'required', http_endpoint: 'enabled' },
      ],
      block_device_mappings: [
        {
          device_name: '/dev/xvda',
          ebs: [{ encrypted: i % 6 === 0 ? 'false' : 'true', volume_size: 50 }],
        },
      ],
      tags: { index: String(i) },
    }),
    unknown: ['metadata_options'],
  },
  {
    type: 'aws_kms_key',
    after: (i) => ({
      description: `key ${i}`,
      enable_key_rotation: i % 4 !== 0,
      deletion_window_in_days: 30,
    }),
    unknown: ['enable_key_rotation'],
  },
];

export interface GeneratedPlanStats {
  readonly resources: number;
  readonly bytes: number;
}

function instance(i: number, modules: number) {
  const shape = SHAPES[i % SHAPES.length] as ResourceShape;
  const module = `module.m${i % modules}`;
  const nested = i % 4 === 0 ? `${module}.module.inner` : module;
  const name = `r${Math.floor(i / (SHAPES.length * modules))}`;
  const address = `${nested}.${shape.type}.${name}[${i % 3}]`;
  const after = shape.after(i);
  const afterUnknown: Json = { id: true, arn: true };
  // Every tenth instance of each shape has its key attributes unknown until apply.
  if (Math.floor(i / SHAPES.length) % 10 === 3) {
    for (const key of shape.unknown) {
      delete after[key];
      afterUnknown[key] = true;
    }
  }
  const afterSensitive: Json = {};
  for (const key of shape.sensitive ?? []) afterSensitive[key] = true;
  return { shape, nested, name, address, after, afterUnknown, afterSensitive, index: i % 3 };
}

/** Writes a plan with `count` resources to `file`; returns its size. */
export async function writeSyntheticPlan(
  file: string,
  count: number,
  options: { modules?: number; withPriorState?: boolean } = {},
): Promise<GeneratedPlanStats> {
  const modules = options.modules ?? 50;
  const out = createWriteStream(file);
  let bytes = 0;
  const write = async (text: string): Promise<void> => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(
    '{"format_version":"1.2","terraform_version":"1.10.5","variables":{"region":{"value":"me-central-1"}},',
  );
  // planned_values: what Checkov reads; stackproof skips it.
  await write('"planned_values":{"root_module":{"resources":[');
  for (let i = 0; i < count; i++) {
    const r = instance(i, modules);
    await write(
      `${i > 0 ? ',' : ''}${JSON.stringify({
        address: r.address,
        mode: 'managed',
        type: r.shape.type,
        name: r.name,
        index: r.index,
        provider_name: 'registry.terraform.io/hashicorp/aws',
        schema_version: 0,
        values: r.after,
        sensitive_values: r.afterSensitive,
      })}`,
    );
  }
  await write(']}},"resource_changes":[');
  for (let i = 0; i < count; i++) {
    const r = instance(i, modules);
    await write(
      `${i > 0 ? ',' : ''}${JSON.stringify({
        address: r.address,
        module_address: r.nested,
        mode: 'managed',
        type: r.shape.type,
        name: r.name,
        index: r.index,
        provider_name: 'registry.terraform.io/hashicorp/aws',
        change: {
          actions: i % 25 === 0 ? ['no-op'] : i % 97 === 0 ? ['delete'] : ['create'],
          before: null,
          after: r.after,
          after_unknown: r.afterUnknown,
          before_sensitive: false,
          after_sensitive: r.afterSensitive,
        },
      })}`,
    );
  }
  await write(']');
  if (options.withPriorState ?? true) {
    await write(
      ',"prior_state":{"format_version":"1.0","terraform_version":"1.10.5","values":{"root_module":{"resources":[',
    );
    for (let i = 0; i < count; i += 2) {
      const r = instance(i, modules);
      await write(
        `${i > 0 ? ',' : ''}${JSON.stringify({ address: r.address, mode: 'managed', type: r.shape.type, name: r.name, values: r.after })}`,
      );
    }
    await write(']}}}');
  }
  // configuration: one module definition per module call, as Terraform writes it.
  const moduleResources = SHAPES.map((shape) => ({
    address: `${shape.type}.r0`,
    mode: 'managed',
    type: shape.type,
    name: 'r0',
    provider_config_key: 'aws',
    expressions: { tags: { constant_value: { team: 'x' } } },
    count_expression: { constant_value: 3 },
  }));
  const calls: Json = {};
  for (let m = 0; m < modules; m++) {
    calls[`m${m}`] = {
      source: `./modules/m${m}`,
      module: {
        resources: moduleResources,
        module_calls: { inner: { source: './inner', module: { resources: moduleResources } } },
      },
    };
  }
  await write(
    `,"configuration":${JSON.stringify({ provider_config: { aws: { name: 'aws' } }, root_module: { module_calls: calls } })}`,
  );
  await write(
    ',"timestamp":"2026-11-23T10:00:00Z","applyable":true,"complete":true,"errored":false}',
  );
  out.end();
  await once(out, 'finish');
  return { resources: count, bytes };
}
