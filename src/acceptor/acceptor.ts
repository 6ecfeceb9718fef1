// The acceptor: owns every socket and connection, frames RESP, looks each
// command up in the one command table, sends it where the Router says
// (acceptor, one shard, split, multi-hop, fan-out) and writes the replies
// back in request order. The shards are reached only through the ShardSet;
// cross-shard execution lives in src/crossshard. docs/ARCHITECTURE.md has
// the picture; the comments here say why things are the way they are.

import * as net from 'node:net';
import * as os from 'node:os';
import type { Logger } from 'pino';
import { FrameScanner, SCAN_ERROR, SCAN_NEED_MORE } from '../protocol/frame';
import { ReplyWriter } from '../protocol/reply';
import { encodeFrameFromBuffers } from '../protocol/frame-args';
import { readReply } from '../protocol/resp-read';
import { K_PART } from '../ring/records';
import { slotOwners, slotRanges } from '../util/slot';
import { LastName } from '../util/bytes';
import { scaledUsec, timeThisCall } from '../util/sampling';
import type { Config } from '../config/config';
import { CommandTable, Command, unknownCommandError, unknownSubcommandError } from '../commands/table';
import { buildCommandTable } from '../commands/index';
import { arityError, E } from '../commands/errors';
import { ReplyMode, type AcceptorView, type ClientView, type MergeKind, type NodeCtx } from '../commands/contract';
import { ShardSet, type ReplySink } from '../shardset/shard-set';
import { Route, Router, argStrings } from '../routing/route';
import { Coordinator } from '../crossshard/coordinator';
import { CrossShardBlocks } from '../crossshard/xblock';
import { ExecPlanner, type Queued } from '../crossshard/exec';
import { Scripts } from '../crossshard/script';
import { mergeParts, mergeScan, scanParts, splitByShard } from '../crossshard/merge';
import { Transactions } from './txn';
import { Conn } from './conn';
import { OP_CLIENTUNBLOCK, OP_CONFIG, OP_RESETSTAT, OP_STATS, OP_UNBLOCK } from '../ring/ops';

export interface CmdStat {
  calls: number;
  usec: number;
  failed: number;
  rejected: number;
  /** Calls whose duration was measured and their total (usec is scaled from them). */
  timedCalls: number;
  timedUsec: number;
}

export class Acceptor implements ReplySink, AcceptorView {
  readonly table: CommandTable;
  readonly shards = new ShardSet();
  readonly owners: Uint8Array;
  readonly ranges: Array<[number, number]>;
  readonly conns = new Map<number, Conn>();
  readonly router: Router;
  readonly coord: Coordinator;
  readonly xblocks: CrossShardBlocks;
  readonly txn: Transactions;
  readonly scripts: Scripts<Conn>;
  readonly startedAt = Date.now();
  readonly runId = randomHex(40);
  private net: net.Server | null = null;
  private scanner = new FrameScanner();
  private inlineScanner = new FrameScanner();
  private inlineBuf: Buffer = Buffer.allocUnsafeSlow(256);
  private nodeW = new ReplyWriter();
  private nextConnId = 1;
  private dirtyConns: Conn[] = [];
  private turnScheduled = false;
  private stalledConns = new Set<Conn>();
  /** Sockets refused at maxclients whose error is still being written. */
  private turnedAway = new Set<net.Socket>();
  private lastSecurityWarning = 0;
  /** Connections unblocked during a drain, whose queued input waits. */
  private toResume = new Set<Conn>();
  private shuttingDown = false;
  private cronTimer: NodeJS.Timeout | null = null;
  /** DEBUG KEYSHARD-FAULT dispatch: the next input processed throws (tests of fault isolation). */
  private faultDispatch = false;

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
    this.router = new Router(this.table, this.owners, shards);
    this.scanner.maxBulkLen = this.inlineScanner.maxBulkLen = config.num('proto-max-bulk-len');
    this.coord = new Coordinator(this.shards, (e) => this.log.error({ err: e }, 'multi-shard transaction failed'));
    this.xblocks = new CrossShardBlocks(this.shards, this.coord, (conn, seq, reply) => this.deliver(conn as Conn, seq, reply, 0, reply.length));
    this.txn = new Transactions(this, new ExecPlanner(new Router(this.table, this.owners, shards), this.shards, this.coord));
    this.scripts = new Scripts<Conn>(
      this.table, this.owners, this.shards, this.coord, () => this.config.num('databases'),
      {
        toShard: (conn, shard, buf, fs, fe) => this.enqueueCmd(conn, shard, buf, fs, fe),
        takeSeq: (conn) => this.takeSeq(conn),
        deliver: (conn, seq, reply) => {
          this.deliver(conn, seq, reply, 0, reply.length);
          this.endOfInput();
        },
        replyError: (conn, text) => {
          this.deliverError(conn, this.takeSeq(conn), text);
          return true;
        },
      },
      (level, msg) => (level >= 3 ? this.log.warn(msg) : level === 2 ? this.log.info(msg) : this.log.debug(msg)),
    );
    config.onChange = (name, value) => this.onConfigChange(name, value);
    this.readOutputLimits();
  }

  get shardCount(): number {
    return this.ranges.length;
  }

  async start(): Promise<void> {
    this.shards.start(this.ranges, this.config.num('databases'), this.shardConfig(), this);
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
    if (name === 'client-output-buffer-limit') this.readOutputLimits();
    if (name === 'proto-max-bulk-len') {
      this.scanner.maxBulkLen = this.inlineScanner.maxBulkLen = this.config.num(name);
    }
    // Settings shards read travel as admin records, in order with commands.
    for (let k = 0; k < this.shards.size; k++) {
      this.shards.adminCall(k, [OP_CONFIG, name, value]).catch(() => {});
    }
  }

  onShardDied(k: number, why: string): void {
    const msg = `shard ${k} ${why}; its keys are lost, stopping the server`;
    this.log.fatal({ shard: k }, msg);
    // Synchronous on pipes and files, unlike the logger: the line must survive the exit.
    process.stderr.write(`keyshard: ${msg}\n`);
    process.exit(1);
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
      // Redis writes the error and closes. The socket is not read, so it
      // must be destroyed once the error is out (a half-closed socket would
      // stay open and keep SHUTDOWN waiting for it); shutdown destroys any
      // still writing.
      this.turnedAway.add(socket);
      socket.on('error', () => {});
      socket.once('close', () => this.turnedAway.delete(socket));
      socket.end('-ERR max number of clients reached\r\n', () => socket.destroy());
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
      for (let k = 0; k < this.shards.size; k++) this.shards.adminCall(k, [OP_UNBLOCK, String(conn.id)]).catch(() => {});
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
      if (this.faultDispatch) {
        this.faultDispatch = false;
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
      // Before AUTH, Redis accepts at most 10 arguments and 16 KB bulks
      // (read per command: an AUTH earlier in this pipeline lifts it).
      sc.authRequired = !conn.authed;
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
      const name = buf.latin1Slice(st[0], en[0]).toLowerCase();
      if (name === 'post' || name === 'host:') return this.crossProtocol(conn);
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
    if (def.script !== undefined) return this.scripts.dispatch(conn, cmd, buf, sc, frameEnd);
    const r = this.router;
    switch (r.route(cmd, buf, sc)) {
      case Route.Acceptor:
        return this.runAcceptorCommand(conn, cmd, buf, sc);
      case Route.One:
        if (!this.enqueueCmd(conn, r.shard, buf, sc.frameStart, frameEnd)) return false;
        if (cmd.blocking) conn.blockedSeq = conn.nextSeq - 1;
        return true;
      case Route.Cross:
        if (def.split !== undefined) return this.split(conn, cmd, def.split, buf, sc, frameEnd);
        if (cmd.blocking) return this.crossShardBlocking(conn, cmd, buf, sc, frameEnd);
        return this.crossShard(conn, cmd, buf, sc, frameEnd);
      case Route.Probe:
        return this.probeRoute(conn, cmd, buf, sc, frameEnd);
      case Route.Fanout:
        return this.fanout(conn, def.fanout!, buf, sc.frameStart, frameEnd);
      case Route.Cursor:
        if (this.shards.size === 1) return this.enqueueCmd(conn, 0, buf, sc.frameStart, frameEnd);
        return this.scan(conn, buf, sc);
    }
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
   * An HTTP request (POST, Host:) sent to the server: Redis logs a possible
   * cross-protocol attack (once a minute) and closes the connection without
   * a reply.
   */
  private crossProtocol(conn: Conn): boolean {
    const now = Date.now();
    if (now - this.lastSecurityWarning > 60_000) {
      this.lastSecurityWarning = now;
      this.log.warn(
        'Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to Redis. ' +
          'This is likely due to an attacker attempting to use Cross Protocol Scripting to compromise your Redis instance. ' +
          'Connection aborted.',
      );
    }
    this.dropConn(conn);
    return true;
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

  /** The next sequence number of conn, its reply dropped if CLIENT REPLY says so. */
  private takeSeq(conn: Conn): number {
    const seq = conn.nextSeq++;
    this.markReplySilence(conn, seq);
    return seq;
  }

  private enqueueCmd(conn: Conn, shard: number, buf: Buffer, fs: number, fe: number): boolean {
    if (!this.shards.sendCommand(shard, conn.proto, conn.db, conn.id, conn.nextSeq, buf, fs, fe)) return false;
    this.takeSeq(conn);
    return true;
  }

  /** CLIENT REPLY OFF/SKIP: the reply of this sequence number is dropped. */
  markReplySilence(conn: Conn, seq: number): void {
    if (conn.replyMode !== ReplyMode.On) conn.silence(seq);
  }

  // ------------------------------------------------------- multi-shard paths

  /**
   * Single-hop split (MGET, MSET, DEL, EXISTS, UNLINK, TOUCH): one part per
   * shard, all enqueued in this same call (src/crossshard/merge.ts).
   */
  private split(conn: Conn, cmd: Command, merge: MergeKind, buf: Buffer, sc: FrameScanner, frameEnd: number): boolean {
    const plan = splitByShard(this.router, cmd.step, buf, sc);
    // Malformed (MSET's last value missing): the handler answers on one shard.
    if (plan === null) return this.enqueueCmd(conn, this.router.shard, buf, sc.frameStart, frameEnd);
    const { shards, frames, order } = plan;
    let max = 0;
    for (const f of frames) max = Math.max(max, f.length);
    if (!this.shards.roomFor(shards, Math.min(max, 64))) return false;
    const seq = this.takeSeq(conn);
    const gid = this.gatherFor(conn, seq, shards.length, (parts) => mergeParts(merge, parts, shards, order));
    shards.forEach((k, i) => this.shards.sendRecord(k, K_PART, conn.proto, conn.db, gid, i, frames[i]));
    return true;
  }

  /** Keyless commands every shard runs (DBSIZE, KEYS, FLUSHALL, …). */
  private fanout(conn: Conn, merge: MergeKind, buf: Buffer, fs: number, fe: number): boolean {
    const all = this.shards.links.map((l) => l.index);
    if (!this.shards.roomFor(all, Math.min(fe - fs, 64))) return false;
    const frame = buf.subarray(fs, fe);
    const seq = this.takeSeq(conn);
    const gid = this.gatherFor(conn, seq, all.length, (parts) => mergeParts(merge, parts, all, null));
    for (const k of all) this.shards.sendRecord(k, K_PART, conn.proto, conn.db, gid, k, frame);
    return true;
  }

  /** SCAN: one page may span the cursor's shard and the next ones (src/crossshard/merge.ts). */
  private scan(conn: Conn, buf: Buffer, sc: FrameScanner): boolean {
    const plan = scanParts(argStrings(buf, sc), this.router.shard, this.ranges);
    let max = 0;
    for (const f of plan.frames) max = Math.max(max, f.length);
    if (!this.shards.roomFor(plan.shards, max)) return false;
    const seq = this.takeSeq(conn);
    const gid = this.gatherFor(conn, seq, plan.shards.length, (parts) => mergeScan(plan, parts));
    plan.shards.forEach((k, i) => this.shards.sendRecord(k, K_PART, conn.proto, conn.db, gid, i, plan.frames[i]));
    return true;
  }

  /** A gather whose merged reply (or first error) is conn's reply `seq`; a failing merge closes conn. */
  private gatherFor(conn: Conn, seq: number, n: number, merge: (parts: Buffer[]) => Buffer): number {
    return this.shards.gather(
      n,
      (parts, err) => {
        const out = err ?? merge(parts);
        this.deliver(conn, seq, out, 0, out.length);
      },
      (e) => this.connFailed(conn, e),
    );
  }

  /**
   * Multi-hop: every other command whose keys span shards (RENAME, MSETNX,
   * COPY, BITOP, …). The involved shards are held at one point of the
   * global order while the coordinator gathers the keys into one shard,
   * runs the command there, and writes the results back
   * (src/crossshard/coordinator.ts).
   */
  private crossShard(conn: Conn, cmd: Command, buf: Buffer, sc: FrameScanner, frameEnd: number): boolean {
    const r = this.router;
    const keysByShard = r.keysByShard(buf, sc);
    const exec = r.shard;
    const shards = [...keysByShard.keys()];
    if (!this.coord.canBegin(shards)) return false;
    const frame = Buffer.from(buf.subarray(sc.frameStart, frameEnd));
    const dbOf = cmd.def.keyDb !== undefined ? r.keyDbs(cmd, argStrings(buf, sc), conn.db) : null;
    const seq = this.takeSeq(conn);
    const proto = conn.proto, db = conn.db;
    this.coord.begin(shards, async (tx) => {
      await this.replyLater(conn, seq, cmd, () => tx.gatherAndRun(exec, keysByShard, frame, proto, db, cmd.isWrite, dbOf));
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
    const r = this.router;
    const all = this.shards.links.map((l) => l.index);
    if (!this.coord.canBegin(all)) return false;
    const declared = r.keysByShard(buf, sc);
    const exec = r.shard;
    const args = argStrings(buf, sc);
    const frame = Buffer.from(buf.subarray(sc.frameStart, frameEnd));
    const seq = this.takeSeq(conn);
    const proto = conn.proto, db = conn.db;
    this.coord.begin(all, async (tx) => {
      await this.replyLater(conn, seq, cmd, () => tx.probeAndRun(r, exec, args, declared, frame, proto, db, cmd.isWrite));
    });
    return true;
  }

  /** Await a coordinated command's reply (inside the coordinator's body) and deliver it as conn's reply seq. */
  private async replyLater(conn: Conn, seq: number, cmd: Command, run: () => Promise<Buffer>): Promise<void> {
    // A client gone before its turn: drop the command, as Redis drops a
    // freed client's query buffer (its held shards are released at once).
    if (conn.closed) return;
    let reply: Buffer;
    try {
      reply = await run();
    } catch (e) {
      this.log.error({ err: e, cmd: cmd.name }, 'cross-shard command failed');
      reply = Buffer.from('-ERR internal error\r\n');
    }
    this.deliver(conn, seq, reply, 0, reply.length);
    this.endOfInput();
  }

  /** A blocking command whose keys span shards: the acceptor runs the wait (src/crossshard/xblock.ts). */
  private crossShardBlocking(conn: Conn, cmd: Command, buf: Buffer, sc: FrameScanner, frameEnd: number): boolean {
    const r = this.router;
    const keysByShard = r.keysByShard(buf, sc);
    const shards = [...keysByShard.keys()];
    if (!this.coord.canBegin(shards) || !this.shards.roomForAdmin(shards)) return false;
    const seq = this.takeSeq(conn);
    conn.blockedSeq = seq;
    this.xblocks.start(
      {
        conn,
        seq,
        shards,
        keysByShard,
        exec: r.shard,
        frame: Buffer.from(buf.subarray(sc.frameStart, frameEnd)),
        proto: conn.proto,
        db: conn.db,
        isWrite: cmd.isWrite,
      },
      this.table.blockTimeoutMs(cmd, argStrings(buf, sc)),
    );
    return true;
  }

  // ------------------------------------------------------- acceptor commands

  /**
   * Run an acceptor command (def.node). The one path for them, at top level
   * and inside EXEC: timing, failure counts and errorstats are kept the same
   * way. Delivers the reply as conn's reply `seq`, or hands back a buffer
   * (or a promise of it) when `seq` is -1 (inside EXEC).
   */
  private runNode(conn: Conn, cmd: Command, args: string[], seq: number): Buffer | Promise<Buffer | null> | null {
    const stat = this.cmdStat(cmd.name);
    const t0 = timeThisCall(stat.calls) ? performance.now() : -1;
    const node = cmd.def.node!;
    // Async handlers keep writing after other commands ran: they get their
    // own writer (handlers may hold on to c.w across an await). So do
    // commands inside EXEC, whose replies are kept.
    const own = cmd.nodeAsync || seq < 0;
    const w = own ? new ReplyWriter(1024) : this.nodeW;
    w.reset();
    w.proto = conn.proto;
    const ctx: NodeCtx = { w, conn, server: this, seq: seq < 0 ? undefined : seq };
    let r: void | Promise<void> = undefined;
    try {
      r = node(ctx, args);
    } catch (e) {
      this.log.error({ err: e, cmd: cmd.name }, 'command failed');
      w.reset();
      w.error('ERR internal error');
    }
    if (ctx.handedOff === true) {
      stat.calls++;
      return null;
    }
    if (r instanceof Promise) {
      let out = w;
      if (!own) {
        // A plain function returning a promise: move what it wrote so far.
        out = new ReplyWriter(1024);
        out.proto = conn.proto;
        ctx.w = out;
        out.rawBuf(w.view());
      }
      return r.then(
        () => this.finishNode(conn, seq, cmd, ctx.w, t0),
        (e) => {
          this.log.error({ err: e, cmd: cmd.name }, 'command failed');
          ctx.w.reset();
          ctx.w.error('ERR internal error');
          return this.finishNode(conn, seq, cmd, ctx.w, t0);
        },
      );
    }
    return this.finishNode(conn, seq, cmd, w, t0);
  }

  private finishNode(conn: Conn, seq: number, cmd: Command, w: ReplyWriter, t0: number): Buffer | null {
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
    if (seq < 0) return Buffer.from(w.view());
    const v = w.view();
    this.deliver(conn, seq, v, 0, v.length);
    this.endOfInput();
    return null;
  }

  private runAcceptorCommand(conn: Conn, cmd: Command, buf: Buffer, sc: FrameScanner): boolean {
    const seq = this.takeSeq(conn);
    void this.runNode(conn, cmd, argStrings(buf, sc), seq);
    return true;
  }

  /** An acceptor command queued in a transaction, run by EXEC: its reply. */
  runQueued(conn: Conn, q: Queued, args: string[]): Buffer | Promise<Buffer> {
    return this.runNode(conn, q.cmd, args, -1) as Buffer | Promise<Buffer>;
  }

  // ----------------------------------------------------------------- intents

  closeAfterReply(conn: ClientView): void {
    (conn as Conn).closeAfterReply();
  }

  killClient(conn: ClientView): void {
    this.dropConn(conn as Conn);
  }

  setReplyMode(conn: ClientView, mode: ReplyMode): void {
    (conn as Conn).setReplyMode(mode);
  }

  resetClient(conn: ClientView): void {
    (conn as Conn).resetReplyMode();
    this.txn.reset(conn as Conn);
  }

  async unblockClient(id: number, withError: boolean): Promise<boolean> {
    const target = this.conns.get(id);
    if (target === undefined || target.blockedSeq < 0) return false;
    if (this.xblocks.unblock(id, withError)) return true;
    const mode = withError ? 'ERROR' : 'TIMEOUT';
    const replies = await Promise.all(this.shards.links.map((_, k) => this.shards.adminCall(k, [OP_CLIENTUNBLOCK, String(id), mode])));
    return replies.some((r) => r.latin1Slice(0, 4) === ':1\r\n');
  }

  injectFault(where: 'dispatch' | 'merge'): void {
    if (where === 'dispatch') this.faultDispatch = true;
    else this.shards.faultMerge = true;
  }

  adminCall(shard: number, args: string[]): Promise<Buffer> {
    return this.shards.adminCall(shard, args);
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

  // ------------------------------------------------- ReplySink (shard replies)

  onCommandReply(connId: number, seq: number, b: Buffer, s: number, e: number): void {
    const conn = this.conns.get(connId);
    if (conn === undefined) return;
    try {
      this.deliver(conn, seq, b, s, e);
    } catch (err) {
      this.connFailed(conn, err);
    }
  }

  onWake(token: number): void {
    try {
      this.xblocks.onWake(token);
    } catch (err) {
      this.log.error({ err }, 'cross-shard wait failed');
    }
  }

  onNote(args: string[]): void {
    if (args[0] === 'scriptforeign' && args.length === 2) this.scripts.onForeign(args[1]);
  }

  onControlReply(tx: number, op: number, reply: Buffer): void {
    this.coord.onReply(tx, op, reply);
  }

  afterDrain(): void {
    if (this.stalledConns.size > 0) {
      for (const c of [...this.stalledConns]) this.resume(c);
    }
    this.resumeUnblocked();
    this.endOfInput();
    this.flushConns();
  }

  onLoopError(e: unknown): void {
    this.log.error({ err: e }, 'reply loop error');
  }

  /** Parse the queued input of connections whose blocking command (or EXEC) answered. */
  private resumeUnblocked(): void {
    if (this.toResume.size === 0) return;
    const l = [...this.toResume];
    this.toResume.clear();
    for (const c of l) if (!c.closed && !c.stalled) this.processInput(c);
  }

  /** After a batch of input: publish rings now, ring doorbells once per turn. */
  endOfInput(): void {
    this.shards.publish();
    if (this.shards.wantsNotify) this.scheduleTurn();
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
    this.shards.publish();
    this.shards.notifyAll();
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
      if (this.obufLimited && this.overOutputLimit(c)) continue;
      // A client that stops reading must not grow our memory without bound.
      if (!c.closed && c.socket.writableLength > 64 * 1024 * 1024 && !c.stalled) {
        c.stalled = true;
        c.socket.pause();
      }
    }
  }

  /**
   * client-output-buffer-limit for normal clients, as Redis applies it: over
   * the hard limit, or over the soft limit for longer than its seconds, the
   * client is closed (its pending replies dropped). Checked when its output
   * is handed to the socket, so a client that stops reading meets it.
   */
  private overOutputLimit(c: Conn): boolean {
    const [hard, soft, secs] = this.obufNormal;
    const used = c.outLen + c.socket.writableLength;
    let over = hard > 0 && used >= hard;
    if (!over && soft > 0) {
      if (used < soft) c.softLimitSince = 0;
      else if (c.softLimitSince === 0) c.softLimitSince = Date.now();
      else over = Date.now() - c.softLimitSince >= secs * 1000;
    }
    if (!over) return false;
    this.log.warn({ id: c.id, addr: c.addr, omem: used }, 'Client scheduled to be closed ASAP for overcoming of output buffer limits.');
    this.dropConn(c);
    return true;
  }

  /** Hard, soft (bytes) and soft seconds of the normal class. */
  private obufNormal: [number, number, number] = [0, 0, 0];
  private obufLimited = false;

  private readOutputLimits(): void {
    const v = (this.config.get('client-output-buffer-limit') ?? '').split(/\s+/);
    const i = v.indexOf('normal');
    this.obufNormal = i >= 0 ? [Number(v[i + 1]) || 0, Number(v[i + 2]) || 0, Number(v[i + 3]) || 0] : [0, 0, 0];
    this.obufLimited = this.obufNormal[0] > 0 || this.obufNormal[1] > 0;
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
    for (const s of this.turnedAway) s.destroy();
    this.turnedAway.clear();
    await new Promise<void>((r) => (this.net ? this.net.close(() => r()) : r()));
    await this.shards.stop();
    this.log.info('bye');
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Shard statistics (INFO), one JSON object per shard. */
  async shardStats(): Promise<any[]> {
    const out = await Promise.all(this.shards.links.map((_, k) => this.shards.adminCall(k, [OP_STATS])));
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
    await Promise.all(this.shards.links.map((_, k) => this.shards.adminCall(k, [OP_RESETSTAT])));
  }

  hostInfo() {
    return { os: `${os.type()} ${os.release()} ${os.arch()}`, pid: process.pid };
  }
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

function randomHex(n: number): string {
  let s = '';
  while (s.length < n) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}
