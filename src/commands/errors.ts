// Redis's shared error replies, text exactly as Redis 7.0 sends them
// (without the leading '-' and trailing CRLF: ReplyWriter.error adds those).

export const E = {
  WRONGTYPE: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  SYNTAX: 'ERR syntax error',
  NOKEY: 'ERR no such key',
  SAMEOBJ: 'ERR source and destination objects are the same',
  OUTOFRANGE: 'ERR index out of range',
  NOTINT: 'ERR value is not an integer or out of range',
  NOTFLOAT: 'ERR value is not a valid float',
  OVERFLOW: 'ERR increment or decrement would overflow',
  NOAUTH: 'NOAUTH Authentication required.',
  BUSYKEY: 'BUSYKEY Target key name already exists.',
  DBINDEX: 'ERR DB index is out of range',
  NOTPOSITIVE: 'ERR value is out of range, must be positive',
  STRINGEXCEEDS: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
} as const;

export function arityError(name: string): string {
  return `ERR wrong number of arguments for '${name}' command`;
}
