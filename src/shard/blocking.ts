// Clients blocked on keys of this shard (BLPOP, BZPOPMIN, BLMOVE …).
//
// A blocking handler that finds nothing calls ctx.block(): the command's
// reply is withheld and a waiter is queued on each of its keys, first come
// first served. Every write goes through Keyspace.onWrite; a write to a key
// with waiters marks it ready, and after the command that wrote it the shard
// offers the key to its waiters in arrival order (Redis's
// handleClientsBlockedOnKeys). Timeouts are checked by the worker loop.

import type { ShardCtx } from '../commands/contract';
import { K_WAKE as WAKE_KIND } from '../ring/records';

export interface Waiter {
  /** Reply kind: K_CMD for a blocked client, K_WAKE for a cross-shard watcher. */
  kind: number;
  tag1: number; // connection id (or watcher token)
  tag2: number; // sequence number of the blocked command
  proto: 2 | 3;
  db: number;
  keys: string[];
  deadline: number; // ms, Infinity = forever
  serve: (c: ShardCtx) => boolean;
  onTimeout: (c: ShardCtx) => void;
  done: boolean;
}

export type Emit = (w: Waiter) => void;

export class BlockedClients {
  private byKey = new Map<string, Waiter[]>();
  private ready: string[] = [];
  private readySet = new Set<string>();
  private all = new Set<Waiter>();
  nextDeadline = Infinity;

  get count(): number {
    return this.all.size;
  }

  add(w: Waiter): void {
    this.all.add(w);
    for (const k of w.keys) {
      const id = w.db + '\0' + k;
      let q = this.byKey.get(id);
      if (q === undefined) this.byKey.set(id, (q = []));
      q.push(w);
    }
    if (w.deadline < this.nextDeadline) this.nextDeadline = w.deadline;
  }

  /** Keyspace.onWrite hook: cheap when nobody waits. */
  touched(db: number, key: string): void {
    if (this.byKey.size === 0) return;
    const id = db + '\0' + key;
    if (this.byKey.has(id) && !this.readySet.has(id)) {
      this.readySet.add(id);
      this.ready.push(id);
    }
  }

  /** SWAPDB: every waited key of db may have data now (serve re-checks). */
  touchDb(db: number): void {
    if (this.byKey.size === 0) return;
    const prefix = db + '\0';
    for (const id of this.byKey.keys()) {
      if (id.startsWith(prefix) && !this.readySet.has(id)) {
        this.readySet.add(id);
        this.ready.push(id);
      }
    }
  }

  hasReady(): boolean {
    return this.ready.length > 0;
  }

  /**
   * Offer every ready key to its waiters, oldest first. `run` sets up the
   * context for the waiter, calls serve, and emits the reply when served.
   * Serving may make more keys ready (BLMOVE pushes); loop until quiet.
   */
  serveReady(run: (w: Waiter, key: string) => boolean): void {
    while (this.ready.length > 0) {
      const id = this.ready.shift()!;
      this.readySet.delete(id);
      const q = this.byKey.get(id);
      if (q === undefined) continue;
      const key = id.slice(id.indexOf('\0') + 1);
      for (let i = 0; i < q.length; ) {
        const w = q[i];
        if (w.done) {
          q.splice(i, 1);
          continue;
        }
        if (!run(w, key)) break; // the key has nothing left for anyone
        this.finish(w);
        // finish() removed w from q
      }
      if (q.length === 0) this.byKey.delete(id);
    }
  }

  private finish(w: Waiter): void {
    w.done = true;
    this.all.delete(w);
    for (const k of w.keys) {
      const id = w.db + '\0' + k;
      const q = this.byKey.get(id);
      if (q === undefined) continue;
      const i = q.indexOf(w);
      if (i >= 0) q.splice(i, 1);
      if (q.length === 0) this.byKey.delete(id);
    }
  }

  /** Time out waiters whose deadline passed. */
  expire(now: number, timeout: (w: Waiter) => void): void {
    if (now < this.nextDeadline) return;
    let next = Infinity;
    for (const w of [...this.all]) {
      if (w.deadline <= now) {
        this.finish(w);
        timeout(w);
      } else if (w.deadline < next) next = w.deadline;
    }
    this.nextDeadline = next;
  }

  /** A vanished client (or an ended cross-shard wait): drop its waiters without replying. */
  dropConn(connId: number, kind: number): number {
    let n = 0;
    for (const w of [...this.all]) {
      if (w.tag1 === connId && w.kind === kind) {
        this.finish(w);
        n++;
      }
    }
    return n;
  }

  /** CLIENT UNBLOCK: end one client's wait now, with its timeout reply or an error. */
  unblock(connId: number, withError: boolean, reply: (w: Waiter, err: boolean) => void): boolean {
    for (const w of this.all) {
      if (w.tag1 === connId && w.kind !== WAKE_KIND) {
        this.finish(w);
        reply(w, withError);
        return true;
      }
    }
    return false;
  }
}
