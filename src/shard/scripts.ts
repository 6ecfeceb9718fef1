// Scripts on a shard: EVAL's fast path. The acceptor sends a script here
// when every key it declares lives on this shard and the script has shown
// it touches no other key (src/crossshard/script.ts); it then runs on this
// thread, back to back with nothing else, and its redis.call()s run this
// shard's handlers directly. A call that reaches a key of another shard is
// refused with an error and reported, so the acceptor holds every shard
// for that script from then on.

import { ScriptEngine, type ScriptHost } from '../scripting/engine';
import { checkScriptCall, errorReply, scriptConnectionCommand } from '../scripting/call-check';
import type { ShardCtx, ShardScripts } from '../commands/contract';
import { buildCommandTable } from '../commands/index';
import type { Command, CommandTable } from '../commands/table';
import { slotOfString } from '../util/slot';

/** What the runner needs of the worker. */
export interface ScriptShardServices {
  slotLo: number;
  slotHi: number;
  shards: number;
  databases: number;
  /** Run a shard command (canonical table name) for a script; its reply bytes. */
  runCommand(cmd: Command, args: string[], proto: 2 | 3, db: number): Buffer;
  /** The script `sha` reached a key of another shard: tell the acceptor. */
  reportForeign(sha: string): void;
  log(level: number, msg: string): void;
}

export class ShardScriptRunner implements ShardScripts, ScriptHost {
  private engine: ScriptEngine | null | undefined = undefined;
  private table: CommandTable | null = null;
  /** EVAL bodies seen here → their sha (cheaper than hashing the body again). */
  private shaOfBody = new Map<string, string>();
  // The run in progress.
  private readOnly = false;
  private db = 0;
  private foreign = false;

  constructor(private readonly sv: ScriptShardServices) {}

  private getEngine(): ScriptEngine | null {
    if (this.engine === undefined) this.engine = ScriptEngine.create();
    return this.engine;
  }

  /** __scriptload: the acceptor accepted this body; compile it here too. */
  load(body: string): void {
    const e = this.getEngine();
    if (e === null) return;
    const r = e.load(body);
    if ('sha' in r) this.shaOfBody.set(body, r.sha);
  }

  /** __scriptflush. */
  flush(): void {
    this.shaOfBody.clear();
    this.engine?.flush();
  }

  eval(c: ShardCtx, script: string, isSha: boolean, keys: string[], argv: string[], readOnly: boolean): void {
    const e = this.getEngine();
    if (e === null) return c.w.error('ERR ' + ScriptEngine.loadError);
    let sha = isSha ? script.toLowerCase() : this.shaOfBody.get(script);
    if (sha === undefined) {
      // The acceptor loads every EVAL body before sending it; a body met
      // here first comes from inside MULTI/EXEC.
      const r = e.load(script);
      if ('err' in r) return c.w.error(r.err);
      sha = r.sha;
      this.shaOfBody.set(script, sha);
    }
    if (!e.has(sha)) return c.w.error('NOSCRIPT No matching script. Please use EVAL.');
    this.readOnly = readOnly;
    this.db = c.db.index;
    this.foreign = false;
    e.run(sha, keys, argv, c.w, this);
    if (this.foreign) this.sv.reportForeign(sha);
  }

  call(args: string[], proto: 2 | 3): Buffer {
    const table = (this.table ??= buildCommandTable());
    const chk = checkScriptCall(table, args, this.readOnly);
    if (chk.err !== null) return errorReply(chk.err);
    const cmd = chk.cmd;
    const def = cmd.def;
    if (def.node !== undefined) return this.acceptorCommand(cmd, args);
    const multiShard = this.sv.shards > 1;
    if (multiShard && (def.fanout !== undefined || def.cursorRoute === true)) return this.notLocal(cmd.name);
    if (multiShard) {
      const idx = table.keyIndexes(cmd, args.length, (i) => args[i]);
      if (idx !== null) {
        for (const i of idx) {
          const slot = slotOfString(args[i]);
          if (slot < this.sv.slotLo || slot >= this.sv.slotHi) return this.notLocal(cmd.name);
        }
      }
    }
    return this.sv.runCommand(cmd, args, proto, this.db);
  }

  /** The few acceptor commands a script may call on a shard. */
  private acceptorCommand(cmd: Command, args: string[]): Buffer {
    const r = scriptConnectionCommand(cmd, args, this.sv.databases, (db) => (this.db = db));
    return r ?? errorReply(`ERR keyshard does not support '${cmd.name}' inside scripts yet`);
  }

  private notLocal(name: string): Buffer {
    this.foreign = true;
    return errorReply(
      `ERR keyshard: '${name}' reached keys of another shard that the script did not declare; ` +
        'the script will run with every shard held from its next call',
    );
  }

  log(level: number, msg: string): void {
    this.sv.log(level, msg);
  }
}
