// struct and cmsgpack (src/scripting/lua-libs.ts) against Redis 7.0.15: every
// case is one Lua script, run by EVAL on a real redis-server started here and,
// with our modules installed as the globals `struct` and `cmsgpack`, by a
// standalone Lua 5.1 (Debian's lua5.1) under the same chunk name; the two
// answers (values serialized to hex, error texts included) must be identical.
// Without lua5.1 or redis-server 7.0 the test fails: it never skips.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import { freePort } from '../helpers/server';
import { CMSGPACK_LUA, STRUCT_LUA } from '../../src/scripting/lua-libs';

// Serializer run in front of every case, identical on both sides (locals only:
// Redis scripts may not create globals). Numbers as %.17g (-0 and NaN signs
// kept), strings as hex, tables in `next` order.
const PRELUDE = [
  'local function HX(s) return (string.gsub(s, ".", function(c) return string.format("%02x", string.byte(c)) end)) end',
  'local function SV(v) local t = type(v) if t == "string" then if not string.find(v, "[^ -~]") then return \'"\' .. v .. \'"\' end return "s" .. HX(v) elseif t == "number" then if v ~= v then return (string.sub(string.format("%f", v), 1, 1) == "-") and "-nan" or "nan" end if v == 0 and 1 / v < 0 then return "-0" end return string.format("%.17g", v) elseif t == "table" then local p = {} for k, x in next, v do p[#p + 1] = SV(k) .. "=" .. SV(x) end return "{" .. table.concat(p, ",") .. "}" end return tostring(v) end',
  'local function R(...) local n = select("#", ...) local o = {} for i = 1, n do o[i] = SV((select(i, ...))) end return n .. "|" .. table.concat(o, " ") end',
].join(' ');

interface Case { label: string; body: string }
const cases: Case[] = [];
/** An expression whose results (or error) are compared; evaluated in a non-tail call. */
const x = (label: string, expr: string) =>
  cases.push({ label, body: `return R(pcall(function() return R(${expr}) end))` });
/** A script body of its own (it returns one string). */
const b = (label: string, body: string) => cases.push({ label, body });

// ------------------------------------------------------------------ struct
const num = [
  '0', '1', '-1', '127', '-128', '128', '255', '256', '-129', '3.7', '-3.7', '-0.5', '0.5',
  '32767', '-32768', '65535', '65536', '-65537', '2^31-1', '-2^31', '2^31', '2^32-1', '2^32', '-2^32-1',
  '2^53', '-2^53', '2^53+2', '2^63', '-2^63', '2^63+4096', '-2^63-4096', '2^64-2048', '2^64', '-2^64', '1e300',
  '-1e300', '1/0', '-1/0', '0/0', '-(0/0)', '"12"', '" 0x1F "', '"1e3"',
];
for (const e of ['<', '>']) {
  for (const f of ['b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I', 'i1', 'I2', 'i3', 'I3', 'i5', 'I6', 'i7', 'i8', 'I8', 'i9', 'I12', 'i16', 'i32', 'I32', 'i0']) {
    x(`struct.pack ${e}${f}`, `struct.pack("${e}${(f + ' ').repeat(num.length)}", ${num.map((n) => `(${n})`).join(', ')})`);
  }
}
const flt = [
  '0', '-0', '-(0)', '0.1', '-0.1', '1.5', '1/3', '1/0', '-1/0', '0/0', '-(0/0)', '1e38', '3.4028234663852886e38',
  '3.4028235677973366e38', '3.4028235677973362e38', '1e39', '-1e39', '1e-38', '1.1754943508222875e-38', '1e-40', '-1e-40',
  '1.401298464324817e-45', '2^-149', '2^-150', '3*2^-151', '2^-151', '1e-50', '-1e-50', '1+2^-24', '1+3*2^-24',
  '1+2^-23', '16777217', '16777219', '2^127*(2-2^-24)', '5e-324', '2^-1022', '2^-1022-2^-1074', '1.7976931348623157e308',
  '-1.7976931348623157e308', '123456789.123456789', '-2^70', '"2.5"',
];
for (const e of ['<', '>', '']) {
  x(`struct.pack ${e}f`, `struct.pack("${e}${'f'.repeat(flt.length)}", ${flt.map((n) => `(${n})`).join(', ')})`);
  x(`struct.pack ${e}d`, `struct.pack("${e}${'d'.repeat(flt.length)}", ${flt.map((n) => `(${n})`).join(', ')})`);
  x(`struct f round trip ${e}`, `struct.unpack("${e}${'f'.repeat(flt.length)}", struct.pack("${e}${'f'.repeat(flt.length)}", ${flt.map((n) => `(${n})`).join(', ')}))`);
  x(`struct d round trip ${e}`, `struct.unpack("${e}${'d'.repeat(flt.length)}", struct.pack("${e}${'d'.repeat(flt.length)}", ${flt.map((n) => `(${n})`).join(', ')}))`);
}
x('struct.unpack f special bytes', 'struct.unpack(">ffffffff", "\\127\\128\\0\\0\\255\\128\\0\\0\\127\\192\\0\\0\\255\\192\\0\\0\\0\\0\\0\\1\\128\\0\\0\\1\\0\\127\\255\\255\\127\\127\\255\\255")');
x('struct.unpack d special bytes', 'struct.unpack(">dddddd", "\\127\\240\\0\\0\\0\\0\\0\\0\\255\\240\\0\\0\\0\\0\\0\\0\\127\\248\\0\\0\\0\\0\\0\\0\\255\\248\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\1\\128\\0\\0\\0\\0\\0\\0\\0")');
x('struct strings', 'struct.pack("s c3 c0 c c1 s c0", "abc", "defgh", "xyz", "q", "r", "a\\0b", 12.5)');
x('struct s empty, c0 empty', 'struct.pack("sc0", "", "")');
x('struct c too short', 'struct.pack("c5", "ab")');
x('struct c too short later arg', 'struct.pack("b c5", 1, "ab")');
x('struct x padding', 'struct.pack("bxxbx", 1, 2)');
x('struct X unknown', 'struct.pack("X", 1)');
x('struct invalid option y', 'struct.pack("b y", 1, 2)');
x('struct invalid option #', 'struct.pack("#")');
x('struct invalid option digit', 'struct.pack("b2", 1)');
x('struct invalid option high byte', 'struct.pack("\\200")');
x('struct embedded NUL ends format', 'struct.pack("b\\0b", 1, 2)');
x('struct missing number', 'struct.pack("bb", 1)');
x('struct nil number', 'struct.pack("bb", 1, nil)');
x('struct bad number string', 'struct.pack("b", "x1")');
x('struct boolean number', 'struct.pack("d", true)');
x('struct table string', 'struct.pack("s", {})');
x('struct missing string', 'struct.pack("c2")');
x('struct no format', 'struct.pack()');
x('struct format table', 'struct.pack({})');
x('struct format number', 'struct.pack(1)');
x('struct i33', 'struct.pack("i33", 1)');
x('struct i32 ok', 'struct.pack("<i32>I32", -2, -2)');
x('struct size overflow', 'struct.pack("c99999999999", "a")');
x('struct size INT_MAX', 'struct.pack("c2147483647", "a")');
x('struct size INT_MAX+1', 'struct.pack("c2147483648", "a")');
x('struct alignment 3', 'struct.pack("!3 b", 1)');
x('struct alignment 0', 'struct.pack("!0 b", 1)');
x('struct local alias name', '(function() local p = struct.pack; local r = p("y"); return r end)()');
x('struct method call', 'struct:pack("b")');
b('struct pcall direct', 'return R(pcall(struct.pack, "y"))');
b('struct error text in tail position', 'return R(pcall(function() local s = struct.size("s") return s end))');
for (const fmt of ['!bd', '!4bd', '!2bd', '!1bd', '!16bd', '!bhbibdbl', '!4 b h b i b d', '!8 bxd', '!bi3', '!8bi3bi5bi6', '!4 b i7', '>!4 b i', '!b c3 i', '!b s i', '!4!2 b i', '!b f b d b T']) {
  const n = (fmt.match(/[bhilTfdIcs]/g) ?? []).length;
  const vals = Array.from({ length: n }, (_, i) => (fmt.replace(/[^bhilTfdIcs]/g, '')[i] === 'c' || fmt.replace(/[^bhilTfdIcs]/g, '')[i] === 's' ? '"abc"' : String(i + 1)));
  x(`struct alignment ${fmt}`, `struct.pack("${fmt}", ${vals.join(', ')})`);
  x(`struct alignment round trip ${fmt}`, `struct.unpack("${fmt}", struct.pack("${fmt}", ${vals.join(', ')}))`);
  x(`struct.size ${fmt}`, `struct.size("${fmt.replace(/s/g, 'c2')}")`);
}
const raw = '"\\1\\255\\128\\127\\0\\200\\3\\4\\5\\6\\7\\8\\9\\10\\11\\12\\13\\14\\15\\16\\17\\18\\19\\20\\21\\22\\23\\24\\25\\26\\27\\28\\29\\30\\31\\32\\33\\34\\35\\36"';
const raw2 = '"\\255\\255\\255\\255\\255\\255\\255\\255\\255\\255\\255\\255\\255\\255\\255\\255\\255\\255\\255\\255\\255\\255\\255\\255\\255\\255\\255\\255\\255\\255\\255\\255\\255\\255"';
const raw3 = '"\\0\\0\\0\\0\\0\\0\\0\\128\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\128\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0"';
for (const e of ['<', '>']) {
  for (const f of ['b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I', 'i1', 'I1', 'i2', 'i3', 'I3', 'i4', 'i5', 'I5', 'i6', 'i7', 'I7', 'i8', 'I8', 'i9', 'I9', 'i10', 'i11', 'i12', 'i15', 'i16', 'I16', 'i17', 'i24', 'i31', 'i32', 'I32', 'i0', 'I0']) {
    for (const [name, data] of [['mixed', raw], ['ones', raw2], ['sign bits', raw3]]) {
      x(`struct.unpack ${e}${f} ${name}`, `struct.unpack("${e}${f} ${f}", ${data})`);
    }
  }
}
x('struct.unpack position', 'struct.unpack("b", "\\1\\2\\3", 2)');
x('struct.unpack position string', 'struct.unpack("b", "\\1\\2\\3", "3")');
x('struct.unpack position fraction', 'struct.unpack("b", "\\1\\2\\3", 2.9)');
x('struct.unpack position 0', 'struct.unpack("b", "\\1\\2\\3", 0)');
x('struct.unpack position 0.5', 'struct.unpack("b", "\\1\\2\\3", 0.5)');
x('struct.unpack position -1', 'struct.unpack("b", "\\1\\2\\3", -1)');
x('struct.unpack position -1 empty format', 'struct.unpack("", "\\1\\2\\3", -1)');
x('struct.unpack position -5 bad option', 'struct.unpack("y", "\\1\\2\\3", -5)');
x('struct.unpack position -5 i40', 'struct.unpack("i40", "\\1\\2\\3", -5)');
x('struct.unpack position past end', 'struct.unpack("b", "\\1\\2\\3", 4)');
x('struct.unpack position at end empty', 'struct.unpack("", "\\1\\2\\3", 4)');
x('struct.unpack position far empty', 'struct.unpack("", "\\1\\2\\3", 1e15)');
x('struct.unpack position 2^63', 'struct.unpack("b", "\\1\\2\\3", 2^63)');
x('struct.unpack position -2^63 empty format', 'struct.unpack("", "\\1\\2\\3", -2^63)');
x('struct.unpack position inf empty format', 'struct.unpack("", "\\1\\2\\3", 1/0)');
x('struct.unpack position nan empty format', 'struct.unpack("", "\\1\\2\\3", 0/0)');
x('struct.unpack position nil', 'struct.unpack("b", "\\1\\2\\3", nil)');
x('struct.unpack position bad', 'struct.unpack("b", "\\1\\2\\3", "x")');
x('struct.unpack position table', 'struct.unpack("b", "\\1\\2\\3", {})');
x('struct.unpack too short', 'struct.unpack("i", "\\1\\2\\3")');
x('struct.unpack too short aligned', 'struct.unpack("!4 b i", "\\1\\2\\3\\4\\5\\6")');
x('struct.unpack empty data', 'struct.unpack("b", "")');
x('struct.unpack controls at end', 'struct.unpack("b<>!2 ", "\\1")');
x('struct.unpack controls past end', 'struct.unpack(" ", "\\1", 3)');
x('struct.unpack x', 'struct.unpack("bxb", "\\1\\2\\3")');
x('struct.unpack s', 'struct.unpack("s s b", "ab\\0\\0\\7")');
x('struct.unpack s unfinished', 'struct.unpack("s", "abc")');
x('struct.unpack s at end', 'struct.unpack("bs", "\\1")');
x('struct.unpack c', 'struct.unpack("c2 c1 c", "abcdef")');
x('struct.unpack c0 from number', 'struct.unpack("b c0 b", "\\3abcd\\9")');
x('struct.unpack c0 from numeric string', 'struct.unpack("c1 c0", "3abc")');
x('struct.unpack c0 zero', 'struct.unpack("b c0 b", "\\0\\9")');
x('struct.unpack c0 without size', 'struct.unpack("c0", "abc")');
x('struct.unpack c0 after string', 'struct.unpack("c1 c0", "xabc")');
x('struct.unpack c0 too long', 'struct.unpack("b c0", "\\9ab")');
x('struct.unpack c0 negative', 'struct.unpack("c2 c0", "-1abc")');
x('struct.unpack c0 negative fraction', 'struct.unpack("c4 c0", "-0.5abc")');
x('struct.unpack c0 huge', 'struct.unpack("c4 c0", "1e30abc")');
x('struct.unpack c0 inf', 'struct.unpack("c3 c0", "infabc")');
x('struct.unpack c0 nan', 'struct.unpack("c3 c0", "nanabc")');
x('struct.unpack c0 fraction', 'struct.unpack("c3 c0", "2.9abc")');
x('struct.unpack invalid option', 'struct.unpack("b y", "\\1\\2")');
x('struct.unpack no data', 'struct.unpack("b")');
x('struct.unpack data number', 'struct.unpack("c2", 12)');
x('struct.unpack data table', 'struct.unpack("b", {})');
x('struct.unpack i33', 'struct.unpack("i33", "abc")');
x('struct.unpack alignment 6', 'struct.unpack("!6 b", "abc")');
x('struct.unpack extra args', 'struct.unpack("b", "\\1", 1, "extra", {})');
for (const n of [7994, 7995, 7996, 7997, 7998]) {
  b(`struct.unpack ${n} results`, `local ok, e = pcall(function() return select("#", struct.unpack(string.rep("b", ${n}), string.rep("\\1", ${n}))) end) return R(ok, e)`);
  b(`struct.unpack ${n} results, 3 args`, `local ok, e = pcall(function() return select("#", struct.unpack(string.rep("b", ${n}), string.rep("\\1", ${n}), 1)) end) return R(ok, e)`);
}
x('struct.size all', 'struct.size("bBhHlLTiIfdxc7i3I12")');
x('struct.size empty', 'struct.size("")');
x('struct.size s', 'struct.size("bs")');
x('struct.size c0', 'struct.size("c0")');
x('struct.size unknown letters ignored', 'struct.size("byzX2q")');
x('struct.size invalid punctuation', 'struct.size("b#")');
x('struct.size i33', 'struct.size("i33")');
x('struct.size !3', 'struct.size("!3")');
x('struct.size no format', 'struct.size()');
x('struct.size number format', 'struct.size(12)');
x('struct.size overflow', 'struct.size("c99999999999")');
x('struct.size NUL', 'struct.size("bb\\0bb")');

// ---------------------------------------------------------------- cmsgpack
const ints = [
  '0', '1', '127', '128', '255', '256', '65535', '65536', '2^32-1', '2^32', '2^53', '2^53+2', '2^62', '2^63-1024', '2^63',
  '2^64', '1e20', '-1', '-31', '-32', '-33', '-127', '-128', '-129', '-32767', '-32768', '-32769', '-2^31+1', '-2^31',
  '-2^31-1', '-2^32', '-2^53', '-2^62', '-2^63+1024', '-2^63', '-2^63-2048', '-1e20', '-1099511627776',
];
for (const v of ints) x(`cmsgpack.pack int ${v}`, `cmsgpack.pack(${v})`);
for (const v of ints) x(`cmsgpack round trip int ${v}`, `cmsgpack.unpack(cmsgpack.pack(${v}))`);
const floats = [
  '0.5', '0.1', '-0.1', '1.5', '-1.5', '-0', '-(0)', '1/0', '-1/0', '0/0', '-(0/0)', '3.4028234663852886e38', '3.4028235677973366e38',
  '1e39', '1e-45', '2^-149', '2^-150', '2^-126', '1.1754942106924411e-38', '16777217.5', '2^24+1', '1/3', '123.456',
  '5e-324', '1.7976931348623157e308', '2^-1022', '0.25', '-2^100', '2^127', '2^128',
];
for (const v of floats) x(`cmsgpack.pack float ${v}`, `cmsgpack.pack(${v})`);
for (const v of floats) x(`cmsgpack round trip float ${v}`, `cmsgpack.unpack(cmsgpack.pack(${v}))`);
x('cmsgpack nil true false', 'cmsgpack.pack(nil, true, false)');
x('cmsgpack nil alone', 'cmsgpack.pack(nil)');
x('cmsgpack function', 'cmsgpack.pack(string.len, {string.len})');
x('cmsgpack no argument', 'cmsgpack.pack()');
x('cmsgpack many arguments', 'cmsgpack.pack(1, "a", {}, {1}, {a = 1}, nil, true, 2.5)');
for (const n of [0, 1, 31, 32, 255, 256, 65535, 65536, 70000]) {
  x(`cmsgpack string ${n}`, `cmsgpack.pack(string.rep("\\0\\1\\255x", ${Math.ceil(n / 4)}):sub(1, ${n}))`);
  x(`cmsgpack string round trip ${n}`, `#cmsgpack.unpack(cmsgpack.pack(string.rep("ab", ${n}):sub(1, ${n}))) == ${n}`);
}
x('cmsgpack binary bytes', 'cmsgpack.pack((string.gsub(string.rep(" ", 256), "()", function(i) return string.char((i - 1) % 256) end)))');
for (const n of [0, 1, 15, 16, 65535, 65536]) {
  b(`cmsgpack array ${n}`, `local t = {} for i = 1, ${n} do t[i] = i % 200 end local s = cmsgpack.pack(t) return #s .. HX(s:sub(1, 40)) .. HX(s:sub(-20))`);
  b(`cmsgpack map ${n}`, `local t = {} for i = 1, ${n} do t["k" .. i] = i end local s = cmsgpack.pack(t) local u = cmsgpack.unpack(s) local c = 0 for k, v in pairs(u) do if t[k] ~= v then return "bad" end c = c + 1 end return #s .. HX(s:sub(1, 40)) .. " " .. c`);
}
const tables = [
  '{}', '{1, 2, 3}', '{a = 1}', '{1, nil, 3}', '{nil, nil, 3}', '{[1] = 1, [3] = 3}', '{[2] = 2}', '{[0] = 0, 1}', '{[-1] = 1}',
  '{[1.5] = 1}', '{[2^31] = 1}', '{[2^31 - 1] = 1}', '{["1"] = 1}', '{1, 2, x = 3}', '{true, false, "s", 1.5, {}}',
  '{{1, {2, {3}}}, {a = {b = {c = "d"}}}}', '{[true] = 1}', '{x = nil, y = 2}', '{1, 2, 3, [5] = 5}',
  'setmetatable({}, {__index = function() return 1 end})', 'setmetatable({1, 2}, {__len = function() return 5 end})',
  '{a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8, i = 9, j = 10, k = 11, l = 12, m = 13, n = 14, o = 15}',
  '{a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8, i = 9, j = 10, k = 11, l = 12, m = 13, n = 14, o = 15, p = 16}',
  '{[1] = "a", [2] = "b", [1.5] = "c"}', '{[{}] = nil, z = 1}',
];
for (const t of tables) {
  x(`cmsgpack table ${t}`, `cmsgpack.pack(${t})`);
  x(`cmsgpack table round trip ${t}`, `cmsgpack.unpack(cmsgpack.pack(${t}))`);
}
b('cmsgpack nesting limit', 'local t = {} local c = t for i = 1, 20 do c[1] = {} c = c[1] end c[1] = 5 return HX(cmsgpack.pack(t))');
b('cmsgpack nesting limit in a map', 'local t = {} local c = t for i = 1, 20 do c.x = {} c = c.x end return HX(cmsgpack.pack(t))');
b('cmsgpack nesting limit as key', 'local t = {} local c = t for i = 1, 20 do local n = {} c[n] = 1 c = n end return HX(cmsgpack.pack(t))');
b('cmsgpack nesting from later args', 'local t = {{{{{{{{{{{{{{{{{{1}}}}}}}}}}}}}}}}}} return HX(cmsgpack.pack(t, 1, t))');
b('cmsgpack circular references (Redis test)', [
  'local a = {x = nil, y = 5} local b = {x = a} a["x"] = b local encoded = cmsgpack.pack(a)',
  'local re = cmsgpack.unpack(encoded)',
  'return HX(encoded) .. " " .. tostring(re.x.x.x.x.x.x.x.x.y == re.y) .. tostring(re.y == 5) .. tostring(re.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x)',
].join(' '));
b('cmsgpack smoke (Redis test)', [
  'local str_lt_32 = string.rep("x", 30) local str_lt_255 = string.rep("x", 250) local str_lt_65535 = string.rep("x", 65530)',
  'local str_long = string.rep("x", 100000)',
  'local some_map = {s1 = str_lt_32, s2 = str_lt_255, s3 = str_lt_65535, s4 = str_long, d1 = 0.1, i1 = 1, i2 = 250, i3 = 65530, i4 = 100000, i5 = 2^40, i6 = -1, i7 = -120, i8 = -32000, i9 = -1200000000, i10 = -2^40, f1 = 1.5}',
  'local encoded = cmsgpack.pack(some_map) local decoded = cmsgpack.unpack(encoded)',
  'local offset, decoded_one = cmsgpack.unpack_one(encoded, 0)',
  'local encoded_multiple = cmsgpack.pack(str_lt_32, str_lt_255, str_lt_65535, str_long)',
  'local o = {} local off, obj = cmsgpack.unpack_limit(encoded_multiple, 1, 0) o[#o + 1] = off',
  'off, obj = cmsgpack.unpack_limit(encoded_multiple, 1, off) o[#o + 1] = off',
  'off, obj = cmsgpack.unpack_limit(encoded_multiple, 1, off) o[#o + 1] = off',
  'off, obj = cmsgpack.unpack_limit(encoded_multiple, 1, off) o[#o + 1] = off',
  'return #encoded .. " " .. HX(encoded:sub(1, 60)) .. " " .. offset .. " " .. table.concat(o, ",") .. " " .. tostring(decoded.i5 == 2^40)',
].join(' '));
b('cmsgpack metadata', 'return R(cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION)');
b('cmsgpack 4000 arguments', 'local t = {} for i = 1, 4000 do t[i] = i end return R(pcall(function() return #cmsgpack.pack(unpack(t)) end))');
b('cmsgpack 4001 arguments', 'local t = {} for i = 1, 4001 do t[i] = i end return R(pcall(function() return #cmsgpack.pack(unpack(t)) end))');
for (const last of [3996, 3998, 3999, 4000]) {
  b(`cmsgpack 4000 arguments, table at ${last}`, `local t = {} for i = 1, 4000 do t[i] = i end t[${last}] = {a = {1}} return R(pcall(function() return #cmsgpack.pack(unpack(t)) end))`);
}

// decoding
const packed: Array<[string, string]> = [
  ['fixints', '"\\0\\1\\127\\224\\255"'], ['nil bools', '"\\192\\194\\195"'], ['uint8', '"\\204\\200"'], ['int8', '"\\208\\128\\208\\127"'],
  ['uint16', '"\\205\\255\\254"'], ['int16', '"\\209\\128\\0\\209\\255\\127\\209\\0\\255"'], ['uint32', '"\\206\\255\\255\\255\\255"'],
  ['int32', '"\\210\\128\\0\\0\\0\\210\\255\\255\\255\\254"'], ['uint64 small', '"\\207\\0\\0\\0\\1\\0\\0\\0\\0"'],
  ['uint64 2^53+1', '"\\207\\0\\32\\0\\0\\0\\0\\0\\1"'], ['uint64 2^63-1', '"\\207\\127\\255\\255\\255\\255\\255\\255\\255"'],
  ['uint64 top bit', '"\\207\\128\\0\\0\\0\\0\\0\\0\\1"'], ['uint64 max', '"\\207\\255\\255\\255\\255\\255\\255\\255\\255"'],
  ['int64 min', '"\\211\\128\\0\\0\\0\\0\\0\\0\\0"'], ['int64 -2^53-1', '"\\211\\255\\223\\255\\255\\255\\255\\255\\255"'],
  ['int64 odd', '"\\211\\128\\0\\0\\0\\0\\0\\4\\1"'], ['float', '"\\202\\63\\192\\0\\0\\202\\127\\192\\0\\0\\202\\255\\192\\0\\0\\202\\127\\128\\0\\0\\202\\0\\0\\0\\1\\202\\128\\0\\0\\0"'],
  ['double', '"\\203\\63\\185\\153\\153\\153\\153\\153\\154\\203\\127\\248\\0\\0\\0\\0\\0\\0\\203\\255\\248\\0\\0\\0\\0\\0\\0\\203\\0\\0\\0\\0\\0\\0\\0\\1"'],
  ['fixstr', '"\\163abc\\160"'], ['str8', '"\\217\\3abc"'], ['str16', '"\\218\\0\\3abc"'], ['str32', '"\\219\\0\\0\\0\\3abc"'],
  ['fixarray', '"\\147\\1\\192\\3"'], ['array16', '"\\220\\0\\2\\1\\2"'], ['array32', '"\\221\\0\\0\\0\\2\\1\\2"'],
  ['fixmap', '"\\130\\161a\\1\\161b\\192"'], ['map16', '"\\222\\0\\1\\1\\2"'], ['map32', '"\\223\\0\\0\\0\\1\\161k\\145\\1"'],
  ['map with nil key', '"\\129\\192\\1"'], ['map with nil key, truncated value', '"\\129\\192"'],
  ['map with NaN key', '"\\129\\203\\127\\248\\0\\0\\0\\0\\0\\0\\1"'], ['map with table key', '"\\129\\145\\1\\2"'],
  ['bin8 (bad)', '"\\196\\1a"'], ['ext (bad)', '"\\212\\1\\1"'], ['0xc1 (bad)', '"\\1\\193"'], ['bad inside array', '"\\146\\1\\193"'],
  ['truncated uint16', '"\\205\\1"'], ['truncated str', '"\\165ab"'], ['truncated str32', '"\\219\\0\\0\\1"'], ['truncated array', '"\\147\\1\\2"'],
  ['truncated map', '"\\129\\1"'], ['truncated map header', '"\\222\\0"'], ['empty', '""'], ['stream', '"\\1\\2\\163abc\\145\\192"'],
  ['number argument', '123'], ['many values', 'string.rep("\\1", 300)'],
];
for (const [name, s] of packed) {
  x(`cmsgpack.unpack ${name}`, `cmsgpack.unpack(${s})`);
  x(`cmsgpack.unpack_one ${name}`, `cmsgpack.unpack_one(${s})`);
  x(`cmsgpack.unpack_limit 2 ${name}`, `cmsgpack.unpack_limit(${s}, 2)`);
}
x('cmsgpack.unpack no argument', 'cmsgpack.unpack()');
x('cmsgpack.unpack table', 'cmsgpack.unpack({})');
x('cmsgpack.unpack nil', 'cmsgpack.unpack(nil)');
x('cmsgpack.unpack extra args', 'cmsgpack.unpack("\\1\\2", 5, 6)');
const stream = '"\\1\\2\\163abc\\145\\192\\4"';
for (const off of ['0', '1', '2', '5', '7', '8', '9', '10', '-1', '-2^40', '2^40', '2^63', '-2^63', '2^31', '2^32+1', '1/0', '0/0', '"2"', '2.7', '-0.5', 'nil', '"x"', '{}']) {
  x(`cmsgpack.unpack_one offset ${off}`, `cmsgpack.unpack_one(${stream}, ${off})`);
  x(`cmsgpack.unpack_limit 2 offset ${off}`, `cmsgpack.unpack_limit(${stream}, 2, ${off})`);
}
for (const lim of ['0', '1', '3', '4', '5', '100', '-1', '2^40', '2^63', '-2^31', '1/0', '"2"', '0/0', 'nil', '"x"']) {
  x(`cmsgpack.unpack_limit limit ${lim}`, `cmsgpack.unpack_limit(${stream}, ${lim})`);
  x(`cmsgpack.unpack_limit limit ${lim} offset 0`, `cmsgpack.unpack_limit(${stream}, ${lim}, 0)`);
  x(`cmsgpack.unpack_limit limit ${lim} offset 1`, `cmsgpack.unpack_limit(${stream}, ${lim}, 1)`);
}
x('cmsgpack.unpack_one no argument', 'cmsgpack.unpack_one()');
x('cmsgpack.unpack_one empty', 'cmsgpack.unpack_one("")');
x('cmsgpack.unpack_limit no limit', 'cmsgpack.unpack_limit("\\1")');
x('cmsgpack.unpack_limit no argument', 'cmsgpack.unpack_limit()');
x('cmsgpack.unpack_one extra args', 'cmsgpack.unpack_one("\\1\\2", 1, 2, 3)');
x('cmsgpack.unpack_one bad data with offset', 'cmsgpack.unpack_one("\\1\\193", 1)');
x('cmsgpack.unpack_one skips bad data after', 'cmsgpack.unpack_one("\\1\\193", 0)');
x('cmsgpack local alias', '(function() local u = cmsgpack.unpack; local r = u("\\193"); return r end)()');
b('cmsgpack pcall direct', 'return R(pcall(cmsgpack.unpack, "\\193"))');
b('cmsgpack round trip of a stream', 'return R(cmsgpack.unpack(cmsgpack.pack(1, -1, "x", {1, {a = 2}}, 0.5, 1e100, nil, true)))');
for (const n of [7997, 7998, 7999, 8000]) {
  b(`cmsgpack.unpack ${n} values`, `local s = string.rep("\\1", ${n}) return R(pcall(function() return select("#", cmsgpack.unpack(s)) end))`);
  b(`cmsgpack.unpack ${n} values, 2 args`, `local s = string.rep("\\1", ${n}) return R(pcall(function() return select("#", cmsgpack.unpack(s, 1)) end))`);
  b(`cmsgpack.unpack_limit ${n} values`, `local s = string.rep("\\1", ${n}) return R(pcall(function() return select("#", cmsgpack.unpack_limit(s, ${n})) end))`);
  b(`cmsgpack.unpack ${n} values, last an array`, `local s = string.rep("\\1", ${n} - 1) .. "\\145\\1" return R(pcall(function() return select("#", cmsgpack.unpack(s)) end))`);
  b(`cmsgpack.unpack ${n} values, last a map`, `local s = string.rep("\\1", ${n} - 1) .. "\\129\\1\\1" return R(pcall(function() return select("#", cmsgpack.unpack(s)) end))`);
}
for (const n of [3990, 3998, 3999, 4000, 4010]) {
  b(`cmsgpack.unpack ${n} nested arrays`, `local s = string.rep("\\145", ${n}) .. "\\7" return R(pcall(function() local v = cmsgpack.unpack(s) local d = 0 while type(v) == "table" do v = v[1] d = d + 1 end return d, v end))`);
}
for (const n of [7990, 7998, 7999, 8000]) {
  b(`cmsgpack.unpack ${n} nested map keys`, `local s = string.rep("\\129", ${n}) .. "\\7\\1" .. string.rep("\\2", ${n} - 1) return R(pcall(function() local v = cmsgpack.unpack(s) return type(v) end))`);
}

// ------------------------------------------------------------------ runners
function luaRunner(scripts: string[]): string[] {
  try {
    execFileSync('lua5.1', ['-v'], { stdio: 'pipe' });
  } catch {
    throw new Error('lua5.1 is not installed: this test needs Debian package lua5.1 (apt-get install -y lua5.1)');
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ks-lua-libs-'));
  try {
    fs.writeFileSync(path.join(dir, 'struct.lua'), STRUCT_LUA);
    fs.writeFileSync(path.join(dir, 'cmsgpack.lua'), CMSGPACK_LUA);
    // each script as one hex line, decoded and loaded under Redis's chunk name
    fs.writeFileSync(path.join(dir, 'cases.txt'), scripts.map((s) => Buffer.from(s, 'latin1').toString('hex')).join('\n') + '\n');
    const driver = [
      `local dir = ${JSON.stringify(dir)}`,
      'struct = assert(loadfile(dir .. "/struct.lua"))()',
      'cmsgpack = assert(loadfile(dir .. "/cmsgpack.lua"))()',
      'for line in io.lines(dir .. "/cases.txt") do',
      '  local src = line:gsub("%x%x", function(h) return string.char(tonumber(h, 16)) end)',
      '  local f = assert(loadstring(src, "@user_script"))',
      '  local ok, r = pcall(f)',
      '  r = tostring(r)',
      '  io.write(ok and "" or "ERR ", (r:gsub("[%z\\1-\\31\\\\]", function(c) return string.format("\\\\%03d", c:byte()) end)), "\\n")',
      'end',
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'driver.lua'), driver);
    const out = execFileSync('lua5.1', [path.join(dir, 'driver.lua')], { maxBuffer: 1 << 28 }).toString('latin1');
    return out.split('\n').slice(0, scripts.length);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const esc = (r: string) => r.replace(/[\0-\x1f\\]/g, (c) => '\\' + String(c.charCodeAt(0)).padStart(3, '0'));

let redis: { port: number; proc: ChildProcess; client: Redis } | undefined;

async function startRedis(): Promise<{ port: number; proc: ChildProcess; client: Redis }> {
  let version: string;
  try {
    version = execFileSync('redis-server', ['--version']).toString();
  } catch {
    throw new Error('redis-server is not installed: this test compares with Redis 7.0 (Debian package redis-server)');
  }
  if (!/v=7\.0\./.test(version)) throw new Error('this test compares with Redis 7.0; found: ' + version);
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const c = new Redis(port, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    try {
      await c.connect();
      await c.ping();
      return { port, proc, client: c };
    } catch {
      c.disconnect();
      await new Promise((res) => setTimeout(res, 50));
    }
  }
  proc.kill('SIGTERM');
  throw new Error('redis-server did not start');
}

async function redisRunner(scripts: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const s of scripts) {
    try {
      const r = await redis!.client.eval(s, 0);
      out.push(esc(String(r)));
    } catch (e) {
      out.push('ERR ' + esc((e as Error).message));
    }
  }
  return out;
}

describe('struct and cmsgpack match Redis 7.0.15', () => {
  let ours: string[] = [];
  let theirs: string[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    const scripts = cases.map((c) => PRELUDE + '\n' + c.body);
    ours = luaRunner(scripts);
    theirs = await redisRunner(scripts);
  }, 120_000);

  afterAll(async () => {
    if (!redis) return;
    redis.client.disconnect();
    const p = redis.proc;
    if (p.exitCode === null && p.signalCode === null) {
      await new Promise<void>((res) => {
        p.once('exit', () => res());
        process.kill(p.pid!, 'SIGTERM');
      });
    }
  });

  it(`all ${cases.length} cases give Redis's results, bytes and error texts`, () => {
    expect(ours.length).toBe(cases.length);
    const diffs: string[] = [];
    cases.forEach((c, i) => {
      if (ours[i] !== theirs[i]) diffs.push(`${c.label}\n  script: ${c.body}\n  redis:  ${theirs[i]}\n  ours:   ${ours[i]}`);
    });
    expect(diffs.join('\n\n')).toBe('');
  });

  it('the cases exercise errors and values on the Redis side (not a vacuous comparison)', () => {
    expect(theirs.filter((r) => r.startsWith('ERR ')).length).toBe(0); // every case catches its own error
    expect(theirs.filter((r) => r.includes('|false ')).length).toBeGreaterThan(60);
    expect(theirs.filter((r) => r.startsWith('2|true ')).length).toBeGreaterThan(400);
    const i = cases.findIndex((c) => c.label === 'struct invalid option y');
    expect(theirs[i]).toBe("2|false \"user_script:2: bad argument #1 to 'pack' (invalid format option 'y')\"");
    const j = cases.findIndex((c) => c.label === 'cmsgpack.pack int -1099511627776');
    expect(theirs[j]).toBe('2|true "1|sd3ffffff0000000000"');
  });

  // Lua can make a NaN of either sign but cannot set its payload bits: a NaN
  // read with payload bits comes back out with the default payload.
  it('NaN payload bits are not kept (the sign is)', async () => {
    const script = PRELUDE + '\nreturn R(HX(struct.pack(">d>f", struct.unpack(">d>f", "\\255\\248\\0\\0\\0\\0\\0\\1\\127\\128\\0\\1"))))';
    const [ours1] = luaRunner([script]);
    const [theirs1] = await redisRunner([script]);
    expect(theirs1).toBe('1|"fff80000000000017fc00001"');
    expect(ours1).toBe('1|"fff80000000000007fc00000"');
  });

  // A Lua function called in tail position loses its caller's frame, so a
  // pure-Lua module cannot name the caller's line there as Redis's C one does;
  // it still gives the rest of the message.
  it('in tail position an error keeps its text but not the caller position', async () => {
    const script = PRELUDE + '\nreturn R(pcall(function() return struct.pack("y") end))';
    const [ours1] = luaRunner([script]);
    const [theirs1] = await redisRunner([script]);
    expect(theirs1).toBe("2|false \"user_script:2: bad argument #1 to 'pack' (invalid format option 'y')\"");
    expect(ours1).toBe("2|false \"bad argument #1 to 'pack' (invalid format option 'y')\"");
  });
});
