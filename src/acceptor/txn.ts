// MULTI/EXEC/DISCARD/WATCH/UNWATCH on the acceptor: a connection in MULTI
// has its commands checked (unknown, arity, NOAUTH, no-multi: errors doom
// the transaction, as in Redis) and queued as raw frames; WATCH registers
// the keys on their shards; EXEC hands the queue to the planner
// (src/crossshard/exec.ts), which runs it as one `__exec` record on its
// only shard or holds every involved shard. The connection's further input
// waits until EXEC answers, because a queued SELECT or HELLO changes how it
// must be routed.

import { FrameScanner } from '../protocol/frame';
import { K_ADMIN } from '../ring/records';
import { unknownSubcommandError } from '../commands/table';
import type { Command } from '../commands/table';
import type { NodeCtx, TransactionsView } from '../commands/contract';
import { argStrings } from '../routing/route';
import type { ExecPlanner, Queued } from '../crossshard/exec';
import type { Conn } from './conn';
import type { Acceptor } from './acceptor';
import { OP_TXFORGET, OP_TXWATCH } from '../ring/ops';

const EXECABORT = 'EXECABORT Transaction discarded because of previous errors.';
const QUEUED = Buffer.from('+QUEUED\r\n');

export class Transactions implements TransactionsView {
  private scanner = new FrameScanner();

  constructor(private readonly acc: Acceptor, private readonly planner: ExecPlanner) {}

  // ------------------------------------------------------------ queueing

  /** A command sent inside MULTI: refuse it (dooming the transaction) or queue it. */
  queue(conn: Conn, cmd: Command, buf: Buffer, sc: FrameScanner, frameEnd: number): boolean {
    const acc = this.acc;
    if (cmd.noMulti) return acc.rejectNow(conn, 'ERR Command not allowed inside a transaction', cmd);
    // A container whose subcommand was not found (its handler would answer
    // later): Redis refuses it at once.
    if (cmd.subs !== null && sc.argc >= 2) return acc.rejectNow(conn, unknownSubcommandError(argStrings(buf, sc)), cmd);
    if (!conn.multiError) conn.multi!.push({ cmd, frame: Buffer.from(buf.subarray(sc.frameStart, frameEnd)) });
    const seq = conn.nextSeq++;
    acc.markReplySilence(conn, seq);
    acc.deliver(conn, seq, QUEUED, 0, QUEUED.length);
    return true;
  }

  multi(c: NodeCtx): void {
    const conn = c.conn as Conn;
    if (conn.multi !== null) return c.w.error('ERR MULTI calls can not be nested');
    conn.multi = [];
    conn.multiError = false;
    c.w.ok();
  }

  discard(c: NodeCtx): void {
    const conn = c.conn as Conn;
    if (conn.multi === null) return c.w.error('ERR DISCARD without MULTI');
    this.reset(conn);
    c.w.ok();
  }

  /** Leave MULTI and forget every WATCH (DISCARD, RESET, a closed connection). */
  reset(conn: Conn): void {
    conn.multi = null;
    conn.multiError = false;
    this.unwatchAll(conn);
  }

  // --------------------------------------------------------------- WATCH

  watch(c: NodeCtx, a: string[]): void {
    const conn = c.conn as Conn;
    if (conn.multi !== null) return c.w.error('ERR WATCH inside MULTI is not allowed');
    const byShard = new Map<number, string[]>();
    for (let i = 1; i < a.length; i++) {
      const k = this.acc.router.shardOf(a[i]);
      let l = byShard.get(k);
      if (l === undefined) byShard.set(k, (l = []));
      l.push(a[i]);
    }
    // Admin records in the request rings: each watch starts at this point
    // of the shard's order, before anything the client sends next.
    for (const [k, keys] of byShard) {
      this.acc.shards.adminSend(k, [OP_TXWATCH, String(conn.id), ...keys], conn.db);
      (conn.watchShards ??= new Set()).add(k);
    }
    c.w.ok();
  }

  unwatch(c: NodeCtx): void {
    this.unwatchAll(c.conn as Conn);
    c.w.ok();
  }

  private unwatchAll(conn: Conn): void {
    const ws = conn.watchShards;
    if (ws === null) return;
    conn.watchShards = null;
    for (const k of ws) this.acc.shards.adminSend(k, [OP_TXFORGET, String(conn.id)], 0);
  }

  // ---------------------------------------------------------------- EXEC

  exec(c: NodeCtx): void | Promise<void> {
    const conn = c.conn as Conn;
    if (conn.multi === null) return c.w.error('ERR EXEC without MULTI');
    const queued = conn.multi;
    const aborted = conn.multiError;
    conn.multi = null;
    conn.multiError = false;
    if (aborted) {
      this.unwatchAll(conn);
      return c.w.error(EXECABORT);
    }
    const watched = conn.watchShards;
    conn.watchShards = null;
    const steps = this.planner.plan(queued);
    const single = this.planner.singleShard(steps, watched);
    if (single === -1) return c.w.arr(0);
    if (single >= 0) return this.execOnShard(c, conn, single, queued, watched !== null);
    return this.execHeld(c, conn, steps, watched);
  }

  /** The whole transaction as one `__exec` record on its only shard. */
  private execOnShard(c: NodeCtx, conn: Conn, shard: number, queued: Queued[], checkWatch: boolean): void | Promise<void> {
    const shards = this.acc.shards;
    const frame = this.planner.execFrame(queued, checkWatch ? conn.id : 0);
    // Usually: as this connection's command record, so the shard's reply
    // is EXEC's reply and takes the ordinary path (no extra turn).
    if (c.seq !== undefined && shards.sendInternalCommand(shard, conn.proto, conn.db, conn.id, c.seq, frame)) {
      c.handedOff = true;
      return;
    }
    const proto = conn.proto, db = conn.db;
    return new Promise<void>((resolve) => {
      const gid = shards.gather(
        1,
        (parts) => {
          c.w.rawBuf(parts[0]);
          resolve();
        },
        (e) => {
          this.acc.connFailed(conn, e);
          resolve();
        },
      );
      if (shards.sendRecord(shard, K_ADMIN, proto, db, gid, 0, frame)) return;
      // No ring space: keep this connection's later commands behind the
      // EXEC (they may touch the same keys) and retry shortly.
      conn.blockedSeq = conn.nextSeq - 1;
      const retry = (): void => {
        if (conn.closed) return resolve();
        if (shards.sendRecord(shard, K_ADMIN, proto, db, gid, 0, frame)) this.acc.endOfInput();
        else setTimeout(retry, 1);
      };
      setTimeout(retry, 1);
    });
  }

  /** The general case: hold every involved shard and run the steps in order. */
  private async execHeld(c: NodeCtx, conn: Conn, steps: ReturnType<ExecPlanner['plan']>, watched: Set<number> | null): Promise<void> {
    // Later input waits: a queued SELECT/HELLO changes how it is routed.
    conn.blockedSeq = conn.nextSeq - 1;
    let results: Buffer[] | null;
    try {
      results = await this.planner.runHeld(conn, steps, watched, (q) => this.runQueued(conn, q));
    } catch (e) {
      this.acc.log.error({ err: e }, 'EXEC failed');
      results = [Buffer.from('-ERR internal error\r\n')];
    }
    if (results === null) return c.w.nilArray();
    c.w.arr(results.length);
    for (const r of results) c.w.rawBuf(r);
  }

  /** An acceptor command of the transaction (SELECT, PING, INFO …), through the acceptor's one path. */
  private runQueued(conn: Conn, q: Queued): Buffer | Promise<Buffer> {
    const sc = this.scanner;
    sc.scan(q.frame, 0, q.frame.length);
    return this.acc.runQueued(conn, q, argStrings(q.frame, sc));
  }
}
