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
