#!/usr/bin/env bash
# Builds stackproof-tfeval from this folder (its own main.go, pinned dependencies in go.mod/go.sum).
set -euo pipefail
go build -trimpath -o "$1/stackproof-tfeval" .
