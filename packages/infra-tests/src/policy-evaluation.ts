import {
  type ContextEntry,
  type IAMClient,
  paginateSimulateCustomPolicy,
} from '@aws-sdk/client-iam';
import { StackproofError } from '@stackproof/core';
import { classifyAwsError, targetErrorOf } from './aws/aws-errors.ts';

/**
 * Answers "would these identity policies let a principal do ACTION on RESOURCE in this context?"
 * Two ways: IAM's own policy simulator (SimulateCustomPolicy) where the endpoint offers it, else a
 * local evaluation of the policy documents. The local evaluation follows IAM's documented logic
 * for identity-based policies (docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 * an explicit Deny wins, then any Allow, else the implicit deny; Action/NotAction and
 * Resource/NotResource with `*` and `?` wildcards (actions case-insensitively); Condition blocks
 * with the String*, Arn*, Bool, Null and Numeric* operators, `...IfExists` and the
 * `ForAnyValue:`/`ForAllValues:` set qualifiers. A missing context key fails a condition, except
 * for negated operators and `IfExists`. Any other operator is refused (`PolicyEvaluationError`)
 * rather than guessed: guessing could turn a deny into an allow or back. Resource-based policies,
 * permission boundaries and SCPs are not part of either question.
 */
export interface PolicyQuestion {
  readonly action: string;
  readonly resource: string;
  /** Request context: `aws:RequestedRegion`, `aws:ResourceTag/<key>`, `kms:ViaService`... */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

export type PolicyDecision = 'allowed' | 'explicitDeny' | 'implicitDeny';

export interface PolicyEvaluator {
  readonly method: 'iam-simulation' | 'local-evaluation';
  /** Why this method (for the evidence). */
  readonly note: string;
  evaluate(
    documents: readonly string[],
    questions: readonly PolicyQuestion[],
  ): Promise<PolicyDecision[]>;
}

export class PolicyEvaluationError extends StackproofError {
  constructor(message: string) {
    super('POLICY_EVALUATION', 'bad-input', message);
  }
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

interface Statement {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Condition?: Record<string, Record<string, Json>>;
}

export function policyStatements(document: string): Statement[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    throw new PolicyEvaluationError('a policy document is not JSON');
  }
  const statement = (parsed as { Statement?: unknown }).Statement;
  if (statement === undefined) return [];
  return (Array.isArray(statement) ? statement : [statement]) as Statement[];
}

function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function globToRegExp(pattern: string, flags: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, flags);
}

export function matchesPattern(pattern: string, value: string, ignoreCase = false): boolean {
  return globToRegExp(pattern, ignoreCase ? 'i' : '').test(value);
}

function actionMatches(statement: Statement, action: string): boolean {
  if (statement.NotAction !== undefined) {
    return !list(statement.NotAction).some((p) => matchesPattern(p, action, true));
  }
  return list(statement.Action).some((p) => matchesPattern(p, action, true));
}

function resourceMatches(statement: Statement, resource: string): boolean {
  if (statement.NotResource !== undefined) {
    return !list(statement.NotResource).some((p) => matchesPattern(p, resource));
  }
  return list(statement.Resource).some((p) => matchesPattern(p, resource));
}

function asStrings(value: Json): string[] {
  if (Array.isArray(value)) return value.map((v) => String(v));
  return [String(value)];
}

const NEGATED = new Set([
  'StringNotEquals',
  'StringNotEqualsIgnoreCase',
  'StringNotLike',
  'ArnNotEquals',
  'ArnNotLike',
  'NumericNotEquals',
]);

function compareOne(operator: string, policyValue: string, requestValue: string): boolean {
  switch (operator) {
    case 'StringEquals':
    case 'ArnEquals':
      return policyValue === requestValue;
    case 'StringEqualsIgnoreCase':
      return policyValue.toLowerCase() === requestValue.toLowerCase();
    case 'StringLike':
    case 'ArnLike':
      return matchesPattern(policyValue, requestValue);
    case 'Bool':
      return policyValue.toLowerCase() === requestValue.toLowerCase();
    case 'NumericEquals':
      return Number(requestValue) === Number(policyValue);
    case 'NumericLessThan':
      return Number(requestValue) < Number(policyValue);
    case 'NumericLessThanEquals':
      return Number(requestValue) <= Number(policyValue);
    case 'NumericGreaterThan':
      return Number(requestValue) > Number(policyValue);
    case 'NumericGreaterThanEquals':
      return Number(requestValue) >= Number(policyValue);
  }
  throw new PolicyEvaluationError(`condition operator ${operator} is not evaluated locally`);
}

function positiveOf(operator: string): string {
  return operator
    .replace('StringNotEqualsIgnoreCase', 'StringEqualsIgnoreCase')
    .replace('StringNotEquals', 'StringEquals')
    .replace('StringNotLike', 'StringLike')
    .replace('ArnNotEquals', 'ArnEquals')
    .replace('ArnNotLike', 'ArnLike')
    .replace('NumericNotEquals', 'NumericEquals');
}

function conditionHolds(
  rawOperator: string,
  key: string,
  policyValues: string[],
  context: Readonly<Record<string, string | readonly string[]>>,
): boolean {
  let operator = rawOperator;
  let qualifier: 'ForAnyValue' | 'ForAllValues' | undefined;
  const colon = operator.indexOf(':');
  if (colon > 0) {
    const q = operator.slice(0, colon);
    if (q !== 'ForAnyValue' && q !== 'ForAllValues') {
      throw new PolicyEvaluationError(`condition qualifier ${q} is not evaluated locally`);
    }
    qualifier = q;
    operator = operator.slice(colon + 1);
  }
  const ifExists = operator.endsWith('IfExists');
  if (ifExists) operator = operator.slice(0, -'IfExists'.length);
  const contextKey = Object.keys(context).find((k) => k.toLowerCase() === key.toLowerCase());
  const present = contextKey !== undefined;
  if (operator === 'Null') {
    const wantsAbsent = policyValues.some((v) => v.toLowerCase() === 'true');
    return wantsAbsent ? !present : present;
  }
  const negated = NEGATED.has(operator);
  if (!present) {
    if (ifExists) return true;
    if (qualifier === 'ForAllValues') return true;
    return negated;
  }
  const requestValues = list(context[contextKey] as string | string[]);
  const positive = positiveOf(operator);
  const matchesAny = (requestValue: string) =>
    policyValues.some((p) => compareOne(positive, p, requestValue));
  let result: boolean;
  if (qualifier === 'ForAllValues') result = requestValues.every(matchesAny);
  else result = requestValues.some(matchesAny);
  return negated ? !result : result;
}

function statementApplies(statement: Statement, question: PolicyQuestion): boolean {
  if (!actionMatches(statement, question.action)) return false;
  if (!resourceMatches(statement, question.resource)) return false;
  const context = question.context ?? {};
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    for (const [key, value] of Object.entries(keys)) {
      if (!conditionHolds(operator, key, asStrings(value), context)) return false;
    }
  }
  return true;
}

/** IAM's decision for one request under identity policies, evaluated here. */
export function evaluateLocally(
  documents: readonly string[],
  question: PolicyQuestion,
): PolicyDecision {
  let allowed = false;
  for (const document of documents) {
    for (const statement of policyStatements(document)) {
      if (!statementApplies(statement, question)) continue;
      if (statement.Effect === 'Deny') return 'explicitDeny';
      if (statement.Effect === 'Allow') allowed = true;
    }
  }
  return allowed ? 'allowed' : 'implicitDeny';
}

export function localPolicyEvaluator(note: string): PolicyEvaluator {
  return {
    method: 'local-evaluation',
    note,
    async evaluate(documents, questions) {
      return questions.map((q) => evaluateLocally(documents, q));
    },
  };
}

function contextEntries(context: PolicyQuestion['context']): ContextEntry[] {
  return Object.entries(context ?? {}).map(([key, value]) => ({
    ContextKeyName: key,
    ContextKeyValues: list(value as string | string[]),
    ContextKeyType: Array.isArray(value) ? 'stringList' : 'string',
  }));
}

/** IAM's policy simulator: one SimulateCustomPolicy per resource and context, all actions at once. */
async function simulate(
  iam: IAMClient,
  documents: readonly string[],
  questions: readonly PolicyQuestion[],
): Promise<PolicyDecision[]> {
  const groups = new Map<string, number[]>();
  questions.forEach((q, i) => {
    const key = JSON.stringify([q.resource, q.context ?? {}]);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const decisions: PolicyDecision[] = new Array(questions.length).fill('implicitDeny');
  for (const indexes of groups.values()) {
    const first = questions[indexes[0] as number] as PolicyQuestion;
    const byAction = new Map<string, PolicyDecision>();
    for await (const page of paginateSimulateCustomPolicy(
      { client: iam },
      {
        PolicyInputList: [...documents],
        ActionNames: [...new Set(indexes.map((i) => (questions[i] as PolicyQuestion).action))],
        ResourceArns: [first.resource],
        ContextEntries: contextEntries(first.context),
      },
    )) {
      for (const result of page.EvaluationResults ?? []) {
        byAction.set(
          (result.EvalActionName ?? '').toLowerCase(),
          result.EvalDecision as PolicyDecision,
        );
      }
    }
    for (const i of indexes) {
      const q = questions[i] as PolicyQuestion;
      decisions[i] = byAction.get(q.action.toLowerCase()) ?? 'implicitDeny';
    }
  }
  return decisions;
}

/**
 * IAM's simulator when the endpoint offers it (one probe), else the local evaluation, saying why.
 * An unreachable endpoint or refused credentials end the run as everywhere else.
 */
export async function choosePolicyEvaluator(
  iam: IAMClient,
  endpoint: string | undefined,
): Promise<PolicyEvaluator> {
  const probeDocument = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' }],
  });
  try {
    const [decision] = await simulate(
      iam,
      [probeDocument],
      [{ action: 'sts:GetCallerIdentity', resource: '*' }],
    );
    if (decision === 'allowed') {
      return {
        method: 'iam-simulation',
        note: 'IAM policy simulation (SimulateCustomPolicy)',
        evaluate: (documents, questions) => simulate(iam, documents, questions),
      };
    }
    return localPolicyEvaluator(
      `local evaluation of the policy documents: the simulator answered the probe with ${decision}`,
    );
  } catch (error) {
    const target = targetErrorOf(error, endpoint);
    if (target !== error) throw target;
    const kind = classifyAwsError(error);
    const why =
      kind === 'access-denied'
        ? 'iam:SimulateCustomPolicy is not allowed for this identity'
        : `the endpoint does not offer SimulateCustomPolicy (${(error as Error).name}, HTTP ${(error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? '?'})`;
    return localPolicyEvaluator(`local evaluation of the policy documents: ${why}`);
  }
}
