// HyperLogLog commands (hyperloglog.c semantics). An HLL is an ordinary
// string value in Redis's byte layout (src/util/hll.ts), so it survives
// GET/SET, APPEND-style corruption is detected the way Redis detects it, and
// the cached cardinality lives in the string itself: a single-key PFCOUNT
// that recomputes it writes the key.

import type { CommandDef, ShardCtx } from './contract';
import type { Db } from '../store/keyspace';
import { E, cstr, formatError } from './errors';
import {
  Hll, EMPTY_HLL, HLL_REGISTERS, ENC_DENSE, isValidHll, cachedCard, withCachedCard,
  countString, countRaw, mergeString, decodeSparse, denseRegisters, firstDenseChange, hllSelfTest,
} from '../util/hll';

const NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
const INVALID = 'INVALIDOBJ Corrupted HLL object detected';

function sparseMax(c: ShardCtx): number {
  const v = c.config['hll-sparse-max-bytes'];
  return typeof v === 'number' ? v : 3000;
}

/** isHLLObjectOrReply: the string value, or null after replying. */
function hllOrReply(c: ShardCtx, v: unknown): string | null {
  if (typeof v !== 'string') {
    c.w.error(E.WRONGTYPE);
    return null;
  }
  if (!isValidHll(v)) {
    c.w.error(NOT_HLL);
    return null;
  }
  return v;
}

/** Store an HLL string; Redis's value is a raw sds whatever its length. */
function store(db: Db, key: string, s: string, existed: boolean): void {
  db.set(key, s, existed);
  db.raw.add(key);
}

function pfaddCommand(c: ShardCtx, a: string[]): void {
  const db = c.db, key = a[1];
  const v = db.peek(key);
  let updated = 0;
  let s: string;
  if (v === undefined) {
    s = EMPTY_HLL;
    updated = 1;
  } else {
    const hs = hllOrReply(c, v);
    if (hs === null) return;
    s = hs;
  }
  // Elements before `from` leave every register as it is.
  const from = a.length > 2 && s.charCodeAt(4) === ENC_DENSE ? firstDenseChange(s, a, 2) : 2;
  if (from >= 0 && a.length > 2) {
    const h = new Hll(s);
    const max = sparseMax(c);
    for (let j = from; j < a.length; j++) {
      const r = h.add(a[j], max);
      if (r === 1) updated++;
      else if (r === -1) {
        // Redis mutates in place, so registers set before the error stay.
        if (updated) store(db, key, h.toString(), v !== undefined);
        return c.w.error(INVALID);
      }
    }
    if (updated) {
      h.invalidateCache();
      s = h.toString();
    }
  } else if (updated) {
    s = EMPTY_HLL.slice(0, 15) + '\x80' + EMPTY_HLL.slice(16);
  }
  if (updated) {
    store(db, key, s, v !== undefined);
    c.ks.stats.dirty += updated;
    c.w.raw(':1\r\n');
  } else {
    c.w.raw(':0\r\n');
  }
}

function pfcountCommand(c: ShardCtx, a: string[]): void {
  const db = c.db;
  if (a.length > 2) {
    const max = new Uint8Array(HLL_REGISTERS);
    for (let j = 1; j < a.length; j++) {
      const v = db.get(a[j]);
      if (v === undefined) continue;
      const s = hllOrReply(c, v);
      if (s === null) return;
      if (!mergeString(max, s)) return c.w.error(INVALID);
    }
    return c.w.int(countRaw(max));
  }
  const key = a[1];
  const v = db.get(key);
  if (v === undefined) return c.w.raw(':0\r\n');
  const s = hllOrReply(c, v);
  if (s === null) return;
  const cached = cachedCard(s);
  if (cached !== -1) return c.w.int(cached);
  const card = countString(s);
  if (card < 0) return c.w.error(INVALID);
  store(db, key, withCachedCard(s, card), true);
  c.ks.stats.dirty++;
  c.w.int(card);
}

function pfmergeCommand(c: ShardCtx, a: string[]): void {
  const db = c.db;
  const max = new Uint8Array(HLL_REGISTERS);
  let useDense = false;
  for (let j = 1; j < a.length; j++) {
    const v = db.get(a[j]);
    if (v === undefined) continue;
    const s = hllOrReply(c, v);
    if (s === null) return;
    if (s.charCodeAt(4) === ENC_DENSE) useDense = true;
    if (!mergeString(max, s)) return c.w.error(INVALID);
  }
  const key = a[1];
  // The destination was validated as a source above when it exists.
  const old = db.peek(key) as string | undefined;
  const h = new Hll(old === undefined ? EMPTY_HLL : old);
  if (useDense && !h.toDense()) return c.w.error(INVALID);
  const sm = sparseMax(c);
  for (let j = 0; j < HLL_REGISTERS; j++) {
    const r = max[j];
    if (r === 0) continue;
    if (h.encoding === ENC_DENSE) h.denseSet(j, r);
    else h.sparseSet(j, r, sm);
  }
  h.invalidateCache();
  store(db, key, h.toString(), old !== undefined);
  c.ks.stats.dirty++;
  c.w.ok();
}

/** PFDEBUG GETREG|DECODE|ENCODING|TODENSE key: used by Redis's own test suite. */
function pfdebugCommand(c: ShardCtx, a: string[]): void {
  const db = c.db, key = a[2];
  const v = db.peek(key);
  if (v === undefined) return c.w.error('ERR The specified key does not exist');
  const s = hllOrReply(c, v);
  if (s === null) return;
  const sub = a[1].toLowerCase();
  if (sub === 'getreg' || sub === 'todense') {
    const h = new Hll(s);
    let conv = 0;
    if (h.encoding !== ENC_DENSE) {
      if (!h.toDense()) return c.w.error(INVALID);
      store(db, key, h.toString(), true);
      c.ks.stats.dirty++;
      conv = 1;
    }
    if (sub === 'todense') return c.w.int(conv);
    const regs = denseRegisters(h);
    c.w.arr(HLL_REGISTERS);
    for (let i = 0; i < HLL_REGISTERS; i++) c.w.int(regs[i]);
  } else if (sub === 'decode') {
    if (s.charCodeAt(4) !== 1) return c.w.error('ERR HLL encoding is not sparse');
    c.w.bulk(decodeSparse(s));
  } else if (sub === 'encoding') {
    c.w.simple(s.charCodeAt(4) === ENC_DENSE ? 'dense' : 'sparse');
  } else {
    c.w.error(formatError(`ERR Unknown PFDEBUG subcommand '${cstr(a[1])}'`));
  }
}

/** PFSELFTEST: exercises the register packing and the estimator (keyless, runs on shard 0). */
function pfselftestCommand(c: ShardCtx): void {
  const err = hllSelfTest(sparseMax(c));
  if (err === null) c.w.ok();
  else c.w.error(err);
}

export const commands: CommandDef[] = [
  { name: 'pfadd', run: pfaddCommand },
  { name: 'pfcount', run: pfcountCommand },
  { name: 'pfmerge', run: pfmergeCommand },
  { name: 'pfdebug', run: pfdebugCommand },
  { name: 'pfselftest', run: pfselftestCommand },
];
