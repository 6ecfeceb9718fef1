// The Lua scripting engine (Redis 7.0's eval.c / script_lua.c): one
// lua_State per thread, the script cache (f_<sha1> functions kept in the
// registry), EVAL's run with KEYS/ARGV, redis.call/pcall through a host, and
// the conversions between RESP and Lua values. The Lua side (sandbox, redis
// table, error handler, Lua -> RESP) is src/scripting/prelude.ts; the C API
// is src/scripting/lua.ts.
//
// No Lua error is ever raised from inside a JS callback (a longjmp through
// JS frames would crash). On x86-64 each callback sits behind a small C
// thunk (lua.ts): the callback leaves the error on the stack and returns -1,
// and the thunk, a C frame with no JS below it, calls lua_error. So
// redis.call is a C function as in Redis (a tail call to it keeps the
// script's frame for the error position), and the count hook raises the
// SCRIPT KILL error the same way. Elsewhere (KS_LUA_PORTABLE) redis.call is
// a Lua wrapper around a callback returning (error, true), and a kill makes
// lua_error itself the hook after flagging it for the error handler.

import { createHash } from 'node:crypto';
import type { ReplyWriter } from '../protocol/reply';
import { formatDouble } from '../protocol/double';
import {
  LUA_GLOBALSINDEX,
  LUA_GCCOUNT,
  LUA_MASKCOUNT,
  LUA_MASKLINE,
  LUA_REGISTRYINDEX,
  LUA_TNUMBER,
  LUA_TSTRING,
  Scratch,
  luaApi,
  luaLoadError,
  type LuaApi,
} from './lua';
import { PRELUDE_CHUNK, PRELUDE_LUA } from './prelude';
import { CMSGPACK_LUA, STRUCT_LUA } from './lua-libs';

export interface ScriptHost {
  /**
   * Run one Redis command for redis.call/redis.pcall. args are latin1
   * strings (args[0] the command name as the script wrote it). proto is the
   * script's current redis.setresp (2 default, or 3). Returns the command's
   * RESP reply bytes; an error reply starts with '-'. The host does all
   * command checks (unknown command, arity, not allowed from scripts, write
   * in read-only script …) and returns them as error replies.
   */
  call(args: string[], proto: 2 | 3): Buffer;
  /** redis.log(level, msg): level is Redis's LL_DEBUG 0 … LL_WARNING 3. */
  log(level: number, msg: string): void;
  /** redis.set_repl(flags) (REPL_NONE 0, REPL_AOF 1, REPL_REPLICA 2, REPL_ALL 3); optional. */
  setRepl?(flags: number): void;
  /**
   * redis.acl_check_cmd(...): whether the calling user may run the command
   * (true/false), or null when the command does not exist. Optional: without
   * it every command is allowed.
   */
  aclCheckCmd?(args: string[]): boolean | null;
}

/** A script's shebang flags (`#!lua flags=...`); compat when it has no shebang. */
export interface ScriptFlags {
  /** No shebang: EVAL's pre-7.0 behaviour (flags come from the commands run). */
  compat: boolean;
  noWrites: boolean;
  allowOom: boolean;
  allowStale: boolean;
  noCluster: boolean;
  allowCrossSlotKeys: boolean;
}

interface CachedScript {
  ref: number;
  flags: ScriptFlags;
  /** used_memory_scripts share: the sha and body as Redis allocates them. */
  mem: number;
}

const NOSCRIPT = 'NOSCRIPT No matching script. Please use EVAL.';
const KILLED = 'Script killed by user with SCRIPT KILL...';
const HOOK_EVERY = 100000;
const SCRIPT_FLAG_NAMES: Record<string, keyof ScriptFlags> = {
  'no-writes': 'noWrites',
  'allow-oom': 'allowOom',
  'allow-stale': 'allowStale',
  'no-cluster': 'noCluster',
  'allow-cross-slot-keys': 'allowCrossSlotKeys',
};

export function sha1hex(s: string): string {
  return createHash('sha1').update(s, 'latin1').digest('hex');
}

/** A C string: stops at the first NUL. */
function cstr(s: string): string {
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
}

/** luaPushErrorBuff: "-CODE msg" or "msg" (code ERR) → "CODE msg", CR/LF trimmed off msg's ends. */
export function luaErrorText(buf: string): string {
  buf = cstr(buf);
  let code = 'ERR';
  let msg: string;
  if (buf.charCodeAt(0) === 0x2d) {
    const sp = buf.indexOf(' ');
    if (sp < 0) msg = buf.slice(1);
    else {
      code = buf.slice(1, sp);
      msg = buf.slice(sp + 1);
    }
  } else msg = buf;
  return code + ' ' + msg.replace(/^[\r\n]+/, '').replace(/[\r\n]+$/, '');
}

/** addReplyErrorFormat's clean-up of a formatted error: CR/LF trimmed at the end, the rest spaces. */
function errorLine(s: string): string {
  return s.replace(/[\r\n]+$/, '').replace(/[\r\n]/g, ' ');
}

/** jemalloc's size class for an allocation of n bytes (Redis's zmalloc_size). */
function jeSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return (n + 15) & ~15;
  const lg = Math.floor(Math.log2(n - 1));
  const step = 2 ** (lg - 2);
  return Math.ceil(n / step) * step;
}

/** sdsZmallocSize of an sds holding len bytes (header by length, +1 NUL). */
function sdsSize(len: number): number {
  const hdr = len < 256 ? 3 : len < 65536 ? 5 : len < 2 ** 32 ? 9 : 17;
  return jeSize(hdr + len + 1);
}

/** getStringObjectSdsUsedMemory of an argument object holding len bytes. */
function argObjectSize(len: number): number {
  if (len <= 44) return jeSize(16 + 3 + len + 1) - 16; // embstr
  return sdsSize(len);
}

/** Redis's sdssplitargs (the shebang line); null on unbalanced quotes. */
function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  const isHex = (c: string) => /^[0-9a-fA-F]$/.test(c);
  const isSpace = (c: string) => c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\v' || c === '\f';
  let p = 0;
  const n = line.length;
  for (;;) {
    while (p < n && isSpace(line[p])) p++;
    if (p >= n) return out;
    let inq = false;
    let insq = false;
    let done = false;
    let cur = '';
    while (!done) {
      const c = p < n ? line[p] : '';
      if (inq) {
        if (c === '\\' && line[p + 1] === 'x' && p + 3 < n && isHex(line[p + 2]) && isHex(line[p + 3])) {
          cur += String.fromCharCode(parseInt(line.slice(p + 2, p + 4), 16));
          p += 3;
        } else if (c === '\\' && p + 1 < n) {
          p++;
          const e = line[p];
          cur += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === '"') {
          if (p + 1 < n && !isSpace(line[p + 1])) return null;
          done = true;
        } else if (c === '') {
          return null;
        } else cur += c;
      } else if (insq) {
        if (c === '\\' && line[p + 1] === "'") {
          p++;
          cur += "'";
        } else if (c === "'") {
          if (p + 1 < n && !isSpace(line[p + 1])) return null;
          done = true;
        } else if (c === '') {
          return null;
        } else cur += c;
      } else {
        if (c === '' || c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\0') done = true;
        else if (c === '"') inq = true;
        else if (c === "'") insq = true;
        else cur += c;
      }
      if (p < n) p++;
    }
    out.push(cur);
  }
}

/** evalExtractShebangFlags: the flags and the shebang's length, or Redis's error text. */
export function parseShebang(body: string): { flags: ScriptFlags; len: number } | { err: string } {
  const flags: ScriptFlags = {
    compat: true,
    noWrites: false,
    allowOom: false,
    allowStale: false,
    noCluster: false,
    allowCrossSlotKeys: false,
  };
  if (!body.startsWith('#!')) return { flags, len: 0 };
  // The body is a C string to strchr/sdsnewlen: it ends at a NUL.
  const end = cstr(body).indexOf('\n');
  if (end < 0) return { err: 'ERR Invalid script shebang' };
  const parts = splitArgs(body.slice(0, end));
  if (parts === null || parts.length === 0) return { err: 'ERR Invalid engine in script shebang' };
  if (parts[0] !== '#!lua') return { err: `ERR Unexpected engine in script shebang: ${cstr(parts[0])}` };
  flags.compat = false;
  for (let j = 1; j < parts.length; j++) {
    const part = parts[j];
    if (part.startsWith('flags=')) {
      const list = part.slice(6);
      if (list.length === 0) continue;
      for (const f of list.split(',')) {
        const key = SCRIPT_FLAG_NAMES[cstr(f)];
        if (key === undefined) return { err: `ERR Unexpected flag in script shebang: ${cstr(f)}` };
        flags[key] = true;
      }
    } else {
      return { err: `ERR Unknown lua shebang option: ${cstr(part)}` };
    }
  }
  return { flags, len: end };
}

export class ScriptEngine {
  static loadError = '';

  /** Called every 100000 Lua instructions of a running script: return true (or an error text) to stop it. */
  onHook?: () => boolean | string | void;
  /** Problems met while building the Lua state (a library left out), for the log. */
  readonly warnings: string[] = [];
  /** After run(): the script's error reply came from a command (Redis does not count it again in errorstats). */
  lastErrorNoStats = false;

  private L = 0;
  private readonly sc: Scratch;
  private scripts = new Map<string, CachedScript>();
  private runRef = 0;
  private stateRef = 0;
  private getrandRef = 0;
  private setrandRef = 0;
  private readonly cb: {
    call: number;
    pcall: number;
    sha1: number;
    log: number;
    setresp: number;
    setrepl: number;
    acl: number;
    allow: number;
    hook: number;
    /** Makes a trampoline closure around a Lua function (0: none on this platform). */
    wrap: number;
  };
  private readonly handles: unknown[] = [];
  /** Callbacks raise through C thunks (x86-64); otherwise through Lua wrappers. */
  private readonly native: boolean;
  private hookOn = false;
  // The run in progress.
  private running = false;
  private host: ScriptHost | null = null;
  private resp: 2 | 3 = 2;
  private sha = '';
  private killMsg: string | null = null;
  /** Set when a new lua_State could not be built (after SCRIPT FLUSH). */
  private broken: string | null = null;

  /** One lua_State per thread. Returns null if the Lua library can't be loaded (see loadError). */
  static create(): ScriptEngine | null {
    const api = luaApi();
    if (api === null) {
      ScriptEngine.loadError = 'Lua scripting is not available: ' + luaLoadError();
      return null;
    }
    try {
      return new ScriptEngine(api);
    } catch (e) {
      ScriptEngine.loadError = 'Lua scripting is not available: ' + (e as Error).message.replace(/\s+/g, ' ');
      return null;
    }
  }

  private constructor(private readonly api: LuaApi) {
    this.sc = new Scratch(api);
    if (!api.fullStringHash) {
      this.warnings.push('tables keyed by strings of 32 bytes or more iterate in another order than in Redis (stock Lua string hash)');
    }
    const reg = (fn: (L: number) => number): number => {
      const [addr, h] = api.register((L: number) => {
        try {
          return fn(L);
        } catch (e) {
          // Never let an exception reach koffi: answer with an error value.
          return this.pushError(L, 'ERR ' + ((e as Error)?.message ?? String(e)), false, false);
        }
      });
      this.handles.push(h);
      return addr;
    };
    const [hookAddr, hookHandle] = api.registerHook((L: number) => {
      try {
        return this.hook(L);
      } catch {
        return 0;
      }
    });
    this.handles.push(hookHandle);
    const plain = [
      reg((L) => this.callCb(L, true)),
      reg((L) => this.callCb(L, false)),
      reg((L) => this.sha1Cb(L)),
      reg((L) => this.logCb(L)),
      reg((L) => this.setrespCb(L)),
      reg((L) => this.setreplCb(L)),
      reg((L) => this.aclCb(L)),
      reg((L) => this.allowCb(L)),
      hookAddr,
      reg((L) => this.wrapCb(L)),
    ];
    const thunks = api.makeThunks(plain);
    this.native = thunks !== null;
    const a = thunks ?? plain;
    this.cb = {
      call: a[0], pcall: a[1], sha1: a[2], log: a[3], setresp: a[4], setrepl: a[5], acl: a[6], allow: a[7], hook: a[8],
      wrap: api.trampoline !== null ? a[9] : 0,
    };
    this.init();
  }

  // ---------------------------------------------------------------------------
  // The lua_State

  private init(): void {
    const api = this.api;
    const L = api.newstate();
    if (L === 0) throw new Error('luaL_newstate failed');
    this.L = L;
    try {
      this.setupState(L);
    } catch (e) {
      api.close(L);
      this.L = 0;
      throw e;
    }
  }

  private setupState(L: number): void {
    const api = this.api;
    const sc = this.sc;
    // luaSetAllowListProtection: globals are added only if allowed.
    api.createtable(L, 0, 0);
    api.pushcclosure(L, this.cb.allow, 0);
    api.setfield(L, -2, sc.cstr('__newindex'));
    api.setmetatable(L, LUA_GLOBALSINDEX);
    // luaLoadLibraries, in Redis's order.
    const open = (fn: number, name: string, nres: number): void => {
      api.pushcclosure(L, fn, 0);
      this.pushStr(L, name);
      this.check(L, api.pcall(L, 1, nres, 0), 'luaopen ' + (name || 'base'));
    };
    const f = api.fn;
    open(f.luaopen_base, '', 0);
    open(f.luaopen_table, 'table', 0);
    open(f.luaopen_string, 'string', 0);
    open(f.luaopen_math, 'math', 0);
    open(f.luaopen_debug, 'debug', 0);
    open(f.luaopen_cjson, 'cjson', 1);
    api.setfield(L, LUA_GLOBALSINDEX, sc.cstr('cjson'));
    // struct and cmsgpack are C in Redis, Lua source here (lua-libs.ts).
    this.loadModule(L, STRUCT_LUA, '=ks.struct', 'struct');
    this.loadModule(L, CMSGPACK_LUA, '=ks.cmsgpack', 'cmsgpack');
    open(f.luaopen_bit, 'bit', 0);
    api.settop(L, 0);

    // The prelude (redis table, sandbox, lock); see prelude.ts.
    this.loadChunk(L, PRELUDE_LUA, PRELUDE_CHUNK);
    for (const fn of [this.cb.call, this.cb.pcall, this.cb.sha1, this.cb.log, this.cb.setresp, this.cb.setrepl, this.cb.acl]) {
      api.pushcclosure(L, fn, 0);
    }
    api.pushboolean(L, this.native ? 1 : 0);
    if (this.cb.wrap !== 0) api.pushcclosure(L, this.cb.wrap, 0);
    else api.pushnil(L);
    this.check(L, api.pcall(L, 9, 5, 0), 'prelude');
    // Stack: run, proxy of _G, getrand, setrand, state.
    this.stateRef = api.ref(L, LUA_REGISTRYINDEX);
    this.setrandRef = api.ref(L, LUA_REGISTRYINDEX);
    this.getrandRef = api.ref(L, LUA_REGISTRYINDEX);
    api.replace(L, LUA_GLOBALSINDEX);
    this.runRef = api.ref(L, LUA_REGISTRYINDEX);
    // Keep the chunk name interned and referenced: stock Lua's parser does
    // not anchor it (CVE-2025-49844).
    this.pushStr(L, '@user_script');
    api.ref(L, LUA_REGISTRYINDEX);
    api.settop(L, 0);
    this.hookOn = false;
  }

  private loadChunk(L: number, src: string, name: string): void {
    const sc = this.sc;
    sc.ensure(src.length);
    const len = sc.buf.latin1Write(src, sc.DATA);
    this.check(L, this.api.loadbuffer(L, sc.addr + sc.DATA, len, sc.cstr(name)), 'load ' + name);
  }

  /** A module written in Lua: its chunk returns the table, set as a global. A failure leaves it out. */
  private loadModule(L: number, src: string, chunk: string, global: string): void {
    try {
      this.loadChunk(L, src, chunk);
      this.check(L, this.api.pcall(L, 0, 1, 0), chunk);
      this.api.setfield(L, LUA_GLOBALSINDEX, this.sc.cstr(global));
    } catch (e) {
      this.api.settop(L, 0);
      this.warnings.push(`${global} not available: ${(e as Error).message}`);
    }
  }

  private check(L: number, status: number, what: string): void {
    if (status === 0) return;
    const msg = this.api.type(L, -1) === LUA_TSTRING ? this.readStr(L, -1) : '?';
    this.api.settop(L, 0);
    throw new Error(`${what}: ${msg}`);
  }

  // ---------------------------------------------------------------------------
  // Strings across the FFI

  /** The bytes of the string (or number) at idx as a latin1 string. */
  private readStr(L: number, idx: number): string {
    const api = this.api;
    const sc = this.sc;
    const p = api.tolstring(L, idx, sc.lenAddr);
    if (p === 0) return '';
    const len = sc.outLen();
    if (len === 0) return '';
    sc.ensure(len);
    api.memcpy(sc.addr + sc.DATA, p, len);
    return sc.buf.latin1Slice(sc.DATA, sc.DATA + len);
  }

  /** Copy the string at idx into the scratch at DATA; its length. */
  private readBytes(L: number, idx: number): number {
    const api = this.api;
    const sc = this.sc;
    const p = api.tolstring(L, idx, sc.lenAddr);
    if (p === 0) return 0;
    const len = sc.outLen();
    if (len === 0) return 0;
    sc.ensure(len);
    api.memcpy(sc.addr + sc.DATA, p, len);
    return len;
  }

  private pushStr(L: number, s: string): void {
    const sc = this.sc;
    sc.ensure(s.length);
    const n = sc.buf.latin1Write(s, sc.DATA);
    this.api.pushlstring(L, sc.addr + sc.DATA, n);
  }

  // ---------------------------------------------------------------------------
  // Callbacks (C functions implemented in JS; they never raise)

  /** Push an error table {err=text}; returns the callback's result count. */
  private pushError(L: number, text: string, raise: boolean, fromCommand: boolean): number {
    const api = this.api;
    api.createtable(L, 0, 0);
    this.pushStr(L, text);
    api.setfield(L, -2, this.sc.cstr('err'));
    if (fromCommand) {
      api.pushboolean(L, 1);
      api.setfield(L, -2, this.sc.cstr('ignore_error_stats_update'));
    }
    if (raise) {
      if (this.native) return -1; // the thunk raises the table
      api.pushboolean(L, 1);
      return 2;
    }
    return 1;
  }

  /**
   * luaArgsToRedisArgv: the arguments as strings (numbers as %.17g, as Redis
   * formats them; lua_tolstring would give %.14g), or the callback's result
   * count after pushing the error. The arguments stay on the stack (a C
   * function's results are the top values).
   */
  private argv(L: number, raise: boolean): string[] | number {
    const api = this.api;
    const sc = this.sc;
    const gather = api.gather;
    if (gather !== null) {
      let n: number;
      for (;;) {
        n = gather(L, sc.addr + sc.DATA, sc.buf.length - sc.DATA);
        if (n !== -2) break;
        sc.ensure(2 * (sc.buf.length - sc.DATA));
      }
      if (n === 0) return this.pushError(L, 'ERR Please specify at least one argument for this redis lib call', raise, false);
      if (n < 0) return this.pushError(L, 'ERR Lua redis lib command arguments must be strings or integers', raise, false);
      const b = sc.buf;
      const args: string[] = [];
      let p = sc.DATA;
      const end = sc.DATA + n;
      while (p < end) {
        if (b[p] === 0) {
          const len = b.readUInt32LE(p + 1);
          args.push(b.latin1Slice(p + 5, p + 5 + len));
          p += 5 + len;
        } else {
          const d = b.readDoubleLE(p + 1);
          // A NaN as the C library prints it: its sign kept.
          args.push(d === d ? formatDouble(d) : b[p + 8] & 0x80 ? '-nan' : 'nan');
          p += 9;
        }
      }
      if (args.length > 7900) api.settop(L, 0); // room for the reply
      return args;
    }
    const n = api.gettop(L);
    if (n === 0) {
      return this.pushError(L, 'ERR Please specify at least one argument for this redis lib call', raise, false);
    }
    const args = new Array<string>(n);
    for (let i = 1; i <= n; i++) {
      const t = api.type(L, i);
      if (t === LUA_TSTRING) {
        args[i - 1] = this.readStr(L, i);
      } else if (t === LUA_TNUMBER) {
        const d = api.tonumber(L, i);
        args[i - 1] = d === d ? formatDouble(d) : this.readStr(L, i);
      } else {
        api.settop(L, 0);
        return this.pushError(L, 'ERR Lua redis lib command arguments must be strings or integers', raise, false);
      }
    }
    api.settop(L, 0);
    return args;
  }

  private callCb(L: number, raise: boolean): number {
    const args = this.argv(L, raise);
    if (typeof args === 'number') return args;
    const host = this.host;
    if (host === null) {
      return this.pushError(L, 'ERR redis.call/pcall can only be called inside a script invocation', raise, false);
    }
    let reply: Buffer;
    try {
      reply = host.call(args, this.resp);
    } catch (e) {
      reply = Buffer.from('-ERR ' + ((e as Error)?.message ?? String(e)).replace(/[\r\n]/g, ' ') + '\r\n', 'latin1');
    }
    if (reply.length > 0 && reply[0] === 0x2d) {
      const e = reply.indexOf(13);
      return this.pushError(L, luaErrorText(reply.latin1Slice(0, e < 0 ? reply.length : e)), raise, true);
    }
    this.pushReply(L, reply);
    return 1;
  }

  private sha1Cb(L: number): number {
    const s = this.readStr(L, 1);
    this.api.settop(L, 0);
    this.pushStr(L, sha1hex(s));
    return 1;
  }

  private logCb(L: number): number {
    const level = this.api.tonumber(L, 1);
    const msg = this.readStr(L, 2);
    this.host?.log(level, msg);
    return 0;
  }

  private setrespCb(L: number): number {
    this.resp = this.api.tonumber(L, 1) === 3 ? 3 : 2;
    return 0;
  }

  private setreplCb(L: number): number {
    this.host?.setRepl?.(this.api.tonumber(L, 1));
    return 0;
  }

  private aclCb(L: number): number {
    const args = this.argv(L, true);
    if (typeof args === 'number') return args;
    const check = this.host?.aclCheckCmd;
    const ok = check === undefined ? true : check.call(this.host, args);
    if (ok === null) return this.pushError(L, 'ERR Invalid command passed to redis.acl_check_cmd()', true, false);
    this.api.pushboolean(L, ok ? 1 : 0);
    return 1;
  }

  /** wrap(f): the C trampoline with f as its upvalue (the prelude's Lua stand-ins for C functions). */
  private wrapCb(L: number): number {
    this.api.settop(L, 1);
    this.api.pushcclosure(L, this.api.trampoline!, 1);
    return 1;
  }

  /** luaNewIndexAllowList (set on _G while the libraries load). */
  private allowCb(L: number): number {
    const api = this.api;
    if (api.gettop(L) !== 3 || api.type(L, 2) !== LUA_TSTRING) return 0;
    const name = this.readStr(L, 2);
    if (GLOBALS_ALLOWED.has(name)) api.rawset(L, 1);
    return 0;
  }

  /**
   * The count hook (every 100000 instructions while onHook is set). When
   * onHook asks for a kill, the hook raises Redis's error and, as Redis
   * does, from then on fires on every line so a pcall cannot swallow it.
   */
  private hook(L: number): number {
    if (!this.running) return 0;
    const api = this.api;
    if (this.killMsg === null) {
      if (this.onHook === undefined) return 0;
      const r = this.onHook();
      if (r === undefined || r === false) return 0;
      this.killMsg = typeof r === 'string' ? r : KILLED;
      // Tell the error handler (it turns the hooks off once the kill reaches it).
      api.rawgeti(L, LUA_REGISTRYINDEX, this.stateRef);
      api.pushboolean(L, 1);
      api.setfield(L, -2, this.sc.cstr('killed'));
      api.settop(L, -2);
      if (!this.native) {
        // No thunk to raise through: make lua_error itself the hook (it
        // raises whatever is on top; the handler puts the kill error there).
        api.sethook(L, api.fn.lua_error, LUA_MASKCOUNT | LUA_MASKLINE, 1);
        return 0;
      }
    }
    if (!this.native) return 0;
    api.sethook(L, this.cb.hook, LUA_MASKLINE, 0);
    this.pushError(L, luaErrorText(this.killMsg), false, false);
    return -1;
  }

  // ---------------------------------------------------------------------------
  // RESP -> Lua (redisProtocolToLuaType)

  /** Parse position in the scratch, and where rewritten texts go (after the reply). */
  private rp = 0;
  private tail = 0;

  private pushReply(L: number, reply: Buffer): void {
    const sc = this.sc;
    // Room for the reply and, after it, one rewritten error text at a time
    // (at most a line plus "ERR ").
    sc.ensure(2 * reply.length + 64);
    reply.copy(sc.buf, sc.DATA);
    this.rp = sc.DATA;
    this.tail = sc.DATA + reply.length;
    this.pushValue(L, sc.buf, 0);
  }

  /** Push a string built in JS while a reply is being parsed (written after the reply). */
  private pushTail(L: number, s: string): void {
    const n = this.sc.buf.latin1Write(s, this.tail);
    this.api.pushlstring(L, this.sc.addr + this.tail, n);
  }

  /** Push the current line's text (after its type byte) straight from the reply; advance. */
  private pushLine(L: number, b: Buffer): void {
    const e = b.indexOf(13, this.rp);
    this.api.pushlstring(L, this.sc.addr + this.rp + 1, e - this.rp - 1);
    this.rp = e + 2;
  }

  private line(b: Buffer): string {
    const e = b.indexOf(13, this.rp);
    const s = b.latin1Slice(this.rp + 1, e);
    this.rp = e + 2;
    return s;
  }

  private pushValue(L: number, b: Buffer, depth: number): void {
    const api = this.api;
    const sc = this.sc;
    if (depth > 8 && api.checkstack(L, 4) === 0) {
      this.skipValue(b);
      api.pushnil(L);
      return;
    }
    const t = b[this.rp];
    switch (t) {
      case 0x24: {
        // $ bulk
        const n = Number(this.line(b));
        if (n < 0) return api.pushboolean(L, 0);
        api.pushlstring(L, sc.addr + this.rp, n);
        this.rp += n + 2;
        return;
      }
      case 0x3a: // : integer
        return api.pushnumber(L, Number(this.line(b)));
      case 0x2b: {
        // + status
        api.createtable(L, 0, 0);
        this.pushLine(L, b);
        api.setfield(L, -2, sc.cstr('ok'));
        return;
      }
      case 0x2d: {
        // - error (inside an aggregate)
        const s = this.line(b);
        api.createtable(L, 0, 0);
        this.pushTail(L, luaErrorText('-' + s));
        api.setfield(L, -2, sc.cstr('err'));
        api.pushboolean(L, 1);
        api.setfield(L, -2, sc.cstr('ignore_error_stats_update'));
        return;
      }
      case 0x2a: // * array
      case 0x3e: {
        // > push
        const n = Number(this.line(b));
        if (n < 0) return api.pushboolean(L, 0);
        api.createtable(L, 0, 0);
        for (let j = 1; j <= n; j++) {
          this.pushValue(L, b, depth + 1);
          api.rawseti(L, -2, j);
        }
        return;
      }
      case 0x25: {
        // % map
        const n = Number(this.line(b));
        api.createtable(L, 0, 0);
        api.createtable(L, 0, 0);
        for (let j = 0; j < n; j++) {
          if (b[this.rp] === 0x5f) {
            // a null key: Lua cannot store it (Redis raises there); left out
            this.skipValue(b);
            this.skipValue(b);
            continue;
          }
          this.pushValue(L, b, depth + 1);
          this.pushValue(L, b, depth + 1);
          api.rawset(L, -3);
        }
        api.setfield(L, -2, sc.cstr('map'));
        return;
      }
      case 0x7e: {
        // ~ set
        const n = Number(this.line(b));
        api.createtable(L, 0, 0);
        api.createtable(L, 0, 0);
        for (let j = 0; j < n; j++) {
          if (b[this.rp] === 0x5f) {
            this.skipValue(b); // a null member: not storable, left out
            continue;
          }
          this.pushValue(L, b, depth + 1);
          api.pushboolean(L, 1);
          api.rawset(L, -3);
        }
        api.setfield(L, -2, sc.cstr('set'));
        return;
      }
      case 0x5f: // _ null
        this.line(b);
        return api.pushnil(L);
      case 0x23: // # boolean
        return api.pushboolean(L, this.line(b) === 't' ? 1 : 0);
      case 0x2c: {
        // , double
        const s = this.line(b);
        api.createtable(L, 0, 0);
        api.pushnumber(L, parseDouble(s));
        api.setfield(L, -2, sc.cstr('double'));
        return;
      }
      case 0x28: {
        // ( big number
        api.createtable(L, 0, 0);
        this.pushLine(L, b);
        api.setfield(L, -2, sc.cstr('big_number'));
        return;
      }
      case 0x3d: {
        // = verbatim: "fmt:text"
        const n = Number(this.line(b));
        const start = this.rp;
        api.createtable(L, 0, 0);
        api.createtable(L, 0, 0);
        api.pushlstring(L, sc.addr + start + 4, Math.max(0, n - 4));
        api.setfield(L, -2, sc.cstr('string'));
        api.pushlstring(L, sc.addr + start, Math.min(3, n));
        api.setfield(L, -2, sc.cstr('format'));
        api.setfield(L, -2, sc.cstr('verbatim_string'));
        this.rp = start + n + 2;
        return;
      }
      case 0x7c: {
        // | attribute: skipped, then the value itself
        const n = Number(this.line(b));
        for (let j = 0; j < 2 * n; j++) this.skipValue(b);
        return this.pushValue(L, b, depth);
      }
      default:
        // Not RESP: nothing sensible to convert.
        this.rp = b.length;
        return api.pushnil(L);
    }
  }

  private skipValue(b: Buffer): void {
    const t = b[this.rp];
    const s = this.line(b);
    if (t === 0x24 || t === 0x3d) {
      const n = Number(s);
      if (n >= 0) this.rp += n + 2;
    } else if (t === 0x2a || t === 0x7e || t === 0x3e || t === 0x25 || t === 0x7c) {
      const n = Number(s);
      const k = t === 0x25 || t === 0x7c ? 2 * n : n;
      for (let j = 0; j < k; j++) this.skipValue(b);
      if (t === 0x7c) this.skipValue(b);
    }
  }

  // ---------------------------------------------------------------------------
  // The API

  /**
   * SCRIPT LOAD / EVAL body: compile and cache (f_<sha1> in the registry).
   * Returns the lowercase sha1, or Redis's error text for a bad shebang or a
   * compile error.
   */
  load(body: string): { sha: string } | { err: string } {
    if (this.L === 0 && !this.revive()) return { err: this.broken! };
    const sha = sha1hex(body);
    if (this.scripts.has(sha)) return { sha };
    const sb = parseShebang(body);
    if ('err' in sb) return { err: sb.err };
    const api = this.api;
    const L = this.L;
    const sc = this.sc;
    // The shebang is skipped but its line feed kept (line numbers hold).
    // Redis's Lua never loads bytecode: a leading space makes stock Lua
    // parse an ESC-led chunk as text too.
    const lead = body.charCodeAt(sb.len) === 0x1b ? 1 : 0;
    const len = body.length - sb.len + lead;
    sc.ensure(len);
    if (lead) sc.buf[sc.DATA] = 0x20;
    sc.buf.latin1Write(sb.len > 0 ? body.slice(sb.len) : body, sc.DATA + lead);
    const st = api.loadbuffer(L, sc.addr + sc.DATA, len, sc.cstr('@user_script'));
    if (st !== 0) {
      const msg = this.readStr(L, -1);
      api.settop(L, 0);
      sc.shrink();
      return { err: 'ERR ' + errorLine('Error compiling script (new function): ' + cstr(msg)) };
    }
    const ref = api.ref(L, LUA_REGISTRYINDEX);
    sc.shrink();
    this.scripts.set(sha, { ref, flags: sb.flags, mem: sdsSize(40) + argObjectSize(body.length) });
    return { sha };
  }

  has(sha: string): boolean {
    return this.scripts.has(sha);
  }

  /** The shebang flags of a cached script (compat: true without a shebang). */
  flags(sha: string): ScriptFlags | undefined {
    return this.scripts.get(sha)?.flags;
  }

  /** SCRIPT FLUSH: a new lua_State (as scriptingReset), the PRNG state carried over. */
  flush(): void {
    const x = this.L !== 0 ? this.getRand() : 0x1234abcd330e;
    if (this.L !== 0) this.api.close(this.L);
    this.L = 0;
    this.scripts.clear();
    try {
      this.init();
      this.setRand(x);
    } catch (e) {
      // Out of memory, most likely: every later call answers with this.
      this.broken = 'ERR Lua scripting is not available: ' + (e as Error).message.replace(/\s+/g, ' ');
    }
  }

  /** INFO's number_of_cached_scripts, used_memory_scripts (estimate) and used_memory_lua. */
  stats(): { scripts: number; memory: number; luaMemory: number } {
    const n = this.scripts.size;
    let mem = 0;
    for (const s of this.scripts.values()) mem += s.mem;
    // dictEntry (24) + luaScript (16) per script, 8 per bucket.
    let slots = 0;
    if (n > 0) {
      slots = 4;
      while (slots < n) slots *= 2;
    }
    mem += n * 40 + slots * 8;
    return { scripts: n, memory: mem, luaMemory: this.L === 0 ? 0 : this.api.gc(this.L, LUA_GCCOUNT, 0) * 1024 };
  }

  /** After a failed rebuild: try once more. */
  private revive(): boolean {
    try {
      this.init();
      this.broken = null;
      return true;
    } catch (e) {
      this.broken = 'ERR Lua scripting is not available: ' + (e as Error).message.replace(/\s+/g, ' ');
      return false;
    }
  }

  /**
   * Run cached script sha with KEYS and ARGV, writing its reply into w
   * (w.proto is the client's protocol). The host serves redis.call/pcall.
   */
  run(sha: string, keys: string[], argv: string[], w: ReplyWriter, host: ScriptHost): void {
    const script = this.scripts.get(sha);
    this.lastErrorNoStats = false;
    if (script === undefined) return w.error(this.L === 0 ? this.broken ?? NOSCRIPT : NOSCRIPT);
    if (this.running) return w.error('ERR a script is already running on this engine');
    const api = this.api;
    const L = this.L;
    const sc = this.sc;

    // KEYS and ARGV travel as one string: proto, counts, then length-prefixed items.
    let size = 9;
    for (let i = 0; i < keys.length; i++) size += 4 + keys[i].length;
    for (let i = 0; i < argv.length; i++) size += 4 + argv[i].length;
    sc.ensure(size);
    const b = sc.buf;
    let p = sc.DATA;
    b[p] = w.proto === 3 ? 3 : 2;
    b.writeUInt32LE(keys.length, p + 1);
    b.writeUInt32LE(argv.length, p + 5);
    p += 9;
    for (let i = 0; i < keys.length; i++) {
      b.writeUInt32LE(keys[i].length, p);
      p += 4 + b.latin1Write(keys[i], p + 4);
    }
    for (let i = 0; i < argv.length; i++) {
      b.writeUInt32LE(argv[i].length, p);
      p += 4 + b.latin1Write(argv[i], p + 4);
    }

    const wantHook = this.onHook !== undefined;
    if (wantHook !== this.hookOn) {
      api.sethook(L, wantHook ? this.cb.hook : 0, wantHook ? LUA_MASKCOUNT : 0, wantHook ? HOOK_EVERY : 0);
      this.hookOn = wantHook;
    }
    this.host = host;
    this.resp = 2;
    this.sha = sha;
    this.killMsg = null;
    this.running = true;
    try {
      api.rawgeti(L, LUA_REGISTRYINDEX, this.runRef);
      api.rawgeti(L, LUA_REGISTRYINDEX, script.ref);
      api.pushlstring(L, sc.addr + sc.DATA, size);
      const st = api.pcall(L, 2, -1, 0);
      this.running = false;
      if (st !== 0) {
        // Only a kill raised outside the script's own frames, or out of memory.
        const msg = this.readStr(L, -1);
        if (this.killMsg !== null) w.error(luaErrorText(this.killMsg));
        else w.error('ERR ' + errorLine(`Error running script ${sha}, ${cstr(msg).slice(0, 100)}`));
        return;
      }
      this.writeResult(L, w);
    } finally {
      this.running = false;
      this.host = null;
      api.settop(L, 0);
      sc.shrink();
      if (this.killMsg !== null) {
        api.sethook(L, this.hookOn ? this.cb.hook : 0, this.hookOn ? LUA_MASKCOUNT : 0, this.hookOn ? HOOK_EVERY : 0);
      }
    }
  }

  private writeResult(L: number, w: ReplyWriter): void {
    const api = this.api;
    const sc = this.sc;
    const kind = api.tonumber(L, 1);
    if (kind === 6) {
      // (long long)lua_tonumber: truncated; out of range or NaN is INT64_MIN (x86-64).
      const d = api.tonumber(L, 2);
      if (d > -9007199254740992 && d < 9007199254740992) w.int(Math.trunc(d) || 0);
      else if (d >= -9223372036854775808 && d < 9223372036854775808) w.int(BigInt(d));
      else w.raw(':-9223372036854775808\r\n');
    } else if (kind === 7) {
      const b = api.toboolean(L, 2) !== 0;
      if (api.tonumber(L, 3) === 2) {
        if (b) w.raw(':1\r\n');
        else w.nil();
      } else w.bool(b);
    } else if (kind === 8) {
      w.nil();
    } else if (kind === 2) {
      const n = this.readBytes(L, 2);
      w.bulkBuf(sc.buf.subarray(sc.DATA, sc.DATA + n));
    } else if (kind === 0 || kind >= 10) {
      const n = this.readBytes(L, 2);
      w.rawBuf(sc.buf.subarray(sc.DATA, sc.DATA + n));
      if (kind > 10) w.errors += kind - 10;
    } else if (kind === 1 || kind === 5) {
      w.error(this.readStr(L, 2));
      this.lastErrorNoStats = kind === 5;
    } else if (kind === 3) {
      // luaCallFunction's error reply: "-<err> script: <sha>, on <source>:<line>."
      // A table without err crashes Redis 7.0.15 (a NULL message); later
      // versions say "ERR unknown error".
      let msg = api.type(L, 2) === LUA_TSTRING ? cstr(this.readStr(L, 2)) : 'ERR unknown error';
      const source = api.type(L, 3) === LUA_TSTRING ? cstr(this.readStr(L, 3)) : null;
      const line = api.type(L, 4) === LUA_TSTRING ? cstr(this.readStr(L, 4)) : null;
      this.lastErrorNoStats = api.toboolean(L, 5) !== 0;
      if (this.killMsg !== null && !this.native) {
        msg = luaErrorText(this.killMsg);
        this.lastErrorNoStats = false;
      }
      if (line !== null && source !== null) msg += ` script: ${this.sha}, on ${source}:${line}.`;
      w.error(msg.replace(/[\r\n]/g, ' '));
    } else {
      // 4: the handler's result was not a table.
      const msg = cstr(this.readStr(L, 2)).slice(0, 100);
      w.error('ERR ' + errorLine(`Error running script ${this.sha}, ${msg}`));
    }
  }

  private getRand(): number {
    const api = this.api;
    const L = this.L;
    api.rawgeti(L, LUA_REGISTRYINDEX, this.getrandRef);
    const st = api.pcall(L, 0, 1, 0);
    const x = st === 0 ? api.tonumber(L, -1) : 0x1234abcd330e;
    api.settop(L, 0);
    return x;
  }

  private setRand(x: number): void {
    const api = this.api;
    const L = this.L;
    api.rawgeti(L, LUA_REGISTRYINDEX, this.setrandRef);
    api.pushnumber(L, x);
    api.pcall(L, 1, 0, 0);
    api.settop(L, 0);
  }
}

/** strtod on a RESP3 double ("inf", "-inf", "nan" included). */
function parseDouble(s: string): number {
  const t = s.toLowerCase();
  if (t === 'inf' || t === '+inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (t === 'nan' || t === '-nan') return NaN;
  const d = Number(s);
  return Number.isNaN(d) ? parseFloat(s) || 0 : d;
}

/**
 * The globals the libraries may add (script_lua.c's allow lists, as the
 * patched 7.0.15 has them: getfenv, setfenv and newproxy are gone).
 */
const GLOBALS_ALLOWED = new Set([
  // libraries
  'string', 'cjson', 'bit', 'cmsgpack', 'math', 'table', 'struct',
  // Redis API
  'redis', '__redis__err__handler',
  // builtins
  'xpcall', 'tostring', 'setmetatable', 'next', 'assert', 'tonumber', 'rawequal', 'collectgarbage',
  'getmetatable', 'rawset', 'pcall', 'coroutine', 'type', '_G', 'select', 'unpack', 'gcinfo', 'pairs',
  'rawget', 'loadstring', 'ipairs', '_VERSION', 'load', 'error',
  // removed after initialization
  'debug',
]);
