# keyshard: `make run` starts the server on 127.0.0.1:6379, `make test` runs every test.
NPM ?= npm

.PHONY: all install system-deps build run test bench bench-quick clean

all: build

node_modules/.installed: package.json
	$(NPM) install --no-audit --no-fund
	@touch $@

install: node_modules/.installed

# Debian packages the server and its tests need, installed when missing and
# root: real Redis 7 (the benchmark baseline and the reference the tests
# compare with), Lua 5.1 with cjson and bitop (scripting runs on Debian's
# liblua5.1 through koffi), and the lua5.1 interpreter for the struct/cmsgpack
# module tests.
DEBS = redis-server redis-tools liblua5.1-0 lua-cjson lua-bitop lua5.1

system-deps:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ]; then echo "installing:$$missing"; (apt-get update -qq && apt-get install -y -qq $$missing) >/dev/null; \
	    else echo "note: missing Debian packages:$$missing (scripting and the tests comparing with Redis need them)"; fi; \
	  fi

build: install
	./node_modules/.bin/tsc -p tsconfig.json

run: build system-deps
	node dist/acceptor/main.js $(ARGS)

test: build system-deps
	./node_modules/.bin/vitest run

bench: build
	node native-bench/run.mjs --rounds 3

bench-quick: build
	node native-bench/run.mjs --rounds 1 --quick

clean:
	rm -rf dist
