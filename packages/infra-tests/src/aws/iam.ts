import {
  GetRoleCommand,
  GetRolePolicyCommand,
  type IAMClient,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  type Role,
} from '@aws-sdk/client-iam';

/** The IAM actions these reads need. */
export const IAM_ACTIONS = [
  'iam:GetRole',
  'iam:ListRolePolicies',
  'iam:GetRolePolicy',
  'iam:ListAttachedRolePolicies',
  'iam:SimulateCustomPolicy',
] as const;

/** IAM returns policy documents URL-encoded; the SDK passes them through as such. */
export function decodePolicyDocument(document: string): string {
  return document.trimStart().startsWith('{') ? document : decodeURIComponent(document);
}

export interface RolePolicies {
  readonly role: Role;
  /** The role's trust policy (who may assume it), decoded JSON text. */
  readonly trustPolicy: string;
  /** Inline policies by name, decoded JSON text. */
  readonly inline: Readonly<Record<string, string>>;
  /** ARNs of attached managed policies. */
  readonly attached: readonly string[];
}

/** `arn:aws:iam::123456789012:role/path/name` → `name`. */
export function roleNameOfArn(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  return resource.slice(resource.lastIndexOf('/') + 1);
}

export async function rolePolicies(iam: IAMClient, roleName: string): Promise<RolePolicies> {
  const [roleOut, names, attached] = await Promise.all([
    iam.send(new GetRoleCommand({ RoleName: roleName })),
    (async () => {
      const out: string[] = [];
      for await (const page of paginateListRolePolicies({ client: iam }, { RoleName: roleName })) {
        out.push(...(page.PolicyNames ?? []));
      }
      return out;
    })(),
    (async () => {
      const out: string[] = [];
      for await (const page of paginateListAttachedRolePolicies(
        { client: iam },
        { RoleName: roleName },
      )) {
        out.push(...(page.AttachedPolicies ?? []).map((p) => p.PolicyArn ?? ''));
      }
      return out;
    })(),
  ]);
  const role = roleOut.Role;
  if (role === undefined) throw new Error(`GetRole ${roleName} returned no role`);
  const inline: Record<string, string> = {};
  await Promise.all(
    names.map(async (name) => {
      const out = await iam.send(
        new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }),
      );
      inline[name] = decodePolicyDocument(out.PolicyDocument ?? '{}');
    }),
  );
  return {
    role,
    trustPolicy: decodePolicyDocument(role.AssumeRolePolicyDocument ?? '{}'),
    inline,
    attached,
  };
}
