#!/usr/bin/env bash
# Makes a Docker-compatible container engine answer on this machine and builds the local base
# images the service Dockerfiles start from. No container registry is reachable here, so nothing
# is pulled: podman comes from Debian, base images are bootstrapped from Debian packages.
#
# Usage (as root): tools/containers/setup.sh [CACHE_DIR]
#   CACHE_DIR defaults to ${STACKPROOF_CACHE:-$HOME/.cache/stackproof}. Writes CACHE_DIR/containers.env
#   (DOCKER_HOST and the testcontainers settings) which tools/bootstrap.sh folds into env.sh.
# Idempotent: packages, config, socket and images are only touched when something is missing or
# an input changed.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${1:-${STACKPROOF_CACHE:-$HOME/.cache/stackproof}}"
SOCKET_DIR=/run/podman
SOCKET="$SOCKET_DIR/podman.sock"
CONF_DIR=/etc/containers/containers.conf.d
CONF_FILE="$CONF_DIR/50-stackproof.conf"

say() { printf 'containers: %s\n' "$*"; }
die() { printf 'containers: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (it installs Debian packages, writes /etc/containers and starts the podman socket)"
mkdir -p "$CACHE/logs"

# 1. Packages. crun (podman's default runtime) fails on hosts with hybrid cgroups, hence runc.
missing=()
for pair in podman:podman runc:runc debootstrap:debootstrap; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}"
fi

# 2. Engine configuration. A drop-in keeps the distribution's containers.conf untouched.
#    default_ulimits: the sandbox lacks CAP_SYS_RESOURCE, so a container may not ask for more
#    than the host's limits (podman's default nofile would exceed them and every start fails).
mkdir -p "$CONF_DIR"
want_conf='# written by stackproof tools/containers/setup.sh
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]

[engine]
runtime = "runc"
'
if [ ! -f "$CONF_FILE" ] || [ "$(cat "$CONF_FILE")" != "$(printf '%s' "$want_conf")" ]; then
  printf '%s' "$want_conf" > "$CONF_FILE"
  say "wrote $CONF_FILE"
fi
runtime="$(podman info --format '{{.Host.OCIRuntime.Name}}' 2>/dev/null || true)"
[ "$runtime" = runc ] || die "podman reports runtime '${runtime:-unknown}' after writing $CONF_FILE; expected runc (see 'podman info')"

# 3. The Docker-compatible API socket.
bash "$HERE/podman-socket.sh" start "$CACHE"

# 4. Local base images (skipped when the inputs did not change).
bash "$HERE/build-base-image.sh"

# 5. Environment for the container tests; bootstrap.sh appends it to env.sh.
cat > "$CACHE/containers.env" <<EOF
export DOCKER_HOST='unix://$SOCKET'
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1
export STACKPROOF_NODE_BASE_IMAGE='localhost/stackproof/node-base:24'
export STACKPROOF_NODE_RUNTIME_IMAGE='localhost/stackproof/node-runtime:24'
EOF
say "ready: DOCKER_HOST=unix://$SOCKET (env in $CACHE/containers.env)"
