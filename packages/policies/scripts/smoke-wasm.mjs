// Loads bundle/policy.wasm with @open-policy-agent/opa-wasm and evaluates one tiny plan and one
// manifest; exits non-zero when the bundle does not load or does not answer per the contract.
// The real tests live in src/*.test.ts; this is the build script's own sanity check.
import { readFileSync } from 'node:fs';
import { loadPolicy } from '@open-policy-agent/opa-wasm';

const wasm = readFileSync(new URL('../bundle/policy.wasm', import.meta.url));
const policy = await loadPolicy(wasm);
const rc = (address, type, after, after_unknown = {}, actions = ['create']) => ({
  address,
  mode: 'managed',
  type,
  name: address.split('.').at(-1),
  change: { actions, before: null, after, after_unknown },
});
const plan = {
  kind: 'terraform-plan',
  params: {},
  plan: {
    format_version: '1.2',
    resource_changes: [
      rc('aws_db_instance.single', 'aws_db_instance', { multi_az: false }),
      rc('aws_db_instance.gone', 'aws_db_instance', null, {}, ['delete']),
      rc('aws_db_instance.later', 'aws_db_instance', {}, { multi_az: true }),
    ],
    configuration: { root_module: {} },
  },
};
const [{ result }] = policy.evaluate(plan, 'stackproof/main');
const multiAz = result.results.filter((r) => r.rule === 'rds.multi-az');
const want = { 'aws_db_instance.single': 'fail', 'aws_db_instance.later': 'unknown' };
const got = Object.fromEntries(multiAz.map((r) => [r.address, r.status]));
if (
  JSON.stringify(got, Object.keys(want).sort()) !== JSON.stringify(want, Object.keys(want).sort())
) {
  throw new Error(`rds.multi-az: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
}
const k8s = policy.evaluate(
  {
    kind: 'kubernetes',
    params: {},
    objects: [
      {
        file: 'a.yaml',
        line: 1,
        object: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web' },
          spec: {
            replicas: 1,
            template: { spec: { containers: [{ name: 'web', image: 'nginx' }] } },
          },
        },
      },
    ],
  },
  'stackproof/main',
);
const replicas = k8s[0].result.results.find((r) => r.rule === 'k8s.replicas-min');
if (
  replicas?.status !== 'fail' ||
  replicas.address !== 'Deployment/default/web' ||
  replicas.line !== 1
) {
  throw new Error(`k8s.replicas-min: unexpected ${JSON.stringify(replicas)}`);
}
console.log(`policy.wasm: ${result.rules.length} rules; ${wasm.length} bytes; smoke evaluation ok`);
