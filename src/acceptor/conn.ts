// Per-connection state on the acceptor: identity, protocol, selected db,
// unparsed input, and the reply reorder buffer that puts replies from several
// shards back into request order.

import type { Socket } from 'node:net';
import { copyBytes } from '../util/bytes';

import { ReplyMode, type ClientView } from '../commands/contract';

const OUT_INITIAL = 16 * 1024;

export class Conn implements ClientView {
  name = '';
  proto: 2 | 3 = 2;
  db = 0;
  authed: boolean;
  libName = '';
  libVer = '';
  readonly createdAt = Date.now();
  lastInteraction = Date.now();
  lastCmd = 'NULL';
  flags = 'N';
  noEvict = false;
  replyMode = ReplyMode.On;

  /** Unparsed input (a partial frame) lives in inBuf[inPos, inLen). */
  inBuf: Buffer | null = null;
  inPos = 0;
  inLen = 0;
  /** Bytes the scanner said it needs before it can finish the frame. */
  needBytes = 0;

  /** Next request sequence number to hand out. */
  nextSeq = 0;
  /** Sequence number of the next reply to send. */
  doneSeq = 0;
  /** Replies that arrived ahead of their turn. */
  pending: Map<number, Buffer> | null = null;
  /** Sequence numbers whose replies are suppressed (CLIENT REPLY OFF/SKIP). */
  silent: Set<number> | null = null;

  out: Buffer = Buffer.allocUnsafe(OUT_INITIAL);
  outLen = 0;
  dirty = false;
  /**
   * Set while a reply of this connection depends on something other than a
   * shard's prompt answer (an async acceptor command): flush what is ready.
   */
  waitingAsync = 0;
  /** Waiting for ring space: parsing stopped, socket paused. */
  stalled = false;
  /**
   * Sequence number of a blocking command (BLPOP…) still waiting, or -1.
   * Like Redis, a blocked client's further commands are not processed until
   * it is served.
   */
  blockedSeq = -1;
  /** When the output first stayed over the soft client-output-buffer-limit (0: not over). */
  softLimitSince = 0;
  /** Close once every reply up to this sequence number was written. */
  closeAfterSeq = -1;
  closed = false;
  /** Commands queued since MULTI, or null outside a transaction. */
  multi: import('../crossshard/exec').Queued[] | null = null;
  /** A command was refused while queueing: EXEC will abort (Redis's CLIENT_DIRTY_EXEC). */
  multiError = false;
  /** Shards holding this connection's WATCHes. */
  watchShards: Set<number> | null = null;
  /** Commands this connection has in flight at shards or the coordinator. */
  get inflight(): number {
    return this.nextSeq - this.doneSeq;
  }

  constructor(readonly id: number, readonly socket: Socket, requirePass: boolean) {
    this.authed = !requirePass;
  }

  get addr(): string {
    return `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? 0}`.replace(/^::ffff:/, '');
  }

  /** Loopback client (CONFIG's enable-protected-configs local). */
  get local(): boolean {
    const a = this.socket.remoteAddress ?? '';
    return a.startsWith('127.') || a === '::1' || a.startsWith('::ffff:127.');
  }

  get laddr(): string {
    return `${this.socket.localAddress ?? '?'}:${this.socket.localPort ?? 0}`.replace(/^::ffff:/, '');
  }

  /** CLIENT REPLY OFF/SKIP: the reply of sequence number seq is dropped (a SKIP is used up). */
  silence(seq: number): void {
    if (this.replyMode === ReplyMode.On) return;
    (this.silent ??= new Set()).add(seq);
    if (this.replyMode === ReplyMode.Skip) this.replyMode = ReplyMode.On;
  }

  /** CLIENT REPLY ON|OFF|SKIP, sent as the command being run (the last sequence number). */
  setReplyMode(mode: ReplyMode): void {
    const seq = this.nextSeq - 1;
    if (mode === ReplyMode.On) {
      // Flags are cleared before the +OK is queued, so it is always sent.
      this.silent?.delete(seq);
      this.replyMode = ReplyMode.On;
    } else if (mode === ReplyMode.Off) {
      this.replyMode = ReplyMode.Off;
      this.silence(seq);
    } else if (this.replyMode !== ReplyMode.Off) {
      // silence() would consume SKIP on this very command; the skip is
      // meant for the next one.
      (this.silent ??= new Set()).add(seq);
      this.replyMode = ReplyMode.Skip;
    }
  }

  /**
   * RESET's part: REPLY OFF is cleared before RESET replies, so its own
   * reply goes out; a pending SKIP (mode already back to On) still
   * swallows it.
   */
  resetReplyMode(): void {
    if (this.replyMode === ReplyMode.Off) this.silent?.delete(this.nextSeq - 1);
    this.replyMode = ReplyMode.On;
  }

  /** Close once the reply of the command being run is written (QUIT, CLIENT KILL of itself). */
  closeAfterReply(): void {
    this.closeAfterSeq = this.nextSeq - 1;
  }

  /** Append reply bytes to the output buffer. */
  writeOut(b: Uint8Array, s: number, e: number): void {
    const n = e - s;
    if (this.outLen + n > this.out.length) {
      let size = this.out.length * 2;
      while (size < this.outLen + n) size *= 2;
      const nb = Buffer.allocUnsafe(size);
      this.out.copy(nb, 0, 0, this.outLen);
      this.out = nb;
    }
    copyBytes(b, s, e, this.out, this.outLen);
    this.outLen += n;
  }

  /** Hand the output to the socket: one write per connection per turn. */
  flush(): void {
    this.dirty = false;
    if (this.outLen === 0 || this.closed) return;
    const n = this.outLen;
    const b = Buffer.allocUnsafe(n);
    this.out.copy(b, 0, 0, n);
    this.outLen = 0;
    if (this.out.length > 1024 * 1024) this.out = Buffer.allocUnsafe(OUT_INITIAL);
    this.socket.write(b);
  }
}
