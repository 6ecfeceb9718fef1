// Every shard-internal operation (the names are in src/ring/ops.ts), in one
// place. They are reachable only through records the acceptor marks as
// internal (K_CTRL, K_ADMIN, RQ_INTERNAL), never from clients: the acceptor
// routes only names in the command table.
//
// Multi-hop primitives used by the coordinator (src/crossshard/coordinator.ts):
//   __take KEEP|DEL key…   → per key [type, pexpireat|-1, payload] or [none]
//   __put key type pexpireat payload …  (type none = delete)
//   __probe command args…  → the keys a command reads beyond its spec
// Transactions: __exec, __txwatch, __txforget, __txcheck (src/shard/watch.ts).
// Blocking: __unblock, __clientunblock, __watchkeys, __unwatch (src/shard/blocking.ts).
// Admin: __stats, __config, __resetstat, __fault. Scripts: __scriptload, __scriptflush.

import type { ShardCtx, ShardHandler } from '../commands/contract';
import { shardProbes } from '../commands/index';
import { K_CMD, K_WAKE } from '../ring/records';
import {
  OP_CLIENTUNBLOCK, OP_CONFIG, OP_EXEC, OP_FAULT, OP_PROBE, OP_PUT, OP_RESETSTAT, OP_STATS, OP_TAKE,
  OP_TXCHECK, OP_TXFORGET, OP_TXWATCH, OP_UNBLOCK, OP_UNWATCH, OP_WATCHKEYS, OP_SCRIPTLOAD, OP_SCRIPTFLUSH,
} from '../ring/ops';
import { encodeValue, decodeValue } from '../store/serialize';
import type { BlockedClients } from './blocking';
import type { Watches } from './watch';

interface CmdStat {
  calls: number;
  usec: number;
  failed: number;
}

/** What the internal ops need of the worker (src/shard/worker.ts). */
export interface ShardServices {
  ctx: ShardCtx;
  blocked: BlockedClients;
  watches: Watches;
  commandStats(): Map<string, CmdStat>;
  errorStats(): Map<string, number>;
  resetStats(): void;
  /** Run one client command frame (EXEC's), its reply left in ctx.w. */
  runFrame(frame: Buffer, proto: number, db: number): void;
  /** Freeze the clock for an EXEC's length (0 = live clock). */
  setExecClock(now: number): void;
  /** Send ctx.w's contents as the reply tagged (kind, tag1, tag2). */
  emitReply(kind: number, tag1: number, tag2: number): void;
  /** Replace ctx.w's contents with an internal-error reply and log e. */
  internalError(e: unknown): void;
  setFault(where: string): void;
  /** The shard's script runner (EVAL's fast path). */
  scripts: { load(body: string): void; flush(): void };
}

export function internalHandlers(sv: ShardServices): Map<string, ShardHandler> {
  const m = new Map<string, ShardHandler>();
  const { ctx, blocked, watches } = sv;
  const ks = ctx.ks;

  m.set(OP_TAKE, (c, a) => {
    const del = a[1] === 'DEL';
    const w = c.w;
    w.arr(a.length - 2);
    for (let i = 2; i < a.length; i++) {
      const key = a[i];
      const v = c.db.peek(key);
      if (v === undefined) {
        w.arr(1);
        w.bulk('none');
        continue;
      }
      let [type, payload] = encodeValue(v);
      // The string encoding marks OBJECT ENCODING reads travel with the value.
      if (type === 'string' && c.db.raw.size !== 0 && c.db.raw.has(key)) {
        type = c.db.embstr.has(key) ? 'string:embstr' : 'string:raw';
      }
      w.arr(3);
      w.bulk(type);
      w.int(c.db.ttlOf(key));
      w.bulk(payload);
      if (del) c.db.removeKey(key);
    }
  });

  m.set(OP_PUT, (c, a) => {
    for (let i = 1; i + 3 < a.length; i += 4) {
      const key = a[i], type = a[i + 1], exp = Number(a[i + 2]);
      if (type === 'none') {
        // del(), not removeKey(): WATCH and blocked clients see the deletion.
        c.db.del(key);
        continue;
      }
      c.db.removeKey(key);
      if (type.startsWith('string:')) {
        c.db.set(key, a[i + 3]);
        c.db.raw.add(key);
        if (type === 'string:embstr') c.db.embstr.add(key);
      } else {
        c.db.set(key, decodeValue(type, a[i + 3]));
      }
      if (exp >= 0) c.db.setExpire(key, exp);
    }
    c.w.ok();
  });

  m.set(OP_STATS, (c) => {
    const cmd: Record<string, CmdStat> = {};
    for (const [k, v] of sv.commandStats()) cmd[k] = v;
    const err: Record<string, number> = {};
    for (const [k, v] of sv.errorStats()) err[k] = v;
    const dbs = c.ks.dbs.map((d) => [d.size, d.expires.size]);
    c.w.bulk(JSON.stringify({ cmd, err, dbs, ks: c.ks.stats, heap: c.ks.heap.size, mem: process.memoryUsage().heapUsed }));
  });

  m.set(OP_CONFIG, (c, a) => {
    const name = a[1], value = a[2];
    const n = Number(value);
    c.config[name] = value !== '' && Number.isFinite(n) ? n : value;
    if (name === 'proto-max-bulk-len') c.config.protoMaxBulkLen = n;
    c.w.ok();
  });

  m.set(OP_RESETSTAT, (c) => {
    sv.resetStats();
    c.ks.stats.expiredKeys = 0;
    c.ks.stats.keyspaceHits = 0;
    c.ks.stats.keyspaceMisses = 0;
    c.w.ok();
  });

  // Waiters of a vanished client go away silently; CLIENT UNBLOCK ends a wait
  // with the timeout reply or an UNBLOCKED error.
  m.set(OP_UNBLOCK, (c, a) => {
    c.w.int(blocked.dropConn(Number(a[1]), K_CMD));
    ks.stats.blocked = blocked.count;
  });
  // Cross-shard waits (src/crossshard/xblock.ts): a watcher fires once when one
  // of its keys is written, popping nothing.
  const watchServe = (): boolean => true;
  const watchTimeout = (): void => {};
  m.set(OP_WATCHKEYS, (c, a) => {
    blocked.add({
      kind: K_WAKE,
      tag1: Number(a[1]),
      tag2: 0,
      proto: 2,
      db: c.db.index,
      keys: a.slice(2),
      deadline: Infinity,
      serve: watchServe,
      onTimeout: watchTimeout,
      done: false,
    });
    c.w.ok();
  });
  m.set(OP_UNWATCH, (c, a) => {
    c.w.int(blocked.dropConn(Number(a[1]), K_WAKE));
  });
  m.set(OP_FAULT, (c, a) => {
    if (a[1] === 'exit') process.exit(70);
    sv.setFault(a[1]);
    c.w.ok();
  });
  m.set(OP_CLIENTUNBLOCK, (c, a) => {
    const ok = blocked.unblock(Number(a[1]), a[2] === 'ERROR', (b, err) => {
      const w = ctx.w;
      const saveProto = w.proto;
      const saveLen = w.len;
      // Emit the unblocked client's reply first, then restore this reply.
      const mine = Buffer.from(w.buf.subarray(0, saveLen));
      w.reset();
      w.proto = b.proto;
      ctx.db = ks.dbs[b.db];
      if (err) w.error('UNBLOCKED client unblocked via CLIENT UNBLOCK');
      else {
        try {
          b.onTimeout(ctx);
        } catch (e) {
          sv.internalError(e);
        }
      }
      sv.emitReply(K_CMD, b.tag1, b.tag2);
      w.reset();
      w.proto = saveProto;
      w.rawBuf(mine);
    });
    c.w.int(ok ? 1 : 0);
    ks.stats.blocked = blocked.count;
  });

  // WATCH / UNWATCH / EXEC's check (src/shard/watch.ts). The db is the record's.
  m.set(OP_TXWATCH, (c, a) => {
    watches.watch(Number(a[1]), c.db.index, a.slice(2));
    c.w.ok();
  });
  m.set(OP_TXFORGET, (c, a) => {
    watches.forget(Number(a[1]));
    c.w.ok();
  });
  m.set(OP_TXCHECK, (c, a) => {
    c.w.int(watches.check(Number(a[1])) ? 1 : 0);
  });
  // __exec <conn> <frame>…: a whole MULTI/EXEC whose keys all live here, run
  // as one step of this shard (nothing else interleaves, blocked clients are
  // served after it, the clock is frozen for its length as in Redis). <conn>
  // is the connection whose WATCHes to check first, or 0.
  m.set(OP_EXEC, (c, a) => {
    const conn = Number(a[1]);
    const frames = a.slice(2);
    const proto = c.w.proto;
    const db = c.db.index;
    if (conn !== 0 && watches.check(conn)) {
      c.w.nilArray();
      return;
    }
    const parts: Buffer[] = [];
    const w = ctx.w;
    sv.setExecClock(Date.now());
    for (const f of frames) {
      sv.runFrame(Buffer.from(f, 'latin1'), proto, db);
      parts.push(Buffer.from(w.buf.subarray(0, w.len)));
    }
    sv.setExecClock(0);
    w.reset();
    w.proto = proto;
    ctx.db = ks.dbs[db];
    w.arr(parts.length);
    for (const p of parts) w.rawBuf(p);
  });

  // __probe <command args…>: the extra keys a command will read (SORT patterns).
  const probes = shardProbes();
  m.set(OP_PROBE, (c, a) => {
    const p = probes.get(a[1].toLowerCase());
    const keys = p ? p(c, a.slice(1)) : [];
    c.w.arr(keys.length);
    for (const k of keys) c.w.bulk(k);
  });

  // The script cache is the acceptor's; each shard keeps a compiled copy.
  m.set(OP_SCRIPTLOAD, (c, a) => {
    sv.scripts.load(a[1]);
    c.w.ok();
  });
  m.set(OP_SCRIPTFLUSH, (c) => {
    sv.scripts.flush();
    c.w.ok();
  });

  return m;
}
