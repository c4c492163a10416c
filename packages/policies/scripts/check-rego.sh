#!/usr/bin/env bash
# The policy suite's Rego gate, in the order a reviewer cares about:
#   opa fmt, opa check --strict, opa test --coverage (fails below $MIN_COVERAGE, default 90),
#   regal lint, bundle freshness (bundle/sources.sha256 vs rego sources), METADATA schema +
#   catalog + docs/policies.md, and a Wasm smoke evaluation through @open-policy-agent/opa-wasm.
# Exit 0 when all pass; 1 with the failing step named otherwise. Tools: OPA_BIN / REGAL_BIN or PATH.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
MIN_COVERAGE="${MIN_COVERAGE:-90}"

failed=()
step() { echo "== $1"; }
bad() { echo "FAIL: $1" >&2; failed+=("$1"); }

OPA="$(find_tool opa OPA_BIN)" || exit 1
export OPA_BIN="$OPA"

step "opa fmt"
unformatted="$("$OPA" fmt --list "$REGO_DIR")" || bad "opa fmt could not parse the sources"
[ -z "$unformatted" ] || bad "not formatted (opa fmt -w packages/policies/rego): $unformatted"

step "opa check --strict"
"$OPA" check --strict "$REGO_DIR" || bad "opa check --strict"

step "opa test --coverage (minimum ${MIN_COVERAGE}%)"
if report="$("$OPA" test --coverage --format json "$REGO_DIR")"; then
  # Coverage of the policies only: test files would count as covered by themselves.
  coverage="$(printf '%s' "$report" | node -e '
    let s = "";
    process.stdin.on("data", (d) => (s += d)).on("end", () => {
      let covered = 0, total = 0;
      for (const [file, f] of Object.entries(JSON.parse(s).files)) {
        if (file.endsWith("_test.rego")) continue;
        covered += f.covered_lines ?? 0;
        total += (f.covered_lines ?? 0) + (f.not_covered_lines ?? 0);
      }
      console.log(total ? ((100 * covered) / total).toFixed(2) : "0");
    });')"
  echo "coverage ${coverage}%"
  node -e "process.exit(Number(process.argv[1]) >= Number(process.argv[2]) ? 0 : 1)" "$coverage" "$MIN_COVERAGE" ||
    bad "coverage ${coverage}% is below ${MIN_COVERAGE}%"
else
  "$OPA" test "$REGO_DIR" | grep -E '^(FAIL|data\.|.*: FAIL)' | head -40 >&2
  bad "opa test"
fi

step "regal lint"
if REGAL="$(find_tool regal REGAL_BIN)"; then
  (cd "$POLICIES_DIR" && "$REGAL" lint rego) || bad "regal lint"
else
  bad "regal is not installed: run \`make tools\` or set REGAL_BIN"
fi

step "bundle freshness"
want="$(sources_hash)"
have="$(cut -d' ' -f1 "$BUNDLE_DIR/sources.sha256" 2>/dev/null)"
[ "$want" = "$have" ] || bad "bundle/ is stale against rego/ (run packages/policies/scripts/build-wasm.sh)"

step "metadata, catalog and docs"
(cd "$POLICIES_DIR" && node scripts/policy-metadata.mjs check) || bad "policy metadata"

step "wasm smoke evaluation"
(cd "$POLICIES_DIR" && node scripts/smoke-wasm.mjs) || bad "wasm smoke evaluation"

if [ "${#failed[@]}" -gt 0 ]; then
  echo "check-rego: ${#failed[@]} step(s) failed: ${failed[*]}" >&2
  exit 1
fi
echo "check-rego: all steps passed"
