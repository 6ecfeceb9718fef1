// Blocking commands whose keys live on several shards (BLPOP a b with a and
// b on different shards, BLMOVE between shards, BZMPOP over many keys …).
//
// A shard can only park a client on its own keys, so the acceptor runs the
// wait. Each attempt, enqueued at one point of the global order:
//   1. on every involved shard: drop this wait's old watchers and register
//      new ones (`__watchkeys`): a watcher fires (once) when one of its keys
//      is written, like a blocked client, but pops nothing;
//   2. the command itself through the multi-hop path with blocking off: it
//      pops from the first non-empty key (left to right, across shards,
//      atomically) or answers null.
// Watchers are registered before the attempt runs, so a push that lands
// after the attempt always fires one: no lost wake-ups. A null answer waits
// for a watcher (or the timeout); anything else is the reply.

import type { ShardSet } from '../shardset/shard-set';
import type { Coordinator } from './coordinator';
import { OP_UNWATCH, OP_WATCHKEYS } from '../ring/ops';

/** The waiting client, as far as this file cares. */
export interface Waiting {
  readonly id: number;
}

/** Where a finished wait's reply goes (the acceptor's reply order). */
export type Deliver = (conn: Waiting, seq: number, reply: Buffer) => void;

export interface XBlock {
  conn: Waiting;
  seq: number;
  token: number;
  shards: number[];
  keysByShard: Map<number, string[]>;
  exec: number;
  frame: Buffer;
  proto: 2 | 3;
  db: number;
  isWrite: boolean;
  attempting: boolean;
  woke: boolean;
  done: boolean;
  timer: NodeJS.Timeout | null;
}

const MAX_TIMER = 2 ** 31 - 1;

function isNull(reply: Buffer): boolean {
  const t = reply[0];
  return t === 0x5f || ((t === 0x2a || t === 0x24) && reply[1] === 0x2d);
}

export class CrossShardBlocks {
  private byToken = new Map<number, XBlock>();
  private byConn = new Map<number, XBlock>();
  private nextToken = 1;

  constructor(
    private readonly shards: ShardSet,
    private readonly coord: Coordinator,
    private readonly deliver: Deliver,
  ) {}

  get size(): number {
    return this.byToken.size;
  }

  start(b: Omit<XBlock, 'token' | 'attempting' | 'woke' | 'done' | 'timer'>, timeoutMs: number): void {
    const x: XBlock = { ...b, token: this.nextToken, attempting: false, woke: false, done: false, timer: null };
    this.nextToken = (this.nextToken + 1) >>> 0 || 1;
    this.byToken.set(x.token, x);
    this.byConn.set(x.conn.id, x);
    if (timeoutMs > 0) this.armTimer(x, Date.now() + timeoutMs);
    this.attempt(x);
  }

  private attempt(x: XBlock): void {
    if (x.done) return;
    const s = this.shards;
    if (!this.coord.canBegin(x.shards) || !s.roomForAdmin(x.shards)) {
      setTimeout(() => this.attempt(x), 1);
      return;
    }
    x.attempting = true;
    x.woke = false;
    const tok = String(x.token);
    for (const k of x.shards) {
      s.adminSend(k, [OP_UNWATCH, tok], x.db);
      s.adminSend(k, [OP_WATCHKEYS, tok, ...x.keysByShard.get(k)!], x.db);
    }
    this.coord.begin(x.shards, async (tx) => {
      if (x.done) return; // the client went away or was unblocked meanwhile
      let reply: Buffer;
      try {
        reply = await tx.gatherAndRun(x.exec, x.keysByShard, x.frame, x.proto, x.db, x.isWrite);
      } catch {
        reply = Buffer.from('-ERR internal error\r\n');
      }
      x.attempting = false;
      if (x.done) return;
      if (!isNull(reply)) return this.finish(x, reply);
      if (x.woke) this.attempt(x);
    });
  }

  /** A watcher fired on some shard. */
  onWake(token: number): void {
    const x = this.byToken.get(token);
    if (x === undefined || x.done) return;
    if (x.attempting) x.woke = true;
    else this.attempt(x);
  }

  /**
   * Timers hold at most 2^31-1 ms (Node clamps longer ones to 1 ms): a longer
   * wait re-arms until its deadline.
   */
  private armTimer(x: XBlock, deadline: number): void {
    const left = deadline - Date.now();
    x.timer = setTimeout(() => (left > MAX_TIMER ? this.armTimer(x, deadline) : this.timeout(x)), Math.min(Math.max(left, 1), MAX_TIMER));
  }

  private timeout(x: XBlock): void {
    x.timer = null;
    if (x.done) return;
    // An attempt in flight may still pop: let it decide; it will find the
    // wait timed out only if it comes back empty.
    this.finish(x, Buffer.from(x.proto === 3 ? '_\r\n' : '*-1\r\n'));
  }

  private finish(x: XBlock, reply: Buffer): void {
    if (x.done) return;
    x.done = true;
    if (x.timer) clearTimeout(x.timer);
    this.byToken.delete(x.token);
    if (this.byConn.get(x.conn.id) === x) this.byConn.delete(x.conn.id);
    for (const k of x.shards) this.shards.adminSend(k, [OP_UNWATCH, String(x.token)], x.db);
    this.deliver(x.conn, x.seq, reply);
  }

  /** CLIENT UNBLOCK: end the wait of a connection. Returns false if it has none. */
  unblock(connId: number, withError: boolean): boolean {
    const x = this.byConn.get(connId);
    if (x === undefined || x.done) return false;
    const reply = withError
      ? Buffer.from('-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n')
      : Buffer.from(x.proto === 3 ? '_\r\n' : '*-1\r\n');
    this.finish(x, reply);
    return true;
  }

  /** The client went away: stop waiting, leave nothing behind. */
  dropConn(connId: number): void {
    const x = this.byConn.get(connId);
    if (x === undefined || x.done) return;
    x.done = true;
    if (x.timer) clearTimeout(x.timer);
    this.byToken.delete(x.token);
    this.byConn.delete(connId);
    for (const k of x.shards) this.shards.adminSend(k, [OP_UNWATCH, String(x.token)], x.db);
  }
}
