# keyshard: `make run` starts the server on 127.0.0.1:6379, `make test` runs every test.
NPM ?= npm

.PHONY: all install system-deps build run test bench bench-quick clean

all: build

node_modules/.installed: package.json
	$(NPM) install --no-audit --no-fund
	@touch $@

install: node_modules/.installed

# Real Redis 7 (Debian's redis-server/redis-tools) is the benchmark baseline and
# what the bench smoke test runs against; install it when missing and root.
system-deps:
	@command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null || \
	  { if [ "$$(id -u)" = 0 ]; then (apt-get update -qq && apt-get install -y -qq redis-server redis-tools) >/dev/null; \
	    else echo "note: redis-server/redis-tools missing (install them for the bench smoke test)"; fi; }

build: install
	./node_modules/.bin/tsc -p tsconfig.json

run: build
	node dist/acceptor/main.js $(ARGS)

test: build system-deps
	./node_modules/.bin/vitest run

bench: build
	node native-bench/run.mjs --rounds 3

bench-quick: build
	node native-bench/run.mjs --rounds 1 --quick

clean:
	rm -rf dist
