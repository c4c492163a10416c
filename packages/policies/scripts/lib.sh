# Shared by build-wasm.sh and check-rego.sh: locate opa/regal and the policy directories.
# shellcheck shell=bash
POLICIES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REGO_DIR="$POLICIES_DIR/rego"
BUNDLE_DIR="$POLICIES_DIR/bundle"
SDK_CAPABILITIES="$POLICIES_DIR/node_modules/@open-policy-agent/opa-wasm/capabilities.json"

[ -f "${STACKPROOF_CACHE:-$HOME/.cache/stackproof}/env.sh" ] && . "${STACKPROOF_CACHE:-$HOME/.cache/stackproof}/env.sh"

find_tool() { # find_tool <name> <env var>: prints the binary or fails with the way to get it
  local name="$1" env="$2" path="${!2:-}"
  if [ -n "$path" ]; then
    [ -x "$path" ] || { echo "error: $env=$path is not an executable" >&2; return 1; }
    echo "$path"; return 0
  fi
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
  echo "error: $name not found: run \`make tools\` (or set $env to a $name binary)" >&2
  return 1
}

# The SDK's capabilities + the rego_v1 feature (its file predates the features list) + the
# declaration of rego.metadata.rule, which the compiler rewrites into a constant: the wasm never
# calls it, so the SDK needs no implementation of it.
write_capabilities() { # write_capabilities <opa> <out>
  local opa="$1" out="$2"
  [ -f "$SDK_CAPABILITIES" ] || { echo "error: $SDK_CAPABILITIES missing: run pnpm install" >&2; return 1; }
  "$opa" capabilities --current >"$out.current"
  node -e '
    const fs = require("node:fs");
    const [sdkPath, fullPath, out] = process.argv.slice(1);
    const sdk = JSON.parse(fs.readFileSync(sdkPath, "utf8"));
    const full = JSON.parse(fs.readFileSync(fullPath, "utf8"));
    const meta = full.builtins.find((b) => b.name === "rego.metadata.rule");
    if (!meta) throw new Error("opa capabilities --current has no rego.metadata.rule");
    sdk.features = [...new Set([...(sdk.features ?? []), "rego_v1"])];
    if (!sdk.builtins.some((b) => b.name === meta.name)) sdk.builtins.push(meta);
    fs.writeFileSync(out, JSON.stringify(sdk, null, 1) + "\n");
  ' "$SDK_CAPABILITIES" "$out.current" "$out"
  rm -f "$out.current"
}

# sha256 over sorted "<sha256>  <path>" lines of the non-test .rego files (policy contract).
sources_hash() {
  (cd "$REGO_DIR" && find . -name '*.rego' ! -name '*_test.rego' -type f | sed 's|^\./||' | LC_ALL=C sort |
    while IFS= read -r f; do printf '%s  %s\n' "$(sha256sum "$f" | cut -d' ' -f1)" "$f"; done) |
    sha256sum | cut -d' ' -f1
}
