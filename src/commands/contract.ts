// Shapes shared by the command table, the shard workers and the acceptor.

import type { ReplyWriter } from '../protocol/reply';
import type { Db, Keyspace } from '../shard/keyspace';

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
}

export type BlockFn = (
  keys: string[],
  timeoutMs: number,
  serve: (c: ShardCtx) => boolean,
  onTimeout: (c: ShardCtx) => void,
) => void;

export interface ShardConfig {
  protoMaxBulkLen: number;
  databases: number;
  [name: string]: number | string;
}

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
}

export type ShardHandlerKeys = (c: ShardCtx, a: string[]) => string[];

/** Acceptor-side handler. Async handlers may await shard round trips. */
export type NodeHandler = (c: NodeCtx, a: string[]) => void | Promise<void>;

/** Minimal view of the acceptor a node handler gets; see src/server/server.ts. */
export interface NodeCtx {
  w: ReplyWriter;
  conn: any;
  server: any;
  /** Sequence number of this command's reply (node handlers that hand the reply off). */
  seq?: number;
  /** Set by a handler whose reply a shard sends instead (tagged with `seq`): write nothing. */
  handedOff?: boolean;
}
