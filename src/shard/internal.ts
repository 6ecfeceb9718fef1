// Shard-internal commands, reachable only through K_CTRL and K_ADMIN records
// (never from clients: the acceptor only routes names in the command table).
//
// Multi-hop primitives used by the coordinator (src/cluster/coordinator.ts):
//   __take KEEP|DEL key…   → per key [type, pexpireat|-1, payload] or [none]
//   __put key type pexpireat payload …  (type none = delete)
// Admin:
//   __stats                → JSON of command/error/keyspace statistics
//   __config name value    → update a live setting
//   __resetstat

import type { ShardCtx, ShardHandler } from '../commands/contract';
import { encodeValue, decodeValue } from './serialize';

interface CmdStat {
  calls: number;
  usec: number;
  failed: number;
}

export function internalHandlers(
  ctx: ShardCtx,
  stats: () => Map<string, CmdStat>,
  errors: () => Map<string, number>,
  reset: () => void,
): Map<string, ShardHandler> {
  const m = new Map<string, ShardHandler>();

  m.set('__take', (c, a) => {
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

  m.set('__put', (c, a) => {
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

  m.set('__stats', (c) => {
    const cmd: Record<string, CmdStat> = {};
    for (const [k, v] of stats()) cmd[k] = v;
    const err: Record<string, number> = {};
    for (const [k, v] of errors()) err[k] = v;
    const dbs = c.ks.dbs.map((d) => [d.size, d.expires.size]);
    c.w.bulk(JSON.stringify({ cmd, err, dbs, ks: c.ks.stats, heap: c.ks.heap.size, mem: process.memoryUsage().heapUsed }));
  });

  m.set('__config', (c, a) => {
    const name = a[1], value = a[2];
    const n = Number(value);
    c.config[name] = value !== '' && Number.isFinite(n) ? n : value;
    if (name === 'proto-max-bulk-len') c.config.protoMaxBulkLen = n;
    c.w.ok();
  });

  m.set('__resetstat', (c) => {
    reset();
    c.ks.stats.expiredKeys = 0;
    c.ks.stats.keyspaceHits = 0;
    c.ks.stats.keyspaceMisses = 0;
    c.w.ok();
  });

  void ctx;
  return m;
}
