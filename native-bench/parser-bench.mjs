// Request framing throughput: keyshard's FrameScanner vs redis-parser
// (returnBuffers) on the same chunked request streams. Build first
// (npx tsc -p .), then: node native-bench/parser-bench.mjs [--ms 300]
//
// Both sides receive the stream as the socket would deliver it: one chunk per
// 16-command pipeline for small requests, 64 KB reads for 100 KB values. The
// scanner side keeps leftovers the way the acceptor does (append into a
// growing buffer, honour needBytes); redis-parser buffers internally.
import { createRequire } from 'node:module';
import os from 'node:os';
import fs from 'node:fs';

const require = createRequire(import.meta.url);
const { FrameScanner, SCAN_NEED_MORE, SCAN_ERROR } = require('../dist/protocol/frame.js');
const Parser = require('redis-parser');

const msArg = process.argv.indexOf('--ms');
const RUN_MS = msArg > 0 ? Number(process.argv[msArg + 1]) : 300;

function frame(args) {
  const parts = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(a, 'latin1');
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** `count` SET commands, cut into socket-sized chunks. */
function workload(name, count, valueLen, chunking) {
  const value = Buffer.alloc(valueLen, 0x78);
  const frames = [];
  for (let i = 0; i < count; i++) frames.push(frame(['SET', 'key:' + String(i % 100000).padStart(12, '0'), value]));
  const chunks = [];
  if (chunking === 'pipeline16') {
    for (let i = 0; i < frames.length; i += 16) chunks.push(Buffer.concat(frames.slice(i, i + 16)));
  } else {
    const all = Buffer.concat(frames);
    for (let i = 0; i < all.length; i += chunking) chunks.push(all.subarray(i, i + chunking));
  }
  return { name, count, chunks, bytes: chunks.reduce((n, c) => n + c.length, 0) };
}

// Minimal acceptor input path: same buffering policy as src/acceptor/acceptor.ts.
function scannerPass(w, sc) {
  let inBuf = null, inPos = 0, inLen = 0, needBytes = 0, cmds = 0, argBytes = 0;
  for (const chunk of w.chunks) {
    if (inBuf === null || inLen === inPos) {
      inBuf = chunk; inPos = 0; inLen = chunk.length;
    } else {
      const have = inLen - inPos, need = have + chunk.length;
      if (inPos > 0 || inBuf.length < need || inBuf.buffer === chunk.buffer) {
        let size = Math.max(inBuf.length, 16 * 1024);
        while (size < need) size *= 2;
        const nb = Buffer.allocUnsafe(size);
        inBuf.copy(nb, 0, inPos, inLen);
        inBuf = nb; inPos = 0; inLen = have;
      }
      chunk.copy(inBuf, inLen);
      inLen += chunk.length;
    }
    if (needBytes > 0 && inLen - inPos < needBytes) continue;
    needBytes = 0;
    let pos = inPos;
    while (pos < inLen) {
      const r = sc.scan(inBuf, pos, inLen);
      if (r === SCAN_NEED_MORE) { needBytes = sc.needBytes; break; }
      if (r === SCAN_ERROR) throw new Error(sc.error);
      cmds++;
      argBytes += sc.argEnd[2] - sc.argStart[2];
      pos = sc.frameEnd;
    }
    inPos = pos;
    if (pos === inLen) { inBuf = null; inPos = inLen = 0; }
  }
  return cmds + (argBytes & 0);
}

function parserPass(w, state) {
  for (const chunk of w.chunks) state.parser.execute(chunk);
  const n = state.n;
  state.n = 0;
  return n;
}

function measure(fn) {
  const t0 = process.hrtime.bigint();
  let cmds = 0, passes = 0, el = 0;
  do {
    cmds += fn();
    passes++;
    el = Number(process.hrtime.bigint() - t0) / 1e6;
  } while (el < RUN_MS);
  return (cmds / el) * 1000;
}

const workloads = [
  workload('(a) SET 3-byte value, pipeline 16', 16 * 2000, 3, 'pipeline16'),
  workload('(b) SET 1 KB value, pipeline 16', 16 * 200, 1024, 'pipeline16'),
  workload('(c) SET 100 KB value, 64 KB reads', 40, 100 * 1024, 64 * 1024),
];

const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [])[1] || 'unknown';
console.log(`node ${process.version}, nproc ${os.availableParallelism()}, ${cpu}`);
console.log(`${RUN_MS} ms per measurement, best of 3\n`);
console.log('workload'.padEnd(38) + 'FrameScanner cmd/s'.padStart(20) + 'redis-parser cmd/s'.padStart(20) + 'ratio'.padStart(8));

for (const w of workloads) {
  const sc = new FrameScanner();
  const state = { n: 0, parser: null };
  state.parser = new Parser({
    returnReply: (r) => { state.n++; if (r.length !== 3) throw new Error('bad reply'); },
    returnError: (e) => { throw e; },
    returnBuffers: true,
  });
  // Both must see the same number of commands.
  if (scannerPass(w, sc) !== w.count || parserPass(w, state) !== w.count) throw new Error('count mismatch in ' + w.name);
  let a = 0, b = 0;
  for (let i = 0; i < 3; i++) {
    a = Math.max(a, measure(() => scannerPass(w, sc)));
    b = Math.max(b, measure(() => parserPass(w, state)));
  }
  const f = (x) => Math.round(x).toLocaleString('en-US').padStart(20);
  console.log(w.name.padEnd(38) + f(a) + f(b) + (a / b).toFixed(2).padStart(7) + 'x');
}
