// A shard worker: owns slots [slotLo, slotHi) and is the only thread that
// touches their keys. It drains its request ring in order, runs each
// command, and appends the reply to its reply ring tagged as the request
// was. See docs/ARCHITECTURE.md.

import { workerData } from 'node:worker_threads';
import { shardLogger } from '../util/log';
import { performance } from 'node:perf_hooks';
import { RingConsumer, RingProducer } from '../ring/ring';
import {
  REQ_HEADER, REP_HEADER, K_CMD, K_PART, K_HOLD, K_CTRL, K_RELEASE, K_ADMIN, K_NOTE, RF_ERROR, RQ_INTERNAL, reqDb, writeRepHeader,
} from '../ring/records';
import { ReplyWriter } from '../protocol/reply';
import { Keyspace } from '../store/keyspace';
import type { ShardCtx, ShardHandler } from '../commands/contract';
import { shardHandlers } from '../commands/index';
import { internalHandlers } from './internal';
import { encodeFrame, parseFrame } from '../protocol/frame-args';
import { ShardScriptRunner } from './scripts';
import { BlockedClients, Waiter } from './blocking';
import { Watches } from './watch';
import { copyBytes } from '../util/bytes';
import { scaledUsec, timeThisCall } from '../util/sampling';
import type { ShardInit } from '../ring/shard-init';

interface CmdStat {
  calls: number;
  usec: number;
  failed: number;
  /** The calls whose duration was measured, and their total (see runFrame). */
  timedCalls: number;
  timedUsec: number;
}

const newStat = (): CmdStat => ({ calls: 0, usec: 0, failed: 0, timedCalls: 0, timedUsec: 0 });

const init = workerData as ShardInit;
const req = new RingConsumer(init.reqSab, init.reqPort);
const ctrl = new RingConsumer(init.ctrlSab, init.ctrlPort);
const rep = new RingProducer(init.repSab, init.repPort);
const bell = new Int32Array(init.bellSab);

const ks = new Keyspace(init.databases, init.slotLo, init.slotHi);
const w = new ReplyWriter(256 * 1024);
const ctx: ShardCtx = {
  ks,
  db: ks.dbs[0],
  w,
  config: { protoMaxBulkLen: 512 * 1024 * 1024, databases: init.databases, ...init.config },
  shard: init.shard,
  block: null,
  readyKey: null,
  scripts: null,
};

const handlers: Map<string, ShardHandler> = shardHandlers();

// Blocking commands: the tags of the command being run, so ctx.block can
// park it; `parked` tells the loop not to emit a reply for it now.
const blocked = new BlockedClients();
const watches = new Watches(ks);
ks.onWrite = (db, key) => {
  blocked.touched(db, key);
  if (!watches.idle) watches.touch(db, key);
};
ks.onExpired = (db, key) => {
  if (!watches.idle) watches.touch(db, key);
};
ks.onFlush = (emptied, replacedWith) => {
  if (!watches.idle) watches.touchDb(emptied, replacedWith);
  // SWAPDB may bring data to clients blocked in either db.
  if (replacedWith >= 0) blocked.touchDb(emptied);
};
let curTag1 = 0;
let curTag2 = 0;
let parked = false;
const blockFn: ShardCtx['block'] = (keys, timeoutMs, serve, onTimeout) => {
  parked = true;
  blocked.add({
    kind: K_CMD,
    tag1: curTag1,
    tag2: curTag2,
    proto: w.proto,
    db: ctx.db.index,
    keys: keys.slice(),
    deadline: timeoutMs > 0 ? Date.now() + timeoutMs : Infinity,
    serve,
    onTimeout,
    done: false,
  });
  ks.stats.blocked = blocked.count;
};

// Synchronous log lines: this thread never returns to its event loop.
const log = shardLogger(String(init.config.loglevel ?? 'notice'), String(init.config.logfile ?? ''), init.shard);

// Every path that runs command code is guarded as the handler call is: a
// bug answers that one client with an error and the shard carries on (its
// keys live only in this thread's memory).
function internalError(e: unknown): void {
  w.reset();
  w.error('ERR internal error: ' + String((e as Error)?.message ?? e));
  log.error({ err: e, cmd: args[0] }, 'command failed');
}

function serveWaiter(b: Waiter, key: string): boolean {
  ctx.db = ks.dbs[b.db];
  w.reset();
  w.proto = b.proto;
  ks.cachedNow = Date.now();
  ctx.readyKey = key;
  let ok: boolean;
  try {
    if (fault === 'serve' && b.kind === K_CMD) injectFault();
    ok = b.serve(ctx);
  } catch (e) {
    internalError(e);
    ok = true; // answered (with the error): the client is no longer blocked
  }
  ctx.readyKey = null;
  ks.cachedNow = 0;
  if (ok) emitReply(b.kind, b.tag1, b.tag2);
  return ok;
}

function timeoutWaiter(b: Waiter): void {
  ctx.db = ks.dbs[b.db];
  w.reset();
  w.proto = b.proto;
  try {
    if (fault === 'timeout' && b.kind === K_CMD) injectFault();
    b.onTimeout(ctx);
  } catch (e) {
    internalError(e);
  }
  ks.cachedNow = 0;
  emitReply(K_CMD, b.tag1, b.tag2);
}

// DEBUG KEYSHARD-FAULT <where>: the next step of that kind throws (tests of
// fault isolation; DEBUG is refused unless enable-debug-command allows it).
type Fault = 'handler' | 'serve' | 'timeout' | 'expire' | 'loop' | null;
let fault: Fault = null;
function injectFault(): never {
  const where = fault;
  fault = null;
  throw new Error(`injected fault (DEBUG KEYSHARD-FAULT ${where})`);
}

function serveBlocked(): void {
  if (!blocked.hasReady()) return;
  blocked.serveReady(serveWaiter);
  ks.stats.blocked = blocked.count;
}
// EVAL's fast path (src/shard/scripts.ts): redis.call runs this shard's
// handlers with the script's own reply writer.
const scriptW = new ReplyWriter(1024);
const scripts = new ShardScriptRunner({
  slotLo: init.slotLo,
  slotHi: init.slotHi,
  shards: init.shards,
  databases: init.databases,
  runCommand(cmd, a, proto, db) {
    const h = handlers.get(cmd.name);
    if (h === undefined) return Buffer.from(`-ERR unknown command '${cmd.name}' on shard\r\n`, 'latin1');
    const outerW = ctx.w, outerDb = ctx.db, outerBlock = ctx.block;
    scriptW.reset();
    scriptW.proto = proto;
    ctx.w = scriptW;
    ctx.db = ks.dbs[db];
    ctx.block = null;
    const st = entryFor(cmd.name, h).stat;
    try {
      h(ctx, a);
    } catch (e) {
      scriptW.reset();
      scriptW.error('ERR internal error: ' + String((e as Error)?.message ?? e));
      log.error({ err: e, cmd: cmd.name }, 'command failed inside a script');
    }
    st.calls++;
    countFailure(st, scriptW);
    ctx.w = outerW;
    ctx.db = outerDb;
    ctx.block = outerBlock;
    return Buffer.from(scriptW.view());
  },
  reportForeign(sha) {
    const note = encodeFrame(['scriptforeign', sha]);
    emitBytes(K_NOTE, 0, 0, 0, note, note.length);
  },
  log(level, msg) {
    if (level >= 3) log.warn(msg);
    else if (level === 2) log.info(msg);
    else log.debug(msg);
  },
});
ctx.scripts = scripts;

const internal = internalHandlers({
  ctx,
  blocked,
  watches,
  commandStats,
  errorStats: () => errorStats,
  resetStats,
  runFrame: (frame, proto, db) => runFrame(frame, 0, frame.length, proto, db, false, false),
  setExecClock: (now) => (execNow = now),
  emitReply,
  internalError,
  setFault: (f) => (fault = f as Fault),
  scripts,
});

let errorStats = new Map<string, number>();
function resetStats(): void {
  for (const e of entries.values()) e.stat = newStat();
  errorStats = new Map();
}
function commandStats(): Map<string, CmdStat> {
  const m = new Map<string, CmdStat>();
  for (const [k, e] of entries) if (e.stat.calls > 0) m.set(k, e.stat);
  return m;
}

const args: string[] = [];
let repPending = 0;

// The acceptor waits on the bell word; a bump plus a notify only when it
// announced sleep keeps busy periods syscall-free.
function flushReplies(): void {
  if (repPending === 0) return;
  repPending = 0;
  rep.publish();
  Atomics.add(bell, 0, 1);
  if (Atomics.load(bell, 1) !== 0) Atomics.notify(bell, 0);
}

function emitReply(kind: number, tag1: number, tag2: number): void {
  emitBytes(kind, w.errors > 0 ? RF_ERROR : 0, tag1, tag2, w.buf, w.len);
}

function emitBytes(kind: number, flags: number, tag1: number, tag2: number, src: Buffer, n: number): void {
  if (REP_HEADER + n > rep.maxRecord) {
    const big = Buffer.allocUnsafe(REP_HEADER + n);
    writeRepHeader(big, 0, kind, flags, tag1, tag2);
    src.copy(big, REP_HEADER, 0, n);
    while (!rep.writeLarge(big)) waitReplySpace();
  } else {
    let off = rep.reserve(REP_HEADER + n);
    while (off < 0) {
      waitReplySpace();
      off = rep.reserve(REP_HEADER + n);
    }
    // Payload offsets are 4-aligned: write the header as three words.
    const u32 = rep.u32;
    const i = off >>> 2;
    u32[i] = kind | (flags << 8);
    u32[i + 1] = tag1;
    u32[i + 2] = tag2;
    copyBytes(src, 0, n, rep.buf, off + REP_HEADER);
    rep.commit();
  }
  repPending++;
}

function waitReplySpace(): void {
  // Ring full: make what we have visible, wake the acceptor, wait for it.
  repPending++;
  flushReplies();
  rep.waitForSpace(50);
}

interface Entry {
  h: ShardHandler;
  stat: CmdStat;
}
// Canonical name → handler and its stats; `alias` memoizes top-level names
// as clients spell them ("SET", "set") so the hot path is one Map lookup.
const entries = new Map<string, Entry>();
const alias = new Map<string, Entry>();
function entryFor(name: string, h: ShardHandler): Entry {
  let e = entries.get(name);
  if (e === undefined) entries.set(name, (e = { h, stat: newStat() }));
  return e;
}

function resolve(argc: number, allowInternal: boolean): Entry | undefined {
  const a0 = args[0];
  const e = alias.get(a0);
  if (e !== undefined) return e;
  if (allowInternal) {
    const ih = internal.get(a0);
    if (ih !== undefined) return entryFor(a0, ih);
  }
  const lname = a0.toLowerCase();
  const h = handlers.get(lname);
  if (h !== undefined) {
    const ent = entryFor(lname, h);
    if (alias.size < 4096) alias.set(a0, ent);
    return ent;
  }
  if (argc > 1) {
    const full = lname + '|' + args[1].toLowerCase();
    const sh = handlers.get(full);
    if (sh !== undefined) return entryFor(full, sh);
  }
  return undefined;
}

/** Clock of a running EXEC (frozen for its length), else 0. */
let execNow = 0;

function runCommand(buf: Buffer, off: number, end: number, allowInternal: boolean, canBlock = false): void {
  runFrame(buf, off + REQ_HEADER, end, buf[off + 1], reqDb(buf, off), allowInternal || (buf[off + 3] & RQ_INTERNAL) !== 0, canBlock);
}

function runFrame(buf: Buffer, start: number, end: number, proto: number, db: number, allowInternal: boolean, canBlock: boolean): void {
  const argc = parseFrame(buf, start, end, args);
  w.reset();
  w.proto = proto === 3 ? 3 : 2;
  const d = ks.dbs[db];
  if (d === undefined) {
    // A database the server does not have (COPY … DB n moved through the multi-hop path).
    w.error('ERR DB index is out of range');
    return;
  }
  ctx.db = d;
  const ent = resolve(argc, allowInternal);
  if (ent === undefined) {
    w.error(`ERR unknown command '${args[0]}' on shard`);
    return;
  }
  const st = ent.stat;
  const timed = timeThisCall(st.calls);
  const t0 = timed ? performance.now() : 0;
  ks.cachedNow = execNow;
  ctx.block = canBlock ? blockFn : null;
  parked = false;
  try {
    if (fault === 'handler' && !allowInternal) injectFault();
    ent.h(ctx, args);
  } catch (e) {
    internalError(e);
  }
  ks.cachedNow = execNow;
  ctx.block = null;
  if (fault === 'loop' && !allowInternal) injectFault();
  st.calls++;
  if (timed) {
    st.timedCalls++;
    st.timedUsec += (performance.now() - t0) * 1000;
    st.usec = scaledUsec(st.calls, st.timedCalls, st.timedUsec);
  }
  countFailure(st, w);
}

/** A command that answered an error: failed_calls and errorstats. */
function countFailure(st: CmdStat, out: ReplyWriter): void {
  if (out.errors === 0) return;
  st.failed++;
  errorStats.set(out.lastErrorCode, (errorStats.get(out.lastErrorCode) ?? 0) + 1);
}

// The record just taken from a ring: buffer and byte range (module state,
// not a returned tuple, to keep the per-command path allocation-free).
let rb: Buffer = req.buf;
let rs = 0;
let re = 0;
function takeRecord(ring: RingConsumer, off: number): void {
  if (ring.large !== null) {
    rb = ring.large;
    rs = 0;
    re = rb.length;
  } else {
    rb = ring.buf;
    rs = off;
    re = off + ring.len;
  }
}

/** Serve control ops until the coordinator releases this shard. */
function hold(): void {
  flushReplies();
  for (;;) {
    const off = ctrl.next();
    if (off < 0) {
      ctrl.release();
      flushReplies();
      ctrl.sleep(1000);
      continue;
    }
    takeRecord(ctrl, off);
    const b = rb, s = rs, e = re;
    const kind = b[s];
    if (kind === K_RELEASE) {
      ctrl.release();
      // Blocked clients see the transaction's writes only as a whole.
      serveBlocked();
      return;
    }
    const tag1 = b.readUInt32LE(s + 4);
    const tag2 = b.readUInt32LE(s + 8);
    try {
      runCommand(b, s, e, true);
    } catch (err) {
      internalError(err);
    }
    emitReply(K_CTRL, tag1, tag2);
    flushReplies();
  }
}

let nextExpire = 0;

// The reply the record being served still owes (kind 0: none). If
// anything outside the handler's own guard throws, the loop answers it with
// an error so the client is not left waiting, and goes on.
let owedKind = 0;
let owedTag1 = 0;
let owedTag2 = 0;

/** Serve the request records in the ring; the count served. */
function drainRequests(): number {
  let n = 0;
  for (;;) {
    const off = req.next();
    if (off < 0) break;
    takeRecord(req, off);
    const b = rb, s = rs, e = re;
    const kind = b[s];
    if (kind === K_CMD) {
      if (b === req.buf) {
        curTag1 = req.u32[(s + 4) >>> 2];
        curTag2 = req.u32[(s + 8) >>> 2];
      } else {
        curTag1 = b.readUInt32LE(s + 4);
        curTag2 = b.readUInt32LE(s + 8);
      }
      owedKind = K_CMD;
      owedTag1 = curTag1;
      owedTag2 = curTag2;
      runCommand(b, s, e, false, true);
      owedKind = 0;
      if (!parked) emitReply(K_CMD, curTag1, curTag2);
      serveBlocked();
    } else if (kind === K_PART) {
      owedKind = K_PART;
      owedTag1 = b.readUInt32LE(s + 4);
      owedTag2 = b.readUInt32LE(s + 8);
      runCommand(b, s, e, false);
      owedKind = 0;
      emitReply(kind, owedTag1, owedTag2);
      serveBlocked();
    } else if (kind === K_HOLD) {
      req.release();
      hold();
    } else if (kind === K_ADMIN) {
      owedKind = K_ADMIN;
      owedTag1 = b.readUInt32LE(s + 4);
      owedTag2 = 0;
      runCommand(b, s, e, true);
      owedKind = 0;
      emitReply(K_ADMIN, owedTag1, 0);
      serveBlocked();
    }
    // Free ring space early on long batches so the acceptor can refill.
    if ((++n & 255) === 0) {
      req.release();
      flushReplies();
    }
  }
  return n;
}

function loop(): void {
  for (;;) {
    let n = 0;
    try {
      n = drainRequests();
    } catch (e) {
      if (owedKind !== 0) {
        const kind = owedKind;
        owedKind = 0;
        internalError(e);
        emitReply(kind, owedTag1, owedTag2);
      } else {
        log.error({ err: e }, 'shard loop error');
      }
      n = 1; // look at the ring again before sleeping
    }
    req.release();
    flushReplies();
    const now = Date.now();
    if (now >= nextExpire && ks.heap.size > 0) {
      try {
        if (fault === 'expire') injectFault();
        ks.activeExpire(2);
      } catch (e) {
        log.error({ err: e }, 'active expiry failed');
      }
      nextExpire = now + 10;
      // Expiring a key is a write for WATCH and keyspace events, not for
      // blocked clients (an expired list has nothing to pop).
    }
    if (now >= blocked.nextDeadline) {
      blocked.expire(now, timeoutWaiter);
      ks.stats.blocked = blocked.count;
      flushReplies();
    }
    if (n === 0) {
      let wait = Math.min(100, ks.heap.size > 0 ? Math.max(1, ks.nextDeadlineIn()) : 100);
      if (blocked.nextDeadline !== Infinity) wait = Math.max(1, Math.min(wait, blocked.nextDeadline - Date.now()));
      req.sleep(wait);
    }
  }
}

loop();
