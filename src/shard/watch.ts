// WATCH on a shard: which connections watch which of this shard's keys, and
// which of them saw a watched key change (Redis's CLIENT_DIRTY_CAS). The
// acceptor sends WATCH/UNWATCH as records in the request ring, so a watch
// takes effect at its place in the global order; EXEC asks each shard that
// holds watches of the connection whether it is dirty, in the same step that
// runs the transaction (one record, or while the shard is held).
//
// Semantics follow Redis 7.0's multi.c: a key that was already logically
// expired when it was watched is "stale"; its deletion is no change, and
// EXEC fails if a key that was live at WATCH time has expired since.

import type { Keyspace } from '../store/keyspace';

interface WatchedKey {
  conn: number;
  db: number;
  key: string;
  /** The key was logically expired (but still stored) when watched. */
  expired: boolean;
}

export class Watches {
  /** Per db: key → the watches on it, in WATCH order. */
  private byKey: Array<Map<string, WatchedKey[]>>;
  private byConn = new Map<number, WatchedKey[]>();
  private dirty = new Set<number>();

  constructor(private readonly ks: Keyspace) {
    this.byKey = ks.dbs.map(() => new Map());
  }

  /** Nobody watches anything here: the write hooks return at once. */
  get idle(): boolean {
    return this.byConn.size === 0;
  }

  watch(conn: number, db: number, keys: string[]): void {
    // No point in watching once the transaction is doomed (Redis does the same).
    if (this.dirty.has(conn)) return;
    let mine = this.byConn.get(conn);
    if (mine === undefined) this.byConn.set(conn, (mine = []));
    const m = this.byKey[db];
    for (const key of keys) {
      if (mine.some((wk) => wk.db === db && wk.key === key)) continue;
      const wk: WatchedKey = { conn, db, key, expired: this.isExpired(db, key) };
      mine.push(wk);
      let l = m.get(key);
      if (l === undefined) m.set(key, (l = []));
      l.push(wk);
    }
  }

  /** A key was modified (Redis's touchWatchedKey). */
  touch(db: number, key: string): void {
    const l = this.byKey[db].get(key);
    if (l === undefined) return;
    for (const wk of l.slice()) {
      if (wk.expired) {
        if (!this.stored(db, key)) {
          // The stale key was deleted: logically nothing changed.
          wk.expired = false;
          continue;
        }
        // Redis leaves the loop here (the remaining watchers of this key are
        // not flagged); kept as it is, since clients can observe it.
        break;
      }
      this.dirty.add(wk.conn);
      this.unwatchAll(wk.conn);
    }
  }

  /**
   * A database is about to be emptied (FLUSHDB/FLUSHALL: replacedWith -1)
   * or swapped with another (SWAPDB): Redis's touchAllWatchedKeysInDb.
   */
  touchDb(emptied: number, replacedWith: number): void {
    const m = this.byKey[emptied];
    if (m.size === 0) return;
    for (const [key, l] of m) {
      const inEmptied = this.stored(emptied, key);
      const inReplacement = replacedWith >= 0 && this.stored(replacedWith, key);
      if (!inEmptied && !inReplacement) continue;
      for (const wk of l) {
        if (wk.expired) {
          if (!inReplacement) {
            wk.expired = false;
            continue;
          } else if (this.isExpired(replacedWith, key)) {
            continue;
          }
        } else if (!inEmptied && this.isExpired(replacedWith, key)) {
          wk.expired = true;
          continue;
        }
        this.dirty.add(wk.conn);
      }
    }
  }

  /**
   * EXEC: true if the transaction must fail (a watched key changed, or a
   * key live at WATCH time has expired since). Forgets the connection's
   * watches either way, as EXEC does.
   */
  check(conn: number): boolean {
    let failed = this.dirty.delete(conn);
    const mine = this.byConn.get(conn);
    if (!failed && mine !== undefined) {
      for (const wk of mine) {
        if (!wk.expired && this.isExpired(wk.db, wk.key)) {
          failed = true;
          break;
        }
      }
    }
    this.unwatchAll(conn);
    return failed;
  }

  /** UNWATCH, DISCARD, a closed connection: forget its watches and dirty flag. */
  forget(conn: number): void {
    this.dirty.delete(conn);
    this.unwatchAll(conn);
  }

  private unwatchAll(conn: number): void {
    const mine = this.byConn.get(conn);
    if (mine === undefined) return;
    this.byConn.delete(conn);
    for (const wk of mine) {
      const m = this.byKey[wk.db];
      const l = m.get(wk.key);
      if (l === undefined) continue;
      const i = l.indexOf(wk);
      if (i >= 0) l.splice(i, 1);
      if (l.length === 0) m.delete(wk.key);
    }
  }

  /** The key is in the db's dictionary, expired or not. */
  private stored(db: number, key: string): boolean {
    return this.ks.dbs[db].stored(key);
  }

  /** Stored but past its deadline (Redis's keyIsExpired). */
  private isExpired(db: number, key: string): boolean {
    const d = this.ks.dbs[db];
    const t = d.ttlOf(key);
    return t !== -1 && t < this.ks.now() && d.stored(key);
  }
}
