#!/usr/bin/env bash
# Regenerates fixtures/plans/*.json and fixtures/plans/manifest.json from terraform/ by planning
# every workspace (and its broken variants) with OpenTofu + hashicorp/aws against a moto server
# on loopback. Needs the IaC tier: `make tools-iac && . ~/.cache/stackproof/env.sh`.
# Usage: terraform/scripts/generate-plan-fixtures.sh [fixture-name ...]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
exec node "$ROOT/packages/iac/src/generate-plan-fixtures.ts" "$@"
