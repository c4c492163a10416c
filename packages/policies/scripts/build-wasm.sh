#!/usr/bin/env bash
# Compiles packages/policies/rego to the Wasm bundle the TypeScript evaluator ships:
#   bundle/bundle.tar.gz, bundle/policy.wasm, bundle/capabilities.json, bundle/sources.sha256.
# Fails (nothing written) when the sources are not formatted or do not pass `opa check --strict`.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OPA="$(find_tool opa OPA_BIN)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if ! unformatted="$("$OPA" fmt --list "$REGO_DIR")" || [ -n "$unformatted" ]; then
  echo "error: not formatted (run: opa fmt -w packages/policies/rego):" >&2
  echo "$unformatted" >&2
  exit 1
fi
write_capabilities "$OPA" "$tmp/capabilities.json"
# Tests are not part of the bundle (they may use built-ins the Wasm SDK lacks, e.g. json.patch).
(cd "$REGO_DIR" && find . -name '*.rego' ! -name '*_test.rego' -type f | while IFS= read -r f; do
  mkdir -p "$tmp/src/$(dirname "$f")" && cp "$f" "$tmp/src/$f"
done)
# Only built-ins of the SDK's capabilities: an unsupported one fails here, not at run time.
"$OPA" check --strict --capabilities "$tmp/capabilities.json" "$tmp/src"
"$OPA" build -t wasm -e stackproof/main --capabilities "$tmp/capabilities.json" -o "$tmp/bundle.tar.gz" "$tmp/src"
tar -xzf "$tmp/bundle.tar.gz" -C "$tmp" /policy.wasm 2>/dev/null || tar -xzf "$tmp/bundle.tar.gz" -C "$tmp" policy.wasm

mkdir -p "$BUNDLE_DIR"
cp "$tmp/bundle.tar.gz" "$BUNDLE_DIR/bundle.tar.gz.new"
cp "$tmp/policy.wasm" "$BUNDLE_DIR/policy.wasm.new"
cp "$tmp/capabilities.json" "$BUNDLE_DIR/capabilities.json"
mv "$BUNDLE_DIR/bundle.tar.gz.new" "$BUNDLE_DIR/bundle.tar.gz"
chmod 644 "$BUNDLE_DIR/policy.wasm.new"
mv "$BUNDLE_DIR/policy.wasm.new" "$BUNDLE_DIR/policy.wasm"
printf '%s\n' "$(sources_hash)" >"$BUNDLE_DIR/sources.sha256"
echo "built $BUNDLE_DIR/policy.wasm ($(wc -c <"$BUNDLE_DIR/policy.wasm") bytes), sources $(cat "$BUNDLE_DIR/sources.sha256")"
