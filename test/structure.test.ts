// The layering of src/ (docs/ARCHITECTURE.md, "Layers"): every import runs
// from a folder to a folder at its own layer or below, and no two folders
// import each other, directly or around a circle. Read from the sources with
// the TypeScript compiler's own import scanner, type-only imports included
// (they tie the code together as much as value imports do).
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const SRC = path.join(__dirname, '..', 'src');

/**
 * Layer of each top-level folder (or file) under src/, top first. A folder
 * may import its own layer's and lower layers' folders; folders on one layer
 * must not import each other at all unless listed in SAME_LAYER_OK.
 */
const LAYERS: Record<string, number> = {
  acceptor: 10, // sockets, connections, dispatch, replies, MULTI queueing, entry point
  crossshard: 9, // coordinator, cross-shard blocking, EXEC plans, split/fan-out merges, held scripts
  routing: 8, // the one routing function: key positions (command table) → slots → shards
  shardset: 7, // the acceptor's one front door to the shards: rings, gathers, calls, wake-ups
  shard: 7, // the shard worker thread: drain loop, blocking, watches, internal ops, scripts' fast path
  scripting: 6, // the Lua 5.1 engine (koffi), sandbox, conversions, struct/cmsgpack
  commands: 5, // the handler contract, the command table, one file per command family
  persistence: 4, // RDB value encoding (snapshots, AOF later)
  config: 4, // options: parse, validate, CONFIG GET/SET/REWRITE
  store: 3, // keyspace (dbs, slots, expiry), value types, moving values between shards
  protocol: 2, // RESP framing, replies, number formatting
  ring: 1, // SPSC rings, record layouts and writer, internal op names, the worker handshake
  util: 0, // pure helpers: slots (CRC16), parsing, glob, bytes, logging
  'version.ts': 0,
  // Homes of later issues (docs/ARCHITECTURE.md): acl 4, replication 9,
  // cluster 9; pub/sub and tracking live in acceptor/.
};

/** Pairs of same-layer folders allowed to import (first imports second). */
const SAME_LAYER_OK = new Set<string>();

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function topOf(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0];
}

interface Edge {
  from: string;
  to: string;
  fromTop: string;
  toTop: string;
}

function importEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const f of sourceFiles(SRC)) {
    const info = ts.preProcessFile(fs.readFileSync(f, 'utf8'), true, true);
    for (const imp of info.importedFiles) {
      if (!imp.fileName.startsWith('.')) continue;
      let target = path.resolve(path.dirname(f), imp.fileName);
      if (fs.existsSync(target + '.ts')) target += '.ts';
      else if (fs.existsSync(path.join(target, 'index.ts'))) target = path.join(target, 'index.ts');
      edges.push({ from: path.relative(SRC, f), to: path.relative(SRC, target), fromTop: topOf(f), toTop: topOf(target) });
    }
  }
  return edges;
}

describe('source layering', () => {
  const edges = importEdges();

  it('every top-level folder of src/ has a layer', () => {
    const tops = new Set(sourceFiles(SRC).map(topOf));
    const missing = [...tops].filter((t) => LAYERS[t] === undefined);
    expect(missing).toEqual([]);
  });

  it('no import runs from a lower layer to a higher one', () => {
    const bad = edges
      .filter((e) => e.fromTop !== e.toTop && LAYERS[e.toTop] > LAYERS[e.fromTop])
      .map((e) => `${e.from} -> ${e.to}`);
    expect(bad).toEqual([]);
  });

  it('folders on one layer do not import each other unless declared', () => {
    const bad = edges
      .filter((e) => e.fromTop !== e.toTop && LAYERS[e.toTop] === LAYERS[e.fromTop] && !SAME_LAYER_OK.has(`${e.fromTop}>${e.toTop}`))
      .map((e) => `${e.from} -> ${e.to}`);
    expect(bad).toEqual([]);
  });

  it('no circle of imports between folders', () => {
    const g = new Map<string, Set<string>>();
    for (const e of edges) {
      if (e.fromTop === e.toTop) continue;
      if (!g.has(e.fromTop)) g.set(e.fromTop, new Set());
      g.get(e.fromTop)!.add(e.toTop);
    }
    const state = new Map<string, number>(); // 1 visiting, 2 done
    const cycles: string[] = [];
    const visit = (n: string, trail: string[]): void => {
      if (state.get(n) === 2) return;
      if (state.get(n) === 1) {
        cycles.push([...trail.slice(trail.indexOf(n)), n].join(' -> '));
        return;
      }
      state.set(n, 1);
      for (const m of g.get(n) ?? []) visit(m, [...trail, n]);
      state.set(n, 2);
    };
    for (const n of g.keys()) visit(n, []);
    expect(cycles).toEqual([]);
  });

  it('the check sees real edges (it would fail on a back import)', () => {
    expect(edges.length).toBeGreaterThan(100);
    expect(edges.some((e) => e.fromTop === 'acceptor' && e.toTop === 'shardset')).toBe(true);
    expect(edges.some((e) => e.fromTop === 'shard' && e.toTop === 'commands')).toBe(true);
  });
});
