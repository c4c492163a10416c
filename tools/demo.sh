#!/usr/bin/env bash
# The main job on the local sandbox: the game day. A real control plane with KWOK nodes in three
# zones, the AWS emulator and PostgreSQL Multi-AZ come up with the reference services running for
# real; then `stackproof gameday`: the policy gate on the bundled plan and the rendered chart, the
# live checks, the HPA scale-out under k6 load, an outage of me-central-1a under steady load with
# the database failover, recovery, the live checks again, rollback and the residue check; then the
# sandbox goes down. One report: .reports/demo/report.html (and report.json, junit.xml).
#
#   STACKPROOF_DEMO_VALUES=FILE   helm values of a chart change to prove: the gate renders the chart
#                                 with them (e.g. fixtures/manifest-values/no-spread.yaml); a broken
#                                 variant fails the game day at preflight naming the property
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACKPROOF=(node "$ROOT/packages/cli/src/bin.ts")
SANDBOX_DIR="${STACKPROOF_SANDBOX_DIR:-$ROOT/.sandbox}"
OUT="${STACKPROOF_DEMO_OUT:-$ROOT/.reports/demo}"
SB=("${STACKPROOF[@]}" sandbox)

plans="$ROOT/fixtures/plans"
plan_args=()
if [ -f "$plans/manifest.json" ]; then
  for p in "$plans"/*.json; do [ "$(basename "$p")" = manifest.json ] || plan_args+=(--plan "$p"); done
fi

echo "== stackproof sandbox up --dir $SANDBOX_DIR"
# Always down, also after a failure or Ctrl-C: the demo leaves nothing running.
trap '"${SB[@]}" down --dir "$SANDBOX_DIR" >/dev/null 2>&1 || true' EXIT
mkdir -p "$SANDBOX_DIR" && chmod 755 "$SANDBOX_DIR"
"${SB[@]}" up --dir "$SANDBOX_DIR" || exit 1
"${SB[@]}" status --dir "$SANDBOX_DIR"

echo
echo "== stackproof gameday --sandbox-dir $SANDBOX_DIR --out $OUT ${plan_args[*]}"
"${STACKPROOF[@]}" gameday --sandbox-dir "$SANDBOX_DIR" --out "$OUT" "${plan_args[@]}" \
  ${STACKPROOF_DEMO_VALUES:+--values "$STACKPROOF_DEMO_VALUES"}
rc=$?

echo
echo "== stackproof sandbox down"
"${SB[@]}" down --dir "$SANDBOX_DIR" || rc=1
trap - EXIT
echo
echo "report: $OUT/report.html (open it in a browser; report.json and junit.xml beside it)"
[ "$rc" = 0 ] && echo "demo: OK — the game day held on the sandbox" || echo "demo: the game day FAILED (exit $rc): the report names the stage and the property"
exit "$rc"
