import type { Finding, PolicyReport } from '../src/findings.ts';
import { summarize } from '../src/findings.ts';
import type { RuleMetadata } from '../src/policy-bundle.ts';

const RULES: RuleMetadata[] = [
  {
    id: 'rds.multi-az',
    title: 'RDS instances are Multi-AZ',
    severity: 'high',
    family: 'rds',
    target: 'terraform',
    rationale: 'A single-AZ database is down while its AZ is.',
    remediation: 'Set multi_az = true.',
    references: ['AWS FSBP RDS.5'],
  },
  {
    id: 'k8s.replicas',
    title: 'Deployments run at least 2 replicas',
    severity: 'medium',
    family: 'k8s',
    target: 'kubernetes',
    rationale: 'One replica is an outage during every rollout.',
    remediation: 'Set spec.replicas to 2 or more.',
    references: [],
  },
];

const base = {
  title: 'RDS instances are Multi-AZ',
  severity: 'high',
  resourceType: 'aws_db_instance',
  remediation: 'Set multi_az = true.',
  input: 'plan.json',
} as const;

/** A report covering every status, for the format tests (no bundle needed). */
export function sampleReport(): PolicyReport {
  const findings: Finding[] = [
    {
      ...base,
      rule: 'rds.multi-az',
      status: 'fail',
      address: 'module.db.aws_db_instance.this[0]',
      message: 'multi_az is false, "quoted" & <tagged>\nsecond line: 50%, ok',
      file: 'terraform/rds/main.tf',
      line: 12,
    },
    {
      ...base,
      rule: 'rds.multi-az',
      status: 'unknown',
      address: 'aws_db_instance.replica',
      message: 'multi_az is unknown until apply',
      liveCheck: 'rds.multi-az',
    },
    {
      ...base,
      rule: 'rds.multi-az',
      status: 'waived',
      address: 'module.legacy.aws_db_instance.old',
      message: 'multi_az is false',
      file: 'terraform/legacy/main.tf',
      line: 3,
      waivedStatus: 'fail',
      waiver: {
        rule: 'rds.multi-az',
        address: 'module.legacy.*',
        reason: 'migration tracked in PLAT-1',
        owner: 'team-db',
        expires: '2027-01-31',
      },
    },
    {
      ...base,
      rule: 'rds.multi-az',
      status: 'pass',
      address: 'aws_db_instance.main',
      message: 'multi_az is true',
    },
    {
      rule: 'k8s.replicas',
      title: 'Deployments run at least 2 replicas',
      severity: 'medium',
      status: 'fail',
      address: 'Deployment/shop/web',
      resourceType: 'Deployment',
      message: 'replicas is 1',
      remediation: 'Set spec.replicas to 2 or more.',
      file: 'manifests/app.yaml',
      line: 4,
      input: 'manifests/app.yaml',
    },
  ];
  return {
    version: '0.1.0',
    findings,
    rules: RULES,
    summary: summarize(findings, {
      failOn: 'high',
      failOnUnknown: false,
      expiredWaivers: [],
      unmatchedWaivers: [
        {
          rule: 'k8s.replicas',
          address: 'Deployment/x/*',
          reason: 'not needed anymore',
          owner: 'team-web',
          expires: '2027-01-01',
        },
      ],
      skippedFiles: [],
      inputs: ['plan.json', 'manifests/app.yaml'],
    }),
  };
}
