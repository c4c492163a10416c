# Entry points used by the README, CI and a fresh machine. Every target bootstraps what it needs.
SHELL := /bin/bash
CACHE ?= $(or $(STACKPROOF_CACHE),$(HOME)/.cache/stackproof)
ENV := . $(CACHE)/env.sh &&

.PHONY: tools tools-iac tools-list test demo policy lint

tools: ## Node >= 22, pnpm, the Go-built tools, Debian packages, moto, node_modules
	tools/bootstrap.sh

tools-iac: ## tools + OpenTofu and the hashicorp/aws provider (large build)
	tools/bootstrap.sh --tier iac

tools-list: ## every tool, its version and where it came from
	tools/bootstrap.sh --list

test: tools ## the whole test suite
	$(ENV) pnpm run lint && $(ENV) pnpm run typecheck && $(ENV) pnpm test

demo: tools ## the game day on the local sandbox: sandbox up, stackproof gameday, sandbox down; prints the report's path
	$(ENV) pnpm run demo

policy: tools
	$(ENV) pnpm run policy -- $(ARGS)

lint: tools
	$(ENV) pnpm run lint
