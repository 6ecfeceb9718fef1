// The acceptor: owns every socket, frames RESP, looks commands up in the one
// command table, routes each command by hash slot to the shard that owns its
// keys, and writes replies back in request order. docs/ARCHITECTURE.md has
// the picture; the comments here say why things are the way they are.

import * as net from 'node:net';
import * as os from 'node:os';
import { FrameScanner, SCAN_ERROR, SCAN_NEED_MORE } from '../protocol/frame';
import { ReplyWriter } from '../protocol/reply';
import { encodeFrame, encodeFrameFromBuffers, encodeFrameFromRanges } from '../protocol/frame-args';
import { elementSpans, readReply, RespError } from '../protocol/resp-read';
import { REQ_HEADER, REP_HEADER, K_CMD, K_PART, K_CTRL, K_ADMIN, K_WAKE, RF_ERROR, RQ_INTERNAL } from '../ring/records';
import { CrossShardBlocks } from '../cluster/xblock';
import { slotOfBytes, slotOwners, slotRanges, slotOfString } from '../cluster/slot';
import { Coordinator, type Txn } from '../cluster/coordinator';
import { Transactions } from './multi';
import { ShardLink, writeReqHeader } from './shards';
import { copyBytes, LastName } from '../util/bytes';
import { scaledUsec, timeThisCall } from '../util/sampling';
import { Conn, ReplyMode } from './conn';
import type { Config } from './config';
import { CommandTable, Command, unknownCommandError, unknownSubcommandError } from '../commands/table';
import { buildCommandTable } from '../commands/index';
import { arityError, E } from '../commands/errors';
import type { MergeKind, NodeCtx } from '../commands/contract';
import type { Logger } from 'pino';

import { VERSION, KEYSHARD_VERSION } from '../version';
export { VERSION, KEYSHARD_VERSION };

/**
 * After a drain that found replies, how many event-loop turns the acceptor
 * polls the reply rings before asking the shards to wake it. Saves the
 * shard's futex wake and the waitAsync task per reply batch at light load
 * (-c 1: ≈ 7k → 9–11k rps); neutral under pipelining (docs/BENCHMARKS.md).
 */
const POLL_TURNS = 32;

/** locateKeys: the keys live on more than one shard. */
export const MULTI_SHARD = -2;

interface Gather {
  parts: (Buffer | null)[];
  remaining: number;
  done: (parts: Buffer[], errored: Buffer | null) => void;
  /** The client connection the merged reply goes to (null for internal calls). */
  conn: Conn | null;
}

export interface CmdStat {
  calls: number;
  usec: number;
  failed: number;
  rejected: number;
  /** Calls whose duration was measured and their total (usec is scaled from them). */
  timedCalls: number;
  timedUsec: number;
}

export class Server {
  readonly table: CommandTable;
  readonly links: ShardLink[] = [];
  readonly owners: Uint8Array;
  readonly ranges: Array<[number, number]>;
  readonly conns = new Map<number, Conn>();
  readonly coord: Coordinator;
  readonly xblocks: CrossShardBlocks;
  readonly txn: Transactions;
  readonly bell = new Int32Array(new SharedArrayBuffer(64));
  readonly startedAt = Date.now();
  readonly runId = randomHex(40);
  private net: net.Server | null = null;
  private scanner = new FrameScanner();
  private inlineScanner = new FrameScanner();
  private inlineBuf: Buffer = Buffer.allocUnsafeSlow(256);
  private nodeW = new ReplyWriter();
  private nextConnId = 1;
  private gathers = new Map<number, Gather>();
  private nextGatherId = 1;
  private toNotify = new Set<ShardLink>();
  private dirtyConns: Conn[] = [];
  private turnScheduled = false;
  private stalledConns = new Set<Conn>();
  /** Connections unblocked during a drain, whose queued input waits. */
  private toResume = new Set<Conn>();
  private shuttingDown = false;
  /** DEBUG KEYSHARD-FAULT: the acceptor step that throws next (tests of fault isolation). */
  fault: 'dispatch' | 'merge' | null = null;
  private cronTimer: NodeJS.Timeout | null = null;
  // Key positions and owners of the command being dispatched (keyCount valid).
  keyIdx: number[] = [];
  keyShard: number[] = [];
  keyCount = 0;

  // Acceptor-side statistics (the shards keep their own; INFO merges).
  stats = {
    totalConnections: 0,
    rejectedConnections: 0,
    totalCommands: 0,
    netInput: 0,
    netOutput: 0,
    lastSave: Math.floor(Date.now() / 1000),
  };
  cmdStats = new Map<string, CmdStat>();
  errStats = new Map<string, number>();

  constructor(readonly config: Config, readonly log: Logger) {
    this.table = buildCommandTable();
    const shards = Math.max(1, Math.min(255, config.num('shards')));
    this.owners = slotOwners(shards);
    this.ranges = slotRanges(shards);
    this.scanner.maxBulkLen = this.inlineScanner.maxBulkLen = config.num('proto-max-bulk-len');
    this.coord = new Coordinator(this);
    this.xblocks = new CrossShardBlocks(this);
    this.txn = new Transactions(this);
    config.onChange = (name, value) => this.onConfigChange(name, value);
  }

  get shardCount(): number {
    return this.ranges.length;
  }

  async start(): Promise<void> {
    const databases = this.config.num('databases');
    for (let k = 0; k < this.ranges.length; k++) {
      const [lo, hi] = this.ranges[k];
      const link = new ShardLink(k, {
        shard: k,
        shards: this.ranges.length,
        slotLo: lo,
        slotHi: hi,
        databases,
        bellSab: this.bell.buffer as SharedArrayBuffer,
        config: this.shardConfig(),
      });
      // A shard's keys live only in its thread: if the thread dies anyway
      // (the guards in shard/worker.ts answer a failing command with an
      // error), the server stops loudly rather than serve a keyspace with a
      // hole in it (docs/ARCHITECTURE.md, "Faults").
      link.worker.on('error', (e) => this.shardDied(k, `failed: ${e?.stack ?? e}`));
      link.worker.on('exit', (code) => {
        link.exited = true;
        if (!this.shuttingDown) this.shardDied(k, `exited with code ${code}`);
      });
      this.links.push(link);
    }
    this.armBell();
    const srv = net.createServer({ noDelay: true }, (s) => this.onConnection(s));
    this.net = srv;
    const port = this.config.num('port');
    const binds = (this.config.get('bind') || '127.0.0.1').split(/\s+/).filter(Boolean);
    // Redis's default bind list ends in "-::1": the dash means "skip if
    // unavailable". Listen on the first usable address of the list.
    const host = binds.map((b) => b.replace(/^-/, ''))[0] ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen({ port, host: host === '*' ? undefined : host, backlog: 511 }, () => {
        srv.off('error', reject);
        resolve();
      });
    });
    srv.on('error', (e) => this.log.error({ err: e }, 'listener error'));
    this.cronTimer = setInterval(() => this.cron(), 1000);
    this.cronTimer.unref();
  }

  private shardDied(k: number, why: string): void {
    const msg = `shard ${k} ${why}; its keys are lost, stopping the server`;
    this.log.fatal({ shard: k }, msg);
    // Synchronous on pipes and files, unlike the logger: the line must survive the exit.
    process.stderr.write(`keyshard: ${msg}\n`);
    process.exit(1);
  }

  get port(): number {
    const a = this.net?.address();
    return a && typeof a === 'object' ? a.port : this.config.num('port');
  }

  /** Every option, as the shards see them: numeric-looking values as numbers (see shard/internal.ts __config). */
  shardConfig(): Record<string, number | string> {
    const out: Record<string, number | string> = { protoMaxBulkLen: this.config.num('proto-max-bulk-len') };
    for (const [name, value] of this.config.getMatching(['*'])) {
      const n = Number(value);
      out[name] = value !== '' && Number.isFinite(n) ? n : value;
    }
    return out;
  }

  private onConfigChange(name: string, value: string): void {
    if (name === 'proto-max-bulk-len') {
      this.scanner.maxBulkLen = this.inlineScanner.maxBulkLen = this.config.num(name);
    }
    // Settings shards read travel as admin records, in order with commands.
    for (let k = 0; k < this.links.length; k++) {
      this.adminCall(k, ['__config', name, value]).catch(() => {});
    }
  }

  // ---------------------------------------------------------------- sockets

  private onConnection(socket: net.Socket): void {
    if (this.shuttingDown) {
      socket.destroy();
      return;
    }
    const maxClients = this.config.num('maxclients');
    if (this.conns.size >= maxClients) {
      this.stats.rejectedConnections++;
      socket.end('-ERR max number of clients reached\r\n');
      return;
    }
    const conn = new Conn(this.nextConnId++, socket, (this.config.get('requirepass') ?? '') !== '');
    this.conns.set(conn.id, conn);
    this.stats.totalConnections++;
    const ka = this.config.num('tcp-keepalive');
    if (ka > 0) socket.setKeepAlive(true, ka * 1000);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(conn, chunk));
    socket.on('error', () => this.dropConn(conn));
    socket.on('close', () => this.dropConn(conn));
    socket.on('drain', () => {
      if (conn.stalled && !this.stalledConns.has(conn)) this.resume(conn);
    });
  }

  /** A vanished client leaves nothing behind: its in-flight replies are dropped on arrival. */
  dropConn(conn: Conn): void {
    if (conn.closed) return;
    conn.closed = true;
    this.conns.delete(conn.id);
    this.stalledConns.delete(conn);
    this.txn.reset(conn);
    if (conn.blockedSeq >= 0) {
      this.xblocks.dropConn(conn.id);
      // Its waiter sits on some shard: remove it so nothing is left behind.
      for (let k = 0; k < this.links.length; k++) this.adminCall(k, ['__unblock', String(conn.id)]).catch(() => {});
    }
    conn.inBuf = null;
    conn.pending = null;
    conn.socket.destroy();
  }

  private onData(conn: Conn, chunk: Buffer): void {
    if (conn.closed) return;
    this.stats.netInput += chunk.length;
    conn.lastInteraction = Date.now();
    if (conn.inBuf === null || conn.inLen === conn.inPos) {
      conn.inBuf = chunk;
      conn.inPos = 0;
      conn.inLen = chunk.length;
    } else {
      appendInput(conn, chunk);
    }
    if (conn.needBytes > 0 && conn.inLen - conn.inPos < conn.needBytes) {
      this.checkQueryLimit(conn);
      return;
    }
    this.processInput(conn);
    this.endOfInput();
  }

  private checkQueryLimit(conn: Conn): boolean {
    if (conn.inLen - conn.inPos > this.config.num('client-query-buffer-limit')) {
      this.log.warn({ id: conn.id, addr: conn.addr }, 'closing client that reached max query buffer length');
      this.dropConn(conn);
      return false;
    }
    return true;
  }

  /**
   * Parse and dispatch every complete command in conn's input. A bug met
   * while serving one connection closes that connection, never the server:
   * the others' state is untouched (nothing is shared but the rings, and a
   * record is only published once it is whole).
   */
  private processInput(conn: Conn): void {
    try {
      if (this.fault === 'dispatch') {
        this.fault = null;
        throw new Error('injected fault (DEBUG KEYSHARD-FAULT dispatch)');
      }
      this.parseAndDispatch(conn);
    } catch (e) {
      this.connFailed(conn, e);
    }
  }

  /** Log an unexpected error met while serving conn and close conn. */
  connFailed(conn: Conn, e: unknown): void {
    this.log.error({ err: e, id: conn.id, addr: conn.addr, cmd: conn.lastCmd }, 'closing client after an internal error');
    this.dropConn(conn);
  }

  private parseAndDispatch(conn: Conn): void {
    const sc = this.scanner;
    const buf = conn.inBuf!;
    let pos = conn.inPos;
    const end = conn.inLen;
    conn.needBytes = 0;
    while (pos < end && !conn.closed && conn.closeAfterSeq < 0 && conn.blockedSeq < 0) {
      const r = sc.scan(buf, pos, end);
      if (r === SCAN_NEED_MORE) {
        conn.needBytes = sc.needBytes > 0 ? sc.needBytes : 0;
        break;
      }
      if (r === SCAN_ERROR) {
        this.protocolError(conn, sc.error);
        pos = end;
        break;
      }
      if (sc.argc === 0) {
        pos = sc.frameEnd;
        continue;
      }
      if (!this.dispatch(conn, buf, sc)) {
        // No ring space: keep the frame, stop reading until shards catch up.
        this.stall(conn);
        break;
      }
      pos = sc.frameEnd;
    }
    if (conn.closed) return;
    conn.inPos = pos;
    if (pos === end) {
      conn.inBuf = null;
      conn.inPos = conn.inLen = 0;
    } else if (conn.inBuf !== null && pos > 0 && conn.inBuf.length > 64 * 1024) {
      // Keep partial frames compact so a long-lived connection doesn't pin big chunks.
      conn.inBuf = Buffer.from(conn.inBuf.subarray(pos, end));
      conn.inPos = 0;
      conn.inLen = end - pos;
    }
    if (conn.inBuf !== null) this.checkQueryLimit(conn);
  }

  private protocolError(conn: Conn, msg: string): void {
    const seq = conn.nextSeq++;
    conn.closeAfterSeq = seq;
    this.log.debug({ id: conn.id, msg }, 'protocol error');
    this.deliverError(conn, seq, 'ERR ' + msg);
  }

  private stall(conn: Conn): void {
    if (conn.stalled) return;
    conn.stalled = true;
    this.stalledConns.add(conn);
    conn.socket.pause();
  }

  private resume(conn: Conn): void {
    conn.stalled = false;
    this.stalledConns.delete(conn);
    conn.socket.resume();
    if (conn.inBuf !== null && conn.inLen > conn.inPos) this.processInput(conn);
  }

  // ---------------------------------------------------------------- dispatch

  /** Route one parsed command. Returns false if a ring had no room (retry later). */
  private dispatch(conn: Conn, buf0: Buffer, sc0: FrameScanner): boolean {
    let buf = buf0;
    let sc = sc0;
    if (sc.inline) {
      // Inline commands are rare (telnet, redis-cli --no-raw); give them a
      // real frame so every path below sees one format.
      // Built in a reused buffer: every path below copies what it keeps.
      const f = encodeFrameFromBuffers(sc.inlineArgs, this.inlineBuf);
      if (f.buffer !== this.inlineBuf.buffer) this.inlineBuf = Buffer.from(f.buffer);
      const frameEnd = sc.frameEnd;
      sc = this.inlineScanner;
      sc.scan(f, 0, f.length);
      sc.frameEnd = frameEnd; // resume point in the real input
      sc.frameStart = 0;
      buf = f;
      return this.dispatchFrame(conn, buf, sc, f.length);
    }
    return this.dispatchFrame(conn, buf, sc, sc.frameEnd);
  }

  private dispatchFrame(conn: Conn, buf: Buffer, sc: FrameScanner, frameEnd: number): boolean {
    const argc = sc.argc;
    const st = sc.argStart, en = sc.argEnd;
    let cmd = this.lookupName(buf, st[0], en[0]);
    if (cmd === undefined) {
      return this.rejectNow(conn, unknownCommandError(argStrings(buf, sc)), null);
    }
    if (cmd.subs !== null) {
      if (argc >= 2) {
        const sub = cmd.subs.get(buf.latin1Slice(st[1], en[1]).toLowerCase());
        if (sub !== undefined) cmd = sub;
        else if (!cmd.def.node && !cmd.def.run) {
          return this.rejectNow(conn, unknownSubcommandError(argStrings(buf, sc)), cmd);
        }
      } else if (!cmd.def.run && !cmd.def.node) {
        return this.rejectNow(conn, arityError(cmd.name), cmd);
      }
    }
    const arity = cmd.arity;
    if (arity > 0 ? argc !== arity : argc < -arity) {
      return this.rejectNow(conn, arityError(cmd.name), cmd);
    }
    if (!conn.authed && !cmd.noAuth) {
      return this.rejectNow(conn, E.NOAUTH, cmd);
    }
    const def = cmd.def;
    conn.lastCmd = cmd.name;
    this.stats.totalCommands++;
    if (conn.multi !== null && def.txnControl !== true) return this.txn.queue(conn, cmd, buf, sc, frameEnd);
    if (def.node !== undefined) return this.runNode(conn, cmd, buf, sc);

    if (cmd.firstKey > 0 || cmd.movable) {
      const shard = this.locateKeys(cmd, buf, sc);
      if (def.wantsProbe !== undefined && this.links.length > 1 && def.wantsProbe(argStrings(buf, sc))) {
        return this.probeRoute(conn, cmd, buf, sc, frameEnd);
      }
      if (shard !== MULTI_SHARD) {
        if (cmd.blocking) {
          if (!this.enqueueCmd(conn, shard, buf, sc.frameStart, frameEnd)) return false;
          conn.blockedSeq = conn.nextSeq - 1;
          return true;
        }
        return this.enqueueCmd(conn, shard, buf, sc.frameStart, frameEnd);
      }
      if (def.split !== undefined) return this.split(conn, cmd, def.split, buf, sc, frameEnd);
      if (cmd.blocking) return this.crossShardBlocking(conn, cmd, buf, sc, frameEnd);
      return this.crossShard(conn, cmd, buf, sc, frameEnd);
    }
    if (def.fanout !== undefined) return this.fanout(conn, def.fanout, buf, sc.frameStart, frameEnd);
    if (def.cursorRoute) {
      const c = Number(buf.latin1Slice(st[1], en[1]));
      const slot = Number.isInteger(c) && c >= 0 && c < 16384 ? c : 0;
      return this.enqueueCmd(conn, this.owners[slot], buf, sc.frameStart, frameEnd);
    }
    return this.enqueueCmd(conn, 0, buf, sc.frameStart, frameEnd);
  }

  /**
   * The command named by buf[s, e). Pipelines repeat the same name, so the
   * last one's bytes are kept and compared first: no string is made and no
   * hash computed for a repeat.
   */
  private lookupName(buf: Buffer, s: number, e: number): Command | undefined {
    if (this.lastNameCmd !== undefined && this.lastName.same(buf, s, e - s)) return this.lastNameCmd;
    const cmd = this.table.lookup(buf.latin1Slice(s, e));
    if (cmd !== undefined && this.lastName.remember(buf, s, e - s)) this.lastNameCmd = cmd;
    return cmd;
  }
  private readonly lastName = new LastName();
  private lastNameCmd: Command | undefined = undefined;

  /**
   * Owner shards of a keyed command's keys into keyIdx/keyShard/keyCount.
   * Returns the one shard they all live on (0 if none were found), or
   * MULTI_SHARD.
   */
  locateKeys(cmd: Command, buf: Buffer, sc: FrameScanner): number {
    const argc = sc.argc;
    const st = sc.argStart, en = sc.argEnd;
    const idx = this.keyIdx;
    const sh = this.keyShard;
    let n = 0;
    let shard = -1;
    let multi = false;
    if (!cmd.movable) {
      const last = cmd.lastKey < 0 ? argc + cmd.lastKey : cmd.lastKey;
      const step = cmd.step;
      for (let i = cmd.firstKey; i <= last && i < argc; i += step) {
        const s = this.owners[slotOfBytes(buf, st[i], en[i])];
        idx[n] = i;
        sh[n++] = s;
        if (shard < 0) shard = s;
        else if (s !== shard) multi = true;
      }
    } else {
      const keys = this.table.keyIndexes(cmd, argc, (i) => buf.latin1Slice(st[i], en[i]));
      if (keys !== null) {
        for (const i of keys) {
          const s = this.owners[slotOfBytes(buf, st[i], en[i])];
          idx[n] = i;
          sh[n++] = s;
          if (shard < 0) shard = s;
          else if (s !== shard) multi = true;
        }
      }
    }
    this.keyCount = n;
    return multi ? MULTI_SHARD : shard < 0 ? 0 : shard;
  }

  /** An error decided on the acceptor, queued in order behind earlier replies. */
  rejectNow(conn: Conn, msg: string, cmd: Command | null): boolean {
    // Redis's rejectCommand: a command refused while queueing dooms the transaction.
    if (conn.multi !== null) conn.multiError = true;
    if (cmd !== null) {
      const s = this.cmdStat(cmd.name);
      s.rejected++;
    }
    this.deliverError(conn, conn.nextSeq++, msg);
    return true;
  }

  cmdStat(name: string): CmdStat {
    let s = this.cmdStats.get(name);
    if (s === undefined) this.cmdStats.set(name, (s = { calls: 0, usec: 0, failed: 0, rejected: 0, timedCalls: 0, timedUsec: 0 }));
    return s;
  }

  private deliverError(conn: Conn, seq: number, msg: string): void {
    const sp = msg.indexOf(' ');
    const code = sp < 0 ? msg : msg.slice(0, sp);
    this.errStats.set(code, (this.errStats.get(code) ?? 0) + 1);
    const b = Buffer.from('-' + msg + '\r\n', 'latin1');
    this.deliver(conn, seq, b, 0, b.length);
  }

  private enqueueCmd(conn: Conn, shard: number, buf: Buffer, fs: number, fe: number): boolean {
    const link = this.links[shard];
    const n = fe - fs;
    if (REQ_HEADER + n > link.req.maxRecord) {
      const rec = Buffer.allocUnsafe(REQ_HEADER + n);
      writeReqHeader(rec, 0, K_CMD, conn.proto, conn.db, conn.id, conn.nextSeq);
      buf.copy(rec, REQ_HEADER, fs, fe);
      if (!link.req.writeLarge(rec)) return false;
    } else {
      const off = link.reserve(n);
      if (off < 0) return false;
      const u32 = link.req.u32;
      const i = off >>> 2;
      u32[i] = K_CMD | (conn.proto << 8);
      u32[i + 1] = conn.id;
      u32[i + 2] = conn.nextSeq;
      u32[i + 3] = conn.db;
      copyBytes(buf, fs, fe, link.req.buf, off + REQ_HEADER);
      link.req.commit();
    }
    this.markReplySilence(conn, conn.nextSeq);
    conn.nextSeq++;
    link.dirty = true;
    return true;
  }

  /**
   * An acceptor-built internal op (e.g. EXEC's `__exec`) whose reply is the
   * reply of conn's command `seq`: it travels as a client command record, so
   * the reply takes the ordinary path. False if the ring has no room.
   */
  enqueueInternal(conn: Conn, shard: number, seq: number, frame: Buffer): boolean {
    const link = this.links[shard];
    if (REQ_HEADER + frame.length > link.req.maxRecord) return false;
    const off = link.reserve(frame.length);
    if (off < 0) return false;
    writeReqHeader(link.req.buf, off, K_CMD, conn.proto, conn.db, conn.id, seq);
    link.req.buf[off + 3] = RQ_INTERNAL;
    frame.copy(link.req.buf, off + REQ_HEADER);
    link.req.commit();
    link.dirty = true;
    return true;
  }

  /** CLIENT REPLY OFF/SKIP: the reply of this sequence number is dropped. */
  markReplySilence(conn: Conn, seq: number): void {
    if (conn.replyMode === ReplyMode.On) return;
    (conn.silent ??= new Set()).add(seq);
    if (conn.replyMode === ReplyMode.Skip) conn.replyMode = ReplyMode.On;
  }

  /** Write a request record for a part/admin/control op; false if no room. */
  enqueueRecord(link: ShardLink, kind: number, proto: number, db: number, tag1: number, tag2: number, frame: Buffer): boolean {
    if (REQ_HEADER + frame.length > link.req.maxRecord) {
      const rec = Buffer.allocUnsafe(REQ_HEADER + frame.length);
      writeReqHeader(rec, 0, kind, proto, db, tag1, tag2);
      frame.copy(rec, REQ_HEADER);
      if (!link.req.writeLarge(rec)) return false;
    } else {
      const off = link.reserve(frame.length);
      if (off < 0) return false;
      writeReqHeader(link.req.buf, off, kind, proto, db, tag1, tag2);
      frame.copy(link.req.buf, off + REQ_HEADER);
      link.req.commit();
    }
    link.dirty = true;
    return true;
  }

  /** True when every listed ring can take a record of the given size now. */
  roomFor(shards: Iterable<number>, bytes: number): boolean {
    for (const k of shards) if (!this.links[k].req.canWrite(REQ_HEADER + bytes)) return false;
    return true;
  }

  // ------------------------------------------------------- multi-shard paths

  /**
   * Single-hop split (MGET, MSET, DEL, EXISTS, UNLINK, TOUCH): one part per
   * shard, all enqueued in this same call so they take one place in the
   * global order; each part depends only on its own shard's state, so the
   * whole is atomic without holding anything.
   */
  private split(conn: Conn, cmd: Command, merge: MergeKind, buf: Buffer, sc: FrameScanner, frameEnd: number): boolean {
    const st = sc.argStart, en = sc.argEnd;
    const idx = this.keyIdx, sh = this.keyShard;
    const step = cmd.step;
    // A key whose companions (MSET's value) are missing: the handler owns
    // that error (Redis checks argc in msetCommand), so the whole command
    // goes to one shard, which refuses it before touching anything.
    if (this.keyCount > 0 && idx[this.keyCount - 1] + step > sc.argc) {
      return this.enqueueCmd(conn, sh[0], buf, sc.frameStart, frameEnd);
    }
    // Group key positions (and the args that travel with them, e.g. MSET values) by shard.
    const groups = new Map<number, number[]>();
    const order: Array<[number, number]> = []; // for mget: (shard, position within part)
    for (let j = 0; j < this.keyCount; j++) {
      let g = groups.get(sh[j]);
      if (g === undefined) groups.set(sh[j], (g = [0]));
      order.push([sh[j], (g.length - 1) / step]);
      for (let t = 0; t < step; t++) g.push(idx[j] + t);
    }
    const shards = [...groups.keys()];
    const frames = shards.map((k) => encodeFrameFromRanges(buf, st, en, groups.get(k)!));
    let max = 0;
    for (const f of frames) max = Math.max(max, f.length);
    if (!this.roomFor(shards, Math.min(max, 64))) return false;
    const seq = conn.nextSeq++;
    this.markReplySilence(conn, seq);
    const gid = this.newGather(shards.length, (parts, err) => {
      if (err !== null) return this.deliver(conn, seq, err, 0, err.length);
      const out = mergeParts(merge, parts, shards, order);
      this.deliver(conn, seq, out, 0, out.length);
    }, conn);
    shards.forEach((k, i) => this.enqueueRecord(this.links[k], K_PART, conn.proto, conn.db, gid, i, frames[i]));
    return true;
  }

  /** Keyless commands every shard runs (DBSIZE, KEYS, FLUSHALL, …). */
  private fanout(conn: Conn, merge: MergeKind, buf: Buffer, fs: number, fe: number): boolean {
    const all = this.links.map((l) => l.index);
    if (!this.roomFor(all, Math.min(fe - fs, 64))) return false;
    const frame = buf.subarray(fs, fe);
    const seq = conn.nextSeq++;
    this.markReplySilence(conn, seq);
    const gid = this.newGather(all.length, (parts, err) => {
      if (err !== null) return this.deliver(conn, seq, err, 0, err.length);
      const out = mergeParts(merge, parts, all, null);
      this.deliver(conn, seq, out, 0, out.length);
    }, conn);
    for (const k of all) this.enqueueRecord(this.links[k], K_PART, conn.proto, conn.db, gid, k, frame);
    return true;
  }

  /**
   * Multi-hop: every other command whose keys span shards (RENAME, MSETNX,
   * COPY, BITOP, …). The involved shards are held at one point of the
   * global order while the coordinator gathers the keys into one shard,
   * runs the command there, and writes the results back. See
   * src/cluster/coordinator.ts.
   */
  private crossShard(conn: Conn, cmd: Command, buf: Buffer, sc: FrameScanner, frameEnd: number): boolean {
    const keysByShard = this.keysByShard(buf, sc);
    const exec = this.keyShard[0];
    const frame = Buffer.from(buf.subarray(sc.frameStart, frameEnd));
    const shards = [...keysByShard.keys()];
    if (!this.coord.canBegin(shards)) return false;
    const dbOf = cmd.def.keyDb !== undefined ? this.keyDbs(cmd, argStrings(buf, sc), conn.db) : null;
    const seq = conn.nextSeq++;
    this.markReplySilence(conn, seq);
    const proto = conn.proto, db = conn.db;
    this.coord.begin(shards, async (tx) => {
      let reply: Buffer;
      try {
        reply = await tx.gatherAndRun(exec, keysByShard, frame, proto, db, cmd.isWrite, dbOf);
      } catch (e) {
        this.log.error({ err: e, cmd: cmd.name }, 'cross-shard command failed');
        reply = Buffer.from('-ERR internal error\r\n');
      }
      this.deliver(conn, seq, reply, 0, reply.length);
      this.endOfInput();
    });
    return true;
  }

  /**
   * Dynamic multi-hop (SORT with BY/GET patterns): the keys are known only
   * once the sorted key's elements are, so every shard is held, the first
   * key's shard reports the keys the command will read, and those are
   * gathered like declared keys.
   */
  private probeRoute(conn: Conn, cmd: Command, buf: Buffer, sc: FrameScanner, frameEnd: number): boolean {
    const all = this.links.map((l) => l.index);
    if (!this.coord.canBegin(all)) return false;
    const declared = this.keysByShard(buf, sc);
    const exec = this.keyShard[0];
    const args = argStrings(buf, sc);
    const frame = Buffer.from(buf.subarray(sc.frameStart, frameEnd));
    const seq = conn.nextSeq++;
    this.markReplySilence(conn, seq);
    const proto = conn.proto, db = conn.db;
    this.coord.begin(all, async (tx) => {
      let reply: Buffer;
      try {
        reply = await this.runProbed(tx, exec, args, declared, frame, proto, db, cmd.isWrite);
      } catch (e) {
        this.log.error({ err: e, cmd: cmd.name }, 'cross-shard command failed');
        reply = Buffer.from('-ERR internal error\r\n');
      }
      this.deliver(conn, seq, reply, 0, reply.length);
      this.endOfInput();
    });
    return true;
  }

  /**
   * Ask the first key's shard which keys the command will read, add them to
   * the declared ones, and run it through the multi-hop path (all shards held).
   */
  async runProbed(
    tx: Txn, exec: number, args: string[], declared: Map<number, string[]>,
    frame: Buffer, proto: number, db: number, isWrite: boolean,
  ): Promise<Buffer> {
    const probed = readReply(await tx.call(exec, ['__probe', ...args], db), 0).value as string[];
    const keysByShard = new Map<number, string[]>();
    for (const [k, l] of declared) keysByShard.set(k, [...l]);
    for (const key of probed) {
      const k = this.owners[this.slotOf(key)];
      let l = keysByShard.get(k);
      if (l === undefined) keysByShard.set(k, (l = []));
      if (!l.includes(key)) l.push(key);
    }
    return tx.gatherAndRun(exec, keysByShard, frame, proto, db, isWrite);
  }

  /** Keys located by locateKeys that CommandDef.keyDb puts in another database than db. */
  keyDbs(cmd: Command, args: string[], db: number): Map<string, number> | null {
    let dbOf: Map<string, number> | null = null;
    for (let j = 0; j < this.keyCount; j++) {
      const d = cmd.def.keyDb!(args, this.keyIdx[j], db);
      if (d !== db) (dbOf ??= new Map()).set(args[this.keyIdx[j]], d);
    }
    return dbOf;
  }

  /** A blocking command whose keys span shards: the acceptor runs the wait (src/cluster/xblock.ts). */
  private crossShardBlocking(conn: Conn, cmd: Command, buf: Buffer, sc: FrameScanner, frameEnd: number): boolean {
    const keysByShard = this.keysByShard(buf, sc);
    const shards = [...keysByShard.keys()];
    if (!this.coord.canBegin(shards) || !this.roomForAdmin(shards)) return false;
    const seq = conn.nextSeq++;
    this.markReplySilence(conn, seq);
    conn.blockedSeq = seq;
    const args = argStrings(buf, sc);
    this.xblocks.start(
      {
        conn,
        seq,
        shards,
        keysByShard,
        exec: this.keyShard[0],
        frame: Buffer.from(buf.subarray(sc.frameStart, frameEnd)),
        proto: conn.proto,
        db: conn.db,
        isWrite: cmd.isWrite,
      },
      blockTimeoutMs(cmd.name, args),
    );
    return true;
  }

  /** Declared keys of the command being dispatched, grouped by owner shard. */
  keysByShard(buf: Buffer, sc: FrameScanner): Map<number, string[]> {
    const st = sc.argStart, en = sc.argEnd;
    const m = new Map<number, string[]>();
    for (let j = 0; j < this.keyCount; j++) {
      const k = this.keyShard[j];
      const key = buf.latin1Slice(st[this.keyIdx[j]], en[this.keyIdx[j]]);
      let l = m.get(k);
      if (l === undefined) m.set(k, (l = []));
      if (!l.includes(key)) l.push(key);
    }
    return m;
  }

  /** Room in each listed ring for a couple of small admin records. */
  roomForAdmin(shards: number[]): boolean {
    return this.roomFor(shards, 256);
  }

  /** Fire-and-forget internal op, in order with client commands (its reply is dropped). */
  adminSend(shard: number, args: string[], db: number): void {
    if (!this.enqueueRecord(this.links[shard], K_ADMIN, 2, db, 0, 0, encodeFrame(args))) {
      setTimeout(() => this.adminSend(shard, args, db), 1);
    }
  }

  newGather(n: number, done: Gather['done'], conn: Conn | null = null): number {
    const id = this.nextGatherId;
    this.nextGatherId = (this.nextGatherId + 1) >>> 0 || 1;
    this.gathers.set(id, { parts: new Array(n).fill(null), remaining: n, done, conn });
    return id;
  }

  /** Run an internal command on one shard, in order with client commands. */
  adminCall(shard: number, args: string[]): Promise<Buffer> {
    return new Promise((resolve) => {
      const gid = this.newGather(1, (parts, err) => resolve(err ?? parts[0]));
      const ok = this.enqueueRecord(this.links[shard], K_ADMIN, 2, 0, gid, 0, encodeFrame(args));
      if (!ok) {
        // Rings full: retry on the next turn rather than block the acceptor.
        this.gathers.delete(gid);
        setTimeout(() => this.adminCall(shard, args).then(resolve), 1);
        return;
      }
      this.scheduleTurn();
    });
  }

  /** Run a client-visible command on every shard and collect the replies. */
  fanoutCall(args: string[], proto: 2 | 3, db: number): Promise<Buffer[]> {
    return new Promise((resolve) => {
      const frame = encodeFrame(args);
      const gid = this.newGather(this.links.length, (parts, err) => resolve(err ? [err] : parts));
      for (const l of this.links) this.enqueueRecord(l, K_PART, proto, db, gid, l.index, frame);
      this.scheduleTurn();
    });
  }

  // ---------------------------------------------------------- node commands

  private runNode(conn: Conn, cmd: Command, buf: Buffer, sc: FrameScanner): boolean {
    const args = argStrings(buf, sc);
    const seq = conn.nextSeq++;
    this.markReplySilence(conn, seq);
    const t0 = timeThisCall(this.cmdStat(cmd.name).calls) ? performance.now() : -1;
    const node = cmd.def.node!;
    // Async handlers keep writing after other commands ran: they get their
    // own writer (handlers may hold on to c.w across an await).
    const isAsync = cmd.nodeAsync;
    const w = isAsync ? new ReplyWriter(1024) : this.nodeW;
    w.reset();
    w.proto = conn.proto;
    const ctx: NodeCtx = { w, conn, server: this, seq };
    let r: void | Promise<void> = undefined;
    try {
      r = node(ctx, args);
    } catch (e) {
      this.log.error({ err: e, cmd: cmd.name }, 'command failed');
      w.reset();
      w.error('ERR internal error');
    }
    if (ctx.handedOff === true) {
      this.cmdStat(cmd.name).calls++;
      return true;
    }
    if (r instanceof Promise) {
      let own = w;
      if (!isAsync) {
        // A plain function returning a promise: move what it wrote so far.
        own = new ReplyWriter(1024);
        own.proto = conn.proto;
        ctx.w = own;
        own.rawBuf(w.view());
      }
      r.then(
        () => this.finishNode(conn, seq, cmd, own, t0),
        (e) => {
          this.log.error({ err: e, cmd: cmd.name }, 'command failed');
          own.reset();
          own.error('ERR internal error');
          this.finishNode(conn, seq, cmd, own, t0);
        },
      );
      return true;
    }
    this.finishNode(conn, seq, cmd, w, t0);
    return true;
  }

  private finishNode(conn: Conn, seq: number, cmd: Command, w: ReplyWriter, t0: number): void {
    const s = this.cmdStat(cmd.name);
    s.calls++;
    if (t0 >= 0) {
      s.timedCalls++;
      s.timedUsec += (performance.now() - t0) * 1000;
    }
    s.usec = scaledUsec(s.calls, s.timedCalls, s.timedUsec);
    if (w.errors > 0) {
      s.failed++;
      this.errStats.set(w.lastErrorCode, (this.errStats.get(w.lastErrorCode) ?? 0) + 1);
    }
    const v = w.view();
    this.deliver(conn, seq, v, 0, v.length);
    this.endOfInput();
  }

  // ----------------------------------------------------------------- replies

  /** Put a reply in its place in conn's output order. */
  deliver(conn: Conn, seq: number, b: Buffer, s: number, e: number): void {
    if (conn.closed) return;
    if (seq !== conn.doneSeq) {
      (conn.pending ??= new Map()).set(seq, Buffer.from(b.subarray(s, e)));
      return;
    }
    this.emit(conn, seq, b, s, e);
    const p = conn.pending;
    if (p !== null && p.size > 0) {
      let r: Buffer | undefined;
      while ((r = p.get(conn.doneSeq)) !== undefined) {
        p.delete(conn.doneSeq);
        this.emit(conn, conn.doneSeq, r, 0, r.length);
      }
    }
  }

  private emit(conn: Conn, seq: number, b: Buffer, s: number, e: number): void {
    conn.doneSeq = seq + 1;
    if (seq === conn.blockedSeq) {
      conn.blockedSeq = -1;
      if (conn.inBuf !== null && conn.inLen > conn.inPos) this.toResume.add(conn);
    }
    if (conn.silent !== null && conn.silent.delete(seq)) {
      // suppressed by CLIENT REPLY
    } else {
      conn.writeOut(b, s, e);
      if (!conn.dirty) {
        conn.dirty = true;
        this.dirtyConns.push(conn);
        this.scheduleTurn();
      }
    }
    if (seq === conn.closeAfterSeq) {
      conn.flush();
      // Close for real once the reply is out, as Redis does: a client still
      // writing must see the connection go away, not a half-closed socket.
      const sock = conn.socket;
      sock.once('finish', () => sock.destroy());
      sock.end();
      conn.closed = true;
      this.conns.delete(conn.id);
    }
  }

  /** Drain every reply ring; called on the bell and once per turn. */
  private drainReplies(): number {
    let total = 0;
    for (let k = 0; k < this.links.length; k++) {
      const ring = this.links[k].rep;
      let off: number;
      let n = 0;
      while ((off = ring.next()) >= 0) {
        n++;
        let b = ring.buf;
        let s = off;
        let e = off + ring.len;
        if (ring.large !== null) {
          b = ring.large;
          s = 0;
          e = b.length;
        }
        const kind = b[s];
        const tag1 = b === ring.buf ? ring.u32[(s + 4) >>> 2] : b.readUInt32LE(s + 4);
        const tag2 = b === ring.buf ? ring.u32[(s + 8) >>> 2] : b.readUInt32LE(s + 8);
        if (kind === K_CMD) {
          const conn = this.conns.get(tag1);
          if (conn !== undefined) {
            try {
              this.deliver(conn, tag2, b, s + REP_HEADER, e);
            } catch (err) {
              this.connFailed(conn, err);
            }
          }
        } else if (kind === K_PART || kind === K_ADMIN) {
          const g = this.gathers.get(tag1);
          if (g !== undefined) {
            g.parts[tag2 < g.parts.length ? tag2 : 0] = Buffer.from(b.subarray(s + REP_HEADER, e));
            if (--g.remaining === 0) {
              this.gathers.delete(tag1);
              this.finishGather(g, kind);
            }
          }
        } else if (kind === K_WAKE || kind === K_CTRL) {
          try {
            if (kind === K_WAKE) this.xblocks.onWake(tag1);
            else this.coord.onReply(tag1, tag2, Buffer.from(b.subarray(s + REP_HEADER, e)));
          } catch (err) {
            this.log.error({ err }, 'cross-shard step failed');
          }
        }
        if ((n & 1023) === 0) ring.release();
      }
      if (n > 0) ring.release();
      total += n;
    }
    if (this.stalledConns.size > 0) {
      for (const c of [...this.stalledConns]) this.resume(c);
    }
    this.resumeUnblocked();
    return total;
  }

  /** Merge a complete gather; a failing merge closes its connection, nothing more. */
  private finishGather(g: Gather, kind: number): void {
    try {
      if (this.fault === 'merge' && g.conn !== null) {
        this.fault = null;
        throw new Error('injected fault (DEBUG KEYSHARD-FAULT merge)');
      }
      const err = kind === K_PART ? firstError(g.parts as Buffer[]) : null;
      g.done(g.parts as Buffer[], err);
    } catch (e) {
      if (g.conn !== null) this.connFailed(g.conn, e);
      else this.log.error({ err: e }, 'internal call failed');
    }
  }

  /** Parse the queued input of connections whose blocking command (or EXEC) answered. */
  private resumeUnblocked(): void {
    if (this.toResume.size === 0) return;
    const l = [...this.toResume];
    this.toResume.clear();
    for (const c of l) if (!c.closed && !c.stalled) this.processInput(c);
  }

  /** Bell: workers bump bell[0] after publishing replies and notify if bell[1] says we sleep. */
  private pollLeft = 0;
  private armBell(): void {
    if (this.shuttingDown) return;
    if (this.pollLeft > 0) {
      // Replies are flowing: look again next loop turn instead of asking
      // the shards for a wake-up.
      this.pollLeft--;
      setImmediate(this.onBell);
      return;
    }
    const v = Atomics.load(this.bell, 0);
    Atomics.store(this.bell, 1, 1);
    for (const l of this.links) {
      if (l.rep.hasData()) {
        Atomics.store(this.bell, 1, 0);
        setImmediate(this.onBell);
        return;
      }
    }
    const r = Atomics.waitAsync(this.bell, 0, v);
    if (r.async) r.value.then(this.onBell);
    else setImmediate(this.onBell);
  }

  private onBell = (): void => {
    Atomics.store(this.bell, 1, 0);
    try {
      if (this.drainReplies() > 0) this.pollLeft = POLL_TURNS;
      this.endOfInput();
      this.flushConns();
    } catch (e) {
      // Per-connection failures are caught below this; whatever is left must
      // not stop the reply loop, or every client would hang.
      this.log.error({ err: e }, 'reply loop error');
    }
    this.armBell();
  };

  /** After a batch of input: publish rings now, ring doorbells once per turn. */
  endOfInput(): void {
    for (let k = 0; k < this.links.length; k++) {
      const l = this.links[k];
      if (!l.dirty) continue;
      l.dirty = false;
      if (l.req.publish()) this.toNotify.add(l);
    }
    if (this.toNotify.size > 0) this.scheduleTurn();
  }

  scheduleTurn(): void {
    if (this.turnScheduled) return;
    this.turnScheduled = true;
    setImmediate(this.turn);
  }

  private turn = (): void => {
    this.turnScheduled = false;
    // A reply delivered outside a drain (EXEC, acceptor commands) may have
    // unblocked a connection: its input must not wait for the next shard reply.
    this.resumeUnblocked();
    this.endOfInput();
    for (const l of this.toNotify) l.req.notify();
    this.toNotify.clear();
    this.flushConns();
  };

  private flushConns(): void {
    const d = this.dirtyConns;
    if (d.length === 0) return;
    this.dirtyConns = [];
    for (let i = 0; i < d.length; i++) {
      const c = d[i];
      if (!c.dirty) continue;
      // One write per pipeline round: while replies of this round are still
      // on their way (none of them a parked blocking command) and the output
      // is small, wait for them; their arrival makes the conn dirty again.
      if (c.doneSeq !== c.nextSeq && c.doneSeq !== c.blockedSeq && c.outLen < 65536 && !c.waitingAsync) {
        c.dirty = false;
        continue;
      }
      this.stats.netOutput += c.outLen;
      try {
        c.flush();
      } catch (e) {
        this.connFailed(c, e);
        continue;
      }
      // A client that stops reading must not grow our memory without bound.
      if (!c.closed && c.socket.writableLength > 64 * 1024 * 1024 && !c.stalled) {
        c.stalled = true;
        c.socket.pause();
      }
    }
  }

  /** Notify a shard right away (coordinator round trips can't wait a turn). */
  kick(link: ShardLink): void {
    link.dirty = false;
    link.req.publish();
    link.req.notify();
  }

  // -------------------------------------------------------------- lifecycle

  private cron(): void {
    const timeout = this.config.num('timeout');
    if (timeout > 0) {
      const limit = Date.now() - timeout * 1000;
      for (const c of this.conns.values()) {
        if (c.lastInteraction < limit && c.inflight === 0) this.dropConn(c);
      }
    }
  }

  async shutdown(reason: string): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.log.info({ reason }, 'shutting down');
    if (this.cronTimer) clearInterval(this.cronTimer);
    for (const c of [...this.conns.values()]) {
      c.flush();
      c.socket.destroy();
    }
    await new Promise<void>((r) => (this.net ? this.net.close(() => r()) : r()));
    await Promise.all(this.links.map((l) => l.worker.terminate()));
    this.log.info('bye');
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Shard statistics (INFO), one JSON object per shard. */
  async shardStats(): Promise<any[]> {
    const out = await Promise.all(this.links.map((_, k) => this.adminCall(k, ['__stats'])));
    return out.map((b) => {
      const v = readReply(b, 0).value;
      return typeof v === 'string' ? JSON.parse(v) : {};
    });
  }

  async resetStats(): Promise<void> {
    this.cmdStats.clear();
    this.errStats.clear();
    this.stats.totalCommands = 0;
    this.stats.totalConnections = 0;
    this.stats.rejectedConnections = 0;
    this.stats.netInput = this.stats.netOutput = 0;
    await Promise.all(this.links.map((_, k) => this.adminCall(k, ['__resetstat'])));
  }

  hostInfo() {
    return { os: `${os.type()} ${os.release()} ${os.arch()}`, pid: process.pid };
  }

  slotOf(key: string): number {
    return slotOfString(key);
  }
}

/**
 * Timeout of a blocking command in ms (0 = forever). Its position is the
 * last argument, or the first for BLMPOP/BZMPOP. An invalid value counts as
 * forever here: the command's own handler answers the error on its first run.
 */
function blockTimeoutMs(name: string, args: string[]): number {
  const s = name === 'blmpop' || name === 'bzmpop' ? args[1] : args[args.length - 1];
  const v = Number(s);
  return Number.isFinite(v) && v > 0 ? Math.ceil(v * 1000) : 0;
}

function appendInput(conn: Conn, chunk: Buffer): void {
  const have = conn.inLen - conn.inPos;
  const need = have + chunk.length;
  let buf = conn.inBuf!;
  if (conn.inPos > 0 || buf.length < need || buf.buffer === chunk.buffer) {
    let size = Math.max(buf.length, 16 * 1024);
    while (size < need) size *= 2;
    const nb = Buffer.allocUnsafe(size);
    buf.copy(nb, 0, conn.inPos, conn.inLen);
    buf = nb;
    conn.inBuf = nb;
    conn.inPos = 0;
    conn.inLen = have;
  }
  chunk.copy(buf, conn.inLen);
  conn.inLen += chunk.length;
}

export function argStrings(buf: Buffer, sc: FrameScanner): string[] {
  const out = new Array<string>(sc.argc);
  for (let i = 0; i < sc.argc; i++) out[i] = buf.latin1Slice(sc.argStart[i], sc.argEnd[i]);
  return out;
}

export function firstError(parts: Buffer[]): Buffer | null {
  for (const p of parts) if (p !== null && p[0] === 0x2d) return p;
  return null;
}

/** Combine per-shard replies into the reply of the whole command. */
export function mergeParts(kind: MergeKind, parts: Buffer[], shards: number[], order: Array<[number, number]> | null): Buffer {
  switch (kind) {
    case 'sum': {
      let n = 0;
      for (const p of parts) {
        const v = readReply(p, 0).value;
        if (typeof v === 'number') n += v;
      }
      return Buffer.from(':' + n + '\r\n');
    }
    case 'ok':
      return Buffer.from('+OK\r\n');
    case 'random': {
      const hits = parts.filter((p) => !(p[0] === 0x5f || (p[0] === 0x24 && p[1] === 0x2d)));
      return hits.length ? hits[Math.floor(Math.random() * hits.length)] : parts[0];
    }
    case 'concat': {
      let total = 0;
      const bodies: Buffer[] = [];
      for (const p of parts) {
        const [s, e] = elementSpans(p, 0);
        total += s.length;
        if (s.length) bodies.push(p.subarray(s[0], e[e.length - 1]));
      }
      return Buffer.concat([Buffer.from((parts[0]?.[0] === 0x7e ? '~' : '*') + total + '\r\n'), ...bodies]);
    }
    case 'mget': {
      const spans = parts.map((p) => elementSpans(p, 0));
      const pos = new Map<number, number>();
      shards.forEach((k, i) => pos.set(k, i));
      const out: Buffer[] = [Buffer.from('*' + order!.length + '\r\n')];
      for (const [k, j] of order!) {
        const i = pos.get(k)!;
        out.push(parts[i].subarray(spans[i][0][j], spans[i][1][j]));
      }
      return Buffer.concat(out);
    }
  }
}

function randomHex(n: number): string {
  let s = '';
  while (s.length < n) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}

export { RespError };
