// The Lua 5.1 C API through koffi (Debian's liblua5.1-0, lua-cjson and
// lua-bitop): the one place that knows about the FFI. Every pointer crosses
// as a plain number (intptr_t): koffi's fastest path (~60-120 ns a call),
// no External objects. Strings cross through a scratch buffer whose address
// is known (`Scratch`): JS writes bytes there and passes address + length;
// C strings come back as (pointer, length) and are copied out with memcpy.
//
// Nothing here may raise a Lua error while JS frames are on the C stack (a
// longjmp through them would crash the process): only functions that never
// raise (or raise only on out-of-memory) are bound, and callers never call
// them with arguments that make them raise (a nil table key, a non-table
// index).
//
// On x86-64 Linux a few small machine-code helpers are built at start-up
// (mmap'd, then made read+exec): thunks that let a JS callback raise a Lua
// error from a C frame, a trampoline that turns a Lua function into a C one,
// and `gather`, which copies all of a C function's arguments in one call.
// Their instructions are spelled out next to each. KS_LUA_PORTABLE=1 (and
// any other platform) runs without them, with the limits engine.ts lists.
// One byte of Debian's luaS_newlstr is also changed so strings hash as in
// Redis's Lua (see patchStringHash).

import * as fs from 'node:fs';
import * as path from 'node:path';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Koffi = any;

export const LUA_REGISTRYINDEX = -10000;
export const LUA_ENVIRONINDEX = -10001;
export const LUA_GLOBALSINDEX = -10002;

export const LUA_TNONE = -1;
export const LUA_TNIL = 0;
export const LUA_TBOOLEAN = 1;
export const LUA_TLIGHTUSERDATA = 2;
export const LUA_TNUMBER = 3;
export const LUA_TSTRING = 4;
export const LUA_TTABLE = 5;
export const LUA_TFUNCTION = 6;

export const LUA_MASKCALL = 1;
export const LUA_MASKRET = 2;
export const LUA_MASKLINE = 4;
export const LUA_MASKCOUNT = 8;

export const LUA_GCSTOP = 0;
export const LUA_GCRESTART = 1;
export const LUA_GCCOLLECT = 2;
export const LUA_GCCOUNT = 3;
export const LUA_GCCOUNTB = 4;
export const LUA_GCSTEP = 5;

/** The bound C API. `L` and every pointer are numbers. */
export interface LuaApi {
  koffi: Koffi;
  newstate(): number;
  close(L: number): void;
  loadbuffer(L: number, buf: number, len: number, name: number): number;
  pcall(L: number, nargs: number, nresults: number, errfunc: number): number;
  gettop(L: number): number;
  settop(L: number, idx: number): void;
  pushvalue(L: number, idx: number): void;
  replace(L: number, idx: number): void;
  /** lua_setmetatable: pops a table and sets it as the metatable of the value at idx. */
  setmetatable(L: number, idx: number): number;
  checkstack(L: number, n: number): number;
  type(L: number, idx: number): number;
  tolstring(L: number, idx: number, lenOut: number): number;
  tonumber(L: number, idx: number): number;
  toboolean(L: number, idx: number): number;
  pushlstring(L: number, s: number, len: number): void;
  pushnumber(L: number, n: number): void;
  pushboolean(L: number, b: number): void;
  pushnil(L: number): void;
  /** Push a C function given by address (a luaopen_* or a registered callback's address). */
  pushcclosure(L: number, fn: number, nup: number): void;
  createtable(L: number, narr: number, nrec: number): void;
  rawseti(L: number, idx: number, n: number): void;
  rawgeti(L: number, idx: number, n: number): void;
  rawset(L: number, idx: number): void;
  /** lua_setfield with a C string name given by address. */
  setfield(L: number, idx: number, k: number): void;
  gc(L: number, what: number, data: number): number;
  ref(L: number, t: number): number;
  unref(L: number, t: number, ref: number): void;
  sethook(L: number, fn: number, mask: number, count: number): number;
  /** memcpy between raw addresses. */
  memcpy(dst: number, src: number, n: number): number;
  /** The address of a Buffer's first byte (stable: Buffer memory never moves). */
  addressOf(b: Buffer): number;
  /** Register a JS function as a lua_CFunction; returns [its address, the handle for unregister]. */
  register(fn: (L: number) => number): [number, unknown];
  /** Register a JS function as a lua_Hook (its int result is for a thunk: negative raises). */
  registerHook(fn: (L: number, ar: number) => number): [number, unknown];
  unregister(handle: unknown): void;
  /**
   * C functions that call a registered callback and raise the value on top
   * of the Lua stack when it returns a negative number (x86-64 only; null
   * elsewhere or if executable memory is refused). See makeThunks.
   */
  makeThunks(targets: number[]): number[] | null;
  /**
   * A C function that calls its first upvalue with all its arguments and
   * returns all its results (x86-64; null elsewhere): a Lua function wrapped
   * this way is a C function to the script (a tail call to it keeps the
   * caller's frame, as with Redis's C functions).
   */
  trampoline: number | null;
  /**
   * Copy every argument of the running C function into out (x86-64; null
   * elsewhere): per argument, a string as 0, u32 length, bytes; a number as
   * 1, its double. Returns the bytes written, -1 at an argument of another
   * type, -2 when cap is too small. One FFI call instead of three per
   * argument.
   */
  gather: ((L: number, out: number, cap: number) => number) | null;
  /** Whether long strings hash on every byte as in Redis's Lua (see patchStringHash). */
  fullStringHash: boolean;
  /** Addresses of the library entry points. */
  fn: {
    luaopen_base: number;
    luaopen_table: number;
    luaopen_string: number;
    luaopen_math: number;
    luaopen_debug: number;
    luaopen_cjson: number;
    luaopen_bit: number;
    lua_error: number;
  };
}

const LIBLUA = 'liblua5.1.so.0';
const LIBDIR = '/usr/lib/x86_64-linux-gnu';
const CJSON = ['liblua5.1-cjson.so.0', 'liblua5.1-cjson.so'];
const BITOP = ['liblua5.1-bitop.so.0', 'liblua5.1-bitop.so'];

let cached: LuaApi | null = null;
let cachedError = '';

function loadFirst(koffi: Koffi, names: string[], what: string): any {
  let last = '';
  for (const n of names) {
    for (const p of [path.join(LIBDIR, n), n]) {
      try {
        return koffi.load(p);
      } catch (e) {
        last = (e as Error).message;
      }
    }
  }
  throw new Error(`cannot load ${what} (${names[0]}): ${last}`);
}

/** Bind the Lua C API once per thread; null (with `luaLoadError()`) if a library is missing. */
export function luaApi(): LuaApi | null {
  if (cached !== null) return cached;
  if (cachedError !== '') return null;
  try {
    cached = bind();
  } catch (e) {
    cachedError = (e as Error).message.replace(/\s+/g, ' ').trim();
    return null;
  }
  return cached;
}

export function luaLoadError(): string {
  return cachedError;
}

function bind(): LuaApi {
  let koffi: Koffi;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    koffi = require('koffi');
  } catch (e) {
    throw new Error(`the npm package koffi is not installed (${(e as Error).message})`);
  }
  let lua: any;
  try {
    // global: cjson and bitop are not linked against liblua and resolve
    // its symbols from the global namespace.
    lua = koffi.load(LIBLUA, { global: true });
  } catch (e) {
    throw new Error(`cannot load the Lua 5.1 library ${LIBLUA} (Debian package liblua5.1-0): ${(e as Error).message}`);
  }
  const cjson = loadFirst(koffi, CJSON, 'lua-cjson');
  const bitop = loadFirst(koffi, BITOP, 'lua-bitop');
  const libc = koffi.load('libc.so.6');

  const f = (sig: string) => lua.func(sig);
  const sym = (lib: any, name: string): number => Number(koffi.address(lib.symbol(name, 'char')));

  const CFn = koffi.proto('int ks_lua_CFunction(intptr_t L)');
  const HookFn = koffi.proto('int ks_lua_Hook(intptr_t L, intptr_t ar)');
  const CFnPtr = koffi.pointer(CFn);
  const HookPtr = koffi.pointer(HookFn);

  const memcpy = libc.func('intptr_t memcpy(intptr_t dst, intptr_t src, size_t n)');
  const bufAddr = libc.func('intptr_t memcpy(uint8_t *dst, intptr_t src, size_t n)');
  const memcpyIn = libc.func('intptr_t memcpy(intptr_t dst, uint8_t *src, size_t n)');
  const mmap = libc.func('intptr_t mmap(intptr_t addr, size_t len, int prot, int flags, int fd, intptr_t off)');
  const mprotect = libc.func('int mprotect(intptr_t addr, size_t len, int prot)');
  const luaError = sym(lua, 'lua_error');

  // A thunk is a real C function around a JS callback:
  //   int thunk(lua_State *L, ...) { int r = cb(L, ...); return r < 0 ? lua_error(L) : r; }
  // so a callback can raise a Lua error (the value it left on top) with no
  // JS frame on the C stack when lua_error longjmps. x86-64 System V:
  //   push rbx; mov rbx, rdi; mov rax, cb; call rax; test eax, eax; js raise
  //   pop rbx; ret
  //   raise: mov rdi, rbx; pop rbx; mov rax, lua_error; jmp rax
  // KS_LUA_PORTABLE=1: none of the machine-code helpers (the path other
  // architectures take), for testing it on x86-64.
  const native = process.arch === 'x64' && process.platform === 'linux' && process.env.KS_LUA_PORTABLE !== '1';
  const makeThunks = (targets: number[]): number[] | null => {
    if (!native) return null;
    const SLOT = 64;
    const size = Math.max(4096, Math.ceil((targets.length * SLOT) / 4096) * 4096);
    const page = mmap(0, size, 3 /* READ|WRITE */, 0x22 /* PRIVATE|ANONYMOUS */, -1, 0);
    if (page === -1 || page === 0) return null;
    const code = Buffer.alloc(size, 0xcc);
    targets.forEach((cb, k) => {
      let i = k * SLOT;
      const put = (...xs: number[]) => {
        for (const x of xs) code[i++] = x;
      };
      put(0x53, 0x48, 0x89, 0xfb, 0x48, 0xb8);
      code.writeBigUInt64LE(BigInt(cb), i);
      i += 8;
      put(0xff, 0xd0, 0x85, 0xc0, 0x78, 0x02, 0x5b, 0xc3, 0x48, 0x89, 0xdf, 0x5b, 0x48, 0xb8);
      code.writeBigUInt64LE(BigInt(luaError), i);
      i += 8;
      put(0xff, 0xe0);
    });
    memcpyIn(page, code, size);
    if (mprotect(page, size, 5 /* READ|EXEC */) !== 0) return null;
    return targets.map((_, k) => page + k * SLOT);
  };

  // Redis's Lua hashes every byte of a string (Redis commit 7f88923b4:
  // `step = 1` in luaS_newlstr); stock 5.1.5 samples strings of 32 bytes or
  // more (`step = (l >> 5) + 1`), so tables keyed by long strings iterate in
  // another order (pairs, cjson.encode, map and set replies). Debian's build
  // computes the step as `mov rcx, rdx; ...; shr rcx, 5; ...; add rcx, 1` at
  // the top of luaS_newlstr (reached from lua_pushlstring's first call);
  // `shr rcx, 63` makes it 1 for every length, the same function as Redis's.
  // Applied only when the bytes are exactly those, before this thread
  // creates a lua_State (a state must never see both hash functions; every
  // thread patches before its first state, and a patched byte is left as is).
  const patchStringHash = (): boolean => {
    if (process.arch !== 'x64' || process.platform !== 'linux') return false;
    const peek = Buffer.alloc(64);
    const peekAddr = bufAddr(peek, 0, 0);
    const pushl = sym(lua, 'lua_pushlstring');
    memcpy(peekAddr, pushl, 64);
    // lua_pushlstring: the first call (e8 rel32) is luaS_newlstr.
    const call = peek.indexOf(0xe8, 0);
    if (call < 0 || call > 48) return false;
    const target = pushl + call + 5 + peek.readInt32LE(call + 1);
    memcpy(peekAddr, target, 24);
    const want = Buffer.from('415748 89d1 4156 48c1e9 05 4989f6 4155 4883c101'.replace(/ /g, ''), 'hex');
    const at = 10; // the shift count
    if (peek[at] === 0x3f) {
      want[at] = 0x3f;
      return peek.subarray(0, want.length).equals(want);
    }
    if (!peek.subarray(0, want.length).equals(want)) return false;
    // Through /proc/self/mem: no change of page protections, which another
    // thread binding at the same time could undo under our write.
    try {
      const fd = fs.openSync('/proc/self/mem', 'r+');
      try {
        fs.writeSync(fd, Buffer.from([0x3f]), 0, 1, target + at);
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      const pageStart = Math.floor((target + at) / 4096) * 4096;
      if (mprotect(pageStart, 4096, 7 /* READ|WRITE|EXEC */) !== 0) return false;
      memcpyIn(target + at, Buffer.from([0x3f]), 1);
      mprotect(pageStart, 4096, 5 /* READ|EXEC */);
    }
    memcpy(peekAddr, target + at, 1);
    return peek[0] === 0x3f;
  };

  // gather: GNU as output of this routine (addresses patched in at the
  // movabs placeholders 0x1111... to 0x5555...):
  //   push rbx, rbp, r12-r15; sub rsp, 24; rbx = L; r12 = out; r13 = cap; r14 = 0
  //   ebp = lua_gettop(L); for r15d = 1 .. ebp:
  //     t = lua_type(L, i)
  //     number: if r14 + 9 > cap -> -2; out[r14] = 1; [out+r14+1] = lua_tonumber(L, i); r14 += 9
  //     string: p = lua_tolstring(L, i, [rsp]); len = [rsp]; if r14 + len + 5 > cap -> -2
  //             out[r14] = 0; u32 [out+r14+1] = len; memcpy(out+r14+5, p, len); r14 += len + 5
  //     other: -1
  //   return r14
  const GATHER_HEX =
    '535541544155415641574883ec184889fb4989f44989d54531f64889df48b81111111111111111ffd089c541bf01000000' +
    '4139ef0f8fa10000004889df4489fe48b82222222222222222ffd083f803745783f8040f85860000004889df4489fe4889e2' +
    '48b83333333333333333ffd0488b0c24498d540e054c39ea776a43c604340043894c34014b8d7c34054889c64889ca4d8d74' +
    '0e0548b84444444444444444ffd041ffc7eb89498d56094c39ea77364889df4489fe48b85555555555555555ffd043c60434' +
    '01f2430f114434014983c60941ffc7e956ffffff4489f0eb0cb8ffffffffeb05b8feffffff4883c418415f415e415d415c5d5bc3';
  const makeGather = (): ((L: number, out: number, cap: number) => number) | null => {
    if (!native) return null;
    const code = Buffer.from(GATHER_HEX, 'hex');
    const fill = (mark: number, addr: number) => {
      const pat = Buffer.alloc(8, mark);
      const at = code.indexOf(pat);
      if (at < 0 || addr === 0) throw new Error('gather: placeholder');
      code.writeBigUInt64LE(BigInt(addr), at);
    };
    fill(0x11, sym(lua, 'lua_gettop'));
    fill(0x22, sym(lua, 'lua_type'));
    fill(0x33, sym(lua, 'lua_tolstring'));
    fill(0x44, Number(koffi.address(libc.symbol('memcpy', 'char'))));
    fill(0x55, sym(lua, 'lua_tonumber'));
    const page = mmap(0, 4096, 3, 0x22, -1, 0);
    if (page === -1 || page === 0) return null;
    memcpyIn(page, code, code.length);
    if (mprotect(page, 4096, 5) !== 0) return null;
    // koffi wants the function pointer as an External: memcpy(p, p, 0) returns p as one.
    const asPointer = libc.func('void *memcpy(intptr_t dst, intptr_t src, size_t n)');
    return koffi.decode(asPointer(page, page, 0), koffi.proto('int ks_gather(intptr_t L, intptr_t out, size_t cap)'));
  };

  // int tramp(L) { lua_pushvalue(L, lua_upvalueindex(1)); lua_insert(L, 1);
  //                lua_call(L, lua_gettop(L) - 1, LUA_MULTRET); return lua_gettop(L); }
  const makeTrampoline = (): number | null => {
    if (!native) return null;
    const page = mmap(0, 4096, 3, 0x22, -1, 0);
    if (page === -1 || page === 0) return null;
    const code = Buffer.alloc(4096, 0xcc);
    let i = 0;
    const put = (...xs: number[]) => {
      for (const x of xs) code[i++] = x;
    };
    const callAbs = (addr: number) => {
      put(0x48, 0xb8); // mov rax, imm64
      code.writeBigUInt64LE(BigInt(addr), i);
      i += 8;
      put(0xff, 0xd0); // call rax
    };
    const movEsi = (v: number) => {
      put(0xbe);
      code.writeInt32LE(v, i);
      i += 4;
    };
    put(0x53, 0x48, 0x89, 0xfb); // push rbx; mov rbx, rdi
    movEsi(-10003); // lua_upvalueindex(1)
    callAbs(sym(lua, 'lua_pushvalue'));
    put(0x48, 0x89, 0xdf); // mov rdi, rbx
    movEsi(1);
    callAbs(sym(lua, 'lua_insert'));
    put(0x48, 0x89, 0xdf);
    callAbs(sym(lua, 'lua_gettop'));
    put(0x8d, 0x70, 0xff); // lea esi, [rax-1]
    put(0x48, 0x89, 0xdf);
    put(0xba, 0xff, 0xff, 0xff, 0xff); // mov edx, LUA_MULTRET
    callAbs(sym(lua, 'lua_call'));
    put(0x48, 0x89, 0xdf);
    callAbs(sym(lua, 'lua_gettop'));
    put(0x5b, 0xc3); // pop rbx; ret
    memcpyIn(page, code, 4096);
    if (mprotect(page, 4096, 5) !== 0) return null;
    return page;
  };

  return {
    koffi,
    newstate: f('intptr_t luaL_newstate()'),
    close: f('void lua_close(intptr_t L)'),
    loadbuffer: f('int luaL_loadbuffer(intptr_t L, intptr_t buf, size_t sz, intptr_t name)'),
    pcall: f('int lua_pcall(intptr_t L, int nargs, int nresults, int errfunc)'),
    gettop: f('int lua_gettop(intptr_t L)'),
    settop: f('void lua_settop(intptr_t L, int idx)'),
    pushvalue: f('void lua_pushvalue(intptr_t L, int idx)'),
    replace: f('void lua_replace(intptr_t L, int idx)'),
    setmetatable: f('int lua_setmetatable(intptr_t L, int idx)'),
    checkstack: f('int lua_checkstack(intptr_t L, int sz)'),
    type: f('int lua_type(intptr_t L, int idx)'),
    tolstring: f('intptr_t lua_tolstring(intptr_t L, int idx, intptr_t len)'),
    tonumber: f('double lua_tonumber(intptr_t L, int idx)'),
    toboolean: f('int lua_toboolean(intptr_t L, int idx)'),
    pushlstring: f('void lua_pushlstring(intptr_t L, intptr_t s, size_t len)'),
    pushnumber: f('void lua_pushnumber(intptr_t L, double n)'),
    pushboolean: f('void lua_pushboolean(intptr_t L, int b)'),
    pushnil: f('void lua_pushnil(intptr_t L)'),
    pushcclosure: f('void lua_pushcclosure(intptr_t L, intptr_t fn, int n)'),
    createtable: f('void lua_createtable(intptr_t L, int narr, int nrec)'),
    rawseti: f('void lua_rawseti(intptr_t L, int idx, int n)'),
    rawgeti: f('void lua_rawgeti(intptr_t L, int idx, int n)'),
    rawset: f('void lua_rawset(intptr_t L, int idx)'),
    setfield: f('void lua_setfield(intptr_t L, int idx, intptr_t k)'),
    gc: f('int lua_gc(intptr_t L, int what, int data)'),
    ref: f('int luaL_ref(intptr_t L, int t)'),
    unref: f('void luaL_unref(intptr_t L, int t, int ref)'),
    sethook: f('int lua_sethook(intptr_t L, intptr_t fn, int mask, int count)'),
    memcpy,
    addressOf: (b: Buffer) => bufAddr(b, 0, 0),
    register: (fn) => {
      const h = koffi.register(fn, CFnPtr);
      return [Number(koffi.address(h)), h];
    },
    registerHook: (fn) => {
      const h = koffi.register(fn, HookPtr);
      return [Number(koffi.address(h)), h];
    },
    unregister: (h) => koffi.unregister(h),
    makeThunks,
    trampoline: makeTrampoline(),
    gather: makeGather(),
    fullStringHash: patchStringHash(),
    fn: {
      luaopen_base: sym(lua, 'luaopen_base'),
      luaopen_table: sym(lua, 'luaopen_table'),
      luaopen_string: sym(lua, 'luaopen_string'),
      luaopen_math: sym(lua, 'luaopen_math'),
      luaopen_debug: sym(lua, 'luaopen_debug'),
      luaopen_cjson: sym(cjson, 'luaopen_cjson'),
      luaopen_bit: sym(bitop, 'luaopen_bit'),
      lua_error: luaError,
    },
  };
}

/**
 * A growable byte area with a known address, shared by JS and C. Offsets
 * 0..63 hold out-parameters (size_t lengths); constant C strings live in a
 * small table after that; bytes for one call go from `DATA` on.
 */
export class Scratch {
  buf: Buffer;
  addr: number;
  /** Address of the size_t out-parameter. */
  lenAddr: number;
  private cstrs = new Map<string, number>();
  private cstrEnd = 64;
  static readonly CSTR_AREA = 1024;
  readonly DATA = 64 + Scratch.CSTR_AREA;

  constructor(private readonly api: LuaApi, size = 1 << 16) {
    this.buf = Buffer.alloc(size);
    this.addr = api.addressOf(this.buf);
    this.lenAddr = this.addr;
  }

  /** Make room for n bytes at DATA (the old contents are not kept). */
  ensure(n: number): void {
    if (this.DATA + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.DATA + n) size *= 2;
    const nb = Buffer.alloc(size);
    this.buf.copy(nb, 0, 0, this.DATA); // keep the C strings
    this.buf = nb;
    this.addr = this.api.addressOf(nb);
    this.lenAddr = this.addr;
  }

  /** Give back a buffer grown past 1 MB (a large script, argument or reply). */
  shrink(): void {
    if (this.buf.length <= 1 << 20) return;
    const nb = Buffer.alloc(1 << 16);
    this.buf.copy(nb, 0, 0, this.DATA);
    this.buf = nb;
    this.addr = this.api.addressOf(nb);
    this.lenAddr = this.addr;
  }

  /** Address of a NUL-terminated copy of an ASCII constant (kept for the scratch's life). */
  cstr(s: string): number {
    let off = this.cstrs.get(s);
    if (off === undefined) {
      if (this.cstrEnd + s.length + 1 > 64 + Scratch.CSTR_AREA) throw new Error('scratch: C string area full');
      off = this.cstrEnd;
      this.buf.latin1Write(s, off);
      this.buf[off + s.length] = 0;
      this.cstrEnd += s.length + 1;
      this.cstrs.set(s, off);
    }
    return this.addr + off;
  }

  /** The size_t written by the last call that took `lenAddr`. */
  outLen(): number {
    return this.buf.readUInt32LE(0) + this.buf.readUInt32LE(4) * 0x100000000;
  }
}
