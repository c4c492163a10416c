import {
  SandboxClient,
  sandboxDown,
  sandboxEnvExports,
  sandboxStatus,
  sandboxUp,
} from '@stackproof/sandbox';
import type { CliOutcome } from './cli-outcome.ts';
import { UsageError } from './usage-error.ts';

export const SANDBOX_USAGE = `Usage: stackproof sandbox <up | down | status | env | nodes | database | fail | restore> [--dir DIR]

  up                    start the sandbox (idempotent); prints how to use it
  down                  stop everything; checks that no process or port is left
  status                health of each component (exit 1 when one is unhealthy)
  env                   shell exports: eval "$(stackproof sandbox env)"
  nodes                 every node with its zone and whether it has power
  database              the Multi-AZ database stand-in: endpoint, primary and standby, their zones
  fail node|zone NAME   power loss of a node or of every node in a zone (prints JSON)
  fail database         a Multi-AZ failover: sessions break, the standby is promoted behind the
                        same endpoint, the old primary rejoins as standby (prints JSON)
  restore node|zone NAME
  restore database      wait until the standby streams again (rebuilt if it is down)

Options:
  --dir DIR   the sandbox's directory (default .sandbox)`;

function parse(args: readonly string[]): { dir: string; rest: string[] } {
  const rest: string[] = [];
  let dir = '.sandbox';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--dir') {
      const value = args[i + 1];
      if (value === undefined) throw new UsageError('--dir needs a directory');
      dir = value;
      i++;
    } else if (arg.startsWith('--dir=')) {
      dir = arg.slice('--dir='.length);
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option '${arg}'\n\n${SANDBOX_USAGE}`);
    } else {
      rest.push(arg);
    }
  }
  return { dir, rest };
}

/** `stackproof sandbox …`. Progress of `up` goes to stderr as it happens. */
export async function sandboxCommand(
  args: readonly string[],
  progress: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<CliOutcome> {
  const [action, ...more] = args;
  // Every subcommand answers --help (the workflow check asks each one it finds in a workflow).
  if (action === '--help' || action === '-h' || more.includes('--help') || more.includes('-h')) {
    return { exitCode: 0, stdout: `${SANDBOX_USAGE}\n` };
  }
  const { dir, rest } = parse(more);
  switch (action) {
    case 'up': {
      const t0 = performance.now();
      const { state, started } = await sandboxUp({
        dir,
        onProgress: (line) => {
          if (line.type === 'step') {
            const mark = line.state === 'start' ? '…' : '✓';
            progress(`${mark} ${line.step} (${(line.elapsedMs / 1000).toFixed(1)} s)`);
          }
        },
      });
      const took = ((performance.now() - t0) / 1000).toFixed(1);
      const head = started ? `sandbox up in ${took} s` : 'sandbox already running';
      const services = Object.entries(state.services)
        .map(([name, url]) => `  ${name.padEnd(9)} ${url}`)
        .join('\n');
      return {
        exitCode: 0,
        stdout: `${head} (${dir})

  kubeconfig ${state.kubeconfig}
  apiserver  ${state.apiServer}
${services}
  postgres   ${state.database.host}:${state.database.port}/${state.database.name}
${state.aws === undefined ? '' : `  aws        ${state.aws.endpoint} (${state.aws.region}; ${state.aws.account === 'replayed' ? 'replayed a recorded apply of' : `seeded through the SDK from terraform/aws (${state.aws.notHeld} resources moto cannot hold):`} ${state.aws.workspaces.join(', ')})\n  outputs    ${state.outputsDir}\n`}
Use it:
  eval "$(stackproof sandbox env --dir ${dir})"
  kubectl get nodes -L topology.kubernetes.io/zone
  curl "$STACKPROOF_BACKEND_URL/api/items"
  stackproof live check --outputs "$STACKPROOF_OUTPUTS_DIR"
Stop it:
  stackproof sandbox down --dir ${dir}
`,
      };
    }
    case 'down': {
      const result = await sandboxDown({ dir });
      const leftovers =
        result.killedLeftovers.length === 0
          ? ''
          : ` (killed ${result.killedLeftovers.length} leftover processes)`;
      return {
        exitCode: 0,
        stdout: result.stopped
          ? `sandbox stopped; no process or port left${leftovers}\n`
          : 'no sandbox was running\n',
      };
    }
    case 'status': {
      const status = await sandboxStatus({ dir });
      if (!status.running) return { exitCode: 1, stdout: `sandbox: not running (${dir})\n` };
      const lines = status.components.map(
        (c) => `${c.healthy ? 'ok  ' : 'FAIL'} ${c.component.padEnd(34)} ${c.detail}`,
      );
      return {
        exitCode: status.healthy ? 0 : 1,
        stdout: `sandbox: ${status.healthy ? 'healthy' : 'UNHEALTHY'}\n${lines.join('\n')}\n`,
      };
    }
    case 'env':
      return { exitCode: 0, stdout: sandboxEnvExports((await SandboxClient.connect(dir)).state) };
    case 'nodes': {
      const nodes = await (await SandboxClient.connect(dir)).nodes();
      const lines = nodes.map(
        (n) => `${n.name.padEnd(28)} ${n.zone.padEnd(16)} ${n.poweredOff ? 'powered off' : 'on'}`,
      );
      return { exitCode: 0, stdout: `${lines.join('\n')}\n` };
    }
    case 'database': {
      const db = await (await SandboxClient.connect(dir)).database();
      return {
        exitCode: 0,
        stdout: `endpoint ${db.endpoint.host}:${db.endpoint.port} (what the backend and sandbox env use)
primary  ${db.primary.name.padEnd(24)} ${db.primary.zone.padEnd(16)} ${db.primary.running ? 'running' : 'DOWN'}
standby  ${db.standby.name.padEnd(24)} ${db.standby.zone.padEnd(16)} ${db.standby.state}${db.standby.detail === undefined ? '' : ` (${db.standby.detail})`}
Multi-AZ ${db.multiAz ? 'yes' : 'NO (standby not in sync)'}; ${db.failovers} failover(s)
`,
      };
    }
    case 'fail':
    case 'restore': {
      const [kind, name] = rest;
      if (kind === 'database' && name === undefined) {
        const client = await SandboxClient.connect(dir);
        const result = await (action === 'fail'
          ? client.failoverDatabase()
          : client.rejoinStandby());
        return { exitCode: 0, stdout: `${JSON.stringify(result)}\n` };
      }
      if ((kind !== 'node' && kind !== 'zone') || name === undefined) {
        throw new UsageError(
          `sandbox ${action} needs 'node NAME', 'zone NAME' or 'database'\n\n${SANDBOX_USAGE}`,
        );
      }
      // A name the sandbox does not have comes back as SandboxTargetError (bad input, exit 2),
      // listing the valid ones.
      const client = await SandboxClient.connect(dir);
      const result =
        kind === 'node'
          ? await (action === 'fail' ? client.failNode(name) : client.restoreNode(name))
          : await (action === 'fail' ? client.failZone(name) : client.restoreZone(name));
      return { exitCode: 0, stdout: `${JSON.stringify(result)}\n` };
    }
    default:
      throw new UsageError(
        action === undefined
          ? SANDBOX_USAGE
          : `unknown sandbox subcommand '${action}'\n\n${SANDBOX_USAGE}`,
      );
  }
}
