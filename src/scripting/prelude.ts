// The Lua side of the scripting engine, run once per lua_State after the
// libraries are open (src/scripting/engine.ts). It builds what Redis 7.0
// builds in C (script_lua.c, eval.c): Redis's pcall, the redis table,
// math.random on redisLrand48, the __redis__err__handler, the global
// protection, and the Lua value -> RESP conversion of a script's result.
//
// Redis 7.0 runs a patched Lua whose tables can be made read-only
// (lua_enablereadonlytable). Stock Lua 5.1 has no such flag, so the same
// effect comes from proxies: every table reachable from _G (and the string
// metatable) is replaced by an empty proxy whose metatable reads through to
// the real table and refuses writes with Redis's message. The few base
// functions that bypass metamethods (rawget, rawset, next, pairs,
// getmetatable, setmetatable, table.insert) are wrapped to see through or
// refuse the same way. Those wrappers and the redis.* functions written here
// are Lua functions where Redis has C ones: each is wrapped in a C
// trampoline (lua.ts) so the script calls a C function (a tail call keeps
// its frame), they raise at the caller's level with lauxlib's texts, and the
// error handler treats this chunk's frames (and the C frames around them) as
// one C frame, as Redis sees it.
//
// Called with the JS callbacks; returns the run function, the proxy of _G
// (the new LUA_GLOBALSINDEX), the PRNG state accessors and the kill flag
// table.

export const PRELUDE_CHUNK = '=ks.prelude';

/** Chunk names whose frames count as C frames for error positions. */
export const INTERNAL_CHUNKS = [PRELUDE_CHUNK, '=ks.struct', '=ks.cmsgpack'];

export const PRELUDE_LUA = String.raw`
local jcall, jpcall, jsha1, jlog, jsetresp, jsetrepl, jacl, native, jwrap = ...

-- Functions written here stand for Redis's C functions. With jwrap (a C
-- trampoline, see lua.ts) each is wrapped so the script calls a C function:
-- a tail call to it keeps the caller's frame. UP is the trampoline's frame
-- in error levels.
local wrap = jwrap or function(f) return f end
local UP = jwrap and 1 or 0

-- Everything used later is captured now: after the lock, globals resolve
-- through the proxies and a missing name raises.
local G = _G
local type, tostring, tonumber, select, error = type, tostring, tonumber, select, error
local rawget, rawset, rawequal, next, pairs = rawget, rawset, rawequal, next, pairs
local setmetatable, getmetatable, pcall, xpcall = setmetatable, getmetatable, pcall, xpcall
local loadstring, load, unpack, collectgarbage = loadstring, load, unpack, collectgarbage
local string, table, math, bit, dbg = string, table, math, bit, debug
local sfmt, sbyte, ssub, sfind, sgsub = string.format, string.byte, string.sub, string.find, string.gsub
local tconcat, tinsert = table.concat, table.insert
local floor, ceil = math.floor, math.ceil
local getinfo, dgetmetatable = dbg.getinfo, dbg.getmetatable
local rawtobit, rawtohex = bit.tobit, bit.tohex

local INTERNAL = { ['${INTERNAL_CHUNKS[0]}'] = true, ['${INTERNAL_CHUNKS[1]}'] = true, ['${INTERNAL_CHUNKS[2]}'] = true }
local RO = 'Attempt to modify a readonly table'

-- C's (int) conversion of a lua_Number as luaL_checkint does it on x86-64:
-- truncate to 64 bits (out of range or NaN: INT64_MIN), keep the low 32.
local function toint(d)
  if d ~= d or d >= 9223372036854775808 or d < -9223372036854775808 then return 0 end
  d = d >= 0 and floor(d) or ceil(d)
  d = d % 4294967296
  if d >= 2147483648 then d = d - 4294967296 end
  return d
end

-- C's (int) cast of a double (cvttsd2si: out of range or NaN gives INT_MIN).
local function cint(d)
  if d ~= d or d >= 2147483648 or d <= -2147483649 then return -2147483648 end
  return d >= 0 and floor(d) or ceil(d)
end

-- A C string: Lua strings may hold NULs, C stops at the first.
local function cstr(s)
  local z = sfind(s, '\0', 1, true)
  if z then return ssub(s, 1, z - 1) end
  return s
end

local function trimcrlf(s)
  return (sgsub(sgsub(s, '^[\r\n]+', ''), '[\r\n]+$', ''))
end

-- luaPushErrorBuff: "-CODE msg" or "msg" (code ERR), trailing CR/LF trimmed.
local function errbuff(b)
  local code, msg
  if sbyte(b, 1) == 45 then
    local sp = sfind(b, ' ', 1, true)
    if sp then code, msg = ssub(b, 2, sp - 1), ssub(b, sp + 1)
    else code, msg = 'ERR', ssub(b, 2) end
  else
    code, msg = 'ERR', b
  end
  local t = {}
  t.err = code .. ' ' .. trimcrlf(msg)
  return t
end

-- The name the script called the wrapper by (lauxlib's ar.name), from a
-- helper called directly by the wrapper: 1 argname, 2 helper, 3 wrapper,
-- 4 its trampoline.
local function argname()
  local ar = getinfo(3 + UP, 'n')
  return ar and ar.name or '?'
end

local function typename(n, ...)
  if select('#', ...) < n then return 'no value' end
  return type((select(n, ...)))
end

-- luaL_argerror / luaL_typerror for the wrapper that calls them, raised at
-- the script's position (1 helper, 2 wrapper, 3 trampoline or caller).
local function argerror(narg, extra)
  error(sfmt("bad argument #%d to '%s' (%s)", narg, argname(), extra), 2 + UP + 1)
end

local function typeerror(narg, tname, ...)
  error(sfmt("bad argument #%d to '%s' (%s expected, got %s)", narg, argname(), tname, typename(narg, ...)), 2 + UP + 1)
end

-- luaL_error from the wrapper itself: 1 wrapper, 2 trampoline or caller.
local LVL = 2 + UP

-------------------------------------------------------------------------------
-- Redis's pcall (luaRedisPcall): an error table with a string err field
-- comes back as that string.
local rawpcall = pcall
local function pcallret(ok, ...)
  if ok then return true, ... end
  local e = ...
  if type(e) == 'table' then
    local m = e.err
    local tm = type(m)
    if tm == 'string' or tm == 'number' then return false, m end
  end
  return false, e
end
G.pcall = function(...)
  if select('#', ...) == 0 then error("bad argument #1 to 'pcall' (value expected)", 2) end
  return pcallret(rawpcall(...))
end

-------------------------------------------------------------------------------
-- The redis table, built in Redis's order (luaRegisterRedisAPI).
local cur_resp = 2

-- redis.call and redis.acl_check_cmd raise from C (a thunk around the JS
-- callback, see lua.ts) when native; otherwise the callback returns
-- (error, true) and a Lua wrapper raises (a tail call to it then loses the
-- caller's frame in the error position).
local rcall, racl = jcall, jacl
if not native then
  rcall = function(...)
    local r, raise = jcall(...)
    if raise then error(r, 0) end
    return r
  end
  racl = function(...)
    local r, raise = jacl(...)
    if raise then error(r, 0) end
    return r
  end
end

local function mkerr(msg) return errbuff(msg) end

local function rlog(...)
  local argc = select('#', ...)
  if argc < 2 then error(mkerr('redis.log() requires two arguments or more.')) end
  local lvl = tonumber((...))
  if lvl == nil then error(mkerr('First argument must be a number (log level).')) end
  local level = cint(lvl)
  if level < 0 or level > 3 then error(mkerr('Invalid debug level.')) end
  local parts, n = {}, 0
  for j = 2, argc do
    local s = select(j, ...)
    local t = type(s)
    if t == 'string' or t == 'number' then
      if j ~= 2 then n = n + 1; parts[n] = ' ' end
      n = n + 1; parts[n] = tostring(s)
    end
  end
  jlog(level, tconcat(parts))
end

local function rsetresp(...)
  if select('#', ...) ~= 1 then error(mkerr('redis.setresp() requires one argument.')) end
  local r = cint(tonumber((...)) or 0)
  if r ~= 2 and r ~= 3 then error(mkerr('RESP version must be 2 or 3.')) end
  cur_resp = r
  jsetresp(r)
end

local function rsha1hex(...)
  if select('#', ...) ~= 1 then error(mkerr('wrong number of arguments')) end
  local s = ...
  local t = type(s)
  if t == 'number' then s = tostring(s) elseif t ~= 'string' then s = '' end
  return jsha1(s)
end

local function rerror_reply(...)
  if select('#', ...) ~= 1 or type((...)) ~= 'string' then return mkerr('wrong number or type of arguments') end
  local e = cstr((...))
  if sbyte(e, 1) ~= 45 then e = '-' .. e end
  return errbuff(e)
end

local function rstatus_reply(...)
  if select('#', ...) ~= 1 or type((...)) ~= 'string' then return mkerr('wrong number or type of arguments') end
  local t = {}
  t.ok = (...)
  return t
end

local function rset_repl(...)
  if select('#', ...) ~= 1 then error(mkerr('redis.set_repl() requires two arguments.')) end
  local flags = cint(tonumber((...)) or 0)
  if flags < 0 or flags > 3 then
    error(mkerr('Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.'))
  end
  jsetrepl(flags)
end

local redis = {}
redis.call = rcall
redis.pcall = jpcall
redis.log = wrap(rlog)
redis.LOG_DEBUG = 0
redis.LOG_VERBOSE = 1
redis.LOG_NOTICE = 2
redis.LOG_WARNING = 3
redis.REDIS_VERSION_NUM = 458767
redis.REDIS_VERSION = '7.0.15'
redis.setresp = wrap(rsetresp)
redis.sha1hex = wrap(rsha1hex)
redis.error_reply = wrap(rerror_reply)
redis.status_reply = wrap(rstatus_reply)
redis.set_repl = wrap(rset_repl)
redis.REPL_NONE = 0
redis.REPL_AOF = 1
redis.REPL_SLAVE = 2
redis.REPL_REPLICA = 2
redis.REPL_ALL = 3
redis.acl_check_cmd = racl
G.redis = redis

-------------------------------------------------------------------------------
-- math.random / math.randomseed on redisLrand48 (rand.c): the 48-bit LCG
-- x = 0x5DEECE66D * x + 0xB mod 2^48, seeded 0x1234ABCD330E, computed in
-- 24-bit halves so every step is exact in doubles. Not reseeded per script.
local rx = 20017429951246 -- 0x1234ABCD330E
local function lrand48()
  local xl = rx % 16777216
  local xh = (rx - xl) / 16777216
  local lo = 15525485 * xl + 11                      -- 0xECE66D * xl + 0xB
  local mid = (1502 * xl + 15525485 * xh) % 16777216 -- (0x5DE * xl + 0xECE66D * xh) mod 2^24
  rx = (lo + mid * 16777216) % 281474976710656
  return floor(rx / 131072)
end

local function optint(narg, ...)
  local v = tonumber((select(narg, ...)))
  return v and toint(v)
end

local function rrandom(...)
  local r = (lrand48() % 2147483647) / 2147483647
  local argc = select('#', ...)
  if argc == 0 then
    return r
  elseif argc == 1 then
    local u = optint(1, ...)
    if u == nil then typeerror(1, 'number', ...) end
    if not (1 <= u) then argerror(1, 'interval is empty') end
    return floor(r * u) + 1
  elseif argc == 2 then
    local l = optint(1, ...)
    if l == nil then typeerror(1, 'number', ...) end
    local u = optint(2, ...)
    if u == nil then typeerror(2, 'number', ...) end
    if not (l <= u) then argerror(2, 'interval is empty') end
    local w = u - l + 1
    if w >= 2147483648 then w = w - 4294967296 end
    return floor(r * w) + l
  end
  error('wrong number of arguments', LVL)
end

local function rrandomseed(...)
  local s = optint(1, ...)
  if s == nil then typeerror(1, 'number', ...) end
  s = s % 4294967296
  local x1 = s % 65536
  local x2 = (s - x1) / 65536
  rx = x2 * 4294967296 + x1 * 65536 + 13070 -- 0x330E
end

math.random = wrap(rrandom)
math.randomseed = wrap(rrandomseed)

redis.breakpoint = wrap(function() return false end)
redis.debug = wrap(function() end)
redis.replicate_commands = wrap(function() return true end)

-------------------------------------------------------------------------------
-- The error handler (eval.c's __redis__err__handler): wraps a non-table
-- error as {err='ERR '..tostring(err)} and records where it happened: the
-- raising frame, or its caller when that frame is C. Frames of this chunk,
-- and C functions they call, count as one C frame (they stand for Redis's C
-- functions).
local state = { killed = false }
local CFRAME = { what = 'C', source = '=[C]', currentline = -1 }

local function where()
  local vf, nv = {}, 0
  local run, runint = nil, false
  local lvl = 3 -- 1 where, 2 the handler, 3 the raising frame
  while nv < 2 do
    local i = getinfo(lvl, 'Sl')
    if i == nil then break end
    local int = INTERNAL[i.source]
    -- a tail-call marker right after such a frame is an internal tail call
    if int or i.what == 'C' or (run and i.what == 'tail') then
      run = run or {}
      run[#run + 1] = i
      if int then runint = true end
    else
      if run then
        if runint then nv = nv + 1; vf[nv] = CFRAME
        else for k = 1, #run do nv = nv + 1; vf[nv] = run[k] end end
        run, runint = nil, false
      end
      nv = nv + 1; vf[nv] = i
    end
    lvl = lvl + 1
  end
  if run then
    if runint then nv = nv + 1; vf[nv] = CFRAME
    else for k = 1, #run do nv = nv + 1; vf[nv] = run[k] end end
  end
  local i = vf[1]
  if i and i.what == 'C' then i = vf[2] end
  return i
end

-- The handler itself is a chunk named as Redis's (@err_handler_def) with
-- the assignment of err.source on line 10 as there: an error inside the
-- handler (err is a read-only table) is reported at that place, as Redis
-- reports it. On a kill it also turns the hooks off, so the code after the
-- script (below) runs undisturbed.
local HANDLER_SRC = 'local where, state, type, tostring, sethook, native = ...\n' ..
  'return function(err)\n' ..
  '  local i = where()\n' ..
  '  if state.killed then\n' ..
  '    sethook()\n' ..
  '    if not native then err = {} end\n' ..
  '  end\n' ..
  "  if type(err) ~= 'table' then err = {err='ERR ' .. tostring(err)} end\n" ..
  '  if i then\n' ..
  "    err['source'] = i.source\n" ..
  "    err['line'] = i.currentline\n" ..
  '  end\n' ..
  '  return err\n' ..
  'end\n'
local handler = loadstring(HANDLER_SRC, '@err_handler_def')(where, state, type, tostring, dbg.sethook, native)

-- Redis leaves debug on the globals until here, then removes it.
G.debug = nil
G.__redis__err__handler = handler

-------------------------------------------------------------------------------
-- Sandbox wrappers (installed before the lock; see the file header).
local real, proxyof = {}, {}
local b_getmetatable, b_setmetatable = getmetatable, setmetatable
local b_rawget, b_rawset, b_next = rawget, rawset, next
local b_unpack, b_loadstring, b_load = unpack, loadstring, load

local function noargs(n, ...) return select('#', ...) < n end

G.getmetatable = wrap(function(...)
  if select('#', ...) == 0 then argerror(1, 'value expected') end
  local o = ...
  local r = real[o]
  local mt
  if r ~= nil then mt = b_getmetatable(r) else mt = b_getmetatable(o) end
  if mt ~= nil then return proxyof[mt] or mt end
  return mt
end)

G.setmetatable = wrap(function(...)
  local t, mt = ...
  if type(t) ~= 'table' then typeerror(1, 'table', ...) end
  local tm = type(mt)
  if noargs(2, ...) or (tm ~= 'nil' and tm ~= 'table') then argerror(2, 'nil or table expected') end
  local r = real[t]
  local cur = dgetmetatable(r or t)
  if cur ~= nil and b_rawget(cur, '__metatable') ~= nil then error('cannot change a protected metatable', LVL) end
  if r ~= nil then error(RO, 0) end
  return b_setmetatable(t, mt)
end)

G.rawget = wrap(function(...)
  local t, k = ...
  if type(t) ~= 'table' then typeerror(1, 'table', ...) end
  if noargs(2, ...) then argerror(2, 'value expected') end
  return b_rawget(real[t] or t, k)
end)

G.rawset = wrap(function(...)
  local t, k, v = ...
  if type(t) ~= 'table' then typeerror(1, 'table', ...) end
  if noargs(2, ...) then argerror(2, 'value expected') end
  if noargs(3, ...) then argerror(3, 'value expected') end
  if real[t] ~= nil then error(RO, 0) end
  return b_rawset(t, k, v)
end)

G.next = wrap(function(...)
  local t, k = ...
  if type(t) ~= 'table' then typeerror(1, 'table', ...) end
  return b_next(real[t] or t, k)
end)

G.pairs = wrap(function(...)
  local t = ...
  if type(t) ~= 'table' then typeerror(1, 'table', ...) end
  return b_next, real[t] or t, nil
end)

table.insert = wrap(function(...)
  local argc = select('#', ...)
  local t, a = ...
  if type(t) ~= 'table' then typeerror(1, 'table', ...) end
  if argc ~= 2 and argc ~= 3 then error("wrong number of arguments to 'insert'", LVL) end
  if argc == 3 and tonumber(a) == nil then typeerror(2, 'number', ...) end
  if real[t] ~= nil then error(RO, 0) end
  return tinsert(...)
end)

-- unpack: stock 5.1.5 overflows on huge ranges (CVE-2025-46817); refuse
-- them, and otherwise call the builtin with the caller's own arguments (its
-- stack check counts them).
G.unpack = wrap(function(...)
  local t, i, e = ...
  if type(t) ~= 'table' then typeerror(1, 'table', ...) end
  local rt = real[t] or t
  if i == nil then i = 1 else
    local v = tonumber(i)
    if v == nil then typeerror(2, 'number', ...) end
    i = toint(v)
  end
  if e == nil then e = #rt else
    local v = tonumber(e)
    if v == nil then typeerror(3, 'number', ...) end
    e = toint(v)
  end
  if i > e then return end
  -- lua_checkstack(L, n) in the builtin: n plus the arguments within LUAI_MAXCSTACK
  local n = e - i + 1
  if n >= 2147483647 or n + select('#', ...) > 8000 then error('too many results to unpack', LVL) end
  return b_unpack(rt, select(2, ...))
end)

-- bit.tohex: stock LuaBitOp overflows its buffer for n == INT_MIN (CVE-2024-31449).
bit.tohex = wrap(function(...)
  local x, n = ...
  if tonumber(x) == nil then typeerror(1, 'number', ...) end
  if select('#', ...) < 2 then return rawtohex(x) end
  local m = tonumber(n)
  if m == nil then typeerror(2, 'number', ...) end
  if rawtobit(m) == -2147483648 then n = -2147483647 end
  return rawtohex(x, n)
end)

-- Redis's Lua never loads bytecode: a chunk starting with ESC is parsed as
-- text (and fails there). A leading space does that with stock Lua.
G.loadstring = wrap(function(...)
  local s, name = ...
  local ts = type(s)
  if ts ~= 'string' and ts ~= 'number' then typeerror(1, 'string', ...) end
  local tn = type(name)
  if name ~= nil and tn ~= 'string' and tn ~= 'number' then typeerror(2, 'string', ...) end
  s = tostring(s)
  if name == nil then name = s end
  if sbyte(s, 1) == 27 then s = ' ' .. s end
  return b_loadstring(s, name)
end)

G.load = wrap(function(...)
  local f, name = ...
  local tn = type(name)
  if name ~= nil and tn ~= 'string' and tn ~= 'number' then typeerror(2, 'string', ...) end
  if type(f) ~= 'function' then typeerror(1, 'function', ...) end
  -- an explicit chunk name: a string on the stack, anchored while parsing
  if name == nil then name = '=(load)' end
  local first = true
  local function reader()
    local p = f()
    if first then
      first = false
      if type(p) == 'string' and sbyte(p, 1) == 27 then return ' ' .. p end
    end
    return p
  end
  return b_load(reader, name)
end)

-------------------------------------------------------------------------------
-- The lock (scriptingInit): reading an undeclared global raises, and every
-- table reachable from _G (and the metatables of basic types) is read-only.
local function global_index(t, k)
  local tk = type(k)
  if tk ~= 'string' and tk ~= 'number' then
    error('Second argument to luaProtectedTableError must be a string or number', 2)
  end
  error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
end
b_setmetatable(G, { __index = global_index })

local function roerr() error(RO, 2) end

local function protect(t)
  local p = proxyof[t]
  if p then return p end
  p = {}
  proxyof[t] = p
  real[p] = t
  local sub = {}
  for k, v in b_next, t do
    if type(v) == 'table' then sub[k] = v end
  end
  for k, v in b_next, sub do b_rawset(t, k, protect(v)) end
  local mt = dgetmetatable(t)
  if mt then protect(mt) end
  b_setmetatable(p, { __index = t, __newindex = roerr })
  return p
end

local PG = protect(G)
local smt = dgetmetatable('')
if smt then protect(smt) end

-------------------------------------------------------------------------------
-- Running a script: KEYS/ARGV from one string, the call under the handler,
-- the result as RESP (luaReplyToRedisReply).
local client_proto = 2
local buf, n, nerr

local function put(s) n = n + 1; buf[n] = s end

local function nulrep() return client_proto == 3 and '_\r\n' or '$-1\r\n' end

local function bulk(s)
  local len = #s
  if len < 256 then put('$' .. len .. '\r\n' .. s .. '\r\n')
  else put('$' .. len .. '\r\n'); put(s); put('\r\n') end
end

local function errtext(e)
  e = sgsub(sgsub(cstr(e), '[\r\n]+$', ''), '[\r\n]', ' ')
  return e
end

local MAXSTACK = 8000

local function ser(v, s)
  if s + 4 > MAXSTACK then
    put('-ERR reached lua stack limit\r\n'); nerr = nerr + 1
    return
  end
  local t = type(v)
  if t == 'string' then
    bulk(v)
  elseif t == 'number' then
    -- (long long) of the double; %.14g spells small integers the same way
    if v % 1 == 0 and v < 1e14 and v > -1e14 and v ~= 0 then put(':' .. v .. '\r\n')
    else put(sfmt(':%d\r\n', v)) end
  elseif t == 'boolean' then
    if cur_resp == 2 then
      put(v and ':1\r\n' or nulrep())
    elseif client_proto == 3 then
      put(v and '#t\r\n' or '#f\r\n')
    else
      put(v and ':1\r\n' or ':0\r\n')
    end
  elseif t == 'table' then
    v = real[v] or v
    -- Raw reads, as Redis's lua_rawget: plain indexing is raw on a table
    -- without a metatable (one check instead of a rawget call per field).
    local plain = dgetmetatable(v) == nil
    local x
    if plain then x = v.err else x = b_rawget(v, 'err') end
    if type(x) == 'string' then
      put('-' .. errtext(x) .. '\r\n'); nerr = nerr + 1
      return
    end
    if plain then x = v.ok else x = b_rawget(v, 'ok') end
    if type(x) == 'string' then
      put('+' .. sgsub(cstr(x), '[\r\n]', ' ') .. '\r\n')
      return
    end
    if plain then x = v.double else x = b_rawget(v, 'double') end
    if type(x) == 'number' then
      local d = sfmt('%.17g', x)
      if client_proto == 3 then put(',' .. d .. '\r\n') else bulk(d) end
      return
    end
    if plain then x = v.big_number else x = b_rawget(v, 'big_number') end
    if type(x) == 'string' then
      x = sgsub(x, '[\r\n]', ' ')
      if client_proto == 3 then put('(' .. x .. '\r\n') else bulk(x) end
      return
    end
    if plain then x = v.verbatim_string else x = b_rawget(v, 'verbatim_string') end
    if type(x) == 'table' then
      x = real[x] or x
      local f = b_rawget(x, 'format')
      if type(f) == 'string' then
        local str = b_rawget(x, 'string')
        if type(str) == 'string' then
          if client_proto == 3 then
            f = ssub(cstr(f) .. '   ', 1, 3)
            put('=' .. (#str + 4) .. '\r\n' .. f .. ':'); put(str); put('\r\n')
          else
            bulk(str)
          end
          return
        end
      end
    end
    if plain then x = v.map else x = b_rawget(v, 'map') end
    if type(x) == 'table' then
      x = real[x] or x
      put('')
      local h, cnt = n, 0
      for k, val in b_next, x do
        ser(k, s + 4)
        ser(val, s + 3)
        cnt = cnt + 1
      end
      buf[h] = (client_proto == 3 and '%' .. cnt or '*' .. (cnt * 2)) .. '\r\n'
      return
    end
    if plain then x = v.set else x = b_rawget(v, 'set') end
    if type(x) == 'table' then
      x = real[x] or x
      put('')
      local h, cnt = n, 0
      for k in b_next, x do
        ser(k, s + 3)
        cnt = cnt + 1
      end
      buf[h] = (client_proto == 3 and '~' or '*') .. cnt .. '\r\n'
      return
    end
    put('')
    local h, j = n, 1
    if plain then
      while true do
        local e = v[j]
        if e == nil then break end
        ser(e, s + 1)
        j = j + 1
      end
    else
      while true do
        local e = b_rawget(v, j)
        if e == nil then break end
        ser(e, s + 1)
        j = j + 1
      end
    end
    buf[h] = '*' .. (j - 1) .. '\r\n'
  else
    put(nulrep())
  end
end

local KEYS, ARGV = 'KEYS', 'ARGV'
local gc_count = 0

local function u32(s, p)
  local a, b, c, d = sbyte(s, p, p + 3)
  return a + b * 256 + c * 65536 + d * 16777216
end

-- Results: kind, payload[, ...]
--   0 raw RESP (no nested errors)   10+k raw RESP with k nested error replies
--   1 error text (top level)        5 same, the error came from a command (no stats)
--   2 bulk string payload           3 script error: msg, source, line, no-stats flag
--   4 script error, not a table: message
--   6 number, 7 boolean (then the script's RESP), 8 nil (or a function, ...)
local function run(fn, blob)
  client_proto = sbyte(blob, 1)
  local nk, na = u32(blob, 2), u32(blob, 6)
  local p = 10
  local keys, argv = {}, {}
  for i = 1, nk do
    local len = u32(blob, p)
    keys[i] = ssub(blob, p + 4, p + 3 + len)
    p = p + 4 + len
  end
  for i = 1, na do
    local len = u32(blob, p)
    argv[i] = ssub(blob, p + 4, p + 3 + len)
    p = p + 4 + len
  end
  -- G's metatable has no __newindex: a plain assignment is a raw one.
  G.KEYS = keys
  G.ARGV = argv
  cur_resp = 2
  state.killed = false
  local ok, res = xpcall(fn, handler)
  gc_count = gc_count + 1
  if gc_count == 50 then
    collectgarbage('step', 50)
    gc_count = 0
  end
  if not ok then
    if type(res) ~= 'table' then
      local tr = type(res)
      return 4, (tr == 'string' or tr == 'number') and tostring(res) or 'execution failure'
    end
    local msg, source, line, ign = res.err, res.source, res.line, res.ignore_error_stats_update
    local tm = type(msg)
    if tm == 'number' then msg = tostring(msg) elseif tm ~= 'string' then msg = nil end
    if type(source) == 'number' then source = tostring(source) elseif type(source) ~= 'string' then source = nil end
    if type(line) == 'number' then line = tostring(line) elseif type(line) ~= 'string' then line = nil end
    return 3, msg, source, line, ign == true
  end
  local t = type(res)
  if t == 'string' then return 2, res end
  -- scalars: JS writes them (6 number, 7 boolean, 8 nil or other)
  if t == 'number' then return 6, res end
  if t == 'boolean' then return 7, res, cur_resp end
  if t ~= 'table' then return 8 end
  do
    local v = real[res] or res
    local e
    if dgetmetatable(v) == nil then e = v.err else e = b_rawget(v, 'err') end
    if type(e) == 'string' then
      return (v.ignore_error_stats_update == true) and 5 or 1, errtext(e)
    end
  end
  buf, n, nerr = {}, 0, 0
  ser(res, 2)
  local out = tconcat(buf, '', 1, n)
  buf = nil
  if nerr > 0 then return 10 + nerr, out end
  return 0, out
end

local function getrand() return rx end
local function setrand(x) rx = x end

return run, PG, getrand, setrand, state
`;
