// Node's Buffer has undocumented direct codec methods that skip the encoding
// dispatch of write()/toString(); they are stable across Node 12–22 and are
// the cheapest latin1 paths on the hot path.
declare global {
  interface Buffer {
    latin1Write(s: string, offset?: number, length?: number): number;
    latin1Slice(start?: number, end?: number): string;
  }
}
export {};
