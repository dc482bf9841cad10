GO ?= go
FUZZTIME ?= 60s
FUZZTIME_SHORT ?= 500x

.PHONY: run test fuzz build bench gobench lint screenshots

## run: start a working server on the embedded SQLite database (./data)
run:
	$(GO) run ./cmd/rollcall serve

## test: vet, then every test (unit, both stores, HTTP end to end, fuzz seeds) with the race
## detector, then each fuzz target for FUZZTIME_SHORT
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...
	@$(MAKE) --no-print-directory fuzz FUZZTIME=$(FUZZTIME_SHORT)

## fuzz: each fuzz target (func Fuzz… in a _test.go file) for FUZZTIME; go test fuzzes one
## target of a package per run, so they run one after the other
fuzz:
	@set -e; for file in $$(grep -l '^func Fuzz' $$(git ls-files --cached --others --exclude-standard '*_test.go') | sort); do \
		for name in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$file); do \
			echo "fuzz ./$$(dirname $$file) $$name for $(FUZZTIME)"; \
			$(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) ./$$(dirname $$file); \
		done; \
	done

## screenshots: regenerate docs/screenshots/*.png from the browser tests (needs /usr/bin/chromium)
screenshots:
	mkdir -p docs/screenshots
	ROLLCALL_TEST_REQUIRE_BROWSER=1 ROLLCALL_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run 'InTheBrowser$$' ./cmd/rollcall

## build: the one binary, at bin/rollcall
build:
	$(GO) build -o bin/rollcall ./cmd/rollcall

## bench: the load generator (bench/): builds cmd/rollcall, runs it on a fresh Postgres database
## and on SQLite, measures the raw database ceilings and every workload, prints the table and
## writes bench/results.json (BENCH_QUICK=1: a short smoke run; BENCH_FLAGS: e.g. -duration 10s)
bench:
	$(GO) run ./bench $(BENCH_FLAGS)

## gobench: the Go benchmarks (Postgres ones need ROLLCALL_TEST_POSTGRES_URL or a local server)
gobench:
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./...

## lint: formatting and vet
lint:
	@out=$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
