// The `struct` and `cmsgpack` modules that Redis 7.0 scripts find as globals,
// as Lua 5.1 source. This file owns both modules, written here in plain Lua
// from their documented and observed behaviour (Roberto Ierusalimschy's
// lstruct as Redis bundles it, and Salvatore Sanfilippo's lua-cmsgpack 0.4.0):
// the same bytes for the same values, the same results, the same error texts
// and the same limits as Redis 7.0 on x86-64 (sizeof long = 8, int = 4, the
// C casts of double to integer included). No C code is copied.
//
// Each constant is a chunk: load it (luaL_loadbuffer + pcall) and it returns
// the module table. It needs only the base, string, math and table libraries,
// and uses debug.getinfo (when present at load time) to word argument errors
// as lauxlib does ("bad argument #2 to 'pack' (number expected, got nil)",
// with the caller's "chunk:line: " in front).
//
// Known limits of a pure-Lua module, compared with Redis's C functions:
//  - a call in tail position (`return struct.pack(x)`) whose arguments are bad
//    loses the caller's "chunk:line: " prefix (Lua drops the frame of a
//    tail-calling Lua function), and the function is named by its field name;
//  - a NaN keeps its sign through pack/unpack but not a non-default payload.

/** Helpers shared by both chunks (kept as locals of each chunk). */
const PRELUDE = String.raw`
local sbyte, schar, ssub, sfind, srep, sformat =
  string.byte, string.char, string.sub, string.find, string.rep, string.format
local concat = table.concat
local floor, ceil, frexp, ldexp, huge = math.floor, math.ceil, math.frexp, math.ldexp, math.huge
local type, tonumber, tostring, select, error, next, unpack =
  type, tonumber, tostring, select, error, next, unpack
local getinfo = debug and debug.getinfo

local TWO32 = 4294967296
local TWO63 = 9223372036854775808
local TWO64 = 18446744073709551616
local MAXCSTACK = 8000 -- LUAI_MAXCSTACK: lua_checkstack's limit for a C function

-- NaN sign: the C library prints a negative NaN as "-nan".
local function negnan(x) return sbyte(sformat("%f", x), 1) == 45 end
local NAN_POS, NAN_NEG
do
  local z = 0
  local a = z / z
  if negnan(a) then NAN_NEG, NAN_POS = a, -a else NAN_POS, NAN_NEG = a, -a end
end

-- Which module function is running, and the canonical names of them all.
local PUBLIC = {}
local CURRENT = "?"

-- The "chunk:line: " of the caller of the running module function and the
-- name it was called by, as luaL_where(L, 1) and luaL_argerror find them.
local function blame()
  if getinfo then
    local lvl = 3
    while true do
      local fi = getinfo(lvl, "f")
      if fi == nil then break end
      local canon = fi.func and PUBLIC[fi.func]
      if canon then
        local ni = getinfo(lvl, "n")
        local name, namewhat = ni.name, ni.namewhat
        local ci = getinfo(lvl + 1, "Sl")
        local where = ""
        if ci then
          if ci.currentline and ci.currentline > 0 then
            where = ci.short_src .. ":" .. ci.currentline .. ": "
          end
          if name == nil and ci.what == "tail" then name = canon end
        end
        return where, name, namewhat
      end
      lvl = lvl + 1
    end
  end
  return "", CURRENT, ""
end

-- luaL_error
local function lerror(msg)
  local where = blame()
  error(where .. msg, 0)
end

-- luaL_argerror
local function argerror(narg, msg)
  local where, name, namewhat = blame()
  if namewhat == "method" then
    narg = narg - 1
    if narg == 0 then
      error(where .. "calling '" .. tostring(name) .. "' on bad self (" .. msg .. ")", 0)
    end
  end
  error(where .. "bad argument #" .. narg .. " to '" .. (name or "?") .. "' (" .. msg .. ")", 0)
end

local function typeerror(narg, tname, v, nargs)
  local got = narg > nargs and "no value" or type(v)
  argerror(narg, tname .. " expected, got " .. got)
end

-- luaL_checklstring: strings, and numbers as lua_tolstring writes them.
local function checkstring(narg, v, nargs)
  local t = type(v)
  if t == "string" then return v end
  if t == "number" then return tostring(v) end
  typeerror(narg, "string", v, nargs)
end

-- luaL_checknumber
local function checknumber(narg, v, nargs)
  local n = tonumber(v)
  if n == nil then typeerror(narg, "number", v, nargs) end
  return n
end

-- lua_Number to lua_Integer (ptrdiff_t) as x86-64 converts it: truncation,
-- and INT64_MIN for NaN and anything out of range.
local function toint(n)
  if n ~= n or n >= TWO63 or n < -TWO63 then return -TWO63 end
  if n >= 0 then return floor(n) end
  return ceil(n) + 0
end

-- luaL_checkinteger / luaL_optinteger
local function checkinteger(narg, v, nargs)
  local n = tonumber(v)
  if n == nil then typeerror(narg, "number", v, nargs) end
  return toint(n)
end

-- Round a non-negative double to an integer, ties to even.
local function rne(v)
  local f = floor(v)
  local d = v - f
  if d > 0.5 or (d == 0.5 and f % 2 == 1) then f = f + 1 end
  return f
end

-- The bits of (float)x (IEEE 754 single, round to nearest even) as a number.
local function floatbits(x)
  if x ~= x then return (negnan(x) and 2147483648 or 0) + 2143289344 end
  local sign = 0
  if x < 0 or (x == 0 and 1 / x < 0) then sign = 2147483648; x = -x end
  if x == huge then return sign + 2139095040 end
  if x == 0 then return sign end
  local m, e = frexp(x)
  if e >= -125 then
    local bits = (e + 126) * 8388608 + (rne(ldexp(m, 24)) - 8388608)
    if bits >= 2139095040 then return sign + 2139095040 end
    return sign + bits
  end
  return sign + rne(ldexp(x, 149))
end

-- The double whose float bits are given.
local function floatvalue(bits)
  local neg = bits >= 2147483648
  if neg then bits = bits - 2147483648 end
  local ex, fr = floor(bits / 8388608), bits % 8388608
  local v
  if ex == 255 then
    if fr ~= 0 then return neg and NAN_NEG or NAN_POS end
    v = huge
  elseif ex == 0 then
    v = ldexp(fr, -149)
  else
    v = ldexp(fr + 8388608, ex - 150)
  end
  if neg then return -v end
  return v
end

-- The 8 bytes of a double, most significant first.
local function doublebytes(x)
  if x ~= x then return negnan(x) and 255 or 127, 248, 0, 0, 0, 0, 0, 0 end
  local sign = 0
  if x < 0 or (x == 0 and 1 / x < 0) then sign = 128; x = -x end
  if x == huge then return sign + 127, 240, 0, 0, 0, 0, 0, 0 end
  if x == 0 then return sign, 0, 0, 0, 0, 0, 0, 0 end
  local m, e = frexp(x)
  local ex, mant
  if e < -1021 then
    ex, mant = 0, ldexp(x, 1074)
  else
    ex, mant = e + 1022, ldexp(m, 53) - 4503599627370496
  end
  local hi = floor(mant / TWO32)
  local lo = mant - hi * TWO32
  return sign + floor(ex / 16), (ex % 16) * 16 + floor(hi / 65536), floor(hi / 256) % 256, hi % 256,
    floor(lo / 16777216), floor(lo / 65536) % 256, floor(lo / 256) % 256, lo % 256
end

-- The double of 8 bytes, most significant first.
local function doublevalue(b1, b2, b3, b4, b5, b6, b7, b8)
  local neg = b1 >= 128
  local ex = (b1 % 128) * 16 + floor(b2 / 16)
  local mant = (((b2 % 16) * 256 + b3) * 256 + b4) * TWO32 + ((b5 * 256 + b6) * 256 + b7) * 256 + b8
  local v
  if ex == 2047 then
    if mant ~= 0 then return neg and NAN_NEG or NAN_POS end
    v = huge
  elseif ex == 0 then
    v = ldexp(mant, -1074)
  else
    v = ldexp(mant + 4503599627370496, ex - 1075)
  end
  if neg then return -v end
  return v
end

-- Two's complement halves (hi, lo) of an integral t, -2^63 <= t < 2^64.
local function split64(t)
  if t >= 0 then
    local hi = floor(t / TWO32)
    return hi, t - hi * TWO32
  end
  local u = -t
  local uh = floor(u / TWO32)
  local ul = u - uh * TWO32
  if ul == 0 then return (TWO32 - uh) % TWO32, 0 end
  return TWO32 - 1 - uh, TWO32 - ul
end

-- (double)(int64_t)(hi, lo), rounded once as the C conversion rounds.
local function signed64(hi, lo)
  if hi >= 2147483648 then
    if lo == 0 then return -((TWO32 - hi) * TWO32) end
    return -((TWO32 - 1 - hi) * TWO32 + (TWO32 - lo))
  end
  return hi * TWO32 + lo
end

-- Return n values of t (more than unpack's limit of a C stack allows).
local function results(t, n)
  if n <= 7990 then return unpack(t, 1, n) end
  return t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], t[9], t[10], unpack(t, 11, n)
end
`;

/** struct: pack, unpack, size (formats as lstruct documents them; x86-64 sizes). */
export const STRUCT_LUA = String.raw`-- struct (Redis 7.0 scripting), written in Lua from the module's documented behaviour.
` + PRELUDE + String.raw`
local MAXINTSIZE = 32
local MAXALIGN = 8

-- Format state of the call being run (the module never re-enters itself).
local F, FI, FLEN = "", 1, 0
local LITTLE, ALIGN = true, 1

local B_0, B_9 = 48, 57
local O_SP, O_GT, O_LT, O_BANG = 32, 62, 60, 33
local O_b, O_B, O_h, O_H, O_l, O_L, O_T = 98, 66, 104, 72, 108, 76, 84
local O_i, O_I, O_f, O_d, O_x, O_c, O_s = 105, 73, 102, 100, 120, 99, 115
local INTOPT = { [O_b] = true, [O_B] = true, [O_h] = true, [O_H] = true, [O_l] = true,
  [O_L] = true, [O_T] = true, [O_i] = true, [O_I] = true }
local SIGNED = { [O_b] = true, [O_h] = true, [O_l] = true, [O_i] = true }
local FIXED = { [O_b] = 1, [O_B] = 1, [O_h] = 2, [O_H] = 2, [O_l] = 8, [O_L] = 8, [O_T] = 8,
  [O_f] = 4, [O_d] = 8, [O_x] = 1 }

local function setformat(fmt)
  local z = sfind(fmt, "\0", 1, true)
  if z then fmt = ssub(fmt, 1, z - 1) end
  F, FI, FLEN = fmt, 1, #fmt
  LITTLE, ALIGN = true, 1
end

local function getnum(df)
  local c = sbyte(F, FI)
  if c == nil or c < B_0 or c > B_9 then return df end
  local a = 0
  repeat
    local d = c - B_0
    if a > 214748364 or a * 10 > 2147483647 - d then lerror("integral size overflow") end
    a = a * 10 + d
    FI = FI + 1
    c = sbyte(F, FI)
  until c == nil or c < B_0 or c > B_9
  return a
end

local function optsize(opt)
  local s = FIXED[opt]
  if s then return s end
  if opt == O_c then return getnum(1) end
  if opt == O_i or opt == O_I then
    local sz = getnum(4)
    if sz > MAXINTSIZE then
      lerror("integral size " .. sz .. " is larger than limit of " .. MAXINTSIZE)
    end
    return sz
  end
  return 0
end

-- a & b for non-negative integers, b small
local function band(a, b)
  local r, p = 0, 1
  while a > 0 and b > 0 do
    local x, y = a % 2, b % 2
    if x == 1 and y == 1 then r = r + p end
    a, b, p = (a - x) / 2, (b - y) / 2, p * 2
  end
  return r
end

-- padding needed before an item of 'size' bytes at offset len
local function gettoalign(len, opt, size)
  if size == 0 or opt == O_c then return 0 end
  if size > ALIGN then size = ALIGN end
  if size <= 1 then return 0 end
  return band(size - band(len % 64, size - 1), size - 1)
end

local function controloptions(opt)
  if opt == O_SP then return end
  if opt == O_GT then LITTLE = false; return end
  if opt == O_LT then LITTLE = true; return end
  if opt == O_BANG then
    local a = getnum(MAXALIGN)
    if a <= 0 or band(a, a - 1) ~= 0 then lerror("alignment " .. a .. " is not a power of 2") end
    ALIGN = a
    return
  end
  argerror(1, "invalid format option '" .. schar(opt) .. "'")
end

-- (unsigned long) of a number as lstruct converts it: negative numbers
-- through (long), x86-64 results for NaN and values out of range.
local function touint64(n)
  if n < 0 then
    if n < -TWO63 then return 2147483648, 0 end
    local t = ceil(n)
    if t == 0 then return 0, 0 end
    return split64(t)
  end
  if n ~= n then return 2147483648, 0 end
  if n >= TWO64 then return 0, 0 end
  return split64(floor(n))
end

local IB = {}
local function intbytes(n, size)
  local hi, lo = touint64(n)
  local b = IB
  for k = 1, size do
    local v = 0
    if k <= 4 then
      v = lo % 256; lo = (lo - v) / 256
    elseif k <= 8 then
      v = hi % 256; hi = (hi - v) / 256
    end
    if LITTLE then b[k] = v else b[size + 1 - k] = v end
  end
  return schar(unpack(b, 1, size))
end

local function getinteger(data, pos, signed, size)
  local lo, hi = 0, 0
  local top = size < 8 and size or 8
  local mul = 1
  for k = 0, top - 1 do
    local v = sbyte(data, pos + 1 + (LITTLE and k or size - 1 - k))
    if k == 4 then mul = 1 end
    if k < 4 then lo = lo + v * mul else hi = hi + v * mul end
    mul = mul * 256
  end
  if not signed then return hi * TWO32 + lo end
  local sh = (size * 8 - 1) % 64 -- the shift count as x86-64 masks it
  if sh >= 32 then
    local p = 2 ^ (sh - 32)
    if hi >= p then hi = hi % p + (TWO32 - p) end
  else
    local p = 2 ^ sh
    if hi > 0 or lo >= p then hi = TWO32 - 1; lo = lo % p + (TWO32 - p) end
  end
  return signed64(hi, lo)
end

local function floatstr(n)
  local bits = floatbits(n)
  local b1 = floor(bits / 16777216)
  local b2 = floor(bits / 65536) % 256
  local b3 = floor(bits / 256) % 256
  local b4 = bits % 256
  if LITTLE then return schar(b4, b3, b2, b1) end
  return schar(b1, b2, b3, b4)
end

local function doublestr(n)
  local b1, b2, b3, b4, b5, b6, b7, b8 = doublebytes(n)
  if LITTLE then return schar(b8, b7, b6, b5, b4, b3, b2, b1) end
  return schar(b1, b2, b3, b4, b5, b6, b7, b8)
end

local function pack(...)
  CURRENT = "pack"
  local nargs = select("#", ...)
  local args = { ... }
  setformat(checkstring(1, args[1], nargs))
  -- lstruct pushes a nil above the arguments before reading them: one past
  -- the last argument is "nil", not "no value"
  local top = nargs + 1
  local buf, nb = {}, 0
  local arg, total = 2, 0
  while FI <= FLEN do
    local opt = sbyte(F, FI)
    FI = FI + 1
    local size = optsize(opt)
    local toalign = gettoalign(total, opt, size)
    total = total + toalign
    if toalign > 0 then nb = nb + 1; buf[nb] = srep("\0", toalign) end
    if INTOPT[opt] then
      local n = checknumber(arg, args[arg], top)
      arg = arg + 1
      nb = nb + 1; buf[nb] = intbytes(n, size)
    elseif opt == O_x then
      nb = nb + 1; buf[nb] = "\0"
    elseif opt == O_f then
      local n = checknumber(arg, args[arg], top)
      arg = arg + 1
      nb = nb + 1; buf[nb] = floatstr(n)
    elseif opt == O_d then
      local n = checknumber(arg, args[arg], top)
      arg = arg + 1
      nb = nb + 1; buf[nb] = doublestr(n)
    elseif opt == O_c or opt == O_s then
      local s = checkstring(arg, args[arg], top)
      arg = arg + 1
      local l = #s
      if size == 0 then size = l end
      if l < size then argerror(arg, "string too short") end
      nb = nb + 1; buf[nb] = size == l and s or ssub(s, 1, size)
      if opt == O_s then
        nb = nb + 1; buf[nb] = "\0"
        size = size + 1
      end
    else
      controloptions(opt)
    end
    total = total + size
  end
  local out = concat(buf, "", 1, nb)
  return out
end

-- size_t of a number (the length taken by 'c0'), as x86-64 converts it
local function tosize(v)
  if v ~= v then return TWO63 end
  if v < 0 then
    if ceil(v) == 0 then return 0 end
    return TWO64
  end
  if v >= TWO64 then return 0 end
  return floor(v)
end

local function unpack_(...)
  CURRENT = "unpack"
  local nargs = select("#", ...)
  local a1, a2, a3 = ...
  setformat(checkstring(1, a1, nargs))
  local data = checkstring(2, a2, nargs)
  local ld = #data
  local p = 1
  if a3 ~= nil then p = checkinteger(3, a3, nargs) end
  if p == 0 then argerror(3, "offset must be 1 or greater") end
  local wrapped = p < 0 -- a negative offset is a huge size_t: every item is out of range
  local pos = p - 1
  local res, n = {}, 0
  while FI <= FLEN do
    local opt = sbyte(F, FI)
    FI = FI + 1
    local size = optsize(opt)
    if wrapped then argerror(2, "data string too short") end
    pos = pos + gettoalign(pos, opt, size)
    if size > ld or pos > ld - size then argerror(2, "data string too short") end
    if nargs + n + 2 > MAXCSTACK then lerror("stack overflow (too many results)") end
    if INTOPT[opt] then
      n = n + 1; res[n] = getinteger(data, pos, SIGNED[opt], size)
    elseif opt == O_x then
      -- padding
    elseif opt == O_f then
      local b1, b2, b3, b4 = sbyte(data, pos + 1, pos + 4)
      if LITTLE then b1, b2, b3, b4 = b4, b3, b2, b1 end
      n = n + 1; res[n] = floatvalue(((b1 * 256 + b2) * 256 + b3) * 256 + b4)
    elseif opt == O_d then
      local b1, b2, b3, b4, b5, b6, b7, b8 = sbyte(data, pos + 1, pos + 8)
      if LITTLE then b1, b2, b3, b4, b5, b6, b7, b8 = b8, b7, b6, b5, b4, b3, b2, b1 end
      n = n + 1; res[n] = doublevalue(b1, b2, b3, b4, b5, b6, b7, b8)
    elseif opt == O_c then
      if size == 0 then
        local prev = n > 0 and tonumber(res[n])
        if not prev then lerror("format 'c0' needs a previous size") end
        size = tosize(prev)
        res[n] = nil; n = n - 1
        if size > ld or pos > ld - size then argerror(2, "data string too short") end
      end
      n = n + 1; res[n] = ssub(data, pos + 1, pos + size)
    elseif opt == O_s then
      local e = sfind(data, "\0", pos + 1, true)
      if e == nil then lerror("unfinished string in data") end
      size = e - pos
      n = n + 1; res[n] = ssub(data, pos + 1, e - 1)
    else
      controloptions(opt)
    end
    pos = pos + size
  end
  n = n + 1
  res[n] = wrapped and p or pos + 1
  return results(res, n)
end

local function size(...)
  CURRENT = "size"
  local nargs = select("#", ...)
  local fmt = ...
  setformat(checkstring(1, fmt, nargs))
  local pos = 0
  while FI <= FLEN do
    local opt = sbyte(F, FI)
    FI = FI + 1
    local sz = optsize(opt)
    pos = pos + gettoalign(pos, opt, sz)
    if opt == O_s then
      argerror(1, "option 's' has no fixed size")
    elseif opt == O_c and sz == 0 then
      argerror(1, "option 'c0' has no fixed size")
    end
    local alnum = (opt >= 48 and opt <= 57) or (opt >= 65 and opt <= 90) or (opt >= 97 and opt <= 122)
    if not alnum then controloptions(opt) end
    pos = pos + sz
  end
  return pos
end

PUBLIC[pack] = "pack"
PUBLIC[unpack_] = "unpack"
PUBLIC[size] = "size"
return { pack = pack, unpack = unpack_, size = size }
`;

/** cmsgpack: pack, unpack, unpack_one, unpack_limit (lua-cmsgpack 0.4.0 as Redis bundles it). */
export const CMSGPACK_LUA = String.raw`-- cmsgpack (Redis 7.0 scripting), written in Lua from the module's documented behaviour.
` + PRELUDE + String.raw`
local MAX_NESTING = 16
local INT_MAX = 2147483647

-- ---------------------------------------------------------------- encoding
local BUF, NB = nil, 0

local function put(s) NB = NB + 1; BUF[NB] = s end

local function be16(n) return schar(floor(n / 256), n % 256) end
local function be32(n)
  return schar(floor(n / 16777216), floor(n / 65536) % 256, floor(n / 256) % 256, n % 256)
end

local function encode_bytes(s)
  local len = #s
  if len < 32 then put(schar(160 + len))
  elseif len <= 255 then put(schar(217, len))
  elseif len <= 65535 then put("\218" .. be16(len))
  else put("\219" .. be32(len % TWO32)) end
  put(s)
end

local function encode_double(d)
  local fb = floatbits(d)
  if d == d and floatvalue(fb) == d then
    put("\202" .. be32(fb))
  else
    put(schar(203, doublebytes(d)))
  end
end

-- n is an integral number in [-2^63, 2^63)
local function encode_int(n)
  if n >= 0 then
    if n <= 127 then put(schar(n))
    elseif n <= 255 then put(schar(204, n))
    elseif n <= 65535 then put("\205" .. be16(n))
    elseif n <= 4294967295 then put("\206" .. be32(n))
    else
      local hi, lo = split64(n)
      put("\207" .. be32(hi) .. be32(lo))
    end
  else
    if n >= -32 then put(schar(256 + n))
    elseif n >= -128 then put(schar(208, 256 + n))
    elseif n >= -32768 then put("\209" .. be16(65536 + n))
    elseif n >= -2147483648 then put("\210" .. be32(TWO32 + n))
    else
      local hi, lo = split64(n)
      put("\211" .. be32(hi) .. be32(lo))
    end
  end
end

local function encode_number(n)
  -- integral and equal to its int64_t cast: an int; anything else a float/double
  if n == n and n >= -TWO63 and n < TWO63 and floor(n) == n then
    encode_int(n + 0)
  else
    encode_double(n)
  end
end

-- Keys exactly 1..N (each a number, > 0, equal to its int cast): an array.
local function is_array(t)
  local count, max = 0, 0
  local k = next(t)
  while k ~= nil do
    if type(k) ~= "number" or k <= 0 or k >= 2147483648 or floor(k) ~= k then return false end
    if k > max then max = k end
    count = count + 1
    k = next(t, k)
  end
  return max == count
end

local encode

-- top: the C stack depth (values above the function's base) with t on top
local function encode_table(t, level, top)
  if top + 2 > MAXCSTACK then lerror("stack overflow (in function table_is_an_array)") end
  if is_array(t) then
    local len = #t
    if len <= 15 then put(schar(144 + len))
    elseif len <= 65535 then put("\220" .. be16(len))
    else put("\221" .. be32(len)) end
    for j = 1, len do encode(t[j], level + 1, top + 1) end
  else
    if top + 3 > MAXCSTACK then lerror("stack overflow (in function mp_encode_lua_table_as_map)") end
    local len = 0
    local k = next(t)
    while k ~= nil do len = len + 1; k = next(t, k) end
    if len <= 15 then put(schar(128 + len))
    elseif len <= 65535 then put("\222" .. be16(len))
    else put("\223" .. be32(len)) end
    for key, val in next, t do
      encode(key, level + 1, top + 3)
      encode(val, level + 1, top + 2)
    end
  end
end

encode = function(v, level, top)
  local t = type(v)
  if t == "string" then encode_bytes(v)
  elseif t == "number" then encode_number(v)
  elseif t == "boolean" then put(v and "\195" or "\194")
  elseif t == "table" and level < MAX_NESTING then encode_table(v, level, top)
  else put("\192") end
end

local function pack(...)
  CURRENT = "pack"
  local nargs = select("#", ...)
  if nargs == 0 then argerror(0, "MessagePack pack needs input.") end
  if nargs + nargs > MAXCSTACK then argerror(0, "Too many arguments for MessagePack pack.") end
  local args = { ... }
  BUF, NB = {}, 0
  for i = 1, nargs do encode(args[i], 0, nargs + i) end
  local out = concat(BUF, "", 1, NB)
  BUF = nil
  return out
end

-- ---------------------------------------------------------------- decoding
local S, P, LEN = "", 1, 0 -- input, next byte (1-based), input length
local ERR = nil            -- "eof" or "fmt" once the input is found wanting
local EOF, BADFMT = "eof", "fmt"

local decode

local function need(n)
  if LEN - P + 1 < n then ERR = EOF; return false end
  return true
end

local function decode_array(len, d)
  local t = {}
  if d + 2 > MAXCSTACK then lerror("stack overflow (in function mp_decode_to_lua_array)") end
  for i = 1, len do
    local v = decode(d + 2)
    if ERR then return t end
    t[i] = v
  end
  return t
end

local function decode_map(len, d)
  local t = {}
  for _ = 1, len do
    local k = decode(d + 1)
    if ERR then return t end
    local v = decode(d + 2)
    if ERR then return t end
    if k == nil then error("table index is nil", 0) end
    if k ~= k then error("table index is NaN", 0) end
    t[k] = v
  end
  return t
end

local function str(hdr, l)
  if not need(hdr + l) then return nil end
  local s = ssub(S, P + hdr, P + hdr + l - 1)
  P = P + hdr + l
  return s
end

-- one value; d: the C stack depth below it
decode = function(d)
  if P > LEN then ERR = EOF; return nil end
  if d + 1 > MAXCSTACK then
    lerror("stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)")
  end
  local b = sbyte(S, P)
  if b < 128 then P = P + 1; return b end
  if b >= 224 then P = P + 1; return b - 256 end
  if b >= 160 and b < 192 then return str(1, b - 160) end
  if b >= 144 and b < 160 then P = P + 1; return decode_array(b - 144, d) end
  if b < 144 then P = P + 1; return decode_map(b - 128, d) end
  if b == 192 then P = P + 1; return nil end
  if b == 194 then P = P + 1; return false end
  if b == 195 then P = P + 1; return true end
  if b == 204 or b == 208 then
    if not need(2) then return nil end
    local v = sbyte(S, P + 1)
    P = P + 2
    if b == 208 and v >= 128 then v = v - 256 end
    return v
  end
  if b == 205 or b == 209 then
    if not need(3) then return nil end
    local b1, b2 = sbyte(S, P + 1, P + 2)
    P = P + 3
    local v = b1 * 256 + b2
    if b == 209 and v >= 32768 then v = v - 65536 end
    return v
  end
  if b == 206 or b == 210 or b == 202 then
    if not need(5) then return nil end
    local b1, b2, b3, b4 = sbyte(S, P + 1, P + 4)
    P = P + 5
    local v = ((b1 * 256 + b2) * 256 + b3) * 256 + b4
    if b == 202 then return floatvalue(v) end
    if b == 210 and v >= 2147483648 then v = v - TWO32 end
    return v
  end
  if b == 207 or b == 211 then
    -- uint 64 goes through lua_Integer too: values from 2^63 up come out negative
    if not need(9) then return nil end
    local b1, b2, b3, b4, b5, b6, b7, b8 = sbyte(S, P + 1, P + 8)
    P = P + 9
    return signed64(((b1 * 256 + b2) * 256 + b3) * 256 + b4, ((b5 * 256 + b6) * 256 + b7) * 256 + b8)
  end
  if b == 203 then
    if not need(9) then return nil end
    local v = doublevalue(sbyte(S, P + 1, P + 8))
    P = P + 9
    return v
  end
  if b == 217 then
    if not need(2) then return nil end
    return str(2, sbyte(S, P + 1))
  end
  if b == 218 then
    if not need(3) then return nil end
    local b1, b2 = sbyte(S, P + 1, P + 2)
    return str(3, b1 * 256 + b2)
  end
  if b == 219 then
    if not need(5) then return nil end
    local b1, b2, b3, b4 = sbyte(S, P + 1, P + 4)
    return str(5, ((b1 * 256 + b2) * 256 + b3) * 256 + b4)
  end
  if b == 220 or b == 222 then
    if not need(3) then return nil end
    local b1, b2 = sbyte(S, P + 1, P + 2)
    P = P + 3
    if b == 220 then return decode_array(b1 * 256 + b2, d) end
    return decode_map(b1 * 256 + b2, d)
  end
  if b == 221 or b == 223 then
    if not need(5) then return nil end
    local b1, b2, b3, b4 = sbyte(S, P + 1, P + 4)
    P = P + 5
    local l = ((b1 * 256 + b2) * 256 + b3) * 256 + b4
    if b == 221 then return decode_array(l, d) end
    return decode_map(l, d)
  end
  ERR = BADFMT
  return nil
end

local function int32(n) -- (int) of a lua_Integer
  n = n % TWO32
  if n >= 2147483648 then n = n - TWO32 end
  return n
end

-- base: values on the C stack under the results; limit/offset as given
local function unpack_full(s, nargs, base, limit, offset)
  local decode_all = limit == 0 and offset == 0
  s = checkstring(1, s, nargs)
  local len = #s
  if offset < 0 or limit < 0 then
    lerror("Invalid request to unpack with offset of " .. int32(offset) .. " and limit of " .. int32(len) .. ".")
  elseif offset > len then
    lerror("Start offset " .. int32(offset) .. " greater than input length " .. int32(len) .. ".")
  end
  if decode_all then limit = INT_MAX end
  S, P, LEN, ERR = s, offset + 1, len, nil
  local res, cnt = {}, 0
  local first = decode_all and 0 or 1
  while P <= LEN and cnt < limit do
    local v = decode(base + cnt)
    if ERR == EOF then S = ""; lerror("Missing bytes in input.")
    elseif ERR == BADFMT then S = ""; lerror("Bad data format in input.") end
    cnt = cnt + 1
    res[first + cnt] = v
  end
  S = ""
  if decode_all then return res, cnt end
  if base + cnt + 1 > MAXCSTACK then lerror("stack overflow (in function mp_unpack_full)") end
  res[1] = P > LEN and -1 or P - 1
  return res, cnt + 1
end

local function unpack_(...)
  CURRENT = "unpack"
  local nargs = select("#", ...)
  local s = ...
  local res, n = unpack_full(s, nargs, nargs, 0, 0)
  return results(res, n)
end

local function unpack_one(...)
  CURRENT = "unpack_one"
  local nargs = select("#", ...)
  local s, o = ...
  local offset = 0
  if o ~= nil then offset = checkinteger(2, o, nargs) end
  if nargs > 1 then nargs = 1 end
  local res, n = unpack_full(s, nargs, 1, 1, offset)
  return results(res, n)
end

local function unpack_limit(...)
  CURRENT = "unpack_limit"
  local nargs = select("#", ...)
  local s, l, o = ...
  local limit = checkinteger(2, l, nargs)
  local offset = 0
  if o ~= nil then offset = checkinteger(3, o, nargs) end
  if nargs > 1 then nargs = 1 end
  local res, n = unpack_full(s, nargs, 1, limit, offset)
  return results(res, n)
end

PUBLIC[pack] = "pack"
PUBLIC[unpack_] = "unpack"
PUBLIC[unpack_one] = "unpack_one"
PUBLIC[unpack_limit] = "unpack_limit"
return {
  pack = pack,
  unpack = unpack_,
  unpack_one = unpack_one,
  unpack_limit = unpack_limit,
  _NAME = "cmsgpack",
  _VERSION = "lua-cmsgpack 0.4.0",
  _COPYRIGHT = "Copyright (C) 2012, Salvatore Sanfilippo",
  _DESCRIPTION = "MessagePack C implementation for Lua",
}
`;
