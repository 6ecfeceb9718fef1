// RESP2/RESP3 reply encoder. One writer per thread, reused for every reply:
// handlers append to it, the caller takes the bytes (`take`/`len`) and resets.
// Strings are latin1: one char is one byte, so binary values round-trip.

import { formatDouble } from './double';

const CRLF = 0x0a0d; // little-endian "\r\n"

export class ReplyWriter {
  buf: Buffer;
  len = 0;
  proto: 2 | 3 = 2;
  /** Error replies written since the last reset (for errorstats). */
  errors = 0;
  /** Prefix ("ERR", "WRONGTYPE", …) of the last error written. */
  lastErrorCode = '';

  constructor(size = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(size);
  }

  reset(): void {
    this.len = 0;
    this.errors = 0;
  }

  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const nb = Buffer.allocUnsafe(size);
    this.buf.copy(nb, 0, 0, this.len);
    this.buf = nb;
  }

  /** Bytes written so far (a view: copy before the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  /** Append raw bytes (already RESP encoded). */
  raw(s: string): void {
    this.ensure(s.length);
    this.len += this.buf.latin1Write(s, this.len);
  }

  rawBuf(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  private crlf(): void {
    this.buf.writeUInt16LE(CRLF, this.len);
    this.len += 2;
  }

  ok(): void {
    this.raw('+OK\r\n');
  }

  simple(s: string): void {
    this.ensure(s.length + 3);
    this.buf[this.len++] = 0x2b; // +
    this.len += this.buf.latin1Write(s, this.len);
    this.crlf();
  }

  /** `msg` is the whole error text, code first: "ERR syntax error". */
  error(msg: string): void {
    // An error reply is one line: Redis turns CR/LF that client input brought
    // into an error text into spaces (addReplyErrorFormat).
    if (msg.indexOf('\r') >= 0 || msg.indexOf('\n') >= 0) msg = msg.replace(/[\r\n]/g, ' ');
    this.errors++;
    const sp = msg.indexOf(' ');
    this.lastErrorCode = sp < 0 ? msg : msg.slice(0, sp);
    this.ensure(msg.length + 3);
    this.buf[this.len++] = 0x2d; // -
    this.len += this.buf.latin1Write(msg, this.len);
    this.crlf();
  }

  int(n: number | bigint): void {
    const s = typeof n === 'bigint' ? n.toString() : Number.isInteger(n) ? String(n) : String(Math.trunc(n));
    this.ensure(s.length + 3);
    this.buf[this.len++] = 0x3a; // :
    this.len += this.buf.latin1Write(s, this.len);
    this.crlf();
  }

  private header(type: number, n: number): void {
    const s = String(n);
    this.ensure(s.length + 3);
    this.buf[this.len++] = type;
    this.len += this.buf.latin1Write(s, this.len);
    this.crlf();
  }

  /** Bulk string from a latin1 string; null is the null bulk. */
  bulk(s: string | null | undefined): void {
    if (s == null) return this.nil();
    const n = s.length;
    this.header(0x24, n);
    this.ensure(n + 2);
    this.len += this.buf.latin1Write(s, this.len);
    this.crlf();
  }

  bulkBuf(b: Uint8Array): void {
    this.header(0x24, b.length);
    this.ensure(b.length + 2);
    this.buf.set(b, this.len);
    this.len += b.length;
    this.crlf();
  }

  /** Null bulk: `$-1` in RESP2, `_` in RESP3. */
  nil(): void {
    this.raw(this.proto === 3 ? '_\r\n' : '$-1\r\n');
  }

  /** Null array: `*-1` in RESP2, `_` in RESP3. */
  nilArray(): void {
    this.raw(this.proto === 3 ? '_\r\n' : '*-1\r\n');
  }

  arr(n: number): void {
    this.header(0x2a, n);
  }

  /** Map of n pairs: `%n` in RESP3, a flat array of 2n in RESP2. */
  map(n: number): void {
    if (this.proto === 3) this.header(0x25, n);
    else this.header(0x2a, n * 2);
  }

  /** Set of n: `~n` in RESP3, an array in RESP2. */
  set(n: number): void {
    this.header(this.proto === 3 ? 0x7e : 0x2a, n);
  }

  /** Push of n (RESP3 `>`), an array in RESP2. */
  push(n: number): void {
    this.header(this.proto === 3 ? 0x3e : 0x2a, n);
  }

  /** Double: `,` in RESP3, a bulk string in RESP2, Redis's formatting. */
  double(d: number): void {
    const s = formatDouble(d);
    if (this.proto === 3) {
      this.ensure(s.length + 3);
      this.buf[this.len++] = 0x2c;
      this.len += this.buf.latin1Write(s, this.len);
      this.crlf();
    } else {
      this.bulk(s);
    }
  }

  /** Boolean: `#t`/`#f` in RESP3, `:1`/`:0` in RESP2. */
  bool(b: boolean): void {
    if (this.proto === 3) this.raw(b ? '#t\r\n' : '#f\r\n');
    else this.raw(b ? ':1\r\n' : ':0\r\n');
  }

  /** Verbatim string (RESP3 `=`), a bulk string in RESP2. */
  verbatim(s: string, format = 'txt'): void {
    if (this.proto !== 3) return this.bulk(s);
    this.header(0x3d, s.length + 4);
    this.raw(format + ':');
    this.raw(s);
    this.raw('\r\n');
  }

  /** Array of bulk strings. */
  bulks(items: readonly (string | null)[]): void {
    this.arr(items.length);
    for (let i = 0; i < items.length; i++) this.bulk(items[i]);
  }
}
