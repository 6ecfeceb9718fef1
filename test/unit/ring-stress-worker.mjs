// Worker side of the two-thread ring tests, plus the record pattern helpers
// both sides share. Plain JS so it runs in a worker_threads Worker without a
// TypeScript loader; it uses the compiled ring from dist/.
import { workerData, parentPort } from 'node:worker_threads';

/** Seeded PRNG (mulberry32): both threads derive the same length stream. */
export function rng32(seed) {
  let a = seed >>> 0;
  return function () {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Length of the next record. Mostly small, like real commands, with a tail
 * up to maxRecord and a few over it so the side channel gets exercised.
 */
export function nextLen(rnd, maxRecord, largeRate) {
  const r = rnd();
  if (r < largeRate) return maxRecord + 1 + Math.floor(rnd() * maxRecord);
  if (r < 0.9) return Math.floor(rnd() * 65);
  if (r < 0.99) return Math.floor(rnd() * 1025);
  return Math.floor(rnd() * (maxRecord + 1));
}

/** Bytes of record `seq`: its sequence number first (when it fits), then a pattern. */
export function fillRecord(buf, off, len, seq) {
  let j = 0;
  if (len >= 4) {
    buf[off] = seq & 255;
    buf[off + 1] = (seq >>> 8) & 255;
    buf[off + 2] = (seq >>> 16) & 255;
    buf[off + 3] = (seq >>> 24) & 255;
    j = 4;
  }
  for (; j < len; j++) buf[off + j] = (seq * 7 + j * 13 + (j >>> 8)) & 255;
}

/** Returns -1 when the record matches, else the index of the first bad byte. */
export function checkRecord(buf, off, len, seq) {
  let j = 0;
  if (len >= 4) {
    if (buf[off] !== (seq & 255)) return 0;
    if (buf[off + 1] !== ((seq >>> 8) & 255)) return 1;
    if (buf[off + 2] !== ((seq >>> 16) & 255)) return 2;
    if (buf[off + 3] !== ((seq >>> 24) & 255)) return 3;
    j = 4;
  }
  for (; j < len; j++) if (buf[off + j] !== ((seq * 7 + j * 13 + (j >>> 8)) & 255)) return j;
  return -1;
}

async function produce(ring, d) {
  const p = new ring.RingProducer(d.sab, d.port);
  const rnd = rng32(d.seed);
  const scratch = new Uint8Array(Math.max(p.maxRecord * 2, 1024) + 1);
  let waits = 0;
  let sleepers = 0;
  for (let seq = 0; seq < d.n; seq++) {
    const len = nextLen(rnd, p.maxRecord, d.largeRate);
    if (len > p.maxRecord) {
      fillRecord(scratch, 0, len, seq);
      while (!p.writeLarge(scratch.subarray(0, len))) {
        // Unpublished records can never be consumed: publish before waiting.
        if (p.publish()) sleepers++;
        p.notify();
        p.waitForSpace(1000);
        waits++;
      }
    } else {
      let off = p.reserve(len);
      while (off < 0) {
        if (p.publish()) sleepers++;
        p.notify();
        p.waitForSpace(1000);
        waits++;
        off = p.reserve(len);
      }
      fillRecord(p.buf, off, len, seq);
      p.commit();
    }
    if (p.unpublished >= d.batch) {
      if (p.publish()) sleepers++;
      p.notify();
    }
  }
  if (p.publish()) sleepers++;
  p.notify();
  return { waits, sleepers };
}

function consume(ring, d) {
  const c = new ring.RingConsumer(d.sab, d.port);
  const rnd = rng32(d.seed);
  let sleeps = 0;
  let bad = null;
  let large = 0;
  for (let seq = 0; seq < d.n; ) {
    const off = c.next();
    if (off < 0) {
      c.release();
      c.sleep(1000);
      sleeps++;
      continue;
    }
    const want = nextLen(rnd, c.maxRecord, d.largeRate);
    if (bad === null) {
      if (want > c.maxRecord) {
        large++;
        if (c.large === null) bad = `seq ${seq}: expected a large record of ${want}`;
        else if (c.large.length !== want) bad = `seq ${seq}: large length ${c.large.length} != ${want}`;
        else {
          const at = checkRecord(c.large, 0, want, seq);
          if (at >= 0) bad = `seq ${seq}: large byte ${at} differs`;
        }
      } else if (c.large !== null) bad = `seq ${seq}: unexpected large record`;
      else if (c.len !== want) bad = `seq ${seq}: length ${c.len} != ${want}`;
      else {
        const at = checkRecord(c.buf, off, want, seq);
        if (at >= 0) bad = `seq ${seq}: byte ${at} differs`;
      }
    }
    seq++;
    if ((seq & 63) === 0) c.release();
  }
  c.release();
  const extra = c.next();
  if (bad === null && extra >= 0) bad = 'records after the last one';
  return { sleeps, bad, large };
}

// Pong side of the wake-up round trip: wait for a record, answer with one.
function pong(ring, d) {
  const c = new ring.RingConsumer(d.inSab);
  const p = new ring.RingProducer(d.outSab);
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
  return {};
}

if (workerData && workerData.ringStress) {
  const ring = (await import('../../dist/ring/ring.js')).default;
  const d = workerData;
  let res;
  try {
    if (d.mode === 'produce') res = await produce(ring, d);
    else if (d.mode === 'consume') res = consume(ring, d);
    else if (d.mode === 'pong') res = pong(ring, d);
    else throw new Error('unknown mode ' + d.mode);
    res.ok = true;
  } catch (e) {
    res = { ok: false, error: String(e && e.stack ? e.stack : e) };
  }
  if (d.port) d.port.close();
  parentPort.postMessage(res);
}
