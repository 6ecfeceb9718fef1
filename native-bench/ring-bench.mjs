#!/usr/bin/env node
// Ring microbenchmark: two threads over the SharedArrayBuffer ring that
// connects the acceptor and the shards (dist/ring/ring.js, so build first).
//   (a) records/s with one record per publish+notify
//   (b) records/s with 64 records per publish
//   both for 16- and 256-byte records, in both directions: worker -> main
//   (main sleeps with Atomics.waitAsync, like the acceptor reading replies)
//   and main -> worker (worker sleeps with Atomics.wait, like a shard);
//   (c) wake-up round trip main -> worker -> main where both sides sleep.
// Markdown goes to stdout (run.mjs embeds it), progress to stderr, JSON to
// native-bench/results/ring-<timestamp>.json.
//   node native-bench/ring-bench.mjs [--quick] [--records N] [--trips N] [--out FILE]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, workerData, parentPort } from 'node:worker_threads';

const here = path.dirname(fileURLToPath(import.meta.url));
const ringJs = path.resolve(here, '..', 'dist', 'ring', 'ring.js');
if (!fs.existsSync(ringJs)) {
  process.stderr.write(`ring-bench: ${ringJs} missing; run \`make build\` first\n`);
  process.exit(2);
}
const { createRingBuffer, RingProducer, RingConsumer, RING_SEQ_INDEX, RING_HEAD_INDEX, RING_SLEEPING_INDEX } = createRequire(import.meta.url)(ringJs);

// Same size as the production request/reply rings (src/shardset/shard-set.ts).
const RING_BYTES = 4 * 1024 * 1024;
const GO = 0;
const DONE = 1;

// ---------------------------------------------------------------- producer / consumer loops

/** Worker-side producer: blocks in waitForSpace when the ring is full. */
function produceSync(p, n, size, batch) {
  let waits = 0;
  for (let i = 0; i < n; i++) {
    let off = p.reserve(size);
    while (off < 0) {
      p.publish();
      p.notify();
      p.waitForSpace(1000);
      waits++;
      off = p.reserve(size);
    }
    p.buf.writeUInt32LE(i, off);
    p.commit();
    if (p.unpublished >= batch) {
      p.publish();
      p.notify();
    }
  }
  p.publish();
  p.notify();
  return waits;
}

/** Main-thread producer: cannot block, so it awaits HEAD with waitAsync. */
async function produceAsync(p, n, size, batch) {
  let waits = 0;
  for (let i = 0; i < n; i++) {
    let off = p.reserve(size);
    while (off < 0) {
      p.publish();
      p.notify();
      const head = Atomics.load(p.ctl, RING_HEAD_INDEX);
      if (!p.canWrite(size)) {
        const r = Atomics.waitAsync(p.ctl, RING_HEAD_INDEX, head, 1000);
        if (r.async) await r.value;
      }
      waits++;
      off = p.reserve(size);
    }
    p.buf.writeUInt32LE(i, off);
    p.commit();
    if (p.unpublished >= batch) {
      p.publish();
      p.notify();
    }
  }
  p.publish();
  p.notify();
  return waits;
}

// Consumers release every 64 records (and before sleeping) so a blocked
// producer makes progress without a notify per record.
function consumeSync(c, n) {
  let sleeps = 0;
  for (let i = 0; i < n; ) {
    const off = c.next();
    if (off < 0) {
      c.release();
      c.sleep(1000);
      sleeps++;
      continue;
    }
    if (c.buf.readUInt32LE(off) !== i) throw new Error(`record ${i} out of order`);
    if ((++i & 63) === 0) c.release();
  }
  c.release();
  return sleeps;
}

async function consumeAsync(c, n) {
  let sleeps = 0;
  for (let i = 0; i < n; ) {
    const off = c.next();
    if (off < 0) {
      c.release();
      const seq = c.prepareSleep();
      if (seq === null) continue;
      const r = Atomics.waitAsync(c.ctl, RING_SEQ_INDEX, seq, 1000);
      if (r.async) await r.value;
      c.awake();
      sleeps++;
      continue;
    }
    if (c.buf.readUInt32LE(off) !== i) throw new Error(`record ${i} out of order`);
    if ((++i & 63) === 0) c.release();
  }
  c.release();
  return sleeps;
}

// ---------------------------------------------------------------- worker side

function workerMain(d) {
  const sync = new Int32Array(d.syncSab);
  let out = {};
  if (d.mode === 'pong') {
    const c = new RingConsumer(d.inSab);
    const p = new RingProducer(d.outSab);
    parentPort.postMessage({ ready: true });
    for (let i = 0; i < d.n; i++) {
      let off;
      while ((off = c.next()) < 0) c.sleep(1000);
      const v = c.buf.readUInt32LE(off);
      c.release();
      const o = p.reserve(4);
      p.buf.writeUInt32LE(v, o);
      p.commit();
      p.publish();
      p.notify();
    }
  } else {
    const ring = d.mode === 'produce' ? new RingProducer(d.sab) : new RingConsumer(d.sab);
    parentPort.postMessage({ ready: true });
    Atomics.wait(sync, GO, 0);
    if (d.mode === 'produce') out.waits = produceSync(ring, d.n, d.size, d.batch);
    else out.sleeps = consumeSync(ring, d.n);
    Atomics.store(sync, DONE, 1);
    Atomics.notify(sync, DONE);
  }
  parentPort.postMessage(out);
}

// ---------------------------------------------------------------- main side

function startWorker(data, transfer = []) {
  const w = new Worker(fileURLToPath(import.meta.url), { workerData: { ringBench: true, ...data }, transferList: transfer });
  const msgs = [];
  let wake = null;
  let failure = null;
  w.on('message', (m) => {
    msgs.push(m);
    if (wake) wake();
  });
  w.on('error', (e) => {
    failure = e;
    if (wake) wake();
  });
  const next = async () => {
    while (msgs.length === 0) {
      if (failure) throw failure;
      await new Promise((r) => (wake = r));
    }
    return msgs.shift();
  };
  return { w, next, exited: new Promise((r) => w.once('exit', r)) };
}

async function throughput(size, batch, dir, n) {
  const sab = createRingBuffer(RING_BYTES);
  const syncSab = new SharedArrayBuffer(8);
  const sync = new Int32Array(syncSab);
  const workerProduces = dir === 'worker->main';
  const wk = startWorker({ mode: workerProduces ? 'produce' : 'consume', sab, syncSab, n, size, batch });
  await wk.next();
  const local = workerProduces ? new RingConsumer(sab) : new RingProducer(sab);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  Atomics.store(sync, GO, 1);
  Atomics.notify(sync, GO);
  let mainStat;
  if (workerProduces) mainStat = await consumeAsync(local, n);
  else {
    mainStat = await produceAsync(local, n, size, batch);
    const r = Atomics.waitAsync(sync, DONE, 0, 60000);
    if (r.async) await r.value;
  }
  const sec = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const wstat = await wk.next();
  await wk.exited;
  return {
    size,
    batch,
    dir,
    records: n,
    seconds: sec,
    recordsPerSec: n / sec,
    mbPerSec: (n * size) / sec / 1e6,
    // Process CPU (both threads) per record: spinning vs sleeping shows here.
    cpuUsPerRecord: (cpu.user + cpu.system) / n,
    consumerSleeps: workerProduces ? mainStat : wstat.sleeps,
    producerWaits: workerProduces ? wstat.waits : mainStat,
  };
}

async function pingPong(trips) {
  const inSab = createRingBuffer(4096);
  const outSab = createRingBuffer(4096);
  const syncSab = new SharedArrayBuffer(8);
  const warm = Math.min(200, trips);
  const wk = startWorker({ mode: 'pong', inSab, outSab, syncSab, n: trips + warm });
  await wk.next();
  const p = new RingProducer(inSab);
  const c = new RingConsumer(outSab);
  const times = new Float64Array(trips);
  const sleptTimes = [];
  const workerCtl = p.ctl;
  for (let i = 0; i < trips + warm; i++) {
    // Send only once the worker has announced sleep, so every trip pays a
    // real wake-up instead of catching the worker still awake.
    for (let spin = 0; Atomics.load(workerCtl, RING_SLEEPING_INDEX) === 0 && spin < 1e7; spin++);
    const t0 = performance.now();
    const o = p.reserve(4);
    p.buf.writeUInt32LE(i, o);
    p.commit();
    p.publish();
    p.notify();
    let off;
    let asleep = false;
    while ((off = c.next()) < 0) {
      const seq = c.prepareSleep();
      if (seq === null) continue;
      const r = Atomics.waitAsync(c.ctl, RING_SEQ_INDEX, seq, 1000);
      if (r.async) {
        await r.value;
        asleep = true;
      }
      c.awake();
    }
    if (c.buf.readUInt32LE(off) !== i) throw new Error(`pong ${i} mismatched`);
    c.release();
    if (i >= warm) {
      const us = (performance.now() - t0) * 1000;
      times[i - warm] = us;
      if (asleep) sleptTimes.push(us);
    }
  }
  await wk.next();
  await wk.exited;
  times.sort();
  const q = (f) => times[Math.min(trips - 1, Math.floor(f * trips))];
  sleptTimes.sort((a, b) => a - b);
  return {
    trips,
    medianUs: q(0.5),
    p90Us: q(0.9),
    p99Us: q(0.99),
    minUs: times[0],
    mainSlept: sleptTimes.length,
    // Trips where main really parked in waitAsync (the reply did not beat it).
    medianSleptUs: sleptTimes.length ? sleptTimes[sleptTimes.length >> 1] : null,
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      records: { type: 'string' },
      trips: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write('usage: node native-bench/ring-bench.mjs [--quick] [--records N] [--trips N] [--out FILE]\n');
    return;
  }
  const n = Number(values.records ?? (values.quick ? 20000 : 1000000));
  const trips = Number(values.trips ?? (values.quick ? 200 : 2000));
  const log = (s) => process.stderr.write(`${s}\n`);

  const runs = [];
  for (const dir of ['worker->main', 'main->worker']) {
    for (const size of [16, 256]) {
      for (const batch of [1, 64]) {
        const r = await throughput(size, batch, dir, n);
        log(`[ring] ${dir} ${size}B batch ${batch}: ${Math.round(r.recordsPerSec)} rec/s`);
        runs.push(r);
      }
    }
  }
  const pp = await pingPong(trips);
  log(`[ring] ping-pong median ${pp.medianUs.toFixed(1)} µs`);

  const fmt = (x) => Math.round(x).toLocaleString('en-US');
  const L = [];
  L.push(`Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), ring ${RING_BYTES >> 20} MiB, ${n.toLocaleString('en-US')} records per run`, '');
  L.push('| direction | record | per publish | records/s | MB/s | CPU µs/record | consumer sleeps | producer waits |');
  L.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of runs) {
    L.push(`| ${r.dir} | ${r.size} B | ${r.batch} | ${fmt(r.recordsPerSec)} | ${r.mbPerSec.toFixed(1)} | ${r.cpuUsPerRecord.toFixed(3)} | ${fmt(r.consumerSleeps)} | ${fmt(r.producerWaits)} |`);
  }
  L.push('');
  L.push(`Wake-up round trip (main waitAsync -> worker Atomics.wait -> main), ${trips} trips: ` +
    `median ${pp.medianUs.toFixed(1)} µs, p90 ${pp.p90Us.toFixed(1)} µs, p99 ${pp.p99Us.toFixed(1)} µs, min ${pp.minUs.toFixed(1)} µs` +
    `; main parked in waitAsync on ${pp.mainSlept} of ${trips} trips` +
    (pp.medianSleptUs === null ? '' : `, median ${pp.medianSleptUs.toFixed(1)} µs on those`) +
    ' (the worker always sleeps in Atomics.wait before each send)');
  process.stdout.write(`${L.join('\n')}\n`);

  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const outFile = values.out ?? path.join(here, 'results', `ring-${stamp}.json`);
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const result = {
    when: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    loadavg: os.loadavg(),
    quick: !!values.quick,
    ringBytes: RING_BYTES,
    throughput: runs,
    pingPong: pp,
  };
  fs.writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
  log(`[ring] wrote ${path.relative(process.cwd(), outFile)}`);
}

if (isMainThread) {
  main().catch((e) => {
    process.stderr.write(`ring-bench: ${e?.stack ?? e}\n`);
    process.exit(1);
  });
} else if (workerData?.ringBench) {
  workerMain(workerData);
}
