import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { StackproofError } from '@stackproof/core';

/** One metric sample from k6's JSON output (`--out json=FILE`). */
export interface K6Sample {
  readonly metric: string;
  /** Unix milliseconds, on the clock of the k6 process that took it. */
  readonly time: number;
  readonly value: number;
  readonly tags: Readonly<Record<string, string>>;
}

export type K6MetricType = 'counter' | 'gauge' | 'rate' | 'trend';

/** A k6 JSON output line that is neither a Metric nor a Point, or a Point without its fields. */
export class K6OutputError extends StackproofError {
  constructor(file: string, line: number, reason: string) {
    super(
      'K6_OUTPUT_INVALID',
      'bad-input',
      `${file} line ${line}: ${reason}; pass the files k6 wrote with --out json=FILE (optionally .gz)`,
    );
  }
}

/** Receives the samples of one or more k6 outputs, in file order. */
export interface SampleSink {
  metricType(name: string, type: K6MetricType): void;
  sample(sample: K6Sample): void;
}

/**
 * Streams one k6 JSON output (plain or `.gz`) into `sink`. Lines that are not JSON objects are
 * skipped and counted (a runner's log lines when the output went to stdout; a last line cut short
 * by a killed process); a JSON line of the wrong shape is an error.
 */
export async function readK6Output(
  file: string,
  sink: SampleSink,
): Promise<{ samples: number; skippedLines: number }> {
  const raw = createReadStream(file);
  const input = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  let samples = 0;
  let skippedLines = 0;
  for await (const line of lines) {
    lineNo++;
    if (!line.startsWith('{')) {
      if (line.trim() !== '') skippedLines++;
      continue;
    }
    let doc: {
      type?: unknown;
      metric?: unknown;
      data?: { type?: unknown; time?: unknown; value?: unknown; tags?: unknown };
    };
    try {
      doc = JSON.parse(line);
    } catch {
      skippedLines++;
      continue;
    }
    if (doc.type === 'Metric') {
      const type = doc.data?.type;
      if (
        typeof doc.metric === 'string' &&
        (type === 'counter' || type === 'gauge' || type === 'rate' || type === 'trend')
      ) {
        sink.metricType(doc.metric, type);
      }
      continue;
    }
    if (doc.type !== 'Point')
      throw new K6OutputError(file, lineNo, `unknown line type ${JSON.stringify(doc.type)}`);
    const data = doc.data;
    const time = typeof data?.time === 'string' ? Date.parse(data.time) : Number.NaN;
    if (typeof doc.metric !== 'string' || typeof data?.value !== 'number' || Number.isNaN(time)) {
      throw new K6OutputError(file, lineNo, 'a Point without metric, time or value');
    }
    sink.sample({
      metric: doc.metric,
      time,
      value: data.value,
      tags: (data.tags ?? {}) as Record<string, string>,
    });
    samples++;
  }
  return { samples, skippedLines };
}
