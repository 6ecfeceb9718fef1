// Where a command goes: the one routing function, used by dispatch and by
// EXEC's planner. It reads the key positions from the command table, hashes
// each key's bytes to its slot and the slot to its owning shard, and names
// the path: the acceptor, one shard, several shards, every shard.
//
// A Router holds scratch arrays for the keys it located (positions and
// owners), valid until its next call: the hot path allocates nothing.

import { slotOfBytes, slotOfString } from '../util/slot';
import type { Command, CommandTable } from '../commands/table';
import type { FrameScanner } from '../protocol/frame';

export const enum Route {
  /** Runs on the acceptor (def.node). */
  Acceptor,
  /** Runs on one shard: Router.shard. */
  One,
  /** Keys on several shards (split, multi-hop or cross-shard blocking); Router.shard is the first key's. */
  Cross,
  /** Keys not known until the first key's shard is asked (SORT BY/GET); every shard is held. */
  Probe,
  /** Keyless, every shard runs it and the replies merge (def.fanout). */
  Fanout,
  /** SCAN: Router.shard owns the cursor's slot; one call may go on into the next shards' slots. */
  Cursor,
}

/** locateKeys: the keys live on more than one shard. */
export const MULTI_SHARD = -2;

export class Router {
  /** Argument positions and owner shards of the keys located by the last call. */
  readonly keyIdx: number[] = [];
  readonly keyShard: number[] = [];
  keyCount = 0;
  /** The shard of a Route.One; the first key's shard of Cross/Probe. */
  shard = 0;

  constructor(private readonly table: CommandTable, private readonly owners: Uint8Array, private readonly shards: number) {}

  /** The path of cmd whose frame is in buf as scanned by sc. */
  route(cmd: Command, buf: Buffer, sc: FrameScanner): Route {
    const def = cmd.def;
    this.shard = 0;
    this.keyCount = 0;
    if (def.node !== undefined) return Route.Acceptor;
    if (cmd.firstKey > 0 || cmd.movable) {
      const shard = this.locateKeys(cmd, buf, sc);
      if (def.wantsProbe !== undefined && this.shards > 1 && def.wantsProbe(argStrings(buf, sc))) {
        this.shard = this.keyShard[0];
        return Route.Probe;
      }
      if (shard === MULTI_SHARD) {
        this.shard = this.keyShard[0];
        return Route.Cross;
      }
      this.shard = shard;
      return Route.One;
    }
    if (def.fanout !== undefined) return Route.Fanout;
    if (def.cursorRoute) {
      const c = Number(buf.latin1Slice(sc.argStart[1], sc.argEnd[1]));
      this.shard = this.owners[Number.isInteger(c) && c >= 0 && c < 16384 ? c : 0];
      return Route.Cursor;
    }
    return Route.One;
  }

  /**
   * Owner shards of a keyed command's keys into keyIdx/keyShard/keyCount.
   * Returns the one shard they all live on (0 if none were found), or
   * MULTI_SHARD.
   */
  private locateKeys(cmd: Command, buf: Buffer, sc: FrameScanner): number {
    const argc = sc.argc;
    const st = sc.argStart, en = sc.argEnd;
    const idx = this.keyIdx;
    const sh = this.keyShard;
    const owners = this.owners;
    let n = 0;
    let shard = -1;
    let multi = false;
    if (!cmd.movable) {
      const last = cmd.lastKey < 0 ? argc + cmd.lastKey : cmd.lastKey;
      const step = cmd.step;
      for (let i = cmd.firstKey; i <= last && i < argc; i += step) {
        const s = owners[slotOfBytes(buf, st[i], en[i])];
        idx[n] = i;
        sh[n++] = s;
        if (shard < 0) shard = s;
        else if (s !== shard) multi = true;
      }
    } else {
      const keys = this.table.keyIndexes(cmd, argc, (i) => buf.latin1Slice(st[i], en[i]));
      if (keys !== null) {
        for (const i of keys) {
          const s = owners[slotOfBytes(buf, st[i], en[i])];
          idx[n] = i;
          sh[n++] = s;
          if (shard < 0) shard = s;
          else if (s !== shard) multi = true;
        }
      }
    }
    this.keyCount = n;
    return multi ? MULTI_SHARD : shard < 0 ? 0 : shard;
  }

  /** The located keys grouped by owner shard (each key once). */
  keysByShard(buf: Buffer, sc: FrameScanner): Map<number, string[]> {
    const st = sc.argStart, en = sc.argEnd;
    const m = new Map<number, string[]>();
    for (let j = 0; j < this.keyCount; j++) {
      const k = this.keyShard[j];
      const key = buf.latin1Slice(st[this.keyIdx[j]], en[this.keyIdx[j]]);
      let l = m.get(k);
      if (l === undefined) m.set(k, (l = []));
      if (!l.includes(key)) l.push(key);
    }
    return m;
  }

  /** Located keys that CommandDef.keyDb puts in another database than db (COPY … DB n). */
  keyDbs(cmd: Command, args: string[], db: number): Map<string, number> | null {
    if (cmd.def.keyDb === undefined) return null;
    let dbOf: Map<string, number> | null = null;
    for (let j = 0; j < this.keyCount; j++) {
      const d = cmd.def.keyDb(args, this.keyIdx[j], db);
      if (d !== db) (dbOf ??= new Map()).set(args[this.keyIdx[j]], d);
    }
    return dbOf;
  }

  /** The owner shard of a key given as a string (WATCH, probed keys). */
  shardOf(key: string): number {
    return this.owners[slotOfString(key)];
  }
}

/** Every argument of the scanned frame as a latin1 string (off the hot path only). */
export function argStrings(buf: Buffer, sc: FrameScanner): string[] {
  const out = new Array<string>(sc.argc);
  for (let i = 0; i < sc.argc; i++) out[i] = buf.latin1Slice(sc.argStart[i], sc.argEnd[i]);
  return out;
}
