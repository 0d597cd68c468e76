# vigil — security telemetry pipeline. `make help` lists the targets.
SHELL      := /bin/bash
GO         ?= go
BIN        := bin
STACK      := deploy/local/stack
CONFIG     ?= deploy/local/vigil.yaml
TEST_TIMEOUT ?= 30m

export GOFLAGS ?= -buildvcs=false

.DEFAULT_GOAL := help

include Makefile.stack

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}'

.PHONY: build
build: ## build the vigil binaries into bin/
	$(GO) build -o $(BIN)/ ./cmd/... ./bench/cmd/...

.PHONY: demo
demo: build ## install and start the local stack, stream generated attack telemetry through vigil, show incidents
	$(STACK) up
	$(BIN)/vigil demo --config $(CONFIG)

.PHONY: test
test: ## run every test, including integration tests against real Kafka and ClickHouse (starts the stack), and lint
	deploy/local/with-stack $(GO) test -count=1 -timeout $(TEST_TIMEOUT) ./...
	$(MAKE) --no-print-directory race
	$(MAKE) --no-print-directory bench-smoke
	$(MAKE) --no-print-directory policy-test
	$(MAKE) --no-print-directory lint

.PHONY: race
race: ## run the detection core's and the incident lifecycle's concurrency tests under the race detector (needs cgo and a C compiler)
	@if [ "$$($(GO) env CGO_ENABLED)" = 1 ] && command -v "$$($(GO) env CC)" >/dev/null 2>&1; then \
		echo "$(GO) test -race ./detect/ ./escalate/ (concurrency tests; no server needed)"; \
		$(GO) test -race -count=1 -run 'TestReloadWhileDetecting|TestDetectOrderIsDeterministic|TestEvaluationFailuresAreContained|TestRuleCache' ./detect/ && \
		$(GO) test -race -count=1 -run 'TestObserve|TestAlertCache|TestDeadline|TestOutboxWriteWakesTheDispatcher|TestPolicy' ./escalate/; \
	else \
		echo "race: skipped, the race detector needs CGO_ENABLED=1 and a C compiler ($$($(GO) env CC))"; \
		[ -z "$$CI" ]; \
	fi

.PHONY: bench-smoke
bench-smoke: ## run each Go benchmark that needs no server once, so that none breaks unnoticed
	$(GO) test -count=1 -run '^$$' -bench . -benchtime 1x ./detect/ ./event/ ./ingest/parse/ ./correlate/ ./bench/gen/

.PHONY: test-unit
test-unit: ## run tests that need no servers
	$(GO) test -short -count=1 ./...

.PHONY: policy-test
policy-test: build ## run the Rego unit and fixture tests of policies/
	$(BIN)/vigil policy test policies
	$(BIN)/vigil policy lint policies

.PHONY: bench
bench: build ## end-to-end benchmark on the local stack; results in bench/results/
	$(STACK) up
	$(BIN)/vigil-bench --config $(CONFIG) --out bench/results

.PHONY: lint
lint: ## gofmt, go vet and the import-graph check
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	deploy/check-imports

.PHONY: clean
clean: ## remove build output (the stack's data stays; see stack-clean)
	rm -rf $(BIN)
