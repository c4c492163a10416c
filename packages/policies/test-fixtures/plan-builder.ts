/**
 * Builds small Terraform plan JSON documents (format 1.2, as `terraform show -json` writes them)
 * for the per-rule cases, so each case states only the resources and attributes it is about.
 */
export interface ResourceSpec {
  readonly type: string;
  readonly name: string;
  /** `module.a.module.b`, or omitted for the root module. */
  readonly module?: string;
  readonly index?: number | string;
  readonly after: Record<string, unknown>;
  /** Attributes unknown until apply (`after_unknown`). */
  readonly unknown?: readonly string[];
  readonly actions?: readonly string[];
  readonly mode?: 'managed' | 'data';
}

function address(spec: ResourceSpec): string {
  const key =
    spec.index === undefined
      ? ''
      : typeof spec.index === 'number'
        ? `[${spec.index}]`
        : `["${spec.index}"]`;
  const local = `${spec.mode === 'data' ? 'data.' : ''}${spec.type}.${spec.name}${key}`;
  return spec.module === undefined ? local : `${spec.module}.${local}`;
}

export function resourceChange(spec: ResourceSpec): Record<string, unknown> {
  // id and arn are unknown until apply unless the case gives them (to reference by id).
  const afterUnknown: Record<string, unknown> = {};
  if (spec.after.id === undefined) afterUnknown.id = true;
  if (spec.after.arn === undefined) afterUnknown.arn = true;
  for (const key of spec.unknown ?? []) afterUnknown[key] = true;
  const after = { ...spec.after };
  for (const key of spec.unknown ?? []) delete after[key];
  return {
    address: address(spec),
    ...(spec.module !== undefined ? { module_address: spec.module } : {}),
    mode: spec.mode ?? 'managed',
    type: spec.type,
    name: spec.name,
    ...(spec.index !== undefined ? { index: spec.index } : {}),
    provider_name: 'registry.terraform.io/hashicorp/aws',
    change: {
      actions: spec.actions ?? ['create'],
      before: null,
      after,
      after_unknown: afterUnknown,
      before_sensitive: false,
      after_sensitive: {},
    },
  };
}

export function buildPlan(specs: readonly ResourceSpec[]): Record<string, unknown> {
  return {
    format_version: '1.2',
    terraform_version: '1.10.5',
    planned_values: { root_module: {} },
    resource_changes: specs.map(resourceChange),
    configuration: { root_module: {} },
  };
}
