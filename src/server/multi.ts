// MULTI/EXEC/DISCARD/WATCH/UNWATCH on the acceptor. A connection in MULTI
// has its commands checked (unknown, arity, NOAUTH, no-multi: errors doom
// the transaction, as in Redis) and queued as raw frames; EXEC runs them
// atomically, in one of two ways:
//
// - Every command's keys (and every WATCHed key) on one shard: one `__exec`
//   record carrying all the frames goes to that shard, which checks the
//   watches and runs the commands as one step. Nothing else is needed:
//   one record is one place in the global order.
// - Anything else (keys on several shards, fan-out commands, acceptor
//   commands such as SELECT or PING): the coordinator holds every involved
//   shard at the EXEC's place in the global order, checks the watches, and
//   runs the commands one by one on the held shards (cross-shard ones
//   through the multi-hop path), so no client sees part of it. The
//   connection's further input waits until EXEC answers, because a queued
//   SELECT or HELLO changes how it must be routed.
//
// Inside EXEC blocking commands don't block (held shards and `__exec` run
// them with ctx.block null, answering as on timeout).

import { FrameScanner } from '../protocol/frame';
import { encodeFrame } from '../protocol/frame-args';
import { readReply } from '../protocol/resp-read';
import { ReplyWriter } from '../protocol/reply';
import { K_ADMIN } from '../ring/records';
import { unknownSubcommandError } from '../commands/table';
import type { Command } from '../commands/table';
import type { NodeCtx } from '../commands/contract';
import type { Txn } from '../cluster/coordinator';
import type { Conn } from './conn';
import { argStrings, firstError, mergeParts, MULTI_SHARD, type Server } from './server';

export interface Queued {
  cmd: Command;
  frame: Buffer;
}

const enum Kind {
  /** Runs on the acceptor. */
  Node,
  /** Runs on one shard. */
  One,
  /** Keys on several shards: multi-hop. */
  Cross,
  /** Every shard runs it; replies merge. */
  Fanout,
  /** Dynamic keys (SORT BY/GET): probe, then multi-hop. */
  Probe,
}

interface Step {
  q: Queued;
  kind: Kind;
  shard: number;
  keysByShard: Map<number, string[]> | null;
  args: string[] | null;
}

/** The reply of a step that finishes after the shards are released. */
interface Later {
  later: Promise<Buffer>;
}

const EXECABORT = 'EXECABORT Transaction discarded because of previous errors.';

export class Transactions {
  private scanner = new FrameScanner();

  constructor(private readonly server: Server) {}

  // ------------------------------------------------------------ queueing

  /** A command sent inside MULTI: refuse it (dooming the transaction) or queue it. */
  queue(conn: Conn, cmd: Command, buf: Buffer, sc: FrameScanner, frameEnd: number): boolean {
    const srv = this.server;
    if (cmd.noMulti) return srv.rejectNow(conn, 'ERR Command not allowed inside a transaction', cmd);
    // A container whose subcommand was not found (its handler would answer
    // later): Redis refuses it at once.
    if (cmd.subs !== null) return srv.rejectNow(conn, unknownSubcommandError(argStrings(buf, sc)), cmd);
    if (!conn.multiError) conn.multi!.push({ cmd, frame: Buffer.from(buf.subarray(sc.frameStart, frameEnd)) });
    const seq = conn.nextSeq++;
    srv.markReplySilence(conn, seq);
    srv.deliver(conn, seq, QUEUED, 0, QUEUED.length);
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
      const k = this.server.owners[this.server.slotOf(a[i])];
      let l = byShard.get(k);
      if (l === undefined) byShard.set(k, (l = []));
      l.push(a[i]);
    }
    // Admin records in the request rings: each watch starts at this point
    // of the shard's order, before anything the client sends next.
    for (const [k, keys] of byShard) {
      this.server.adminSend(k, ['__txwatch', String(conn.id), ...keys], conn.db);
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
    for (const k of ws) this.server.adminSend(k, ['__txforget', String(conn.id)], 0);
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
    const steps = queued.map((q) => this.plan(q));

    // One shard for everything (and no acceptor command): one record.
    let single = -1;
    let simple = true;
    for (const s of steps) {
      if (s.kind !== Kind.One || (single >= 0 && s.shard !== single)) {
        simple = false;
        break;
      }
      single = s.shard;
    }
    if (simple && watched !== null) {
      for (const k of watched) {
        if (single >= 0 && k !== single) simple = false;
        single = k;
      }
    }
    if (simple && single < 0) {
      c.w.arr(0);
      return;
    }
    if (simple) return this.execOnShard(c, conn, single, queued, watched !== null);
    return this.execHeld(c, conn, steps, watched);
  }

  /** What a queued command needs, routed as dispatch would route it now. */
  private plan(q: Queued): Step {
    const srv = this.server;
    const cmd = q.cmd;
    const def = cmd.def;
    const step: Step = { q, kind: Kind.One, shard: 0, keysByShard: null, args: null };
    if (def.node !== undefined) {
      step.kind = Kind.Node;
      return step;
    }
    const sc = this.scanner;
    sc.scan(q.frame, 0, q.frame.length);
    if (cmd.firstKey > 0 || cmd.movable) {
      const shard = srv.locateKeys(cmd, q.frame, sc);
      if (def.wantsProbe !== undefined && srv.links.length > 1) {
        const args = argStrings(q.frame, sc);
        if (def.wantsProbe(args)) {
          step.kind = Kind.Probe;
          step.args = args;
          step.keysByShard = srv.keysByShard(q.frame, sc);
          step.shard = srv.keyShard[0];
          return step;
        }
      }
      if (shard === MULTI_SHARD) {
        step.kind = Kind.Cross;
        step.keysByShard = srv.keysByShard(q.frame, sc);
        step.shard = srv.keyShard[0];
        if (def.keyDb !== undefined) step.args = argStrings(q.frame, sc);
      } else {
        step.shard = shard;
      }
      return step;
    }
    if (def.fanout !== undefined) {
      step.kind = Kind.Fanout;
      return step;
    }
    if (def.cursorRoute) {
      const c = Number(q.frame.latin1Slice(sc.argStart[1], sc.argEnd[1]));
      step.shard = srv.owners[Number.isInteger(c) && c >= 0 && c < 16384 ? c : 0];
    }
    return step;
  }

  /** The whole transaction as one `__exec` record on its only shard. */
  private execOnShard(c: NodeCtx, conn: Conn, shard: number, queued: Queued[], checkWatch: boolean): void | Promise<void> {
    const srv = this.server;
    const args = ['__exec', checkWatch ? String(conn.id) : '0'];
    for (const q of queued) args.push(q.frame.latin1Slice(0, q.frame.length));
    const frame = encodeFrame(args);
    // Usually: as this connection's command record, so the shard's reply
    // is EXEC's reply and takes the ordinary path (no extra turn).
    if (c.seq !== undefined && srv.enqueueInternal(conn, shard, c.seq, frame)) {
      c.handedOff = true;
      return;
    }
    const proto = conn.proto, db = conn.db;
    return new Promise<void>((resolve) => {
      const gid = srv.newGather(1, (parts) => {
        c.w.rawBuf(parts[0]);
        resolve();
      }, conn);
      const link = srv.links[shard];
      if (srv.enqueueRecord(link, K_ADMIN, proto, db, gid, 0, frame)) return;
      // No ring space: keep this connection's later commands behind the
      // EXEC (they may touch the same keys) and retry shortly.
      conn.blockedSeq = conn.nextSeq - 1;
      const retry = (): void => {
        if (conn.closed) return resolve();
        if (srv.enqueueRecord(link, K_ADMIN, proto, db, gid, 0, frame)) srv.endOfInput();
        else setTimeout(retry, 1);
      };
      setTimeout(retry, 1);
    });
  }

  /** The general case: hold every involved shard and run the steps in order. */
  private async execHeld(c: NodeCtx, conn: Conn, steps: Step[], watched: Set<number> | null): Promise<void> {
    const srv = this.server;
    const all = srv.links.map((l) => l.index);
    const involved = new Set<number>(watched ?? []);
    for (const s of steps) {
      if (s.kind === Kind.One) involved.add(s.shard);
      else if (s.kind === Kind.Cross) for (const k of s.keysByShard!.keys()) involved.add(k);
      else if (s.kind === Kind.Fanout || s.kind === Kind.Probe) for (const k of all) involved.add(k);
    }
    const shards = [...involved].sort((x, y) => x - y);
    // Later input waits: a queued SELECT/HELLO changes how it is routed.
    conn.blockedSeq = conn.nextSeq - 1;
    while (!srv.coord.canBegin(shards)) {
      await new Promise((r) => setTimeout(r, 1));
      if (conn.closed) return;
    }
    const results = await new Promise<Array<Buffer | Later> | null>((resolve) => {
      srv.coord.begin(shards, async (tx) => {
        try {
          if (watched !== null) {
            const checks = await Promise.all([...watched].map((k) => tx.call(k, ['__txcheck', String(conn.id)], 0)));
            if (checks.some((b) => readReply(b, 0).value === 1)) return resolve(null);
          }
          const out: Array<Buffer | Later> = [];
          for (const s of steps) out.push(await this.runStep(tx, conn, s, all));
          resolve(out);
        } catch (e) {
          srv.log.error({ err: e }, 'EXEC failed');
          resolve([Buffer.from('-ERR internal error\r\n')]);
        }
      });
    });
    if (results === null) {
      c.w.nilArray();
      return;
    }
    // Acceptor commands that wait on shards (INFO…) finish after the release.
    c.w.arr(results.length);
    for (const r of results) c.w.rawBuf('later' in r ? await r.later : r);
  }

  private async runStep(tx: Txn, conn: Conn, s: Step, all: number[]): Promise<Buffer | Later> {
    const srv = this.server;
    const q = s.q;
    const proto = conn.proto, db = conn.db;
    switch (s.kind) {
      case Kind.Node: {
        // Not awaited: an acceptor command that asks the shards (INFO)
        // would wait for the held shards to be released.
        const r = this.runNode(conn, q);
        return r instanceof Promise ? { later: r } : r;
      }
      case Kind.One:
        return tx.callFrame(s.shard, q.frame, proto, db);
      case Kind.Cross: {
        let dbOf: Map<string, number> | null = null;
        if (q.cmd.def.keyDb !== undefined && s.args !== null) {
          const sc = this.scanner;
          sc.scan(q.frame, 0, q.frame.length);
          srv.locateKeys(q.cmd, q.frame, sc);
          dbOf = srv.keyDbs(q.cmd, s.args, db);
        }
        return tx.gatherAndRun(s.shard, s.keysByShard!, q.frame, proto, db, q.cmd.isWrite, dbOf);
      }
      case Kind.Fanout: {
        const parts = await Promise.all(all.map((k) => tx.callFrame(k, q.frame, proto, db)));
        return firstError(parts) ?? mergeParts(q.cmd.def.fanout!, parts, all, null);
      }
      case Kind.Probe:
        return srv.runProbed(tx, s.shard, s.args!, s.keysByShard!, q.frame, proto, db, q.cmd.isWrite);
    }
  }

  /** An acceptor command inside EXEC: its reply, or a promise of it if it waits. */
  private runNode(conn: Conn, q: Queued): Buffer | Promise<Buffer> {
    const sc = this.scanner;
    sc.scan(q.frame, 0, q.frame.length);
    const args = argStrings(q.frame, sc);
    const w = new ReplyWriter(256);
    w.proto = conn.proto;
    const ctx: NodeCtx = { w, conn, server: this.server };
    const stat = this.server.cmdStat(q.cmd.name);
    stat.calls++;
    const fail = (e: unknown): void => {
      this.server.log.error({ err: e, cmd: q.cmd.name }, 'command failed');
      w.reset();
      w.error('ERR internal error');
    };
    try {
      const r = q.cmd.def.node!(ctx, args);
      if (r instanceof Promise) return r.then(() => Buffer.from(ctx.w.view()), (e) => (fail(e), Buffer.from(w.view())));
    } catch (e) {
      fail(e);
    }
    if (w.errors > 0) stat.failed++;
    return Buffer.from(ctx.w.view());
  }
}

const QUEUED = Buffer.from('+QUEUED\r\n');
