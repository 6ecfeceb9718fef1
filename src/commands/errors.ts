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

/**
 * An error text that embeds client input, cleaned the way Redis's
 * addReplyErrorFormat cleans it: trailing CR/LF trimmed, inner CR/LF turned
 * into spaces, so the reply stays one protocol line. Pass client strings
 * through cstr first when Redis formats them with %s.
 */
export function formatError(msg: string): string {
  let end = msg.length;
  while (end > 0 && (msg.charCodeAt(end - 1) === 13 || msg.charCodeAt(end - 1) === 10)) end--;
  if (end !== msg.length) msg = msg.slice(0, end);
  return /[\r\n]/.test(msg) ? msg.replace(/[\r\n]/g, ' ') : msg;
}

/** A client string as C's %s prints it: up to its first NUL byte. */
export function cstr(s: string): string {
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
}
