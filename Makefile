# LINE Partner Portal. Needs Go and a C compiler (mattn/go-sqlite3 uses cgo).
export CGO_ENABLED := 1

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
TEMPL   := go tool templ

.PHONY: run run-fresh build test generate check-generated lint bench bench-postgres clean

## run: serve the portal on the built-in LINE simulator with demo data
run: build
	./bin/portal serve

## run-fresh: like run, but from fresh demo data: deletes portal.db (and its development key) first
run-fresh: build
	rm -f portal.db portal.db-wal portal.db-shm portal.db.dev-key
	./bin/portal serve

## build: compile bin/portal
build:
	go build -ldflags '$(LDFLAGS)' -o bin/portal ./cmd/portal

## test: stale generated code, formatting and vet, then every test with the race detector
test: check-generated lint
	go test -race -count=1 ./...

## generate: regenerate the templ views
generate:
	$(TEMPL) generate

## check-generated: fail when a committed *_templ.go differs from its .templ
check-generated:
	@stale=0; for f in $$(find . -name '*.templ' -not -path './bin/*'); do \
		if ! $(TEMPL) generate -stdout -f "$$f" 2>/dev/null | cmp -s - "$${f%.templ}_templ.go"; then \
			echo "stale or missing generated file: $${f%.templ}_templ.go (run: make generate)"; stale=1; \
		fi; \
	done; exit $$stale

## lint: gofmt and go vet
lint:
	@unformatted=$$(gofmt -l $$(find . -name '*.go' -not -path './bin/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	go vet ./...

## bench: load the real portal and a bare net/http server on loopback, side by side
## (BENCH_DB=postgres://… runs the portal on that empty PostgreSQL database instead of SQLite)
bench: build
	go run ./cmd/portalbench -portal bin/portal $(if $(BENCH_DB),-db '$(BENCH_DB)')

## bench-postgres: make bench with the portal on a throwaway PostgreSQL cluster
bench-postgres: build
	go run ./cmd/portalbench -portal bin/portal -db postgres

clean:
	rm -rf bin
