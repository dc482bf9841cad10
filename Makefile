GO ?= go

.PHONY: run test build bench lint screenshots

## run: start a working server on the embedded SQLite database (./data)
run:
	$(GO) run ./cmd/rollcall serve

## test: vet, then every test (unit, both stores, HTTP end to end) with the race detector
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...

## screenshots: regenerate docs/screenshots/*.png from the browser tests (needs /usr/bin/chromium)
screenshots:
	mkdir -p docs/screenshots
	ROLLCALL_TEST_REQUIRE_BROWSER=1 ROLLCALL_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run '^TestConsole(Setup)?InTheBrowser$$' ./cmd/rollcall

## build: the one binary, at bin/rollcall
build:
	$(GO) build -o bin/rollcall ./cmd/rollcall

## bench: benchmarks (Postgres ones need ROLLCALL_TEST_POSTGRES_URL or a local server)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./...

## lint: formatting and vet
lint:
	@out=$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
