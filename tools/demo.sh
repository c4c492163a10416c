#!/usr/bin/env bash
# The main job on the local sandbox: the policy gate over the bundled fixtures (the compliant
# render must pass, each deliberately broken variant must be caught), then the sandbox: a real
# control plane with KWOK nodes in three zones and the reference services running for real, a
# request through the backend to PostgreSQL, a zone loss and its recovery, and `down`.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACKPROOF=(node "$ROOT/packages/cli/src/bin.ts")
fail=0

echo "== stackproof policy check fixtures/manifests/compliant.yaml (expect: pass)"
"${STACKPROOF[@]}" policy check "$ROOT/fixtures/manifests/compliant.yaml" --format text
rc=$?
[ "$rc" = 0 ] || { echo "demo: the compliant render was expected to pass, exit $rc"; fail=1; }

for variant in one-replica privileged; do
  echo
  echo "== stackproof policy check fixtures/manifests/$variant.yaml (expect: findings, exit 1)"
  "${STACKPROOF[@]}" policy check "$ROOT/fixtures/manifests/$variant.yaml" --format text
  rc=$?
  [ "$rc" = 1 ] || { echo "demo: $variant was expected to fail the gate (exit 1), got exit $rc"; fail=1; }
done

plans="$ROOT/fixtures/plans"
if [ -f "$plans/manifest.json" ]; then
  echo
  echo "== stackproof policy check fixtures/plans (real plans of terraform/aws)"
  "${STACKPROOF[@]}" policy check "$plans" --format text --fail-on critical || true
else
  echo
  echo "== fixtures/plans not generated (needs the IaC tier; see docs/terraform.md); sample plan instead:"
  "${STACKPROOF[@]}" policy check "$ROOT/packages/policies/test-fixtures/terraform" --format text || true
fi
SANDBOX_DIR="${STACKPROOF_SANDBOX_DIR:-$ROOT/.sandbox}"
SB=("${STACKPROOF[@]}" sandbox)
echo
echo "== stackproof sandbox up --dir $SANDBOX_DIR"
# Always down, also after a failure or Ctrl-C: the demo leaves nothing running.
trap '"${SB[@]}" down --dir "$SANDBOX_DIR" >/dev/null 2>&1 || true' EXIT
if "${SB[@]}" up --dir "$SANDBOX_DIR"; then
  eval "$("${SB[@]}" env --dir "$SANDBOX_DIR")"
  "${SB[@]}" status --dir "$SANDBOX_DIR" || fail=1
  echo
  echo "== POST and GET an item through the frontend Service (frontend → backend → PostgreSQL)"
  created="$(curl -fsS -X POST -H 'content-type: application/json' \
    -d '{"name":"demo","quantity":1}' "$STACKPROOF_FRONTEND_URL/api/items")" || fail=1
  echo "$created"
  echo
  echo "== zone me-central-1a loses power; the control plane notices, endpoints drop its pods"
  "${SB[@]}" fail zone me-central-1a --dir "$SANDBOX_DIR" || fail=1
  for _ in $(seq 1 60); do
    kubectl get nodes --no-headers 2>/dev/null | grep -q NotReady && break
    sleep 1
  done
  kubectl get nodes -L topology.kubernetes.io/zone
  ok=0; failed=0
  for _ in $(seq 1 20); do
    if curl -fsS -o /dev/null --max-time 2 "$STACKPROOF_BACKEND_URL/api/items?limit=1"; then
      ok=$((ok + 1)); else failed=$((failed + 1)); fi
  done
  echo "20 requests after the zone loss was noticed: $ok ok, $failed failed"
  [ "$failed" = 0 ] || fail=1
  echo
  echo "== restore the zone"
  "${SB[@]}" restore zone me-central-1a --dir "$SANDBOX_DIR" || fail=1
  sleep 3
  kubectl get nodes -L topology.kubernetes.io/zone
else
  fail=1
fi
echo
echo "== stackproof sandbox down"
"${SB[@]}" down --dir "$SANDBOX_DIR" || fail=1
trap - EXIT
[ "$fail" = 0 ] && echo "demo: OK — the gate passed the compliant stack and caught every broken variant; the sandbox served through a zone loss"
exit "$fail"
