// Multi-hop coordination: commands whose keys span shards and that need
// data to move between them, MULTI/EXEC across shards, cross-shard blocking
// pops (and later Lua).
//
// Protocol (docs/ARCHITECTURE.md "Multi-shard commands"):
//  1. At the command's place in the global order the acceptor appends a
//     HOLD marker to the request ring of every involved shard, all in one
//     call, so every shard meets the markers of all transactions in the same
//     order.
//  2. A shard that reaches a HOLD marker runs nothing else: it serves its
//     control ring until RELEASE.
//  3. Transactions run one at a time, in the order their markers were
//     enqueued. A transaction's control ops to a shard are executed only
//     once that shard reached its marker (the shard reads its control ring
//     only while held), so the body sees every involved shard frozen at the
//     same point of the global order.
//  4. RELEASE to every involved shard ends it.
// One-at-a-time is the simple, deadlock-free form; per-key intent locks
// (VLL) would let disjoint transactions overlap and are the next step if
// cross-shard traffic ever matters for throughput.

import { K_CTRL, K_RELEASE } from '../ring/records';
import { encodeFrame } from '../protocol/frame-args';
import { readReply, RespValue } from '../protocol/resp-read';
import type { ShardSet } from '../shardset/shard-set';
import type { Router } from '../routing/route';
import { OP_PROBE, OP_PUT, OP_TAKE } from '../ring/ops';

type Body = (tx: Txn) => Promise<void>;

export class Coordinator {
  private queue: Txn[] = [];
  private running = false;
  private nextTx = 1;
  readonly waiting = new Map<number, (b: Buffer) => void>();
  nextOp = 1;

  constructor(readonly shards: ShardSet, private readonly onError: (e: unknown) => void) {}

  canBegin(shards: number[]): boolean {
    return this.shards.roomFor(shards, 0);
  }

  /** Enqueue HOLD markers now (the global order point) and queue the body. */
  begin(shards: number[], body: Body): void {
    const id = this.nextTx;
    this.nextTx = (this.nextTx + 1) >>> 0 || 1;
    // Callers check canBegin() in the same synchronous step.
    this.shards.hold(shards, id);
    this.queue.push(new Txn(this, id, shards, body));
    if (!this.running) void this.pump();
  }

  private async pump(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      const tx = this.queue.shift()!;
      try {
        await tx.body(tx);
      } catch (e) {
        this.onError(e);
      }
      for (const k of tx.shards) tx.sendCtrl(k, K_RELEASE, 0, EMPTY, 2, 0);
    }
    this.running = false;
  }

  onReply(_tx: number, op: number, reply: Buffer): void {
    const r = this.waiting.get(op);
    if (r !== undefined) {
      this.waiting.delete(op);
      r(reply);
    }
  }
}

export class Txn {
  constructor(
    private readonly coord: Coordinator,
    readonly id: number,
    readonly shards: number[],
    readonly body: Body,
  ) {}

  sendCtrl(shard: number, kind: number, op: number, frame: Buffer, proto: number, db: number): void {
    if (!this.coord.shards.sendControl(shard, kind, proto, db, this.id, op, frame)) {
      setTimeout(() => this.sendCtrl(shard, kind, op, frame, proto, db), 1);
    }
  }

  /** Run a command frame on a held shard; resolves with its RESP reply. */
  callFrame(shard: number, frame: Buffer, proto: number, db: number): Promise<Buffer> {
    const op = this.coord.nextOp;
    this.coord.nextOp = (this.coord.nextOp + 1) >>> 0 || 1;
    return new Promise((resolve) => {
      this.coord.waiting.set(op, resolve);
      this.sendCtrl(shard, K_CTRL, op, frame, proto, db);
    });
  }

  call(shard: number, args: string[], db: number): Promise<Buffer> {
    return this.callFrame(shard, encodeFrame(args), 2, db);
  }

  /** The generic multi-hop execution (gatherSteps below), each batch of calls awaited. */
  async gatherAndRun(
    exec: number,
    keysByShard: Map<number, string[]>,
    frame: Buffer,
    proto: number,
    db: number,
    isWrite: boolean,
    dbOf: Map<string, number> | null = null,
  ): Promise<Buffer> {
    const steps = gatherSteps(exec, keysByShard, frame, proto, db, isWrite, dbOf);
    let replies: Buffer[] = [];
    for (;;) {
      const r = steps.next(replies);
      if (r.done) return r.value;
      replies = await Promise.all(r.value.map((c) => (c === null ? EMPTY : this.callFrame(c.shard, c.frame, c.proto, c.db))));
    }
  }

  /**
   * gatherAndRun for a script running on the acceptor with the shards held
   * (src/crossshard/script.ts): the same steps, each call waited for in place.
   */
  gatherAndRunSync(
    exec: number, keysByShard: Map<number, string[]>, frame: Buffer, proto: number, db: number, isWrite: boolean,
  ): Buffer {
    const steps = gatherSteps(exec, keysByShard, frame, proto, db, isWrite, null);
    let replies: Buffer[] = [];
    for (;;) {
      const r = steps.next(replies);
      if (r.done) return r.value;
      replies = r.value.map((c) => (c === null ? EMPTY : this.callSync(c.shard, c.frame, c.proto, c.db)));
    }
  }

  /**
   * Run a command frame on a held shard and wait for its reply right here,
   * draining the reply rings meanwhile (the acceptor thread may block: the
   * shards it would serve are held anyway). For scripts run on the acceptor.
   */
  callSync(shard: number, frame: Buffer, proto: number, db: number): Buffer {
    const op = this.coord.nextOp;
    this.coord.nextOp = (this.coord.nextOp + 1) >>> 0 || 1;
    let result: Buffer | null = null;
    this.coord.waiting.set(op, (b) => {
      result = b;
    });
    const shards = this.coord.shards;
    while (!shards.sendControl(shard, K_CTRL, proto, db, this.id, op, frame)) shards.waitForReplies(1);
    while (result === null) shards.waitForReplies(50);
    return result;
  }

  /**
   * Dynamic multi-hop (SORT with BY/GET patterns, every shard held): ask the
   * first key's shard which keys the command will read, add them to the
   * declared ones, and run it through gatherAndRun.
   */
  async probeAndRun(
    router: Router, exec: number, args: string[], declared: Map<number, string[]>,
    frame: Buffer, proto: number, db: number, isWrite: boolean,
  ): Promise<Buffer> {
    const probed = readReply(await this.call(exec, [OP_PROBE, ...args], db), 0).value as string[];
    const keysByShard = new Map<number, string[]>();
    for (const [k, l] of declared) keysByShard.set(k, [...l]);
    for (const key of probed) {
      const k = router.shardOf(key);
      let l = keysByShard.get(k);
      if (l === undefined) keysByShard.set(k, (l = []));
      if (!l.includes(key)) l.push(key);
    }
    return this.gatherAndRun(exec, keysByShard, frame, proto, db, isWrite);
  }
}

const EMPTY = Buffer.alloc(0);

/** One control call of a multi-hop step (null: nothing to send, its reply is empty). */
interface CtrlCall {
  shard: number;
  frame: Buffer;
  proto: number;
  db: number;
}

/**
 * The generic multi-hop execution as steps: copy the keys other shards own
 * into `exec`, run the command there as if all keys were local, then move
 * the (possibly changed) keys back to their owners and drop the copies.
 * Each `yield` is a batch of calls that may run in parallel; the driver
 * sends back their replies. Works for any command, so cross-shard RENAME,
 * MSETNX, COPY, BITOP, set and sorted-set algebra… need no special code.
 */
function* gatherSteps(
  exec: number, keysByShard: Map<number, string[]>, frame: Buffer, proto: number, db: number,
  isWrite: boolean, dbOf: Map<string, number> | null,
): Generator<Array<CtrlCall | null>, Buffer, Buffer[]> {
  // (shard, db, keys) groups of keys the executing shard does not own.
  const foreign: Array<[number, number, string[]]> = [];
  for (const [k, keys] of keysByShard) {
    if (k === exec) continue;
    const byDb = new Map<number, string[]>();
    for (const key of keys) {
      const d = dbOf?.get(key) ?? db;
      let l = byDb.get(d);
      if (l === undefined) byDb.set(d, (l = []));
      l.push(key);
    }
    for (const [d, l] of byDb) foreign.push([k, d, l]);
  }
  const op = (shard: number, args: string[], d: number): CtrlCall => ({ shard, frame: encodeFrame(args), proto: 2, db: d });
  const taken = yield foreign.map(([k, d, keys]) => op(k, [OP_TAKE, 'KEEP', ...keys], d));
  // A shard refused (a database it lacks): nothing was moved yet, that is the reply.
  for (const t of taken) if (t[0] === 0x2d) return t;
  yield foreign.map(([, d, keys], i) => {
    const put: string[] = [OP_PUT];
    appendEntries(put, keys, taken[i]);
    return put.length > 1 ? op(exec, put, d) : null;
  });
  const [reply] = yield [{ shard: exec, frame, proto, db }];
  const back = yield foreign.map(([, d, keys]) => op(exec, [OP_TAKE, 'DEL', ...keys], d));
  if (isWrite) {
    yield foreign.map(([k, d, keys], i) => {
      const p: string[] = [OP_PUT];
      appendChanged(p, keys, taken[i], back[i]);
      return p.length > 1 ? op(k, p, d) : null;
    });
  }
  return reply;
}

/**
 * `__put` arguments for the keys whose value or TTL the command changed:
 * writing back an untouched key would count as a modification (WATCH,
 * blocked clients), which Redis would not see.
 */
function appendChanged(out: string[], keys: string[], before: Buffer, after: Buffer): void {
  const b = readReply(before, 0).value as RespValue[];
  const a = readReply(after, 0).value as RespValue[];
  for (let j = 0; j < keys.length; j++) {
    const x = b[j] as RespValue[];
    const y = a[j] as RespValue[];
    if (x.length === y.length && x.every((v, i) => v === y[i])) continue;
    if (y[0] === 'none') out.push(keys[j], 'none', '-1', '');
    else out.push(keys[j], y[0] as string, String(y[1]), y[2] as string);
  }
}

/** Turn a `__take` reply into `__put` arguments. */
function appendEntries(out: string[], keys: string[], reply: Buffer): void {
  const entries = readReply(reply, 0).value as RespValue[];
  for (let j = 0; j < keys.length; j++) {
    const e = entries[j] as RespValue[];
    if (e[0] !== 'none') out.push(keys[j], e[0] as string, String(e[1]), e[2] as string);
  }
}
