// EXEC's plans: how a queued transaction runs on the shards. Queueing,
// WATCH bookkeeping and choosing between the two paths live with the
// connection on the acceptor (src/acceptor/txn.ts); this file routes each
// queued command exactly as dispatch would (the one Router) and runs it.
//
// - Every command's keys (and every WATCHed key) on one shard: one `__exec`
//   record carrying all the frames goes to that shard, which checks the
//   watches and runs the commands as one step. One record is one place in
//   the global order: nothing else is needed.
// - Anything else (keys on several shards, fan-out commands, acceptor
//   commands such as SELECT or PING): the coordinator holds every involved
//   shard at the EXEC's place in the global order, checks the watches, and
//   runs the commands one by one on the held shards (cross-shard ones
//   through the multi-hop path), so no client sees part of it.
//
// Inside EXEC blocking commands don't block (held shards and `__exec` run
// them with ctx.block null, answering as on timeout).

import { FrameScanner } from '../protocol/frame';
import { encodeFrame } from '../protocol/frame-args';
import { readReply } from '../protocol/resp-read';
import type { Command } from '../commands/table';
import { Route, Router, argStrings } from '../routing/route';
import { firstError, type ShardSet } from '../shardset/shard-set';
import type { Coordinator, Txn } from './coordinator';
import { mergeParts } from './merge';
import { OP_EXEC, OP_TXCHECK } from '../ring/ops';

/** A command queued after MULTI: its table entry and raw frame. */
export interface Queued {
  cmd: Command;
  frame: Buffer;
}

interface Step {
  q: Queued;
  route: Route;
  shard: number;
  keysByShard: Map<number, string[]> | null;
  args: string[] | null;
}

/** The reply of a step that finishes after the shards are released. */
interface Later {
  later: Promise<Buffer>;
}

/** The transaction's connection as EXEC reads it. */
export interface ExecClient {
  readonly id: number;
  readonly proto: 2 | 3;
  readonly db: number;
  readonly closed: boolean;
}

/** Runs an acceptor command of the transaction: its reply, or a promise of it if it waits on shards. */
export type RunAcceptorCommand = (q: Queued) => Buffer | Promise<Buffer>;

export class ExecPlanner {
  private scanner = new FrameScanner();
  private router: Router;

  constructor(router: Router, private readonly shards: ShardSet, private readonly coord: Coordinator) {
    this.router = router;
  }

  /** Route every queued command now. */
  plan(queued: Queued[]): Step[] {
    return queued.map((q) => this.planOne(q));
  }

  /** The one shard every step and watch lives on, -2 if none qualifies, -1 if nothing touches a shard. */
  singleShard(steps: Step[], watched: Set<number> | null): number {
    let single = -1;
    for (const s of steps) {
      if (s.route !== Route.One || (single >= 0 && s.shard !== single)) return -2;
      single = s.shard;
    }
    if (watched !== null) {
      for (const k of watched) {
        if (single >= 0 && k !== single) return -2;
        single = k;
      }
    }
    return single;
  }

  /** The `__exec` frame of a transaction run on one shard. */
  execFrame(queued: Queued[], watchConn: number): Buffer {
    const args = [OP_EXEC, String(watchConn)];
    for (const q of queued) args.push(q.frame.latin1Slice(0, q.frame.length));
    return encodeFrame(args);
  }

  private planOne(q: Queued): Step {
    const sc = this.scanner;
    sc.scan(q.frame, 0, q.frame.length);
    const r = this.router;
    let route = r.route(q.cmd, q.frame, sc);
    // Inside EXEC a SCAN reads the cursor's shard only (a shorter page is legal).
    if (route === Route.Cursor) route = Route.One;
    const step: Step = { q, route, shard: r.shard, keysByShard: null, args: null };
    if (route === Route.Cross || route === Route.Probe) {
      step.keysByShard = r.keysByShard(q.frame, sc);
      if (route === Route.Probe || q.cmd.def.keyDb !== undefined) step.args = argStrings(q.frame, sc);
    }
    return step;
  }

  /**
   * The general case: hold every involved shard and run the steps in order.
   * Resolves with each step's reply, or null when a WATCHed key changed.
   */
  async runHeld(conn: ExecClient, steps: Step[], watched: Set<number> | null, runAcceptor: RunAcceptorCommand): Promise<Buffer[] | null> {
    const all = this.shards.links.map((l) => l.index);
    const involved = new Set<number>(watched ?? []);
    for (const s of steps) {
      if (s.route === Route.One) involved.add(s.shard);
      else if (s.route === Route.Cross) for (const k of s.keysByShard!.keys()) involved.add(k);
      else if (s.route === Route.Fanout || s.route === Route.Probe) for (const k of all) involved.add(k);
    }
    const shards = [...involved].sort((x, y) => x - y);
    while (!this.coord.canBegin(shards)) {
      await new Promise((r) => setTimeout(r, 1));
      if (conn.closed) return [];
    }
    const results = await new Promise<Array<Buffer | Later> | null>((resolve, reject) => {
      this.coord.begin(shards, async (tx) => {
        if (conn.closed) return resolve([]);
        try {
          if (watched !== null) {
            const checks = await Promise.all([...watched].map((k) => tx.call(k, [OP_TXCHECK, String(conn.id)], 0)));
            if (checks.some((b) => readReply(b, 0).value === 1)) return resolve(null);
          }
          const out: Array<Buffer | Later> = [];
          for (const s of steps) out.push(await this.runStep(tx, conn, s, all, runAcceptor));
          resolve(out);
        } catch (e) {
          reject(e);
        }
      });
    });
    if (results === null) return null;
    // Acceptor commands that wait on shards (INFO…) finish after the release.
    const out: Buffer[] = [];
    for (const r of results) out.push('later' in r ? await r.later : r);
    return out;
  }

  private async runStep(tx: Txn, conn: ExecClient, s: Step, all: number[], runAcceptor: RunAcceptorCommand): Promise<Buffer | Later> {
    const q = s.q;
    // Read per step: a queued SELECT or HELLO changes them for what follows.
    const proto = conn.proto, db = conn.db;
    switch (s.route) {
      case Route.Acceptor: {
        // Not awaited: an acceptor command that asks the shards (INFO)
        // would wait for the held shards to be released.
        const r = runAcceptor(q);
        return r instanceof Promise ? { later: r } : r;
      }
      case Route.One:
      case Route.Cursor:
        return tx.callFrame(s.shard, q.frame, proto, db);
      case Route.Cross: {
        let dbOf: Map<string, number> | null = null;
        if (s.args !== null) {
          const sc = this.scanner;
          sc.scan(q.frame, 0, q.frame.length);
          this.router.route(q.cmd, q.frame, sc);
          dbOf = this.router.keyDbs(q.cmd, s.args, db);
        }
        return tx.gatherAndRun(s.shard, s.keysByShard!, q.frame, proto, db, q.cmd.isWrite, dbOf);
      }
      case Route.Fanout: {
        const parts = await Promise.all(all.map((k) => tx.callFrame(k, q.frame, proto, db)));
        return firstError(parts) ?? mergeParts(q.cmd.def.fanout!, parts, all, null);
      }
      case Route.Probe:
        return tx.probeAndRun(this.router, s.shard, s.args!, s.keysByShard!, q.frame, proto, db, q.cmd.isWrite);
    }
  }
}
