// Scripts across shards, and the script cache.
//
// The cache is the acceptor's: SCRIPT LOAD and every new EVAL body are
// compiled here first (so a compile error answers at once, as in Redis) and
// sent to every shard as `__scriptload` records ahead of anything that could
// run them, so an EVALSHA finds its script on whatever shard it lands.
//
// Where a script runs:
// - Fast path, on one shard's thread: every key it declares lives on that
//   shard (or it declares none) and it is known to touch no other key. It
//   runs there back to back with nothing else, like any command.
// - Held path, here on the acceptor: every other case, including a script's
//   first run. Every shard is held at the script's place in the global order
//   (the coordinator's HOLD markers), the script runs on the acceptor's own
//   Lua state, and each redis.call goes to the shard that owns its keys as a
//   control op answered in place (Txn.callSync); a command whose keys span
//   shards takes the multi-hop steps. No client sees half a script, whatever
//   keys it declares or builds at run time.
// A held run whose calls touched only declared keys of one shard marks the
// script as safe for the fast path; a fast-path run that reaches another
// shard's key is refused there with an error and the shard's note clears
// the mark (src/shard/scripts.ts). INFO counts held runs.

import { FrameScanner } from '../protocol/frame';
import { encodeFrame } from '../protocol/frame-args';
import { ReplyWriter } from '../protocol/reply';
import { OP_SCRIPTFLUSH, OP_SCRIPTLOAD } from '../ring/ops';
import type { Command, CommandTable } from '../commands/table';
import type { ScriptRegistry } from '../commands/contract';
import { evalNumKeys, NOSCRIPT } from '../commands/scripting';
import { ScriptEngine, type ScriptHost } from '../scripting/engine';
import { checkScriptCall, errorReply, scriptConnectionCommand } from '../scripting/call-check';
import { Route, Router, argStrings } from '../routing/route';
import type { ShardSet } from '../shardset/shard-set';
import type { Coordinator, Txn } from './coordinator';
import { firstError } from '../shardset/shard-set';
import { mergeParts } from './merge';

/** The client a script runs for, as far as this file cares. */
export interface ScriptClient {
  readonly id: number;
  readonly proto: 2 | 3;
  readonly db: number;
  readonly closed: boolean;
}

/** What dispatching a script needs of the acceptor. */
export interface ScriptAcceptor<C extends ScriptClient> {
  /** Send the command's frame to one shard as the client's next command; false if no ring room. */
  toShard(conn: C, shard: number, buf: Buffer, fs: number, fe: number): boolean;
  /** Take the client's next sequence number (its reply's place). */
  takeSeq(conn: C): number;
  deliver(conn: C, seq: number, reply: Buffer): void;
  /** An error reply for the client's next sequence number (counted in errorstats). */
  replyError(conn: C, text: string): boolean;
}

export class Scripts<C extends ScriptClient> implements ScriptRegistry {
  private engine: ScriptEngine | null | undefined = undefined;
  private bodies = new Map<string, string>();
  private shaOfBody = new Map<string, string>();
  /** Scripts seen to touch only their declared keys, all on one shard. */
  private fastOk = new Set<string>();
  private argScanner = new FrameScanner();
  private router: Router;
  /** Held runs (INFO: they stop every shard for their length). */
  heldRuns = 0;

  constructor(
    private readonly table: CommandTable,
    owners: Uint8Array,
    private readonly shards: ShardSet,
    private readonly coord: Coordinator,
    private readonly databases: () => number,
    private readonly acc: ScriptAcceptor<C>,
    private readonly log: (level: number, msg: string) => void,
  ) {
    this.router = new Router(table, owners, shards.size);
  }

  private getEngine(): ScriptEngine | null {
    if (this.engine === undefined) this.engine = ScriptEngine.create();
    return this.engine;
  }

  get unavailable(): string | null {
    return this.getEngine() === null ? 'ERR ' + ScriptEngine.loadError : null;
  }

  get count(): number {
    return this.bodies.size;
  }

  load(body: string): { sha: string } | { err: string } {
    const known = this.shaOfBody.get(body);
    if (known !== undefined) return { sha: known };
    const e = this.getEngine();
    if (e === null) return { err: 'ERR ' + ScriptEngine.loadError };
    const r = e.load(body);
    if ('err' in r) return r;
    this.bodies.set(r.sha, body);
    this.shaOfBody.set(body, r.sha);
    for (let k = 0; k < this.shards.size; k++) this.shards.adminSend(k, [OP_SCRIPTLOAD, body], 0);
    return r;
  }

  exists(sha: string): boolean {
    return this.bodies.has(sha);
  }

  flush(): void {
    this.bodies.clear();
    this.shaOfBody.clear();
    this.fastOk.clear();
    this.engine?.flush();
    for (let k = 0; k < this.shards.size; k++) this.shards.adminSend(k, [OP_SCRIPTFLUSH], 0);
  }

  info(): { scripts: number; memory: number; luaMemory: number; heldRuns: number } {
    let memory = 0;
    for (const b of this.bodies.values()) memory += b.length + 40;
    const lua = this.engine ? this.engine.stats().luaMemory : 0;
    return { scripts: this.bodies.size, memory, luaMemory: lua, heldRuns: this.heldRuns };
  }

  /** A shard's note: a fast-path run of `sha` reached another shard's key. */
  onForeign(sha: string): void {
    this.fastOk.delete(sha);
  }

  /** EVAL/EVALSHA (and _RO) from a client: choose the path. False if a ring had no room. */
  dispatch(conn: C, cmd: Command, buf: Buffer, sc: FrameScanner, frameEnd: number): boolean {
    const text = buf.latin1Slice(sc.argStart[1], sc.argEnd[1]);
    let sha: string;
    if (cmd.def.script === 'evalsha') {
      sha = text.toLowerCase();
      if (!this.bodies.has(sha)) return this.acc.replyError(conn, NOSCRIPT);
    } else {
      const known = this.shaOfBody.get(text);
      if (known === undefined) {
        // The body goes to every shard ahead of this command: make sure it fits now.
        if (!this.shards.roomFor(this.shards.links.map((l) => l.index), text.length + 64)) return false;
        const r = this.load(text);
        if ('err' in r) return this.acc.replyError(conn, r.err);
        sha = r.sha;
      } else {
        sha = known;
      }
    }
    const r = this.router;
    if (this.shards.size === 1) return this.acc.toShard(conn, 0, buf, sc.frameStart, frameEnd);
    if (r.route(cmd, buf, sc) === Route.One && this.fastOk.has(sha)) {
      return this.acc.toShard(conn, r.shard, buf, sc.frameStart, frameEnd);
    }
    return this.held(conn, cmd, sha, argStrings(buf, sc));
  }

  /** Hold every shard and run the script here. */
  private held(conn: C, cmd: Command, sha: string, a: string[]): boolean {
    const all = this.shards.links.map((l) => l.index);
    if (!this.coord.canBegin(all)) return false;
    const seq = this.acc.takeSeq(conn);
    const proto = conn.proto, db = conn.db;
    const readOnly = cmd.name.endsWith('_ro');
    this.heldRuns++;
    this.coord.begin(all, async (tx) => {
      if (conn.closed) return; // gone before its turn: nothing to run
      const w = new ReplyWriter(256);
      w.proto = proto;
      const n = evalNumKeys(w, a);
      const e = this.getEngine();
      if (n !== null && e !== null) {
        if (!e.has(sha)) {
          const body = this.bodies.get(sha);
          if (body !== undefined) e.load(body);
        }
        if (!e.has(sha)) w.error(NOSCRIPT);
        else {
          const keys = a.slice(3, 3 + n);
          const host = new HeldHost(this, tx, db, readOnly, keys);
          e.run(sha, keys, a.slice(3 + n), w, host);
          if (host.fastOk) this.fastOk.add(sha);
        }
      }
      this.acc.deliver(conn, seq, Buffer.from(w.view()));
    });
    return true;
  }

  /** One redis.call of a held script: checked, routed, answered by the owning held shard(s). */
  callHeld(host: HeldHost, args: string[], proto: 2 | 3): Buffer {
    const chk = checkScriptCall(this.table, args, host.readOnly);
    if (chk.err !== null) return errorReply(chk.err);
    const cmd = chk.cmd;
    if (cmd.def.node !== undefined) {
      const r = scriptConnectionCommand(cmd, args, this.databases(), (db) => (host.db = db));
      return r ?? errorReply(`ERR keyshard does not support '${cmd.name}' inside scripts yet`);
    }
    const frame = encodeFrame(args);
    const sc = this.argScanner;
    sc.scan(frame, 0, frame.length);
    const r = this.router;
    const tx = host.tx;
    const db = host.db;
    switch (r.route(cmd, frame, sc)) {
      case Route.One:
      case Route.Cursor:
        host.touched(r, frame, sc);
        return tx.callSync(r.shard, frame, proto, db);
      case Route.Cross:
        host.touched(r, frame, sc);
        return tx.gatherAndRunSync(r.shard, r.keysByShard(frame, sc), frame, proto, db, cmd.isWrite);
      case Route.Fanout: {
        host.fastOk = false;
        const all = this.shards.links.map((l) => l.index);
        const parts = all.map((k) => tx.callSync(k, frame, proto, db));
        return firstError(parts) ?? mergeParts(cmd.def.fanout!, parts, all, null);
      }
      default:
        host.fastOk = false;
        return errorReply(`ERR keyshard does not support '${cmd.name}' with these arguments inside scripts yet`);
    }
  }

  logFromScript(level: number, msg: string): void {
    this.log(level, msg);
  }
}

/** The redis.call side of one held run. */
class HeldHost implements ScriptHost {
  /** Every key touched so far was declared and lives on the declared keys' shard. */
  fastOk = true;
  private declared: Set<string>;
  private declaredShard = -1;

  constructor(
    private readonly scripts: Scripts<any>,
    readonly tx: Txn,
    public db: number,
    readonly readOnly: boolean,
    keys: string[],
  ) {
    this.declared = new Set(keys);
  }

  call(args: string[], proto: 2 | 3): Buffer {
    return this.scripts.callHeld(this, args, proto);
  }

  /** Note the keys a call located (router state for frame/sc). */
  touched(r: Router, frame: Buffer, sc: FrameScanner): void {
    if (!this.fastOk) return;
    for (let j = 0; j < r.keyCount; j++) {
      const key = frame.latin1Slice(sc.argStart[r.keyIdx[j]], sc.argEnd[r.keyIdx[j]]);
      const k = r.keyShard[j];
      if (!this.declared.has(key) || (this.declaredShard >= 0 && this.declaredShard !== k)) {
        this.fastOk = false;
        return;
      }
      this.declaredShard = k;
    }
  }

  log(level: number, msg: string): void {
    this.scripts.logFromScript(level, msg);
  }
}
