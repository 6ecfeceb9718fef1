// The Lua scripting engine (src/scripting/engine.ts) against Redis 7.0.15:
// every case runs the same script with the same KEYS/ARGV twice, by EVAL on
// a real redis-server started here and by ScriptEngine.run with a small
// in-memory host answering redis.call like Redis; the reply bytes must be
// identical, for a RESP2 and for a RESP3 client. The host's replies for the
// few commands it knows are Redis's own, so every conversion (RESP -> Lua
// and Lua -> RESP), error text and error position is compared end to end.
// Without redis-server the test fails: it never skips.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { createHash } from 'node:crypto';
import { ScriptEngine, type ScriptHost } from '../../src/scripting/engine';
import { ReplyWriter } from '../../src/protocol/reply';
import { formatDouble } from '../../src/protocol/double';
import { freePort } from '../helpers/server';

// ---------------------------------------------------------------------------
// A raw RESP connection to the real server.

/** End of the reply starting at p, or -1 when the buffer does not hold all of it yet. */
function replyEnd(b: Buffer, p: number): number {
  let pending = 1; // values still to read (aggregates add their elements)
  while (pending > 0) {
    if (p >= b.length) return -1;
    const e = b.indexOf('\r\n', p, 'latin1');
    if (e < 0) return -1;
    const t = b[p];
    const n = Number(b.latin1Slice(p + 1, e));
    p = e + 2;
    pending--;
    if (t === 0x24 || t === 0x3d) {
      if (n >= 0) p += n + 2;
      if (p > b.length) return -1;
    } else if ((t === 0x2a || t === 0x7e || t === 0x3e) && n > 0) pending += n;
    else if (t === 0x25 && n > 0) pending += 2 * n;
    else if (t === 0x7c) pending += 2 * n + 1;
  }
  return p;
}

class Conn {
  private buf = Buffer.alloc(0);
  private waiting: Array<(b: Buffer) => void> = [];
  private closed = false;
  private constructor(private readonly sock: net.Socket) {
    // A server that dies answers every pending and later request with this.
    sock.on('close', () => {
      this.closed = true;
      for (const f of this.waiting.splice(0)) f(Buffer.from('<connection closed: redis-server died>'));
    });
    sock.on('error', () => {});
    sock.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (;;) {
        if (this.waiting.length === 0) return;
        const end = replyEnd(this.buf, 0);
        if (end < 0) return;
        const r = this.buf.subarray(0, end);
        this.buf = this.buf.subarray(end);
        this.waiting.shift()!(Buffer.from(r));
      }
    });
  }
  static connect(port: number): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new Conn(s)));
      s.once('error', reject);
    });
  }
  send(args: string[]): Promise<string> {
    const frame = `*${args.length}\r\n` + args.map((a) => `$${a.length}\r\n${a}\r\n`).join('');
    return new Promise((resolve) => {
      if (this.closed) return resolve('<connection closed: redis-server died>');
      this.waiting.push((b) => resolve(b.toString('latin1')));
      this.sock.write(Buffer.from(frame, 'latin1'));
    });
  }
  close(): void {
    this.sock.destroy();
  }
}

// ---------------------------------------------------------------------------
// The host: a few commands answered as Redis 7.0 answers them (small
// encodings: hashes in insertion order, integer sets sorted, zsets by score).

type Val =
  | { t: 'string'; v: string }
  | { t: 'list'; v: string[] }
  | { t: 'hash'; v: Map<string, string> }
  | { t: 'set'; v: Set<string> }
  | { t: 'zset'; v: Map<string, number> };

const ARITY: Record<string, number> = {
  get: 2, set: -3, del: -2, incr: 2, hset: -4, hget: 3, hgetall: 2, rpush: -3, lrange: 4, sadd: -3,
  smembers: 2, zadd: -4, zscore: 3, zrange: -4, ping: -1, echo: 2, exists: -2, mget: -2, type: 2,
};
const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';

class FakeRedis implements ScriptHost {
  data = new Map<string, Val>();
  logs: Array<[number, string]> = [];
  repl: number[] = [];

  log(level: number, msg: string): void {
    this.logs.push([level, msg]);
  }
  setRepl(flags: number): void {
    this.repl.push(flags);
  }

  call(args: string[], proto: 2 | 3): Buffer {
    return Buffer.from(this.exec(args, proto), 'latin1');
  }

  private exec(a: string[], proto: 2 | 3): string {
    const name = a[0].toLowerCase();
    const arity = ARITY[name];
    if (arity === undefined) return '-ERR Unknown Redis command called from script\r\n';
    if (arity > 0 ? a.length !== arity : a.length < -arity) {
      return '-ERR Wrong number of args calling Redis command from script\r\n';
    }
    const bulk = (s: string) => `$${s.length}\r\n${s}\r\n`;
    const nil = proto === 3 ? '_\r\n' : '$-1\r\n';
    const dbl = (d: number) => (proto === 3 ? `,${formatDouble(d)}\r\n` : bulk(formatDouble(d)));
    const get = (k: string, t: Val['t']): Val | null | 'wrong' => {
      const v = this.data.get(k);
      if (v === undefined) return null;
      return v.t === t ? v : 'wrong';
    };
    switch (name) {
      case 'ping':
        return a.length === 1 ? '+PONG\r\n' : bulk(a[1]);
      case 'echo':
        return bulk(a[1]);
      case 'get': {
        const v = get(a[1], 'string');
        if (v === 'wrong') return WRONGTYPE;
        return v === null ? nil : bulk(v.v as string);
      }
      case 'mget':
        return `*${a.length - 1}\r\n` + a.slice(1).map((k) => {
          const v = this.data.get(k);
          return v?.t === 'string' ? bulk(v.v) : nil;
        }).join('');
      case 'set':
        this.data.set(a[1], { t: 'string', v: a[2] });
        return '+OK\r\n';
      case 'del': {
        let n = 0;
        for (const k of a.slice(1)) if (this.data.delete(k)) n++;
        return `:${n}\r\n`;
      }
      case 'exists':
        return `:${a.slice(1).filter((k) => this.data.has(k)).length}\r\n`;
      case 'type':
        return `+${this.data.get(a[1])?.t ?? 'none'}\r\n`;
      case 'incr': {
        const v = get(a[1], 'string');
        if (v === 'wrong') return WRONGTYPE;
        const cur = v === null ? '0' : (v.v as string);
        if (!/^-?[0-9]+$/.test(cur)) return '-ERR value is not an integer or out of range\r\n';
        const n = BigInt(cur) + 1n;
        this.data.set(a[1], { t: 'string', v: String(n) });
        return `:${n}\r\n`;
      }
      case 'hset': {
        let v = get(a[1], 'hash');
        if (v === 'wrong') return WRONGTYPE;
        if (v === null) this.data.set(a[1], (v = { t: 'hash', v: new Map() }));
        const h = v.v as Map<string, string>;
        let n = 0;
        for (let i = 2; i + 1 < a.length; i += 2) {
          if (!h.has(a[i])) n++;
          h.set(a[i], a[i + 1]);
        }
        return `:${n}\r\n`;
      }
      case 'hget': {
        const v = get(a[1], 'hash');
        if (v === 'wrong') return WRONGTYPE;
        const x = v === null ? undefined : (v.v as Map<string, string>).get(a[2]);
        return x === undefined ? nil : bulk(x);
      }
      case 'hgetall': {
        const v = get(a[1], 'hash');
        if (v === 'wrong') return WRONGTYPE;
        const h = v === null ? new Map<string, string>() : (v.v as Map<string, string>);
        const head = proto === 3 ? `%${h.size}\r\n` : `*${h.size * 2}\r\n`;
        return head + [...h].map(([f, x]) => bulk(f) + bulk(x)).join('');
      }
      case 'rpush': {
        let v = get(a[1], 'list');
        if (v === 'wrong') return WRONGTYPE;
        if (v === null) this.data.set(a[1], (v = { t: 'list', v: [] }));
        (v.v as string[]).push(...a.slice(2));
        return `:${(v.v as string[]).length}\r\n`;
      }
      case 'lrange': {
        const v = get(a[1], 'list');
        if (v === 'wrong') return WRONGTYPE;
        const l = v === null ? [] : (v.v as string[]);
        let s = Number(a[2]);
        let e = Number(a[3]);
        if (s < 0) s = Math.max(0, l.length + s);
        if (e < 0) e = l.length + e;
        const out = l.slice(s, e + 1);
        return `*${out.length}\r\n` + out.map(bulk).join('');
      }
      case 'sadd': {
        let v = get(a[1], 'set');
        if (v === 'wrong') return WRONGTYPE;
        if (v === null) this.data.set(a[1], (v = { t: 'set', v: new Set() }));
        const st = v.v as Set<string>;
        let n = 0;
        for (const m of a.slice(2)) if (!st.has(m)) (st.add(m), n++);
        return `:${n}\r\n`;
      }
      case 'smembers': {
        // integer members only (an intset: ascending)
        const v = get(a[1], 'set');
        if (v === 'wrong') return WRONGTYPE;
        const m = v === null ? [] : [...(v.v as Set<string>)].sort((x, y) => Number(x) - Number(y));
        return `${proto === 3 ? '~' : '*'}${m.length}\r\n` + m.map(bulk).join('');
      }
      case 'zadd': {
        let v = get(a[1], 'zset');
        if (v === 'wrong') return WRONGTYPE;
        if (v === null) this.data.set(a[1], (v = { t: 'zset', v: new Map() }));
        const z = v.v as Map<string, number>;
        let n = 0;
        for (let i = 2; i + 1 < a.length; i += 2) {
          if (!z.has(a[i + 1])) n++;
          z.set(a[i + 1], Number(a[i]));
        }
        return `:${n}\r\n`;
      }
      case 'zscore': {
        const v = get(a[1], 'zset');
        if (v === 'wrong') return WRONGTYPE;
        const s = v === null ? undefined : (v.v as Map<string, number>).get(a[2]);
        return s === undefined ? nil : dbl(s);
      }
      case 'zrange': {
        // ZRANGE key 0 -1 [WITHSCORES]
        const v = get(a[1], 'zset');
        if (v === 'wrong') return WRONGTYPE;
        const z = v === null ? [] : [...(v.v as Map<string, number>)].sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : 1));
        const ws = a.length > 4 && a[4].toLowerCase() === 'withscores';
        if (!ws) return `*${z.length}\r\n` + z.map(([m]) => bulk(m)).join('');
        if (proto === 3) return `*${z.length}\r\n` + z.map(([m, s]) => `*2\r\n${bulk(m)}${dbl(s)}`).join('');
        return `*${z.length * 2}\r\n` + z.map(([m, s]) => bulk(m) + dbl(s)).join('');
      }
    }
    return '-ERR not in the fake\r\n';
  }
}

// ---------------------------------------------------------------------------

let server: ChildProcess | null = null;
let port = 0;
let r2: Conn; // RESP2 client
let r3: Conn; // RESP3 client
let engine: ScriptEngine;
const host = new FakeRedis();
const w = new ReplyWriter();

const sha1 = (s: string) => createHash('sha1').update(s, 'latin1').digest('hex');

async function startRedis(): Promise<void> {
  port = await freePort();
  server = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  server.stdout!.on('data', (d) => (out += d));
  server.stderr!.on('data', (d) => (out += d));
  const failed = new Promise<never>((_, reject) => {
    server!.once('error', (e) => reject(new Error(`redis-server is required for this test and could not start: ${e.message}`)));
  });
  const deadline = Date.now() + 10000;
  for (;;) {
    try {
      r2 = await Promise.race([Conn.connect(port), failed]);
      break;
    } catch (e) {
      if ((e as Error).message.includes('redis-server is required')) throw e;
      if (server.exitCode !== null) throw new Error('redis-server exited: ' + out);
      if (Date.now() > deadline) throw new Error('redis-server did not start: ' + out);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const info = await r2.send(['INFO', 'server']);
  if (!info.includes('redis_version:7.0.')) throw new Error('redis-server is not Redis 7.0: ' + info.slice(0, 200));
  r3 = await Conn.connect(port);
  await r3.send(['HELLO', '3']);
}

/** The script's reply from real Redis and from the engine, for one protocol. */
async function both(proto: 2 | 3, script: string, keys: string[] = [], args: string[] = []): Promise<[string, string]> {
  const theirs = await (proto === 3 ? r3 : r2).send(['EVAL', script, String(keys.length), ...keys, ...args]);
  w.reset();
  w.proto = proto;
  const l = engine.load(script);
  if ('err' in l) w.error(l.err);
  else engine.run(l.sha, keys, args, w, host);
  return [w.view().toString('latin1'), theirs];
}

/** Same command on both keyspaces (setup). */
async function cmd(...args: string[]): Promise<void> {
  await r2.send(args);
  host.call(args, 2);
}

async function reset(): Promise<void> {
  await r2.send(['FLUSHALL']);
  host.data.clear();
}

interface Case {
  name: string;
  script: string;
  keys?: string[];
  args?: string[];
  setup?: string[][];
  /** RESP2 only / RESP3 only. */
  proto?: 2 | 3;
}

beforeAll(async () => {
  const e = ScriptEngine.create();
  if (e === null) throw new Error('ScriptEngine.create failed: ' + ScriptEngine.loadError);
  engine = e;
  await startRedis();
}, 30000);

afterAll(() => {
  r2?.close();
  r3?.close();
  if (server?.pid !== undefined && server.exitCode === null) process.kill(server.pid, 'SIGKILL');
});

async function check(c: Case): Promise<void> {
  for (const proto of [2, 3] as const) {
    if (c.proto !== undefined && c.proto !== proto) continue;
    await reset();
    for (const s of c.setup ?? []) await cmd(...s);
    const [ours, theirs] = await both(proto, c.script, c.keys, c.args);
    expect({ proto, ours }, c.name).toEqual({ proto, ours: theirs });
  }
}

function cases(title: string, list: Case[]): void {
  describe(title, () => {
    for (const c of list) it(c.name, () => check(c));
  });
}

// ---------------------------------------------------------------------------

cases('Lua values to RESP', [
  { name: 'integer', script: 'return 100' },
  { name: 'float truncated', script: 'return {3.99, -3.99, 0.5, -0.5}' },
  { name: 'huge and special numbers', script: 'return {1e20, -1e20, 2^53 + 1, 1/0, -1/0, 0/0, -(0/0)}' },
  { name: 'negative zero', script: 'return -(0)' },
  { name: 'string', script: "return 'hello world'" },
  { name: 'empty string', script: "return ''" },
  { name: 'binary string', script: "return 'a\\0b\\255\\r\\n'" },
  { name: 'true', script: 'return true' },
  { name: 'false', script: 'return false' },
  { name: 'nil', script: 'return nil' },
  { name: 'no value', script: 'local x = 1' },
  { name: 'only the first value', script: 'return 1, 2' },
  { name: 'table', script: "return {1,2,3,'ciao',{1,2}}" },
  { name: 'table stops at nil', script: 'return {1, nil, 3}' },
  { name: 'empty table', script: 'return {}' },
  { name: 'booleans in a table', script: 'return {true, false, true}' },
  { name: 'hash part ignored', script: "return {1, 2, x = 'y'}" },
  { name: 'status', script: "return {ok='fine'}" },
  { name: 'status with CRLF and NUL', script: "return {{ok='a\\r\\nb'}, {ok='x\\0y'}}" },
  { name: 'status not a string', script: 'return {ok=5}' },
  { name: 'error', script: "return {err='ERR this is an error'}" },
  { name: 'error without code', script: "return {err='my error'}" },
  { name: 'empty error', script: "return {err=''}" },
  { name: 'error with CR/LF', script: "return {err='x\\r\\ny\\r\\n'}" },
  { name: 'error with NUL', script: "return {err='x\\0y'}" },
  { name: 'nested error', script: "return {1, {err='E nested'}, 3}" },
  { name: 'err wins over ok', script: "return {ok='o', err='E e'}" },
  { name: 'error_reply', script: "return redis.error_reply('My Error')" },
  { name: 'error_reply ERR alone', script: "return redis.error_reply('ERR')" },
  { name: 'error_reply with dash', script: "return redis.error_reply('-WRONG thing')" },
  { name: 'error_reply empty', script: "return redis.error_reply('')" },
  { name: 'error_reply CRLF', script: "return redis.error_reply('a\\r\\nb')" },
  { name: 'error_reply bad type', script: 'return redis.error_reply(1)' },
  { name: 'error_reply table', script: "local e = redis.error_reply('E x') return {e.err, type(e)}" },
  { name: 'status_reply', script: "return redis.status_reply('PONG')" },
  { name: 'status_reply bad type', script: 'return redis.status_reply(nil)' },
  { name: 'double', script: 'return {double=3.14}' },
  { name: 'double specials', script: 'return {{double=1/0}, {double=-1/0}, {double=0/0}, {double=-0.0}, {double=1e300}, {double=0.1}}' },
  { name: 'double not a number', script: "return {double='x'}" },
  { name: 'big number', script: "return {big_number='123456789012345678901234567890'}" },
  { name: 'big number with CRLF', script: "return {big_number='1\\r\\n2'}" },
  { name: 'verbatim', script: "return {verbatim_string={format='txt', string='hello'}}" },
  { name: 'verbatim long and short formats', script: "return {{verbatim_string={format='markdown', string='a'}}, {verbatim_string={format='m', string='b'}}}" },
  { name: 'verbatim missing string', script: "return {verbatim_string={format='txt'}}" },
  { name: 'map', script: "return {map={a=1}}" },
  { name: 'map of several', script: "return {map={a=1, b='x', c={1,2}, [1]=true, [2.5]=false}}" },
  { name: 'set', script: "return {set={a=true, b=true, c=true, [5]=true}}" },
  { name: 'map with long keys (Redis hashes every byte)', script: "local m = {} for i = 1, 40 do m['a key longer than thirty-two bytes, number ' .. i] = i end return {map=m}" },
  { name: 'pairs order with long keys', script: "local t = {} for i = 1, 200 do t[string.rep('y', i)] = i end local o = {} for _, v in pairs(t) do o[#o + 1] = v end return o" },
  { name: 'map and set nested', script: "return {1, {map={x={set={y=true}}}}}" },
  { name: 'setresp 3 booleans', script: 'redis.setresp(3) return {true, false}' },
  { name: 'setresp 3 false alone', script: 'redis.setresp(3) return false' },
  { name: 'setresp 3 nil', script: 'redis.setresp(3) return nil' },
  { name: 'setresp 2 after 3', script: 'redis.setresp(3) redis.setresp(2) return {true, false}' },
  { name: '_G', script: 'return _G' },
  { name: 'library tables', script: 'return {redis, string, cjson}' },
  { name: 'metatable that raises', script: 'local a = {} setmetatable(a, {__index=function() foo() end}) return a' },
  { name: 'function and coroutine values', script: 'return {function() end, coroutine.create(function() end), 1}' },
  { name: 'recursive table', script: 'local a = {} local b = {a} a[1] = b return a' },
  { name: 'recursive map', script: 'local a = {} a.map = {x = a} return a' },
  { name: 'recursive set', script: 'local a = {} a.set = {} a.set[a] = true return a' },
]);

cases('errors', [
  { name: 'runtime error', script: "error('boom')" },
  { name: 'runtime error level 0', script: "error('boom', 0)" },
  { name: 'runtime error table', script: "error({err='MY table error'})" },
  { name: 'runtime error nil', script: 'error()' },
  { name: 'runtime error number', script: 'error(42)' },
  { name: 'runtime error with CR/LF', script: "error('a\\r\\nb\\n')" },
  { name: 'arithmetic on nil', script: 'local a return a + 1' },
  { name: 'call nil', script: 'local a a()' },
  { name: 'index nil', script: 'local a return a.b' },
  { name: 'error in a function', script: "local function f()\n  error('deep')\nend\nf()" },
  { name: 'error on line 3', script: "local x = 1\nlocal y = 2\nreturn x + nil" },
  { name: 'error from a C function', script: "return string.rep()" },
  { name: 'error from tostring of a readonly error table', script: 'error(redis)' },
  { name: 'pcall catches', script: "return {pcall(error, 'x')}" },
  { name: 'pcall returns err string of tables', script: "return {pcall(error, {err='E tbl'})}" },
  { name: 'pcall of a non-err table', script: "local ok, e = pcall(error, {1}) return {tostring(ok), type(e)}" },
  { name: 'pcall no error', script: 'return {pcall(function() return 1, 2 end)}' },
  { name: 'pcall nil', script: 'return {pcall(nil)}' },
  { name: 'xpcall', script: "return {xpcall(function() error('x') end, function(e) return 'handled ' .. e end)}" },
  { name: 'assert', script: "assert(false, 'assertion msg')" },
  { name: 'compile error', script: 'return 1 +' },
  { name: 'compile error line 2', script: 'local a = 1\nlocal = 2' },
  { name: 'compile error unfinished string', script: 'return "abc' },
  { name: 'compile error with NUL', script: 'return 1\0' },
  { name: 'binary chunk refused', script: '\x1bLua' },
  { name: 'trailing comment', script: "return 'hello' --trailing comment" },
  { name: 'shebang', script: '#!lua\nreturn 1' },
  { name: 'shebang flags', script: '#!lua flags=no-writes,allow-oom\nreturn 2' },
  { name: 'shebang line numbers', script: "#!lua\nerror('line two')" },
  { name: 'shebang bad flag', script: '#!lua flags=bad\nreturn 1' },
  { name: 'shebang empty flag', script: '#!lua flags=no-writes,\nreturn 1' },
  { name: 'shebang bad option', script: '#!lua x=1\nreturn 1' },
  { name: 'shebang bad engine', script: '#!notlua\nreturn 1' },
  { name: 'shebang without newline', script: '#!lua' },
  { name: 'shebang unbalanced quote', script: '#!lua "flags\nreturn 1' },
]);

cases('sandbox', [
  { name: 'read undeclared global', script: 'return a' },
  { name: 'read undeclared global through _G', script: 'return _G.zzz' },
  { name: 'write undeclared global', script: 'a = 10' },
  { name: 'overwrite a global', script: 'redis = function() return 1 end' },
  { name: 'replace _G', script: '_G = {}' },
  { name: 'rawset _G', script: "rawset(_G, 'x', 1)" },
  { name: 'rawget _G', script: "return {rawget(_G, 'x'), type(rawget(_G, 'redis'))}" },
  { name: 'setmetatable _G', script: 'setmetatable(_G, {})' },
  { name: 'getmetatable _G', script: "local g = getmetatable(_G) g.__index = {}" },
  { name: 'getmetatable _G is a table', script: 'return type(getmetatable(_G))' },
  { name: 'modify redis table', script: 'redis.call = function() return 1 end' },
  { name: 'modify cjson table', script: 'cjson.encode = function() return 1 end' },
  { name: 'modify cmsgpack table', script: 'cmsgpack.pack = function() return 1 end' },
  { name: 'modify bit table', script: 'bit.lshift = function() return 1 end' },
  { name: 'modify string table', script: 'string.x = 1' },
  { name: 'modify the string metatable', script: "local m = getmetatable('') m.__index = {}" },
  { name: 'string metatable index', script: "return rawequal(getmetatable('').__index, string)" },
  { name: 'table.insert into a library', script: 'table.insert(string, 1)' },
  { name: 'table.insert into _G', script: 'table.insert(_G, 1)' },
  { name: 'table.insert wrong args', script: 'table.insert({}, 1, 2, 3)' },
  { name: 'table.insert works', script: "local t = {} table.insert(t, 'a') table.insert(t, 1, 'b') return t" },
  { name: 'pairs over _G', script: 'local t = {} for k in pairs(_G) do t[#t + 1] = k end return t' },
  { name: 'pairs over redis', script: 'local t = {} for k in pairs(redis) do t[#t + 1] = k end return t' },
  { name: 'next over string', script: 'local n = 0 local k = next(string) while k do n = n + 1 k = next(string, k) end return n' },
  { name: 'pairs of nil', script: 'for k in pairs(nil) do end' },
  { name: 'print is not available', script: "print('some data')" },
  { name: 'loadfile is not available', script: "loadfile('some file')" },
  { name: 'dofile is not available', script: "dofile('some file')" },
  { name: 'getfenv is not available', script: 'return getfenv()' },
  { name: 'setfenv is not available', script: 'return setfenv(1, {})' },
  { name: 'newproxy is not available', script: 'return newproxy()' },
  { name: 'os is not available', script: 'return os.time()' },
  { name: 'io is not available', script: 'return io' },
  { name: 'require is not available', script: "return require('x')" },
  { name: 'debug is not available', script: 'return debug' },
  { name: 'globals that exist', script: "local t = {} for _, n in ipairs({'xpcall','tostring','setmetatable','next','assert','tonumber','rawequal','collectgarbage','getmetatable','rawset','pcall','coroutine','type','select','unpack','gcinfo','pairs','rawget','loadstring','ipairs','_VERSION','load','error','string','cjson','bit','cmsgpack','math','table','struct','redis','__redis__err__handler'}) do t[#t + 1] = type(_G[n]) end return t" },
  { name: 'binary code loading failed', script: 'return loadstring(string.dump(function() return 1 end))()' },
  { name: 'loadstring of ESC text', script: "local f, e = loadstring('\\27Lua') return {tostring(f), e}" },
  { name: 'loadstring works', script: "return loadstring('return 1 + 1')()" },
  { name: 'loadstring syntax error', script: "return {loadstring('return +')}" },
  { name: 'loadstring chunk sets a global', script: "local f = loadstring('x = 1') return {pcall(f)}" },
  { name: 'load with a reader', script: "local done = false return load(function() if done then return nil end done = true return 'return 7' end)()" },
  { name: 'unpack global', script: 'return {unpack({1, 2, 3})}' },
  { name: 'unpack huge range', script: 'return select("#", unpack({}, -2147483648, 2147483647))' },
  { name: 'unpack too many', script: 'return unpack({}, 1, 1e8)' },
  { name: 'unpack 7999', script: 'local a = {} for i = 1, 7999 do a[i] = 1 end return select("#", unpack(a))' },
  { name: 'unpack 8000', script: 'local a = {} for i = 1, 8000 do a[i] = 1 end return select("#", unpack(a))' },
  { name: 'tostring(10/2)', script: 'return tostring(10/2)' },
  { name: 'number formatting', script: 'return {tostring(1/3), tostring(1e15), tostring(1e16), tostring(-0.0), tostring(2^63)}' },
  { name: '_VERSION', script: 'return _VERSION' },
  { name: 'coroutines', script: "local co = coroutine.wrap(function(a) local b = coroutine.yield(a + 1) return b * 2 end) return {co(1), co(10)}" },
  { name: 'coroutine error', script: "local co = coroutine.wrap(function() error('in co') end) co()" },
  { name: 'gsub with a function', script: "return (string.gsub('abc', '%w', function(c) return c:upper() .. '.' end))" },
  { name: 'string methods', script: "return ('x'):rep(3) .. ('ABC'):lower()" },
  { name: 'select and varargs', script: 'local function f(...) return select("#", ...) end return f(nil, nil, 3)' },
  { name: 'table.concat and sort', script: "local t = {3, 1, 2} table.sort(t) return table.concat(t, ',')" },
  { name: 'table.getn and maxn', script: 'return {table.getn({1, 2}), table.maxn({[5] = 1})}' },
  { name: 'error handler global', script: 'return type(__redis__err__handler)' },
]);

cases('libraries', [
  { name: 'cjson encode', script: "return cjson.encode({1, 2, 'x', {a = true}})" },
  { name: 'cjson decode', script: "local d = cjson.decode('{\"keya\": \"a\", \"keyb\": \"b\"}') return {d.keya, d.keyb}" },
  { name: 'cjson numbers', script: "return table.concat(cjson.decode('[0.0, -5e3, -1, 0.3e-3, 1023.2, 0e10]'), ' ')" },
  { name: 'cjson null', script: 'return {cjson.encode(cjson.null), tostring(cjson.decode("null") == cjson.null)}' },
  { name: 'cjson bad json', script: "return cjson.decode('{bad')" },
  { name: 'cjson fields', script: 'local t = {} for k in pairs(cjson) do t[#t + 1] = k end table.sort(t) return t' },
  { name: 'bit ops', script: 'return {bit.band(7, 3), bit.bor(1, 2, 4, 8, 16, 32, 64, 128), bit.bxor(1, 2), bit.tobit(2^32 + 1), bit.lshift(1, 31), bit.tohex(255), bit.tohex(255, -4)}' },
  { name: 'bit.tohex INT_MIN', script: 'return bit.tohex(65535, -2147483648)' },
  { name: 'hex literals', script: "assert(0x7fffffff == 2147483647) return tostring(0xffffffff)" },
  { name: 'cmsgpack double', script: "local e = cmsgpack.pack(0.1) local h = '' for i = 1, #e do h = h .. string.format('%02x', string.byte(e, i)) end return h" },
  { name: 'struct pack', script: "return {struct.pack('>I2', 258), struct.unpack('>I2', '\\1\\2')}" },
  { name: 'sha1hex', script: "return {redis.sha1hex(''), redis.sha1hex('Pizza & Mandolino'), redis.sha1hex(1.5), redis.sha1hex(nil), redis.sha1hex('\\0\\255')}" },
  { name: 'sha1hex without argument', script: 'return redis.sha1hex()' },
  { name: 'version', script: 'return {redis.REDIS_VERSION, redis.REDIS_VERSION_NUM}' },
  { name: 'constants', script: 'return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING, redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}' },
  { name: 'breakpoint, replicate_commands, debug', script: "return {redis.breakpoint(), redis.replicate_commands(), redis.debug('x')}" },
  { name: 'set_repl', script: 'redis.set_repl(redis.REPL_ALL) redis.set_repl(redis.REPL_NONE) return 1' },
  { name: 'set_repl bad flags', script: 'redis.set_repl(9)' },
  { name: 'set_repl no argument', script: 'redis.set_repl()' },
  { name: 'setresp bad', script: 'redis.setresp(4)' },
  { name: 'setresp no argument', script: 'redis.setresp()' },
  { name: 'setresp as string', script: "redis.setresp('3') return true" },
  { name: 'log', script: "redis.log(redis.LOG_DEBUG, 'hello', 1, nil, 'x') return 1" },
  { name: 'log too few', script: 'redis.log()' },
  { name: 'log bad level', script: "redis.log('x', 'y')" },
  { name: 'log level out of range', script: "redis.log(9, 'y')" },
  { name: 'math.random errors', script: 'return math.random(0)' },
  { name: 'math.random too many', script: 'return math.random(1, 2, 3)' },
  { name: 'math.random bad arg', script: "return math.random('x')" },
  { name: 'math.randomseed bad arg', script: 'math.randomseed()' },
]);

cases('redis.call', [
  { name: 'GET', script: "return redis.call('get', KEYS[1])", keys: ['k'], setup: [['set', 'k', 'v']] },
  { name: 'GET missing', script: "return redis.call('get', KEYS[1])", keys: ['nokey'] },
  { name: 'missing is false', script: "local v = redis.call('get', 'nokey') return {type(v), tostring(v)}" },
  { name: 'SET status', script: "local r = redis.call('set', KEYS[1], 'x') return {type(r), r.ok}", keys: ['k'] },
  { name: 'SET returned', script: "return redis.call('set', KEYS[1], 'x')", keys: ['k'] },
  { name: 'INCR number', script: "local n = redis.pcall('incr', KEYS[1]) return {type(n), n}", keys: ['x'], setup: [['set', 'x', '0']] },
  { name: 'INCR error table', script: "local e = redis.pcall('incr', KEYS[1]) return {type(e), e.err, tostring(e.ignore_error_stats_update)}", keys: ['x'], setup: [['set', 'x', 'abc']] },
  { name: 'INCR error raised', script: "return redis.call('incr', KEYS[1])", keys: ['x'], setup: [['set', 'x', 'abc']] },
  { name: 'INCR error raised not in tail position', script: "local r = redis.call('incr', KEYS[1]) return r", keys: ['x'], setup: [['set', 'x', 'abc']] },
  { name: 'WRONGTYPE', script: "redis.call('rpush', KEYS[1], 'val')", keys: ['foo'], setup: [['set', 'foo', 'bar']] },
  { name: 'WRONGTYPE through pcall', script: "return redis.pcall('rpush', KEYS[1], 'val')", keys: ['foo'], setup: [['set', 'foo', 'bar']] },
  { name: 'unknown command', script: "redis.call('nosuchcommand')" },
  { name: 'unknown command in tail position', script: "return redis.call('nosuchcommand')" },
  { name: 'unknown command, pcall', script: "return redis.pcall('nosuchcommand')" },
  { name: 'unknown command under Lua pcall', script: "return {pcall(redis.call, 'nosuchcommand')}" },
  { name: 'wrong arity', script: "redis.call('get', 'a', 'b', 'c')" },
  { name: 'wrong arity incr', script: "redis.call('incr')" },
  { name: 'no arguments', script: 'return redis.call()' },
  { name: 'no arguments, pcall', script: 'return redis.pcall()' },
  { name: 'table argument', script: 'return redis.call({})' },
  { name: 'boolean argument, pcall', script: "return redis.pcall('get', true)" },
  { name: 'nil argument', script: "return redis.call('get', nil)" },
  { name: 'error in the middle of a script', script: "redis.call('set', 'a', '1')\nredis.call('nosuch')\nreturn 1" },
  { name: 'error inside a function', script: "local function f()\n  return redis.call('nosuch')\nend\nreturn f()" },
  { name: 'number arguments', script: "redis.call('set', 'n1', 3.14) redis.call('set', 'n2', 1e20) redis.call('set', 'n3', -0.0) redis.call('set', 'n4', 1/0) redis.call('set', 'n5', 0/0) redis.call('set', 'n6', 9007199254740991) redis.call('set', 'n7', 100) return {redis.call('get', 'n1'), redis.call('get', 'n2'), redis.call('get', 'n3'), redis.call('get', 'n4'), redis.call('get', 'n5'), redis.call('get', 'n6'), redis.call('get', 'n7')}" },
  { name: 'big integer string', script: "redis.call('set', 'key', '12039611435714932082') return redis.call('get', 'key')" },
  { name: 'many arguments', script: "local x = {} for i = 1, 100 do x[i] = i end redis.call('rpush', 'mylist', unpack(x)) return redis.call('lrange', 'mylist', 0, -1)" },
  { name: 'rpush 7999', script: "local a = {} for i = 1, 7999 do a[i] = 1 end return redis.call('rpush', 'l', unpack(a))" },
  { name: 'array reply', script: "redis.call('rpush', KEYS[1], 'a', 'b', 'c') local r = redis.call('lrange', KEYS[1], 0, -1) return {type(r), r[1], r[3], #r}", keys: ['l'] },
  { name: 'HGETALL', script: "return redis.call('hgetall', KEYS[1])", keys: ['h'], setup: [['hset', 'h', 'f1', 'v1', 'f2', 'v2']] },
  { name: 'HGETALL in RESP3', script: "redis.setresp(3) return redis.call('hgetall', KEYS[1])", keys: ['h'], setup: [['hset', 'h', 'f1', 'v1', 'f2', 'v2']] },
  { name: 'HGETALL map table', script: "redis.setresp(3) local r = redis.call('hgetall', KEYS[1]) return {type(r.map), r.map.f1, r.map.f2}", keys: ['h'], setup: [['hset', 'h', 'f1', 'v1', 'f2', 'v2']] },
  { name: 'SMEMBERS in RESP3', script: "redis.setresp(3) return redis.call('smembers', KEYS[1])", keys: ['s'], setup: [['sadd', 's', '3', '1', '2']] },
  { name: 'SMEMBERS set table', script: "redis.setresp(3) local r = redis.call('smembers', KEYS[1]) return {tostring(r.set['1']), tostring(r.set['3'])}", keys: ['s'], setup: [['sadd', 's', '3', '1', '2']] },
  { name: 'ZSCORE double', script: "redis.setresp(3) local r = redis.call('zscore', KEYS[1], 'a') return {type(r), r.double, tostring(r.double)}", keys: ['z'], setup: [['zadd', 'z', '1.5', 'a']] },
  { name: 'ZSCORE returned', script: "redis.setresp(3) return redis.call('zscore', KEYS[1], 'a')", keys: ['z'], setup: [['zadd', 'z', '1.5', 'a']] },
  { name: 'ZSCORE in RESP2', script: "return redis.call('zscore', KEYS[1], 'a')", keys: ['z'], setup: [['zadd', 'z', '0.1', 'a']] },
  { name: 'ZRANGE WITHSCORES in RESP3', script: "redis.setresp(3) return redis.call('zrange', KEYS[1], 0, -1, 'withscores')", keys: ['z'], setup: [['zadd', 'z', '1', 'a', '2.5', 'b']] },
  { name: 'RESP3 null', script: "redis.setresp(3) local v = redis.call('get', 'nokey') return {type(v), tostring(v)}" },
  { name: 'RESP3 nulls in an array', script: "redis.setresp(3) redis.call('set', 'a', '1') redis.call('set', 'c', '3') local r = redis.call('mget', 'a', 'b', 'c', 'd', 'e', 'a') return {#r, r[1], r[3], r[6], tostring(r[2])}" },
  { name: 'RESP2 nulls in an array', script: "redis.call('set', 'a', '1') local r = redis.call('mget', 'a', 'b', 'a') return {#r, r[1], tostring(r[2]), r[3]}" },
  { name: 'mget passed through', script: "redis.call('set', 'a', '1') return redis.call('mget', 'a', 'b', 'a')" },
  { name: 'mget passed through in RESP3', script: "redis.setresp(3) redis.call('set', 'a', '1') return redis.call('mget', 'a', 'b', 'a')" },
  { name: 'status passthrough', script: "return redis.call('ping')" },
  { name: 'TYPE status', script: "return redis.call('type', KEYS[1])", keys: ['k'], setup: [['set', 'k', 'v']] },
  { name: 'DECR_IF_GT', script: "local current = redis.call('get', KEYS[1]) if not current then return nil end if current > ARGV[1] then return redis.call('incr', KEYS[1]) else return redis.call('get', KEYS[1]) end", keys: ['foo'], args: ['2'], setup: [['set', 'foo', '5']] },
  { name: 'acl_check_cmd', script: "return redis.acl_check_cmd('set', 'xx', 1)" },
  { name: 'acl_check_cmd without arguments', script: 'return redis.acl_check_cmd()' },
]);

cases('KEYS and ARGV', [
  { name: 'populated', script: 'return {KEYS[1], KEYS[2], ARGV[1], ARGV[2]}', keys: ['a{t}', 'b{t}'], args: ['c{t}', 'd{t}'] },
  { name: 'counts', script: 'return {#KEYS, #ARGV}', keys: ['a'], args: ['1', '2', '3'] },
  { name: 'binary bytes', script: 'return {KEYS[1], ARGV[1], #KEYS[1], #ARGV[1], string.byte(KEYS[1], 1, -1)}', keys: ['\0a\xff\r\n'], args: ['\xff\xfe\0'] },
  { name: 'empty strings', script: 'return {KEYS[1], ARGV[1], #KEYS[1]}', keys: [''], args: [''] },
  { name: 'keys are writable', script: "KEYS[1] = 'changed' return KEYS[1]", keys: ['a'] },
  { name: 'KEYS cannot be replaced', script: 'KEYS = {}', keys: ['a'] },
  { name: 'large argument', script: 'return #ARGV[1]', args: ['x'.repeat(100000)] },
  { name: 'passes through redis.call', script: "redis.call('set', KEYS[1], ARGV[1]) return redis.call('get', KEYS[1])", keys: ['\xff\0k'], args: ['\0\x80\xff'] },
]);

describe('math.random', () => {
  it('follows Redis sequence (not reseeded per script)', async () => {
    // One connection, one engine, same order: both sides start at the
    // default seed and share the sequence across calls.
    const scripts = [
      'return tostring(math.random())',
      'return tostring(math.random())',
      'return math.random(10)',
      'return math.random(5, 100)',
      'return {math.random(-2147483648, 2147483647), math.random(3, 3)}',
      'math.randomseed(42) return tostring(math.random())',
      'return tostring(math.random())',
      "math.randomseed('7') return {math.random(1000), math.random(1000)}",
      'math.randomseed(2^32 + 5) return tostring(math.random())',
      'math.randomseed(-1) return tostring(math.random())',
      'math.randomseed(1e100) return tostring(math.random())',
      'return math.random(0)',
      'return tostring(math.random())',
    ];
    for (const s of scripts) {
      const [ours, theirs] = await both(2, s);
      expect(ours, s).toBe(theirs);
    }
  });
});

describe('against Redis: SCRIPT KILL and used_memory_scripts_eval', () => {
  it('a killed script answers as Redis (SCRIPT KILL from another client / onHook)', async () => {
    const bodies = [
      'local i = 0 while true do i = i + 1 end',
      'local i = 0\nwhile true do\n  pcall(function() while true do i = i + 1 end end)\nend',
      'local co = coroutine.wrap(function() while true do end end)\nco()',
    ];
    await r2.send(['CONFIG', 'SET', 'busy-reply-threshold', '50']);
    try {
      for (const body of bodies) {
        const victim = await Conn.connect(port);
        const killer = await Conn.connect(port);
        const pending = victim.send(['EVAL', body, '0']);
        for (;;) {
          await new Promise((r) => setTimeout(r, 60));
          if ((await killer.send(['SCRIPT', 'KILL'])) === '+OK\r\n') break;
        }
        const theirs = await pending;
        victim.close();
        killer.close();
        let n = 0;
        engine.onHook = () => ++n >= 3;
        const l = engine.load(body);
        w.reset();
        w.proto = 2;
        engine.run((l as { sha: string }).sha, [], [], w, host);
        engine.onHook = undefined;
        expect(w.view().toString('latin1'), body).toBe(theirs);
      }
    } finally {
      engine.onHook = undefined;
      await r2.send(['CONFIG', 'SET', 'busy-reply-threshold', '5000']);
    }
  });

  it('the scripts memory estimate equals Redis (outside its dict rehashing)', async () => {
    const redisMem = async () => Number(/used_memory_scripts_eval:(\d+)/.exec(await r2.send(['INFO', 'memory']))![1]);
    await r2.send(['SCRIPT', 'FLUSH']);
    engine.flush();
    expect(engine.stats().memory).toBe(await redisMem());
    const bodies = ['return 1', `return "${'0'.repeat(100)}"`, ...[1, 2, 3, 4, 5, 6].map((i) => `return ${i} + 100`)];
    for (let i = 0; i < bodies.length; i++) {
      await r2.send(['SCRIPT', 'LOAD', bodies[i]]);
      engine.load(bodies[i]);
      if (i === 0 || i === 1 || i === 7) expect(engine.stats(), `after ${i + 1}`).toMatchObject({ scripts: i + 1, memory: await redisMem() });
    }
  });
});

describe('engine API', () => {
  it('load returns the sha1 and caches', () => {
    const body = "return 'loaded'";
    const r = engine.load(body);
    expect(r).toEqual({ sha: sha1(body) });
    expect(engine.has(sha1(body))).toBe(true);
    expect(engine.load(body)).toEqual({ sha: sha1(body) });
    expect(engine.flags(sha1(body))).toMatchObject({ compat: true, noWrites: false });
    const f = engine.load('#!lua flags=no-writes,no-cluster\nreturn 1');
    expect('sha' in f && engine.flags(f.sha)).toMatchObject({ compat: false, noWrites: true, noCluster: true, allowOom: false });
  });

  it('SCRIPT FLUSH empties the cache and keeps working', async () => {
    const r = engine.load('return 1');
    expect(engine.stats().scripts).toBeGreaterThan(0);
    engine.flush();
    expect('sha' in r && engine.has(r.sha)).toBe(false);
    expect(engine.stats().scripts).toBe(0);
    const [ours, theirs] = await both(2, "return cjson.encode({a = 1})");
    expect(ours).toBe(theirs);
  });

  it('NOSCRIPT for an unknown sha', () => {
    w.reset();
    engine.run('0'.repeat(40), [], [], w, host);
    expect(w.view().toString('latin1')).toBe('-NOSCRIPT No matching script. Please use EVAL.\r\n');
  });

  it('redis.log and set_repl reach the host', () => {
    host.logs.length = 0;
    host.repl.length = 0;
    const l = engine.load("redis.log(redis.LOG_WARNING, 'a', 2, true, 'b') redis.set_repl(redis.REPL_AOF) return 1");
    w.reset();
    engine.run((l as { sha: string }).sha, [], [], w, host);
    expect(w.view().toString('latin1')).toBe(':1\r\n');
    expect(host.logs).toEqual([[3, 'a 2 b']]);
    expect(host.repl).toEqual([1]);
  });

  it('the command sees the script protocol and the exact arguments', () => {
    const seen: Array<[string[], number]> = [];
    const spy: ScriptHost = {
      call: (a, p) => (seen.push([a, p]), Buffer.from('+OK\r\n')),
      log: () => {},
    };
    const l = engine.load("redis.call('SET', KEYS[1], ARGV[1], 5) redis.setresp(3) redis.pcall('get', 1.5) return 1");
    w.reset();
    engine.run((l as { sha: string }).sha, ['k\0\xff'], ['v'], w, spy);
    expect(seen).toEqual([[['SET', 'k\0\xff', 'v', '5'], 2], [['get', '1.5'], 3]]);
  });

  it('RESP3 types from the host become Redis Lua values', () => {
    const replies: Record<string, string> = {
      bool: '#t\r\n',
      boolf: '#f\r\n',
      big: '(12345678901234567890\r\n',
      verb: '=9\r\ntxt:hello\r\n',
      attr: '|1\r\n+key\r\n+val\r\n:5\r\n',
      dbl: ',-inf\r\n',
      nested: '*2\r\n%1\r\n+a\r\n_\r\n-ERR inner\r\n',
    };
    const h: ScriptHost = { call: (a) => Buffer.from(replies[a[0]], 'latin1'), log: () => {} };
    const script =
      "redis.setresp(3) local b, f, n, v, a, d, x = redis.call('bool'), redis.call('boolf'), redis.call('big'), redis.call('verb'), redis.call('attr'), redis.call('dbl'), redis.call('nested') " +
      'return {tostring(b), tostring(f), n.big_number, v.verbatim_string.format, v.verbatim_string.string, a, tostring(d.double), type(x[1].map), tostring(x[1].map.a), x[2].err}';
    const l = engine.load(script);
    w.reset();
    w.proto = 2;
    engine.run((l as { sha: string }).sha, [], [], w, h);
    const bulk = (s: string) => `$${s.length}\r\n${s}\r\n`;
    expect(w.view().toString('latin1')).toBe(
      '*10\r\n' + ['true', 'false', '12345678901234567890', 'txt', 'hello'].map(bulk).join('') + ':5\r\n' +
        ['-inf', 'table', 'nil', 'ERR inner'].map(bulk).join(''),
    );
    // And back out as RESP3 values.
    const l2 = engine.load("redis.setresp(3) return {redis.call('big'), redis.call('verb'), redis.call('bool')}");
    w.reset();
    w.proto = 3;
    engine.run((l2 as { sha: string }).sha, [], [], w, h);
    expect(w.view().toString('latin1')).toBe('*3\r\n(12345678901234567890\r\n=9\r\ntxt:hello\r\n#t\r\n');
  });

  it('large replies and mixed aggregates from the host', () => {
    const big = 'x\0\xff'.repeat(700000); // 2.1 MB
    const items = Array.from({ length: 5000 }, (_, i) =>
      i % 3 === 0 ? `+S${i}\r\n` : i % 3 === 1 ? `-E${i} bad\r\n` : `$${String(i).length}\r\n${i}\r\n`,
    );
    const replies: Record<string, string> = {
      big: `$${big.length}\r\n${big}\r\n`,
      mixed: `*${items.length}\r\n` + items.join(''),
    };
    const h: ScriptHost = { call: (a) => Buffer.from(replies[a[0]], 'latin1'), log: () => {} };
    const run = (body: string) => {
      const l = engine.load(body);
      w.reset();
      w.proto = 2;
      engine.run((l as { sha: string }).sha, [], [], w, h);
      return w.view().toString('latin1');
    };
    expect(run("return redis.call('big')")).toBe(replies.big);
    expect(run("return #redis.call('big')")).toBe(`:${big.length}\r\n`);
    const expected =
      `*${items.length}\r\n` +
      items.map((x, i) => (i % 3 === 1 ? `-E${i} bad\r\n` : i % 3 === 0 ? `+S${i}\r\n` : x)).join('');
    expect(run("return redis.call('mixed')")).toBe(expected);
    expect(run("local r = redis.call('mixed') return {r[1].ok, r[2].err, r[3], tostring(r[2].ignore_error_stats_update)}")).toBe(
      '*4\r\n$2\r\nS0\r\n$6\r\nE1 bad\r\n$1\r\n2\r\n$4\r\ntrue\r\n',
    );
  });

  it('a host exception becomes an error reply', () => {
    const h: ScriptHost = { call: () => { throw new Error('host broke'); }, log: () => {} };
    const l = engine.load("return redis.pcall('x')");
    w.reset();
    w.proto = 2;
    engine.run((l as { sha: string }).sha, [], [], w, h);
    expect(w.view().toString('latin1')).toBe('-ERR host broke\r\n');
  });

  it('onHook stops a running script, even one that catches errors', () => {
    let calls = 0;
    engine.onHook = () => ++calls >= 3;
    try {
      const body = 'local i = 0\nwhile true do\n  pcall(function() while true do i = i + 1 end end)\nend';
      const l = engine.load(body);
      w.reset();
      w.proto = 2;
      engine.run((l as { sha: string }).sha, [], [], w, host);
      const out = w.view().toString('latin1');
      expect(out).toMatch(new RegExp(`^-ERR Script killed by user with SCRIPT KILL\\.\\.\\. script: ${sha1(body)}, on @user_script:[34]\\.\\r\\n$`));
      expect(calls).toBe(3);
      // The engine is usable afterwards.
      const l2 = engine.load('local s = 0 for i = 1, 300000 do s = s + i end return s');
      calls = -1000;
      w.reset();
      engine.run((l2 as { sha: string }).sha, [], [], w, host);
      expect(w.view().toString('latin1')).toBe(':45000150000\r\n');
    } finally {
      engine.onHook = undefined;
    }
  });

  it('an error table without err (Redis 7.0.15 crashes) gives ERR unknown error', () => {
    const l = engine.load('error({})');
    w.reset();
    w.proto = 2;
    engine.run((l as { sha: string }).sha, [], [], w, host);
    expect(w.view().toString('latin1')).toBe(`-ERR unknown error script: ${sha1('error({})')}, on @user_script:1.\r\n`);
  });

  it('stats: cached scripts, their memory and the Lua heap', () => {
    engine.flush();
    expect(engine.stats()).toMatchObject({ scripts: 0, memory: 0 });
    engine.load('return 1');
    const s = engine.stats();
    expect(s.scripts).toBe(1);
    expect(s.memory).toBeGreaterThan(0);
    expect(s.luaMemory).toBeGreaterThan(10000);
  });

  it('does not leak the Lua stack or heap over many runs', () => {
    const l = engine.load("return redis.call('incr', KEYS[1])");
    const sha = (l as { sha: string }).sha;
    host.data.clear();
    for (let i = 0; i < 10000; i++) {
      w.reset();
      engine.run(sha, ['x'], [], w, host);
    }
    expect(w.view().toString('latin1')).toBe(':10000\r\n');
    expect(engine.stats().luaMemory).toBeLessThan(1024 * 200);
  });
});
