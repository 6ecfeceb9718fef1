// The handler contract: what a shard handler (ShardCtx) and an acceptor
// handler (NodeCtx) may see and do, and how a command declares its
// behaviour (CommandDef). Shared by the command table, the shard workers
// and the acceptor; nothing here knows their classes.

import type { Socket } from 'node:net';
import type { ReplyWriter } from '../protocol/reply';
import type { CommandTable } from './table';
import type { Config } from '../config/config';
import type { Db, Keyspace } from '../store/keyspace';

/** What a shard handler sees. One context per worker, re-pointed per command. */
export interface ShardCtx {
  ks: Keyspace;
  /** The connection's selected database. */
  db: Db;
  /** Reply goes here; `w.proto` is the connection's RESP version. */
  w: ReplyWriter;
  /** Live server settings the shard needs (updated by CONFIG SET). */
  config: ShardConfig;
  /** Shard index and count, for commands that cross databases or shards. */
  shard: number;
  /**
   * Blocking commands (BLPOP, BZPOPMIN, …): park the current client command
   * until one of `keys` (in c.db) is written or `timeoutMs` passes (0 =
   * forever), and write no reply now. When a key is written the shard calls
   * `serve` with c.db / c.w set up for the waiting client; it re-checks the
   * keys left to right and returns true if it wrote the reply (the client is
   * then unblocked), false to keep waiting. On timeout `onTimeout` writes the
   * timeout reply. Null where a command must not block (inside MULTI, a
   * multi-shard hold): then reply as if the timeout had passed.
   */
  block: BlockFn | null;
  /**
   * While a parked command is being served: the key whose write woke it.
   * Redis 7.0 serves a blocked client from the key that became ready, not
   * the first non-empty one of its keys (they differ when one step filled
   * several, e.g. a MULTI). Null otherwise.
   */
  readyKey: string | null;
  /** Scripts run on this shard (EVAL's fast path); null where scripting is unavailable. */
  scripts: ShardScripts | null;
}

/**
 * EVAL on a shard (src/shard/scripts.ts): run a cached script (its body
 * already reached every shard, see AcceptorView.scripts) with KEYS and
 * ARGV, writing the reply to c.w.
 */
export interface ShardScripts {
  /** `script` is the body (EVAL) or the sha (EVALSHA, any case). */
  eval(c: ShardCtx, script: string, isSha: boolean, keys: string[], argv: string[], readOnly: boolean): void;
}

/** The script cache, kept on the acceptor and copied to every shard (src/crossshard/script.ts). */
export interface ScriptRegistry {
  /** SCRIPT LOAD / an EVAL body: its sha, or Redis's compile error text. */
  load(body: string): { sha: string } | { err: string };
  exists(sha: string): boolean;
  flush(): void;
  /** INFO: cached scripts, their bodies' bytes, the acceptor's Lua heap, runs that held every shard. */
  info(): { scripts: number; memory: number; luaMemory: number; heldRuns: number };
  /** Why scripting is unavailable (the Lua library could not be loaded), or null. */
  readonly unavailable: string | null;
}

export type BlockFn = (
  keys: string[],
  timeoutMs: number,
  serve: (c: ShardCtx) => boolean,
  onTimeout: (c: ShardCtx) => void,
) => void;

export type { ShardConfig } from '../store/settings';
import type { ShardConfig } from '../store/settings';

/**
 * A shard handler. `a` holds every argument as a latin1 string (one char per
 * byte), a[0] the command name as the client sent it. Arity was checked by
 * the acceptor. The handler writes exactly one reply to c.w.
 */
export type ShardHandler = (c: ShardCtx, a: string[]) => void;

/** How the acceptor combines the per-shard replies of one command. */
export type MergeKind =
  | 'sum' // integer replies added (DEL, EXISTS, DBSIZE …)
  | 'ok' // every part answers +OK (MSET, FLUSHDB …)
  | 'mget' // array replies re-interleaved in key order
  | 'concat' // array replies concatenated (KEYS)
  | 'random'; // one non-null reply picked at random (RANDOMKEY)

/**
 * One command's behaviour. Its arity, flags and key positions live in the
 * generated metadata (meta.ts), looked up by `name`; nothing here repeats them.
 */
export interface CommandDef {
  /** Lowercase; a subcommand is 'container|sub', e.g. 'object|encoding'. */
  name: string;
  /** Runs on the shard that owns the command's keys (or on shard 0 when keyless with `shard0`). */
  run?: ShardHandler;
  /** Runs on the acceptor (keyless connection/server commands). */
  node?: NodeHandler;
  /** Keyless command that every shard runs; the replies merge this way. */
  fanout?: MergeKind;
  /** Keyed command whose keys may be split per shard; parts merge this way. */
  split?: MergeKind;
  /** SCAN-like: route by the cursor argument (a[1]), which encodes a slot. */
  cursorRoute?: boolean;
  /** Runs at once inside MULTI instead of being queued (EXEC, DISCARD, MULTI, WATCH, QUIT, RESET). */
  txnControl?: boolean;
  /**
   * Commands that read keys their key spec does not name (SORT BY/GET
   * patterns). `wantsProbe(a)` tells the acceptor (with several shards) to
   * take the dynamic multi-hop path; `probe` runs on the shard of the first
   * key, with every shard held, and returns the extra keys to gather.
   */
  wantsProbe?: (a: string[]) => boolean;
  /** Database of the key at argument index i when not the connection's (COPY … DB n). */
  keyDb?: (a: string[], i: number, connDb: number) => number;
  probe?: ShardHandlerKeys;
  /** EVAL/EVALSHA and their _RO forms: the acceptor picks the shard (or holds them all) per script. */
  script?: 'eval' | 'evalsha';
}

export type ShardHandlerKeys = (c: ShardCtx, a: string[]) => string[];

/** Acceptor-side handler. Async handlers may await shard round trips. */
export type NodeHandler = (c: NodeCtx, a: string[]) => void | Promise<void>;

/** CLIENT REPLY modes. */
export const enum ReplyMode {
  On = 0,
  Off = 1,
  Skip = 2,
}

/**
 * A client connection as acceptor handlers see it: its identity and the
 * attributes commands set (name, protocol, db, auth), and, read-only, what
 * CLIENT LIST and INFO report. Output order, sequence numbers and closing
 * belong to the acceptor: handlers ask for them through AcceptorView's intents.
 */
export interface ClientView {
  readonly id: number;
  name: string;
  proto: 2 | 3;
  db: number;
  authed: boolean;
  libName: string;
  libVer: string;
  noEvict: boolean;
  /** Extra CLIENT LIST flag letters other subsystems set ('x', 'P' …); 'N' when none. */
  flags: string;
  readonly createdAt: number;
  readonly lastInteraction: number;
  readonly lastCmd: string;
  /** A blocking command of this client is waiting (its sequence number), or -1. */
  readonly blockedSeq: number;
  /** Queued transaction commands, null outside MULTI. */
  readonly multi: readonly unknown[] | null;
  readonly replyMode: ReplyMode;
  /** The connection closes once this reply is out (QUIT, CLIENT KILL of itself), or -1. */
  readonly closeAfterSeq: number;
  readonly inBuf: Buffer | null;
  readonly inPos: number;
  readonly inLen: number;
  readonly out: Buffer;
  readonly outLen: number;
  readonly socket: Socket;
  /** Loopback client (enable-*-command local, enable-protected-configs local). */
  readonly local: boolean;
}

export interface CmdStatView {
  calls: number;
  usec: number;
  failed: number;
  rejected: number;
}

export interface AcceptorStats {
  totalConnections: number;
  rejectedConnections: number;
  totalCommands: number;
  netInput: number;
  netOutput: number;
  lastSave: number;
  [k: string]: number;
}

/** What acceptor handlers may read of the acceptor, and the intents they may ask of it. */
export interface AcceptorView {
  readonly table: CommandTable;
  readonly conns: ReadonlyMap<number, ClientView>;
  readonly config: Config;
  readonly stats: AcceptorStats;
  readonly cmdStats: ReadonlyMap<string, CmdStatView>;
  readonly errStats: ReadonlyMap<string, number>;
  readonly shardCount: number;
  readonly ranges: ReadonlyArray<readonly [number, number]>;
  readonly startedAt: number;
  readonly runId: string;
  readonly port: number;
  isShuttingDown(): boolean;
  /** Run an internal op on one shard, in order with client commands. */
  adminCall(shard: number, args: string[]): Promise<Buffer>;
  /** Every shard's statistics (INFO), one JSON object per shard. */
  shardStats(): Promise<any[]>;
  resetStats(): Promise<void>;
  shutdown(reason: string): Promise<void>;

  // ---- intents
  /** Close conn once the reply of the command being run is written (QUIT, CLIENT KILL of itself). */
  closeAfterReply(conn: ClientView): void;
  /** Close another connection now (CLIENT KILL). */
  killClient(conn: ClientView): void;
  /** CLIENT REPLY ON|OFF|SKIP, from the command being run on. */
  setReplyMode(conn: ClientView, mode: ReplyMode): void;
  /** RESET: reply mode on, transaction and WATCHes dropped. */
  resetClient(conn: ClientView): void;
  /** MULTI/EXEC/DISCARD/WATCH/UNWATCH (src/acceptor/txn.ts). */
  readonly txn: TransactionsView;
  /** CLIENT UNBLOCK: end a blocked client's wait; true if it was blocked. */
  unblockClient(id: number, withError: boolean): Promise<boolean>;
  /** The script cache (SCRIPT LOAD/EXISTS/FLUSH). */
  readonly scripts: ScriptRegistry;
  /** DEBUG KEYSHARD-FAULT on the acceptor. */
  injectFault(where: 'dispatch' | 'merge'): void;
}

export interface TransactionsView {
  multi(c: NodeCtx): void;
  exec(c: NodeCtx): void | Promise<void>;
  discard(c: NodeCtx): void;
  watch(c: NodeCtx, a: string[]): void;
  unwatch(c: NodeCtx): void;
}

/** What an acceptor handler sees. */
export interface NodeCtx {
  w: ReplyWriter;
  conn: ClientView;
  server: AcceptorView;
  /** Sequence number of this command's reply (node handlers that hand the reply off). */
  seq?: number;
  /** Set by a handler whose reply a shard sends instead (tagged with `seq`): write nothing. */
  handedOff?: boolean;
}
