/**
 * Sensitive values never reach the policy, so no message, output format or log can print them.
 * Terraform marks them in `after_sensitive` / `before_sensitive`: a tree shaped like the value
 * where `true` marks a sensitive subtree.
 */
export const SENSITIVE_PLACEHOLDER = '(sensitive)';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Returns `value` with every subtree that `marker` flags replaced by the placeholder. A null stays
 * null: it reveals nothing, and rules that test for a missing value keep working. Recursive: the
 * plan reader has checked that neither nests deeper than MAX_VALUE_DEPTH.
 */
export function redactSensitive(value: unknown, marker: unknown): unknown {
  if (marker === true) return value === null || value === undefined ? value : SENSITIVE_PLACEHOLDER;
  if (Array.isArray(marker) && Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = redactSensitive(value[i], marker[i]);
    return value;
  }
  if (isObject(marker) && isObject(value)) {
    for (const key of Object.keys(marker)) {
      if (Object.hasOwn(value, key)) value[key] = redactSensitive(value[key], marker[key]);
    }
  }
  return value;
}

/**
 * The plan's `configuration` repeats literal values from the .tf files (`constant_value`) and
 * variable defaults. Redact those for attributes Terraform marked sensitive on any resource of the
 * same type, and defaults of variables declared `sensitive = true`.
 */
export function redactConfiguration(
  configuration: unknown,
  sensitiveByType: ReadonlyMap<string, ReadonlySet<string>>,
): void {
  if (!isObject(configuration)) return;
  // Module calls nest as deep as the file says: walked with a stack, not recursion.
  const pending: unknown[] = [configuration.root_module];
  while (pending.length > 0) {
    const module = pending.pop();
    if (!isObject(module)) continue;
    const variables = module.variables;
    if (isObject(variables)) {
      for (const variable of Object.values(variables)) {
        if (isObject(variable) && variable.sensitive === true && 'default' in variable) {
          variable.default = SENSITIVE_PLACEHOLDER;
        }
      }
    }
    const resources = module.resources;
    if (Array.isArray(resources)) {
      for (const resource of resources) {
        if (!isObject(resource) || typeof resource.type !== 'string') continue;
        const sensitive = sensitiveByType.get(resource.type);
        const expressions = resource.expressions;
        if (sensitive === undefined || !isObject(expressions)) continue;
        for (const attribute of sensitive) {
          const expression = expressions[attribute];
          if (isObject(expression) && 'constant_value' in expression) {
            expression.constant_value = SENSITIVE_PLACEHOLDER;
          }
        }
      }
    }
    const calls = module.module_calls;
    if (isObject(calls)) {
      for (const call of Object.values(calls)) if (isObject(call)) pending.push(call.module);
    }
  }
}
