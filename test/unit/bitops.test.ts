import { describe, test, expect, beforeEach } from 'vitest';
import { shardHarness } from '../helpers/shard-harness';
import { commands as bitCommands } from '../../src/commands/bitops';
import { commands as stringCommands } from '../../src/commands/string';
import type { CommandDef } from '../../src/commands/contract';

const extra: CommandDef[] = [
  { name: 'rpush', run: (c, a) => { c.db.set(a[1], { type: 'list' }); c.w.int(1); } },
  { name: 'del', run: (c, a) => { c.w.int(c.db.del(a[1]) ? 1 : 0); } },
  { name: 'exists', run: (c, a) => { c.w.int(c.db.peek(a[1]) === undefined ? 0 : 1); } },
];

const bulk = (s: string) => `$${s.length}\r\n${s}\r\n`;
const int = (n: number | string) => `:${n}\r\n`;
const err = (m: string) => `-${m}\r\n`;
const arr = (...items: (number | string | null)[]) =>
  `*${items.length}\r\n` + items.map((x) => (x === null ? '$-1\r\n' : int(x))).join('');
const OK = '+OK\r\n';
const WRONGTYPE = err('WRONGTYPE Operation against a key holding the wrong kind of value');
const NOTINT = err('ERR value is not an integer or out of range');
const SYNTAX = err('ERR syntax error');
const OFFSET_ERR = err('ERR bit offset is not an integer or out of range');

let seed = 1;
const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
function randBytes(max: number): string {
  const n = rnd(max + 1);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(rnd(256));
  return s;
}
/** "B*" bit string (MSB first) to bytes. */
function fromBits(bits: string): string {
  let s = '';
  for (let i = 0; i < bits.length; i += 8) s += String.fromCharCode(parseInt(bits.slice(i, i + 8).padEnd(8, '0'), 2));
  return s;
}
function countBits(s: string, sb = 0, eb = s.length * 8 - 1): number {
  let n = 0;
  for (let i = sb; i <= eb; i++) n += (s.charCodeAt(i >> 3) >> (7 - (i & 7))) & 1;
  return n;
}

let h: ReturnType<typeof shardHarness>;
beforeEach(() => {
  h = shardHarness([...bitCommands, ...stringCommands, ...extra]);
  seed = 1;
});

describe('SETBIT / GETBIT', () => {
  test('SETBIT against non-existing key', () => {
    expect(h.call('SETBIT', 'mykey', '1', '1')).toBe(int(0));
    expect(h.call('GET', 'mykey')).toBe(bulk(fromBits('01000000')));
    expect(h.ks.dbs[0].raw.has('mykey')).toBe(true);
  });

  test('SETBIT against string and integer values', () => {
    h.call('SET', 'mykey', '@');
    expect(h.call('SETBIT', 'mykey', '2', '1')).toBe(int(0));
    expect(h.call('GET', 'mykey')).toBe(bulk(fromBits('01100000')));
    expect(h.call('SETBIT', 'mykey', '1', '0')).toBe(int(1));
    expect(h.call('GET', 'mykey')).toBe(bulk(fromBits('00100000')));
    h.call('SET', 'mykey', '1');
    expect(h.call('SETBIT', 'mykey', '6', '1')).toBe(int(0));
    expect(h.call('GET', 'mykey')).toBe(bulk(fromBits('00110011')));
    expect(h.call('SETBIT', 'mykey', '2', '0')).toBe(int(1));
    expect(h.call('GET', 'mykey')).toBe(bulk(fromBits('00010011')));
  });

  test('SETBIT errors', () => {
    h.call('RPUSH', 'l', 'foo');
    expect(h.call('SETBIT', 'l', '0', '1')).toBe(WRONGTYPE);
    expect(h.call('SETBIT', 'mykey', String(4 * 1024 * 1024 * 1024), '1')).toBe(OFFSET_ERR);
    expect(h.call('SETBIT', 'mykey', '-1', '1')).toBe(OFFSET_ERR);
    expect(h.call('SETBIT', 'mykey', 'x', '1')).toBe(OFFSET_ERR);
    const BITERR = err('ERR bit is not an integer or out of range');
    for (const v of ['-1', '2', '10', '20', 'x', '']) expect(h.call('SETBIT', 'mykey', '0', v)).toBe(BITERR);
    // The offset is checked before the type.
    expect(h.call('SETBIT', 'l', '-1', '1')).toBe(OFFSET_ERR);
  });

  test('SETBIT keeps the TTL and pads with zeros', () => {
    h.call('SET', 'k', 'a', 'EX', '100');
    expect(h.call('SETBIT', 'k', '31', '1')).toBe(int(0));
    expect(h.call('GET', 'k')).toBe(bulk('a\0\0\x01'));
    expect(h.ks.dbs[0].ttlOf('k')).toBeGreaterThan(0);
  });

  test('SETBIT fuzzing', () => {
    let bits = '';
    const len = 256 * 8;
    for (let i = 0; i < 500; i++) {
      const bitnum = rnd(len);
      const bitval = rnd(2);
      bits = bits.padEnd(bitnum, '0');
      bits = bits.slice(0, bitnum) + bitval + bits.slice(bitnum + 1);
      h.call('SETBIT', 'mykey', String(bitnum), String(bitval));
      expect(h.call('GET', 'mykey')).toBe(bulk(fromBits(bits)));
    }
  });

  test('GETBIT', () => {
    expect(h.call('GETBIT', 'mykey', '0')).toBe(int(0));
    h.call('SET', 'mykey', '`');
    const exp = [0, 1, 1, 0];
    for (let i = 0; i < 4; i++) expect(h.call('GETBIT', 'mykey', String(i))).toBe(int(exp[i]));
    for (const o of ['8', '100', '10000']) expect(h.call('GETBIT', 'mykey', o)).toBe(int(0));
    h.call('SET', 'mykey', '1');
    const exp2 = [0, 0, 1, 1];
    for (let i = 0; i < 4; i++) expect(h.call('GETBIT', 'mykey', String(i))).toBe(int(exp2[i]));
    expect(h.call('GETBIT', 'mykey', '-1')).toBe(OFFSET_ERR);
    h.call('RPUSH', 'l', 'foo');
    expect(h.call('GETBIT', 'l', '0')).toBe(WRONGTYPE);
  });

  test('dirty only grows when the value changes', () => {
    const s = h.ks.stats;
    let d = s.dirty;
    h.call('SETBIT', 'foo', '0', '0');
    h.call('BITFIELD', 'foo2', 'set', 'i5', '0', '0');
    expect(s.dirty).toBe(d + 2);
    d = s.dirty;
    h.call('SETBIT', 'foo', '0', '0');
    h.call('BITFIELD', 'foo2', 'set', 'i5', '0', '0');
    expect(s.dirty).toBe(d);
    for (const v of ['1', '1', '0', '0']) {
      h.call('SETBIT', 'foo', '0', v);
      h.call('BITFIELD', 'foo2', 'set', 'i5', '0', v);
    }
    expect(s.dirty).toBe(d + 4);
    d = s.dirty;
    h.call('BITFIELD', 'foo3', 'incrby', 'i5', '0', '1');
    h.call('BITFIELD', 'foo3', 'incrby', 'i5', '0', '1');
    expect(s.dirty).toBe(d + 2);
    d = s.dirty;
    h.call('SETBIT', 'foo', '90', '0');
    h.call('BITFIELD', 'foo2', 'set', 'i5', '90', '0');
    expect(s.dirty).toBe(d + 2);
  });
});

describe('BITCOUNT', () => {
  test('missing key, out of range and reversed negative ranges', () => {
    expect(h.call('BITCOUNT', 'no-key')).toBe(int(0));
    expect(h.call('BITCOUNT', 'no-key', '0', '1000', 'bit')).toBe(int(0));
    // A missing key answers 0 before the arguments are looked at.
    expect(h.call('BITCOUNT', 'no-key', '0')).toBe(int(0));
    h.call('SET', 'str', 'xxxx');
    expect(h.call('BITCOUNT', 'str', '4', '10')).toBe(int(0));
    expect(h.call('BITCOUNT', 'str', '32', '87', 'bit')).toBe(int(0));
    expect(h.call('BITCOUNT', 'str', '-6', '-7')).toBe(int(0));
    expect(h.call('BITCOUNT', 'str', '-6', '-15', 'bit')).toBe(int(0));
    // The reversed-negative shortcut comes before the unit is parsed.
    expect(h.call('BITCOUNT', 'str', '-6', '-7', 'nonsense')).toBe(int(0));
  });

  test('test vectors', () => {
    for (const vec of ['', '\xaa', '\x00\x00\xff', 'foobar', '123']) {
      h.call('SET', 'str', vec);
      expect(h.call('BITCOUNT', 'str')).toBe(int(countBits(vec)));
      expect(h.call('BITCOUNT', 'str', '0', '-1', 'bit')).toBe(int(countBits(vec)));
    }
  });

  test('fuzzing with and without ranges', () => {
    for (let j = 0; j < 100; j++) {
      const str = randBytes(300);
      h.call('SET', 'str', str);
      expect(h.call('BITCOUNT', 'str')).toBe(int(countBits(str)));
      const l = str.length;
      if (l === 0) continue;
      let s = rnd(l), e = rnd(l);
      if (s > e) [s, e] = [e, s];
      expect(h.call('BITCOUNT', 'str', String(s), String(e))).toBe(int(countBits(str, s * 8, e * 8 + 7)));
      let sb = rnd(l * 8), eb = rnd(l * 8);
      if (sb > eb) [sb, eb] = [eb, sb];
      expect(h.call('BITCOUNT', 'str', String(sb), String(eb), 'BIT')).toBe(int(countBits(str, sb, eb)));
    }
  });

  test('start/end forms', () => {
    const s = 'foobar';
    h.call('SET', 's', s);
    expect(h.call('BITCOUNT', 's', '0', '-1')).toBe(int(countBits(s)));
    expect(h.call('BITCOUNT', 's', '1', '-2')).toBe(int(countBits('ooba')));
    expect(h.call('BITCOUNT', 's', '-2', '1')).toBe(int(0));
    expect(h.call('BITCOUNT', 's', '0', '1000')).toBe(int(countBits(s)));
    expect(h.call('BITCOUNT', 's', '10', '14', 'bit')).toBe(int(countBits(s, 10, 14)));
    expect(h.call('BITCOUNT', 's', '3', '14', 'bit')).toBe(int(countBits(s, 3, 14)));
    expect(h.call('BITCOUNT', 's', '3', '29', 'bit')).toBe(int(countBits(s, 3, 29)));
    expect(h.call('BITCOUNT', 's', '10', '-34', 'bit')).toBe(int(countBits(s, 10, 14)));
    expect(h.call('BITCOUNT', 's', '3', '-34', 'bit')).toBe(int(countBits(s, 3, 14)));
    expect(h.call('BITCOUNT', 's', '3', '-19', 'bit')).toBe(int(countBits(s, 3, 29)));
    expect(h.call('BITCOUNT', 's', '-2', '1', 'bit')).toBe(int(0));
    expect(h.call('BITCOUNT', 's', '0', '1000', 'bit')).toBe(int(countBits(s)));
    h.call('SET', 'str', 'ab');
    expect(h.call('BITCOUNT', 'str', '1', '-1')).toBe(int(3));
    h.call('SET', 'str', '__PPxxxxxxxxxxxxxxxxRR__');
    expect(h.call('BITCOUNT', 'str', '2', '-3')).toBe(int(74));
  });

  test('errors', () => {
    h.call('SET', 's', 'foobar');
    expect(h.call('BITCOUNT', 's', '0')).toBe(SYNTAX);
    expect(h.call('BITCOUNT', 's', '0', '1', 'hello')).toBe(SYNTAX);
    expect(h.call('BITCOUNT', 's', '0', '1', 'bit', 'x')).toBe(SYNTAX);
    expect(h.call('BITCOUNT', 's', 'a', '1')).toBe(NOTINT);
    h.call('SETBIT', 'foo', '0', '1');
    expect(h.call('BITCOUNT', 'foo', '0', '4294967296')).toBe(int(1));
    h.call('RPUSH', 'l', 'x');
    expect(h.call('BITCOUNT', 'l')).toBe(WRONGTYPE);
  });
});

describe('BITOP', () => {
  test('NOT', () => {
    h.call('SET', 's', '');
    expect(h.call('BITOP', 'not', 'dest', 's')).toBe(int(0));
    expect(h.call('GET', 'dest')).toBe('$-1\r\n');
    h.call('SET', 's', '\xaa\x00\xff\x55');
    expect(h.call('BITOP', 'not', 'dest', 's')).toBe(int(4));
    expect(h.call('GET', 'dest')).toBe(bulk('\x55\xff\x00\xaa'));
    expect(h.ks.dbs[0].raw.has('dest')).toBe(true);
    h.call('BITOP', 'not', 's', 's');
    expect(h.call('GET', 's')).toBe(bulk('\x55\xff\x00\xaa'));
  });

  test('single input, missing keys, zero padding', () => {
    h.call('SET', 'a', '\x01\x02\xff');
    for (const op of ['and', 'or', 'xor']) {
      h.call('BITOP', op, 'res', 'a');
      expect(h.call('GET', 'res')).toBe(bulk('\x01\x02\xff'));
    }
    h.call('BITOP', 'and', 'res1', 'no-such-key', 'a');
    h.call('BITOP', 'or', 'res2', 'no-such-key', 'a', 'no-such-key');
    h.call('BITOP', 'xor', 'res3', 'no-such-key', 'a');
    expect(h.call('GET', 'res1')).toBe(bulk('\x00\x00\x00'));
    expect(h.call('GET', 'res2')).toBe(bulk('\x01\x02\xff'));
    expect(h.call('GET', 'res3')).toBe(bulk('\x01\x02\xff'));
    h.call('SET', 'a', '\x01\x02\xff\xff');
    h.call('SET', 'b', '\x01\x02\xff');
    h.call('BITOP', 'AND', 'res1', 'a', 'b');
    h.call('BITOP', 'Or', 'res2', 'a', 'b');
    h.call('BITOP', 'xor', 'res3', 'a', 'b');
    expect(h.call('GET', 'res1')).toBe(bulk('\x01\x02\xff\x00'));
    expect(h.call('GET', 'res2')).toBe(bulk('\x01\x02\xff\xff'));
    expect(h.call('GET', 'res3')).toBe(bulk('\x00\x00\x00\xff'));
  });

  test('fuzzing against a simple model', () => {
    for (const op of ['and', 'or', 'xor', 'not']) {
      for (let i = 0; i < 20; i++) {
        const n = op === 'not' ? 1 : 1 + rnd(6);
        const vec: string[] = [];
        const keys: string[] = [];
        for (let j = 0; j < n; j++) {
          vec.push(randBytes(100));
          keys.push('v' + j);
          h.call('SET', 'v' + j, vec[j]);
        }
        const max = Math.max(...vec.map((v) => v.length));
        let out = '';
        for (let x = 0; x < max; x++) {
          let b = vec[0].charCodeAt(x) || 0;
          if (op === 'not') b = ~b & 0xff;
          for (let j = 1; j < n; j++) {
            const c = vec[j].charCodeAt(x) || 0;
            b = op === 'and' ? b & c : op === 'or' ? b | c : b ^ c;
          }
          out += String.fromCharCode(b);
        }
        expect(h.call('BITOP', op, 'target', ...keys)).toBe(int(max));
        expect(h.call('GET', 'target')).toBe(max ? bulk(out) : '$-1\r\n');
      }
    }
  });

  test('integer sources, empty results and errors', () => {
    h.call('SET', 'a', '1');
    h.call('SET', 'b', '2');
    h.call('BITOP', 'xor', 'dest', 'a', 'b', 'a');
    expect(h.call('GET', 'dest')).toBe(bulk('2'));
    h.call('SET', 'z', '\0'.repeat(32));
    expect(h.call('BITOP', 'or', 'x', 'z', 'nokey')).toBe(int(32));
    // An empty result deletes the destination.
    expect(h.call('BITOP', 'or', 'x', 'nokey')).toBe(int(0));
    expect(h.call('EXISTS', 'x')).toBe(int(0));
    h.call('RPUSH', 'c', 'foo');
    expect(h.call('BITOP', 'xor', 'dest', 'a', 'b', 'c', 'd')).toBe(WRONGTYPE);
    expect(h.call('BITOP', 'nand', 'dest', 'a')).toBe(SYNTAX);
    expect(h.call('BITOP', 'not', 'dest', 'a', 'b')).toBe(err('ERR BITOP NOT must be called with a single source key.'));
  });
});

describe('BITPOS', () => {
  test('missing and empty keys', () => {
    expect(h.call('BITPOS', 'str', '0')).toBe(int(0));
    expect(h.call('BITPOS', 'str', '0', '0', '-1', 'bit')).toBe(int(0));
    expect(h.call('BITPOS', 'str', '1')).toBe(int(-1));
    expect(h.call('BITPOS', 'str', '1', '0', '-1')).toBe(int(-1));
    h.call('SET', 'e', '');
    expect(h.call('BITPOS', 'e', '0')).toBe(int(-1));
    expect(h.call('BITPOS', 'e', '1')).toBe(int(-1));
  });

  test('short strings and unaligned starts', () => {
    h.call('SET', 'str', '\xff\xf0\x00');
    expect(h.call('BITPOS', 'str', '0')).toBe(int(12));
    expect(h.call('BITPOS', 'str', '0', '0', '-1', 'bit')).toBe(int(12));
    expect(h.call('BITPOS', 'str', '0', '1')).toBe(int(12));
    expect(h.call('BITPOS', 'str', '0', '1', '-1', 'bit')).toBe(int(12));
    h.call('SET', 'str', '\x00\x0f\x00');
    expect(h.call('BITPOS', 'str', '1')).toBe(int(12));
    expect(h.call('BITPOS', 'str', '1', '0', '-1', 'bit')).toBe(int(12));
    h.call('SET', 'str', '\x00\x0f\xff');
    expect(h.call('BITPOS', 'str', '1', '1')).toBe(int(12));
    expect(h.call('BITPOS', 'str', '1', '1', '-1', 'bit')).toBe(int(12));
  });

  test('unaligned + full words + remainder', () => {
    h.call('SET', 'str', '\xff'.repeat(27) + '\x0f');
    h.call('SET', 'str1', '\x00'.repeat(27) + '\xf0');
    for (let i = 0; i <= 8; i++) {
      expect(h.call('BITPOS', 'str', '0', String(i))).toBe(int(216));
      expect(h.call('BITPOS', 'str1', '1', String(i))).toBe(int(216));
      expect(h.call('BITPOS', 'str', '0', String(i * 8 + 1), '-1', 'bit')).toBe(int(216));
      expect(h.call('BITPOS', 'str1', '1', String(i * 8 + 1), '-1', 'bit')).toBe(int(216));
    }
  });

  test('bit=1 returns -1 if the string is all zeros', () => {
    let s = '';
    for (let j = 0; j < 20; j++) {
      h.call('SET', 'str', s);
      expect(h.call('BITPOS', 'str', '1')).toBe(int(-1));
      expect(h.call('BITPOS', 'str', '1', '0', '-1', 'bit')).toBe(int(-1));
      s += '\0';
    }
  });

  test('intervals', () => {
    h.call('SET', 'str', '\x00\xff\x00');
    const cases0: [string[], number][] = [
      [['0', '-1'], 0], [['1', '-1'], 16], [['2', '-1'], 16], [['2', '200'], 16], [['1', '1'], -1],
      [['0', '-1', 'bit'], 0], [['8', '-1', 'bit'], 16], [['16', '-1', 'bit'], 16], [['16', '200', 'bit'], 16], [['8', '8', 'bit'], -1],
    ];
    for (const [args, exp] of cases0) expect(h.call('BITPOS', 'str', '0', ...args)).toBe(int(exp));
    const cases1: [string[], number][] = [
      [['0', '-1'], 8], [['1', '-1'], 8], [['2', '-1'], -1], [['2', '200'], -1], [['1', '1'], 8],
      [['0', '-1', 'bit'], 8], [['8', '-1', 'bit'], 8], [['16', '-1', 'bit'], -1], [['16', '200', 'bit'], -1], [['8', '8', 'bit'], 8],
    ];
    for (const [args, exp] of cases1) expect(h.call('BITPOS', 'str', '1', ...args)).toBe(int(exp));
  });

  test('bit=0 changes behaviour if end is given', () => {
    h.call('SET', 'str', '\xff\xff\xff');
    expect(h.call('BITPOS', 'str', '0')).toBe(int(24));
    expect(h.call('BITPOS', 'str', '0', '0')).toBe(int(24));
    expect(h.call('BITPOS', 'str', '0', '0', '-1')).toBe(int(-1));
    expect(h.call('BITPOS', 'str', '0', '0', '-1', 'bit')).toBe(int(-1));
  });

  test('fuzzing with SETBIT', () => {
    const max = 8192;
    let first = -1;
    for (let j = 0; j < 200; j++) {
      expect(h.call('BITPOS', 'str', '1')).toBe(int(first));
      expect(h.call('BITPOS', 'str', '1', '0', '-1', 'bit')).toBe(int(first));
      const pos = rnd(max);
      h.call('SETBIT', 'str', String(pos), '1');
      if (first === -1 || first > pos) first = pos;
    }
    h.call('SET', 'z', '\xff'.repeat(max / 8));
    let firstZero = max;
    for (let j = 0; j < 200; j++) {
      expect(h.call('BITPOS', 'z', '0')).toBe(int(firstZero));
      expect(h.call('BITPOS', 'z', '0', '0', '-1', 'bit')).toBe(int(firstZero === max ? -1 : firstZero));
      const pos = rnd(max);
      h.call('SETBIT', 'z', String(pos), '0');
      if (firstZero > pos) firstZero = pos;
    }
  });

  test('BITPOS/BITCOUNT over every single-bit position of 80 bits', () => {
    const max = 80;
    for (let bit = 0; bit < 2; bit++) {
      const base = bit ? '\x00' : '\xff';
      for (let j = 0; j < max; j++) {
        h.call('SET', 'str', base.repeat(max / 8));
        h.call('SETBIT', 'str', String(j), String(bit));
        for (const [unit, cur, end] of [['byte', j >> 3, max / 8], ['bit', j, max]] as const) {
          for (let t = 0; t < 4; t++) {
            let s = rnd(end), e = rnd(end);
            if (t === 0) s = e = cur;
            if (s > e) [s, e] = [e, s];
            const sb = unit === 'byte' ? s * 8 : s, eb = unit === 'byte' ? e * 8 + 7 : e;
            const inr = j >= sb && j <= eb ? 1 : 0;
            const count = (eb - sb + 1) * (1 - bit) + inr * (bit ? 1 : -1);
            expect(h.call('BITPOS', 'str', String(bit), String(s), String(e), unit)).toBe(int(inr ? j : -1));
            expect(h.call('BITCOUNT', 'str', String(s), String(e), unit)).toBe(int(count));
          }
        }
      }
    }
  });

  test('errors', () => {
    h.call('SET', 'str', 'abc');
    expect(h.call('BITPOS', 'str', '2')).toBe(err('ERR The bit argument must be 1 or 0.'));
    expect(h.call('BITPOS', 'str', 'x')).toBe(NOTINT);
    expect(h.call('BITPOS', 'str', '1', '0', '1', 'nope')).toBe(SYNTAX);
    expect(h.call('BITPOS', 'str', '1', '0', '1', 'bit', 'x')).toBe(SYNTAX);
    expect(h.call('BITPOS', 'str', '1', 'x')).toBe(NOTINT);
    h.call('RPUSH', 'l', 'x');
    expect(h.call('BITPOS', 'l', '1')).toBe(WRONGTYPE);
  });
});

describe('BITFIELD', () => {
  test('signed and unsigned SET / GET / INCRBY', () => {
    expect(h.call('BITFIELD', 'bits', 'set', 'i8', '0', '-100')).toBe(arr(0));
    expect(h.call('BITFIELD', 'bits', 'set', 'i8', '0', '101')).toBe(arr(-100));
    expect(h.call('BITFIELD', 'bits', 'get', 'i8', '0')).toBe(arr(101));
    h.call('DEL', 'bits');
    expect(h.call('BITFIELD', 'bits', 'set', 'u8', '0', '255')).toBe(arr(0));
    expect(h.call('BITFIELD', 'bits', 'set', 'u8', '0', '100')).toBe(arr(255));
    expect(h.call('BITFIELD', 'bits', 'get', 'u8', '0')).toBe(arr(100));
    h.call('DEL', 'bits');
    expect(h.call('BITFIELD', 'bits', 'set', 'i8', '0', '255', 'set', 'i8', '0', '100', 'get', 'i8', '0')).toBe(arr(0, -1, 100));
    h.call('DEL', 'bits');
    expect(h.call('BITFIELD', 'bits', 'set', 'u8', '0', '255', 'incrby', 'u8', '0', '100', 'get', 'u8', '0')).toBe(arr(0, 99, 99));
    expect(h.ks.dbs[0].raw.has('bits')).toBe(true);
  });

  test('only key, # offsets, chaining', () => {
    expect(h.call('BITFIELD', 'bits')).toBe('*0\r\n');
    h.call('BITFIELD', 'bits', 'set', 'u8', '#0', '65');
    h.call('BITFIELD', 'bits', 'set', 'u8', '#1', '66');
    h.call('BITFIELD', 'bits', 'set', 'u8', '#2', '67');
    expect(h.call('GET', 'bits')).toBe(bulk('ABC'));
    h.call('DEL', 'bits');
    h.call('BITFIELD', 'bits', 'set', 'u8', '#0', '10');
    expect(h.call('BITFIELD', 'bits', 'incrby', 'u8', '#0', '100', 'incrby', 'u8', '#0', '100')).toBe(arr(110, 210));
  });

  test('overflow WRAP / SAT / FAIL', () => {
    h.call('BITFIELD', 'bits', 'set', 'u8', '#0', '100');
    expect(h.call('BITFIELD', 'bits', 'overflow', 'wrap', 'incrby', 'u8', '#0', '257')).toBe(arr(101));
    expect(h.call('BITFIELD', 'bits', 'overflow', 'wrap', 'incrby', 'u8', '#0', '255')).toBe(arr(100));
    expect(h.call('BITFIELD', 'bits', 'overflow', 'sat', 'incrby', 'u8', '#0', '257')).toBe(arr(255));
    expect(h.call('BITFIELD', 'bits', 'overflow', 'sat', 'incrby', 'u8', '#0', '-255')).toBe(arr(0));
    h.call('BITFIELD', 'bits', 'set', 'i8', '#0', '100');
    expect(h.call('BITFIELD', 'bits', 'overflow', 'wrap', 'incrby', 'i8', '#0', '257')).toBe(arr(101));
    expect(h.call('BITFIELD', 'bits', 'overflow', 'wrap', 'incrby', 'i8', '#0', '255')).toBe(arr(100));
    expect(h.call('BITFIELD', 'bits', 'OVERFLOW', 'SAT', 'incrby', 'i8', '#0', '257')).toBe(arr(127));
    expect(h.call('BITFIELD', 'bits', 'overflow', 'sat', 'incrby', 'i8', '#0', '-255')).toBe(arr(-128));
    expect(h.call('BITFIELD', 'bits', 'overflow', 'fail', 'incrby', 'i8', '#0', '-1', 'incrby', 'i8', '#0', '1')).toBe(arr(null, -127));
    // SET takes its value as uint64 for unsigned fields: -1 saturates high.
    expect(h.call('BITFIELD', 'bits', 'overflow', 'sat', 'set', 'u8', '0', '-1', 'set', 'i8', '0', '-200', 'set', 'i8', '0', '200')).toBe(arr(129, -1, -128));
    expect(h.call('BITFIELD', 'bits', 'overflow', 'wrap', 'set', 'u8', '0', '-1', 'set', 'i8', '0', '200', 'get', 'i8', '0')).toBe(arr(127, -1, -56));
  });

  test('64-bit fields', () => {
    expect(h.call('BITFIELD', 'k', 'set', 'i64', '0', '-9223372036854775808', 'incrby', 'i64', '0', '-1',
      'overflow', 'sat', 'incrby', 'i64', '0', '-1', 'overflow', 'fail', 'incrby', 'i64', '0', '-1',
      'set', 'u63', '0', '-1', 'get', 'u63', '0', 'get', 'i64', '0'))
      .toBe(arr(0, '9223372036854775807', '9223372036854775806', '9223372036854775805', null,
        '4611686018427387902', '9223372036854775805'));
  });

  test('FAIL on a new key still creates it, without dirtying', () => {
    const d = h.ks.stats.dirty;
    expect(h.call('BITFIELD', 'ff', 'overflow', 'fail', 'incrby', 'u2', '0', '10')).toBe(arr(null));
    expect(h.call('GET', 'ff')).toBe(bulk('\0'));
    expect(h.ks.stats.dirty).toBe(d);
  });

  test('overflow detection and wrap fuzzing', () => {
    for (let j = 0; j < 500; j++) {
      const bits = 1 + rnd(64);
      const signed = bits === 64 || rnd(2) === 1;
      const range = 2n ** BigInt(bits);
      const min = signed ? -(range / 2n) : 0n;
      const max = min + range - 1n;
      const type = (signed ? 'i' : 'u') + bits;
      const r = () => {
        let v = min * 2n + (BigInt(rnd(0x7fffffff)) * BigInt(rnd(0x7fffffff)) * BigInt(rnd(0x7fffffff))) % (range * 2n);
        if (v > 2n ** 63n - 1n) v = 2n ** 63n - 1n;
        if (v < -(2n ** 63n)) v = -(2n ** 63n);
        return v;
      };
      const value = r(), incr = r();
      const overflow = value > max || value < min || value + incr > max || value + incr < min;
      h.call('DEL', 'bits');
      const r1 = h.call('BITFIELD', 'bits', 'overflow', 'fail', 'set', type, '0', String(value));
      const r2 = h.call('BITFIELD', 'bits', 'overflow', 'fail', 'incrby', type, '0', String(incr));
      const failed = r1.includes('$-1') || r2.includes('$-1');
      expect(failed).toBe(overflow);

      h.call('DEL', 'bits');
      h.call('BITFIELD', 'bits', 'overflow', 'wrap', 'set', type, '0', String(value));
      h.call('BITFIELD', 'bits', 'overflow', 'wrap', 'incrby', type, '0', String(incr));
      let exp = ((signed ? max + 1n : 0n) + value + incr) % range;
      if (exp < 0n) exp += range;
      if (signed) exp += min;
      expect(h.call('BITFIELD', 'bits', 'get', type, '0')).toBe(arr(exp.toString()));
    }
  });

  test('regressions #3221 and #3564', () => {
    h.call('SET', 'bits', '1');
    expect(h.call('BITFIELD', 'bits', 'get', 'u1', '0')).toBe(arr(0));
    expect(h.call('BITFIELD', 'mystring', 'SET', 'i8', '0', '10', 'SET', 'i8', '64', '10', 'INCRBY', 'i8', '10', '99900')).toBe(arr(0, 0, 60));
  });

  test('errors', () => {
    const TYPE_ERR = err('ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.');
    for (const t of ['u64', 'i65', 'i0', 'u0', 'x8', 'I8', 'i', 'i-1', 'i08']) {
      expect(h.call('BITFIELD', 'k', 'get', t, '0')).toBe(TYPE_ERR);
    }
    expect(h.call('BITFIELD', 'k', 'get', 'u8', '-1')).toBe(OFFSET_ERR);
    expect(h.call('BITFIELD', 'k', 'get', 'u8', '4294967296')).toBe(OFFSET_ERR);
    expect(h.call('BITFIELD', 'k', 'get', 'u8', '#536870912')).toBe(OFFSET_ERR);
    expect(h.call('BITFIELD', 'k', 'get', 'u8', '4294967288')).toBe(arr(0));
    expect(h.call('BITFIELD', 'k', 'set', 'u8', '0', 'x')).toBe(NOTINT);
    expect(h.call('BITFIELD', 'k', 'overflow', 'nope')).toBe(err('ERR Invalid OVERFLOW type specified'));
    expect(h.call('BITFIELD', 'k', 'get', 'u8')).toBe(SYNTAX);
    expect(h.call('BITFIELD', 'k', 'set', 'u8', '0')).toBe(SYNTAX);
    expect(h.call('BITFIELD', 'k', 'bogus', 'u8', '0')).toBe(SYNTAX);
    expect(h.call('BITFIELD', 'k', 'overflow')).toBe(SYNTAX);
    h.call('RPUSH', 'l', 'x');
    expect(h.call('BITFIELD', 'l', 'get', 'u8', '0')).toBe(WRONGTYPE);
    expect(h.call('BITFIELD', 'l', 'set', 'u8', '0', '1')).toBe(WRONGTYPE);
    expect(h.call('EXISTS', 'k')).toBe(int(0));
  });

  test('BITFIELD_RO', () => {
    h.call('BITFIELD', 'bits', 'set', 'u8', '0', '255');
    expect(h.call('BITFIELD_RO', 'bits', 'get', 'u8', '0')).toBe(arr(255));
    expect(h.call('BITFIELD_RO', 'bits')).toBe('*0\r\n');
    expect(h.call('BITFIELD_RO', 'bits', 'set', 'u8', '0', '100', 'get', 'u8', '0')).toBe(
      err('ERR BITFIELD_RO only supports the GET subcommand'),
    );
    expect(h.call('BITFIELD_RO', 'bits', 'set', 'u8', '0', 'x')).toBe(NOTINT);
  });

  test('RESP3 null for FAIL', () => {
    h = shardHarness([...bitCommands, ...stringCommands, ...extra], 3);
    expect(h.call('BITFIELD', 'k', 'overflow', 'fail', 'incrby', 'u2', '0', '10')).toBe('*1\r\n_\r\n');
    expect(h.call('SET', 'k', 'x')).toBe(OK);
  });
});
