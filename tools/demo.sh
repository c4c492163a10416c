#!/usr/bin/env bash
# The main job until the sandbox lands: the policy gate over the bundled fixtures. The compliant
# render must pass (exit 0); each deliberately broken variant must be caught (exit 1).
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
[ "$fail" = 0 ] && echo "demo: OK — the gate passed the compliant stack and caught every broken variant"
exit "$fail"
