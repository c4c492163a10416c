#!/usr/bin/env bash
# Builds a service image: `pnpm deploy` of the package (production dependencies only) into a
# temp context, then `docker build` (or podman) with the base images from build args.
# Usage: tools/containers/build-service-image.sh backend|frontend [TAG]
# Env: ENGINE (docker|podman; default: docker when it answers, else podman),
#      BASE_IMAGE / RUNTIME_IMAGE (defaults: the local images from build-base-image.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SERVICE="${1:-}"
case "$SERVICE" in backend|frontend) ;; *) echo "usage: $0 backend|frontend [TAG]" >&2; exit 2 ;; esac
TAG="${2:-localhost/stackproof/$SERVICE:dev}"
BASE_IMAGE="${BASE_IMAGE:-localhost/stackproof/node-base:24}"
RUNTIME_IMAGE="${RUNTIME_IMAGE:-localhost/stackproof/node-runtime:24}"
if [ -z "${ENGINE:-}" ]; then
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then ENGINE=docker
  elif command -v podman >/dev/null; then ENGINE=podman
  else echo "no container engine: install podman (tools/containers/setup.sh) or docker" >&2; exit 1; fi
fi

CONTEXT="$(mktemp -d /tmp/stackproof-image-$SERVICE.XXXXXX)"
trap 'rm -rf "$CONTEXT"' EXIT
rmdir "$CONTEXT" # pnpm deploy wants to create the directory itself
(cd "$ROOT" && pnpm --filter "@stackproof/$SERVICE" deploy --prod "$CONTEXT" > /dev/null)
"$ENGINE" build --build-arg "BASE_IMAGE=$BASE_IMAGE" --build-arg "RUNTIME_IMAGE=$RUNTIME_IMAGE" -t "$TAG" "$CONTEXT"
echo "built $TAG"
