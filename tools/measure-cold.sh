#!/usr/bin/env bash
# Measures a cold toolchain build: fresh Go build cache, module cache and stackproof cache in a
# scratch dir, so nothing is reused from earlier builds. Prints one row per tool (wall, CPU,
# peak RSS) and the total; the figures in docs/toolchain.md come from this script.
#   tools/measure-cold.sh [--tier core|iac] [--only a,b] [--keep]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KEEP=0; ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) KEEP=1; shift ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
SCRATCH="$(mktemp -d /tmp/stackproof-cold.XXXXXX)"
[ "$KEEP" = 1 ] || trap 'chmod -R u+w "$SCRATCH" 2>/dev/null; rm -rf "$SCRATCH"' EXIT
export GOCACHE="$SCRATCH/go-build" GOMODCACHE="$SCRATCH/go-mod" STACKPROOF_CACHE="$SCRATCH/stackproof"
# Never pick up an existing binary: PATH keeps only system dirs, env vars are cleared.
export PATH="/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
for v in $(env | awk -F= '/_BIN=/ {print $1}'); do unset "$v"; done
t0=$(date +%s)
"$ROOT/tools/bootstrap.sh" --no-system --no-node-deps "${ARGS[@]}"
total=$(( $(date +%s) - t0 ))
printf '\n%-16s %-12s %8s %9s %9s %10s\n' tool version wall_s user_s sys_s peak_MiB
for f in "$STACKPROOF_CACHE"/tools/*/*/build.json; do
  python3 - "$f" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
rss = b.get("maxRssKiB")
print(f'{b["tool"]:<16} {b["version"]:<12} {b["wallSeconds"]:>8} {b["userSeconds"]:>9} {b["systemSeconds"]:>9} {(rss or 0)//1024:>10}')
PY
done
echo "total bootstrap wall time: ${total}s (nproc=$(nproc), $(date -u +%FT%TZ))"
