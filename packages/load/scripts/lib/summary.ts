// handleSummary() shared by the scripts: a one-line verdict per threshold on stdout, and the full
// summary as JSON where SUMMARY_JSON asks for it. The stackproof runner does not depend on it: it
// judges the raw samples (`--out json`), so N runners can be judged together.
interface SummaryData {
  metrics: Record<string, { thresholds?: Record<string, { ok: boolean }> }>;
}

export function thresholdSummary(data: object): Record<string, string> {
  const lines: string[] = [];
  for (const [metric, body] of Object.entries((data as SummaryData).metrics)) {
    for (const [expression, verdict] of Object.entries(body.thresholds ?? {})) {
      lines.push(`${verdict.ok ? 'PASS' : 'FAIL'} ${metric}: ${expression}`);
    }
  }
  const out: Record<string, string> = { stdout: `${lines.sort().join('\n')}\n` };
  if (__ENV.SUMMARY_JSON) out[__ENV.SUMMARY_JSON] = JSON.stringify(data, null, 2);
  return out;
}
