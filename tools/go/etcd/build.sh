#!/usr/bin/env bash
# etcd's main package is the module go.etcd.io/etcd/server/v3, which `go build tool` would name
# `server`; build each command under the name upstream's release ships.
set -euo pipefail
out="${1:?usage: build.sh OUT_DIR}"
. ./tool.conf
go build -trimpath -ldflags "$TOOL_LDFLAGS" -o "$out/etcd" go.etcd.io/etcd/server/v3
go build -trimpath -ldflags "$TOOL_LDFLAGS" -o "$out/etcdctl" go.etcd.io/etcd/etcdctl/v3
