// Expected-reply builders for unit tests (exact RESP bytes as latin1 strings),
// and a reader for replies whose element order is unspecified.
import { readReply, RespError, RespValue } from '../../src/protocol/resp-read';

export const int = (n: number | string): string => `:${n}\r\n`;
export const bulk = (s: string): string => `$${s.length}\r\n${s}\r\n`;
export const arr = (...items: string[]): string => `*${items.length}\r\n` + items.join('');
export const bulks = (...items: string[]): string => arr(...items.map(bulk));
export const err = (m: string): string => `-${m}\r\n`;
export const NIL = '$-1\r\n';
export const NILARR = '*-1\r\n';
export const WRONGTYPE = err('WRONGTYPE Operation against a key holding the wrong kind of value');

function plain(v: RespValue): any {
  if (v instanceof RespError) return new Error(v.message);
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

/** Decode one reply (RESP2 or RESP3) into plain values; errors become Error objects. */
export function parse(s: string): any {
  return plain(readReply(Buffer.from(s, 'latin1'), 0).value);
}
