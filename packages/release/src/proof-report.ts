import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { appendJsonLine } from '@stackproof/core';
import type { Timeline } from '@stackproof/load';
import {
  evidenceTable,
  type HtmlBlock,
  htmlPage,
  junitCaseFromEvidence,
  junitXml,
  section,
  summary,
  table,
  text,
  timeSeriesChart,
  writeReportFile,
} from '@stackproof/report';
import type { ReleaseProof, ScenarioResult } from './prove.ts';

type ProofWithoutFiles = Omit<ReleaseProof, 'files'>;

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

async function timelineOf(result: ScenarioResult): Promise<Timeline | undefined> {
  try {
    return JSON.parse(
      await readFile(join(result.record.load.outDir, 'timeline.json'), 'utf8'),
    ) as Timeline;
  } catch {
    return undefined;
  }
}

async function scenarioBlock(result: ScenarioResult): Promise<HtmlBlock> {
  const r = result.record;
  const blocks: HtmlBlock[] = [
    summary({
      status: result.verdict,
      headline: result.title,
      facts: [
        ['release', r.outcome.status],
        ['image tag', r.imageTag],
        ['helm --timeout', `${r.timeoutSeconds} s`],
        [
          'migrations',
          r.outcome.migrations.status === 'skipped'
            ? `skipped: ${r.outcome.migrations.reason}`
            : `${r.outcome.migrations.status} in ${seconds(r.outcome.migrations.durationMs)} (${r.outcome.migrations.attempts} runs)`,
        ],
        [
          'helm upgrade',
          r.outcome.upgrade === undefined
            ? 'not run'
            : `exit ${r.outcome.upgrade.exitCode} after ${seconds(r.outcome.upgrade.durationMs)}`,
        ],
        ['release took', seconds(r.releaseEndedAtMs - r.releaseStartedAtMs)],
        [
          'k6',
          `${r.load.requests} requests, ${r.load.failed} failed; while the release ran: ${r.load.duringRelease.requests} requests, ${r.load.duringRelease.failed} failed`,
        ],
        [
          'Deployment revision',
          `${r.before.revision} -> ${r.after.revision} (ReplicaSet ${r.before.activeHash} -> ${r.after.activeHash})`,
        ],
      ],
    }),
    text(result.description),
  ];
  const timeline = await timelineOf(result);
  if (timeline !== undefined) {
    const x = timeline.points.map((p) => p.t);
    const windows = [
      {
        from: r.releaseStartedAtMs / 1000,
        to: r.releaseEndedAtMs / 1000,
        label: 'release',
        kind: 'fault' as const,
      },
    ];
    blocks.push(
      timeSeriesChart({
        title: 'Steady load (requests per second)',
        x,
        windows,
        series: [
          {
            label: 'served',
            unit: 'req/s',
            values: timeline.points.map((p) => p.requests),
            color: '#1f77b4',
          },
          {
            label: 'failed',
            unit: 'req/s',
            values: timeline.points.map((p) => p.failed),
            color: '#d62728',
            axis: 'right',
          },
        ],
      }),
      timeSeriesChart({
        title: 'Ready replicas and latency',
        x,
        windows,
        series: [
          { label: 'ready', values: timeline.points.map((p) => p.ready), color: '#17becf' },
          { label: 'desired', values: timeline.points.map((p) => p.desired), color: '#9467bd' },
          {
            label: 'p95',
            unit: 'ms',
            values: timeline.points.map((p) => p.p95Ms),
            color: '#ff7f0e',
            axis: 'right',
          },
        ],
      }),
    );
  }
  blocks.push(
    evidenceTable(result.evidence),
    table({
      title: 'Helm history (from the revision before the release)',
      columns: [
        { key: 'revision', label: 'revision', align: 'right' },
        { key: 'status', label: 'status' },
        { key: 'description', label: 'description' },
      ],
      rows: r.historyAfter
        .filter((h) => h.revision >= (r.historyBefore.at(-1)?.revision ?? 0))
        .map((h) => ({ revision: h.revision, status: h.status, description: h.description })),
    }),
    table({
      title: 'ReplicaSets seen during the release (Deployment revision history)',
      columns: [
        { key: 'hash', label: 'pod-template-hash' },
        { key: 'revision', label: 'revision', align: 'right' },
        { key: 'replicas', label: 'replicas at the end', align: 'right' },
        { key: 'maxReady', label: 'most ready', align: 'right' },
        { key: 'new', label: 'new' },
      ],
      rows: r.rollout.replicaSets.map((rs) => ({
        hash: rs.hash,
        revision: rs.revision,
        replicas: rs.replicas,
        maxReady: rs.maxReady,
        new: rs.new ? 'yes' : 'no',
      })),
    }),
  );
  return section(`${result.name}: ${result.title}`, ...blocks);
}

/**
 * release-proof.json (everything, for machines), evidence.jsonl (core's evidence events),
 * junit.xml (one case per check) and report.html (per scenario: load and ready replicas on one
 * time axis with the release shaded, the checks, Helm's and the Deployment's history).
 */
export async function writeProofReports(
  proof: ProofWithoutFiles,
): Promise<Readonly<Record<string, string>>> {
  const files = {
    json: join(proof.outDir, 'release-proof.json'),
    evidence: join(proof.outDir, 'evidence.jsonl'),
    junit: join(proof.outDir, 'junit.xml'),
    html: join(proof.outDir, 'report.html'),
  };
  await writeReportFile(files.json, `${JSON.stringify({ ...proof, files }, null, 2)}\n`);
  await writeReportFile(files.evidence, '');
  for (const e of proof.evidence) await appendJsonLine(files.evidence, e);
  await writeReportFile(
    files.junit,
    junitXml(
      proof.scenarios.map((s) => ({
        name: `stackproof release prove: ${s.name}`,
        timestamp: new Date(s.record.load.loadStartedAtMs).toISOString(),
        properties: {
          scenario: s.name,
          release: proof.release,
          deployment: `${proof.namespace}/${proof.deployment}`,
          target: proof.target,
        },
        cases: s.evidence.map(junitCaseFromEvidence),
      })),
    ),
  );
  const blocks: HtmlBlock[] = [
    summary({
      status: proof.verdict,
      headline:
        proof.verdict === 'pass'
          ? 'Every release behaved: rolled out or rolled back without a failed request; the failed migration changed nothing'
          : `Release lifecycle ${proof.verdict === 'fail' ? 'broken' : 'not proven'}`,
      facts: [
        ['release', `${proof.release} (${proof.namespace}/${proof.deployment})`],
        ['load', `steady ${proof.rate} req/s on ${proof.target}${proof.path}`],
        ['started', proof.startedAt],
        ['duration', `${proof.durationSeconds} s`],
      ],
    }),
  ];
  for (const s of proof.scenarios) blocks.push(await scenarioBlock(s));
  await writeReportFile(
    files.html,
    htmlPage({
      title: 'stackproof release prove',
      subtitle:
        'Releases under steady load: rollout, rollback, failed migration, and the unsafe-strategy control',
      blocks,
    }),
  );
  return files;
}
