#!/usr/bin/env bash
# Builds k6 v2 with the xk6-kubernetes extension through xk6 (pinned in ./go.mod).
# Called by tools/bootstrap.sh as `bash build.sh OUT_DIR` with this folder as working directory.
#
# Why a port: no xk6-kubernetes release that the Go module proxy serves here imports
# go.k6.io/k6/v2 (the newest served is v0.9.0, written against k6 v0.48 and goja). A k6 v1
# extension cannot register into k6 v2 (its js/modules registry is a different module), so the
# pinned upstream source is taken from the proxy (checksum pinned below), its imports are moved to
# go.k6.io/k6/v2 and github.com/grafana/sobek (the only API change the extension needs), and its
# dependencies are pinned by xk6-kubernetes.go.mod / xk6-kubernetes.go.sum in this folder.
set -euo pipefail

K6_VERSION=v2.2.0          # newest k6 v2 whose source the proxy serves (v2.3.0: .info only, zip 403)
EXT_MODULE=github.com/grafana/xk6-kubernetes
EXT_VERSION=v0.9.0
EXT_SUM='h1:H9YmuMQEnCYjDNC88L1iciSaYKLCUnRDuAimdrSigoU='
# sha256 of xk6-kubernetes.go.mod + xk6-kubernetes.go.sum: the bootstrap's cache key hashes this
# file, so editing those pins without updating this line fails loudly instead of reusing a stale k6
PORT_PINS_SHA256=49a5fa94af9e84fc39b64e4320bcd0f61e7095ec09ccede1215b5ae3ba63894e

out_dir="${1:?usage: build.sh OUT_DIR}"
mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"
here="$(pwd)"

actual="$(cat xk6-kubernetes.go.mod xk6-kubernetes.go.sum | sha256sum | cut -d' ' -f1)"
if [ "$actual" != "$PORT_PINS_SHA256" ]; then
  echo "build.sh: xk6-kubernetes.go.mod/.go.sum changed (sha256 $actual); update PORT_PINS_SHA256 in build.sh" >&2
  exit 1
fi

# xk6 hands GOPROXY to its own go commands verbatim and breaks on a list: keep the first entry.
proxy="${GOPROXY:-https://proxy.golang.org}"
proxy="${proxy%%[,|]*}"
[ "$proxy" = direct ] || [ "$proxy" = off ] && proxy=https://proxy.golang.org

work="$(mktemp -d "${TMPDIR:-/tmp}/stackproof-k6-build.XXXXXX")"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

echo "fetching $EXT_MODULE@$EXT_VERSION"
info="$(GOPROXY="$proxy" go mod download -json "$EXT_MODULE@$EXT_VERSION")"
src="$(printf '%s\n' "$info" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
sum="$(printf '%s\n' "$info" | sed -n 's/^[[:space:]]*"Sum": "\(.*\)",$/\1/p')"
if [ "$sum" != "$EXT_SUM" ] || [ ! -d "$src" ]; then
  echo "build.sh: $EXT_MODULE@$EXT_VERSION has checksum '$sum', expected '$EXT_SUM'" >&2
  exit 1
fi

ext="$work/xk6-kubernetes"
cp -R "$src" "$ext"
chmod -R u+w "$ext"
# tests and examples import k6 test helpers we do not build; drop them from the port
find "$ext" -name '*_test.go' -delete
rm -rf "$ext/internal/testutils" "$ext/examples"
grep -rlE --include='*.go' '"github.com/dop251/goja"|"go.k6.io/k6/' "$ext" | while read -r f; do
  sed -i -E \
    -e 's#"github.com/dop251/goja"#"github.com/grafana/sobek"#' \
    -e 's#\bgoja\.#sobek.#g' \
    -e 's#"go.k6.io/k6/#"go.k6.io/k6/v2/#' "$f"
done
if grep -rqE --include='*.go' 'dop251/goja|"go.k6.io/k6/[^v]' "$ext"; then
  echo "build.sh: the port left k6 v1 or goja imports behind" >&2
  exit 1
fi
cp "$here/xk6-kubernetes.go.mod" "$ext/go.mod"
cp "$here/xk6-kubernetes.go.sum" "$ext/go.sum"

echo "xk6 build k6 $K6_VERSION --with $EXT_MODULE (port of $EXT_VERSION)"
# xk6 runs go get/tidy in its own temp module: the caller's GOFLAGS (-mod=readonly) do not apply there
GOPROXY="$proxy" GOFLAGS='' K6_AUTO_EXTENSION_RESOLUTION=false K6_NO_USAGE_REPORT=true \
  go tool xk6 build "$K6_VERSION" \
  --with "$EXT_MODULE=$ext" \
  --output "$out_dir/k6"

"$out_dir/k6" version
