// Connection commands, run on the acceptor (networking.c / acl.c / db.c
// semantics): PING ECHO QUIT RESET HELLO AUTH SELECT and CLIENT.

import { ReplyMode, type AcceptorView, type ClientView, type CommandDef, type NodeCtx } from './contract';
import { VERSION } from '../version';
import { E, arityError, cstr } from './errors';
import { parseLL } from '../util/parse';
import { replyHelp, unknownSubcommandError } from './table';

// The handlers see the acceptor through the contract's views and intents.
export type ConnView = ClientView;
export type ServerView = AcceptorView;
type Ctx = NodeCtx;

// ------------------------------------------------------------ helpers

/** Bytes '!'..'~' only, so CLIENT LIST stays splittable on spaces. */
export function validClientAttr(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

function requirePass(s: ServerView): string {
  return s.config.get('requirepass') ?? '';
}

/** ACLAuthenticateUser with only the default user: nopass accepts anything. */
function checkCredentials(s: ServerView, user: string, pass: string): boolean {
  if (user !== 'default') return false;
  const rp = requirePass(s);
  return rp === '' || pass === rp;
}

/** "ip:port", IPv6 in brackets, as Redis formats peer and socket names. */
export function formatAddr(ip: string | undefined, port: number | undefined): string {
  if (ip === undefined) return '?:0';
  if (ip.startsWith('::ffff:') && ip.indexOf('.') > 0) ip = ip.slice(7);
  return ip.indexOf(':') >= 0 ? `[${ip}]:${port ?? 0}` : `${ip}:${port ?? 0}`;
}

export function peerId(c: ConnView): string {
  return formatAddr(c.socket.remoteAddress, c.socket.remotePort);
}

export function sockName(c: ConnView): string {
  return formatAddr(c.socket.localAddress, c.socket.localPort);
}

// Node hides descriptors; libuv's TCP handle still exposes it on Unix.
let fakeFd = 1000;
const fdOf = new WeakMap<object, number>();
function fd(c: ConnView): number {
  const h = (c.socket as unknown as { _handle?: { fd?: number } })._handle;
  if (h && typeof h.fd === 'number' && h.fd >= 0) return h.fd;
  let f = fdOf.get(c);
  if (f === undefined) fdOf.set(c, (f = fakeFd++));
  return f;
}

const FLAG_ORDER = 'SOMPxbtRBdcuAUre';

/** CLIENT LIST flags: the letters others set, plus the ones derived here, in Redis's order. */
export function clientFlags(c: ConnView): string {
  let f = c.flags === 'N' ? '' : c.flags;
  if (c.closeAfterSeq >= 0 && f.indexOf('c') < 0) f += 'c';
  if (c.noEvict && f.indexOf('e') < 0) f += 'e';
  if (c.multi !== null && f.indexOf('x') < 0) f += 'x';
  if (f.length === 0) return 'N';
  if (f.length === 1) return f;
  return [...f].sort((a, b) => FLAG_ORDER.indexOf(a) - FLAG_ORDER.indexOf(b)).join('');
}

function isPubsub(c: ConnView): boolean {
  return c.flags.indexOf('P') >= 0;
}

/**
 * One CLIENT LIST / CLIENT INFO line (no newline), Redis 7.0.15 fields in
 * order. `argvMem` is the argument bytes of the command being run (the
 * caller's own line), 0 for idle clients.
 */
export function clientInfoLine(c: ConnView, now = Date.now(), argvMem = 0): string {
  const nowS = Math.floor(now / 1000);
  const qbuf = c.inBuf === null ? 0 : c.inLen - c.inPos;
  const qfree = c.inBuf === null ? 0 : c.inBuf.length - c.inLen;
  const pendingOut = c.socket.writableLength ?? 0;
  const rbs = c.out.length;
  const totMem = rbs + (c.inBuf === null ? 0 : c.inBuf.length) + pendingOut + argvMem;
  let events = 'r';
  if (pendingOut > 0) events += 'w';
  return (
    `id=${c.id} addr=${peerId(c)} laddr=${sockName(c)} fd=${fd(c)} name=${c.name}` +
    ` age=${nowS - Math.floor(c.createdAt / 1000)} idle=${nowS - Math.floor(c.lastInteraction / 1000)}` +
    ` flags=${clientFlags(c)} db=${c.db} sub=0 psub=0 ssub=0 multi=${c.multi === null ? -1 : c.multi.length}` +
    ` qbuf=${qbuf} qbuf-free=${qfree} argv-mem=${argvMem} multi-mem=0` +
    ` rbs=${rbs} rbp=${c.outLen} obl=${c.outLen} oll=0 omem=${pendingOut} tot-mem=${totMem}` +
    ` events=${events} cmd=${c.lastCmd} user=default redir=-1 resp=${c.proto}`
  );
}

function argvLen(a: string[]): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) n += a[i].length;
  return n;
}

/** getClientTypeByName: -1 unknown. */
const CLIENT_TYPES: Record<string, number> = { normal: 0, slave: 1, replica: 1, pubsub: 2, master: 3 };
function clientType(name: string): number {
  const t = CLIENT_TYPES[name.toLowerCase()];
  return t === undefined ? -1 : t;
}
function typeOf(c: ConnView): number {
  return isPubsub(c) ? 2 : 0;
}

// ------------------------------------------------------------ commands

function ping(c: Ctx, a: string[]): void {
  const w = c.w;
  if (a.length > 2) return w.error(arityError('ping'));
  if (w.proto === 2 && isPubsub(c.conn)) {
    w.arr(2);
    w.bulk('pong');
    w.bulk(a.length === 1 ? '' : a[1]);
    return;
  }
  if (a.length === 1) w.simple('PONG');
  else w.bulk(a[1]);
}

function quit(c: Ctx): void {
  c.w.ok();
  c.server.closeAfterReply(c.conn);
}

function reset(c: Ctx): void {
  const conn = c.conn;
  c.server.resetClient(conn);
  conn.db = 0;
  conn.proto = 2;
  c.w.proto = 2;
  conn.name = '';
  conn.authed = requirePass(c.server) === '';
  // 7.0.15 keeps CLIENT NO-EVICT across RESET (7.2 clears it).
  c.w.simple('RESET');
}

function hello(c: Ctx, a: string[]): void {
  const w = c.w, conn = c.conn;
  let ver = 0;
  let j = 1;
  if (a.length >= 2) {
    const v = parseLL(a[j++]);
    if (v === null) return w.error('ERR Protocol version is not an integer or out of range');
    if (v < 2n || v > 3n) return w.error('NOPROTO unsupported protocol version');
    ver = Number(v);
  }
  for (; j < a.length; j++) {
    const more = a.length - 1 - j;
    const opt = a[j].toLowerCase();
    if (opt === 'auth' && more >= 2) {
      if (!checkCredentials(c.server, a[j + 1], a[j + 2])) {
        return w.error('WRONGPASS invalid username-password pair or user is disabled.');
      }
      conn.authed = true;
      j += 2;
    } else if (opt === 'setname' && more >= 1) {
      if (!validClientAttr(a[j + 1])) return w.error('ERR Client names cannot contain spaces, newlines or special characters.');
      conn.name = a[j + 1];
      j++;
    } else {
      return w.error(`ERR Syntax error in HELLO option '${cstr(a[j])}'`);
    }
  }
  if (!conn.authed) {
    return w.error(
      'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
    );
  }
  if (ver !== 0) conn.proto = w.proto = ver as 2 | 3;
  w.map(7);
  w.bulk('server');
  w.bulk('redis');
  w.bulk('version');
  w.bulk(VERSION);
  w.bulk('proto');
  w.int(conn.proto);
  w.bulk('id');
  w.int(conn.id);
  w.bulk('mode');
  w.bulk('standalone');
  w.bulk('role');
  w.bulk('master');
  w.bulk('modules');
  w.arr(0);
}

function auth(c: Ctx, a: string[]): void {
  const w = c.w;
  if (a.length > 3) return w.error(E.SYNTAX);
  let user = 'default', pass: string;
  if (a.length === 2) {
    if (requirePass(c.server) === '') {
      return w.error(
        'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
      );
    }
    pass = a[1];
  } else {
    user = a[1];
    pass = a[2];
  }
  if (!checkCredentials(c.server, user, pass)) return w.error('WRONGPASS invalid username-password pair or user is disabled.');
  c.conn.authed = true;
  w.ok();
}

function select(c: Ctx, a: string[]): void {
  const v = parseLL(a[1]);
  if (v === null) return c.w.error(E.NOTINT);
  if (v < -2147483648n || v > 2147483647n) {
    return c.w.error('ERR value is out of range, value must between -2147483648 and 2147483647');
  }
  const id = Number(v);
  if (id < 0 || id >= c.server.config.num('databases')) return c.w.error(E.DBINDEX);
  c.conn.db = id;
  c.w.ok();
}

// ---- CLIENT

const CLIENT_HELP = [
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
];

/** Subcommands 7.0.15 has that keyshard doesn't (tracking, pause, unblock). */
function clientContainer(c: Ctx, a: string[]): void {
  const sub = a[1].toLowerCase();
  // CLIENT SETINFO is Redis 7.2's; clients send it on connect (and ignore
  // an error), so it is honoured even though 7.0 lacks it.
  if (sub === 'setinfo') return clientSetinfo(c, a);
  c.w.error(unknownSubcommandError(a));
}

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: the waiter lives on a shard; ask them all. */
async function clientUnblock(c: Ctx, a: string[]): Promise<void> {
  const w = c.w;
  let mode = 'TIMEOUT';
  if (a.length === 4) {
    const r = a[3].toLowerCase();
    if (r === 'error') mode = 'ERROR';
    else if (r !== 'timeout') return w.error('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
  }
  const id = parseLL(a[2]);
  if (id === null) return w.error(E.NOTINT);
  w.int((await c.server.unblockClient(Number(id), mode === 'ERROR')) ? 1 : 0);
}

function clientSetinfo(c: Ctx, a: string[]): void {
  const w = c.w;
  if (a.length !== 4) return w.error(arityError('client|setinfo'));
  const attr = a[2].toLowerCase();
  if (attr !== 'lib-name' && attr !== 'lib-ver') return w.error(`ERR Unrecognized option '${cstr(a[2])}'`);
  if (!validClientAttr(a[3])) return w.error(`ERR ${cstr(a[2])} cannot contain spaces, newlines or special characters.`);
  if (attr === 'lib-name') c.conn.libName = a[3];
  else c.conn.libVer = a[3];
  w.ok();
}

function clientList(c: Ctx, a: string[]): void {
  const w = c.w, conns = c.server.conns;
  const now = Date.now();
  const self = c.conn;
  const selfArgv = argvLen(a);
  let type = -1;
  let out = '';
  if (a.length === 4 && a[2].toLowerCase() === 'type') {
    type = clientType(a[3]);
    if (type < 0) return w.error(`ERR Unknown client type '${cstr(a[3])}'`);
  } else if (a.length > 3 && a[2].toLowerCase() === 'id') {
    for (let j = 3; j < a.length; j++) {
      const id = parseLL(a[j]);
      if (id === null) return w.error('ERR Invalid client ID');
      const cl = conns.get(Number(id));
      if (cl !== undefined) out += clientInfoLine(cl, now, cl === self ? selfArgv : 0) + '\n';
    }
    return w.verbatim(out);
  } else if (a.length !== 2) {
    return w.error(E.SYNTAX);
  }
  for (const cl of conns.values()) {
    if (type >= 0 && typeOf(cl) !== type) continue;
    out += clientInfoLine(cl, now, cl === self ? selfArgv : 0) + '\n';
  }
  w.verbatim(out);
}

function clientInfo(c: Ctx, a: string[]): void {
  c.w.verbatim(clientInfoLine(c.conn, Date.now(), argvLen(a)) + '\n');
}

function clientKill(c: Ctx, a: string[]): void {
  const w = c.w, self = c.conn;
  let addr: string | null = null;
  let laddr: string | null = null;
  let type = -1;
  let id = 0;
  let skipme = true;
  if (a.length === 3) {
    addr = a[2];
    skipme = false; // the old form may kill the caller itself
  } else if (a.length > 3) {
    for (let i = 2; i < a.length; i += 2) {
      const more = a.length > i + 1;
      const opt = a[i].toLowerCase();
      if (!more) return w.error(E.SYNTAX);
      const v = a[i + 1];
      if (opt === 'id') {
        const n = parseLL(v);
        if (n === null || n < 1n) return w.error('ERR client-id should be greater than 0');
        id = Number(n);
      } else if (opt === 'type') {
        type = clientType(v);
        if (type < 0) return w.error(`ERR Unknown client type '${cstr(v)}'`);
      } else if (opt === 'addr') {
        addr = v;
      } else if (opt === 'laddr') {
        laddr = v;
      } else if (opt === 'user') {
        // Every connection runs as the one user, so only its existence matters.
        if (v !== 'default') return w.error(`ERR No such user '${cstr(v)}'`);
      } else if (opt === 'skipme') {
        const yn = v.toLowerCase();
        if (yn === 'yes') skipme = true;
        else if (yn === 'no') skipme = false;
        else return w.error(E.SYNTAX);
      } else {
        return w.error(E.SYNTAX);
      }
    }
  } else {
    return w.error(E.SYNTAX);
  }
  let killed = 0;
  let closeSelf = false;
  for (const cl of [...c.server.conns.values()]) {
    if (addr !== null && peerId(cl) !== addr) continue;
    if (laddr !== null && sockName(cl) !== laddr) continue;
    if (type >= 0 && typeOf(cl) !== type) continue;
    if (id !== 0 && cl.id !== id) continue;
    if (cl === self) {
      if (skipme) continue;
      closeSelf = true;
    } else {
      c.server.killClient(cl);
    }
    killed++;
  }
  if (a.length === 3) {
    if (killed === 0) w.error('ERR No such client');
    else w.ok();
  } else {
    w.int(killed);
  }
  if (closeSelf) c.server.closeAfterReply(self);
}

function clientReply(c: Ctx, a: string[]): void {
  const mode = a[2].toLowerCase();
  if (mode === 'on') {
    c.server.setReplyMode(c.conn, ReplyMode.On);
    c.w.ok();
  } else if (mode === 'off') {
    c.server.setReplyMode(c.conn, ReplyMode.Off);
  } else if (mode === 'skip') {
    c.server.setReplyMode(c.conn, ReplyMode.Skip);
  } else {
    c.w.error(E.SYNTAX);
  }
}

function clientNoEvict(c: Ctx, a: string[]): void {
  const v = a[2].toLowerCase();
  if (v === 'on') c.conn.noEvict = true;
  else if (v === 'off') c.conn.noEvict = false;
  else return c.w.error(E.SYNTAX);
  c.w.ok();
}

function clientSetname(c: Ctx, a: string[]): void {
  if (!validClientAttr(a[2])) return c.w.error('ERR Client names cannot contain spaces, newlines or special characters.');
  c.conn.name = a[2];
  c.w.ok();
}

function clientTrackinginfo(c: Ctx): void {
  const w = c.w;
  w.map(3);
  w.bulk('flags');
  w.set(1);
  w.bulk('off');
  w.bulk('redirect');
  w.int(-1);
  w.bulk('prefixes');
  w.arr(0);
}

export const commands: CommandDef[] = [
  { name: 'ping', node: ping },
  { name: 'echo', node: (c, a) => c.w.bulk(a[1]) },
  { name: 'quit', node: quit, txnControl: true },
  { name: 'reset', node: reset, txnControl: true },
  { name: 'hello', node: hello },
  { name: 'auth', node: auth },
  { name: 'select', node: select },
  { name: 'client', node: clientContainer },
  { name: 'client|id', node: (c) => c.w.int(c.conn.id) },
  { name: 'client|getname', node: (c) => (c.conn.name === '' ? c.w.nil() : c.w.bulk(c.conn.name)) },
  { name: 'client|setname', node: clientSetname },
  { name: 'client|list', node: clientList },
  { name: 'client|info', node: clientInfo },
  { name: 'client|kill', node: clientKill },
  { name: 'client|reply', node: clientReply },
  { name: 'client|no-evict', node: clientNoEvict },
  { name: 'client|getredir', node: (c) => c.w.int(-1) },
  { name: 'client|trackinginfo', node: clientTrackinginfo },
  { name: 'client|unblock', node: clientUnblock },
  { name: 'client|help', node: (c, a) => replyHelp(c.w, a[0], CLIENT_HELP) },
];
