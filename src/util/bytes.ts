// Byte helpers of the hot paths: small copies, and the last-command-name
// memo the acceptor and the shards use to skip decoding repeated names.

/**
 * Copy src[s, e) to dst at d. Small frames and replies (most of them) copy
 * faster in a JS loop than through the native Buffer.copy/TypedArray.set call.
 */
export function copyBytes(src: Uint8Array, s: number, e: number, dst: Uint8Array, d: number): void {
  const n = e - s;
  if (n <= 96) {
    for (let i = 0; i < n; i++) dst[d + i] = src[s + i];
  } else {
    dst.set(src.subarray(s, e), d);
  }
}

/**
 * The bytes of the last command name seen. Pipelines repeat one name: a
 * byte compare with the previous one spares a string and a hash lookup.
 */
export class LastName {
  private readonly b = Buffer.alloc(32);
  private n = -1;

  /** buf[s, s+n) equals the remembered name. */
  same(buf: Uint8Array, s: number, n: number): boolean {
    if (n !== this.n) return false;
    const b = this.b;
    for (let i = 0; i < n; i++) if (buf[s + i] !== b[i]) return false;
    return true;
  }

  /** Remember buf[s, s+n); false (nothing kept) when it is too long. */
  remember(buf: Uint8Array, s: number, n: number): boolean {
    if (n > this.b.length) return false;
    this.b.set(buf.subarray(s, s + n));
    this.n = n;
    return true;
  }
}
