# keyshard: `make run` starts the server on 127.0.0.1:6379, `make test` runs every test.
NPM ?= npm

.PHONY: all install build run test bench bench-quick clean

all: build

node_modules/.installed: package.json
	$(NPM) install --no-audit --no-fund
	@touch $@

install: node_modules/.installed

build: install
	./node_modules/.bin/tsc -p tsconfig.json

run: build
	node dist/server/main.js $(ARGS)

test: build
	./node_modules/.bin/vitest run

bench: build
	node native-bench/run.mjs --rounds 3

bench-quick: build
	node native-bench/run.mjs --rounds 1 --quick

clean:
	rm -rf dist
