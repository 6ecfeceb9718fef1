import { describe, it, expect, beforeEach } from 'vitest';
import { createHash } from 'crypto';
import { shardHarness } from '../helpers/shard-harness';
import { commands as hll } from '../../src/commands/hll';
import { commands as str } from '../../src/commands/string';
import { commands as keys } from '../../src/commands/keys';
import { murmurHash64A, EMPTY_HLL, hllSelfTest, patLenPair, patLen64Pair } from '../../src/util/hll';

// Golden values (stored bytes, PFCOUNT answers) were taken from a real
// redis-server 7.0.15 running the same command sequences.

const NOT_HLL = '-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n';
const INVALID = '-INVALIDOBJ Corrupted HLL object detected\r\n';

function hex(s: string): string {
  return Buffer.from(s, 'latin1').toString('hex');
}
function sha1(s: string): string {
  return createHash('sha1').update(Buffer.from(s, 'latin1')).digest('hex');
}
function range(from: number, to: number, prefix = ''): string[] {
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(prefix + i);
  return out;
}

describe('HyperLogLog', () => {
  let h: ReturnType<typeof shardHarness>;
  const val = (k: string) => h.ctx.db.peek(k) as string;
  beforeEach(() => {
    h = shardHarness([...hll, ...str, ...keys]);
  });

  it('MurmurHash64A is a 64-bit hash with Redis seed', () => {
    // Independent BigInt reference of the same algorithm.
    const M = 0xc6a4a7935bd1e995n, mask = (1n << 64n) - 1n;
    function ref(s: string): bigint {
      let x = (0xadc83b19n ^ ((BigInt(s.length) * M) & mask)) & mask;
      const blocks = s.length - (s.length & 7);
      for (let i = 0; i < blocks; i += 8) {
        let k = 0n;
        for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(s.charCodeAt(i + j));
        k = (k * M) & mask;
        k ^= k >> 47n;
        k = (k * M) & mask;
        x ^= k;
        x = (x * M) & mask;
      }
      if (s.length & 7) {
        for (let j = 0; j < (s.length & 7); j++) x ^= BigInt(s.charCodeAt(blocks + j)) << BigInt(8 * j);
        x = (x * M) & mask;
      }
      x ^= x >> 47n;
      x = (x * M) & mask;
      x ^= x >> 47n;
      return x;
    }
    for (const s of ['', 'a', 'abcdefg', 'abcdefgh', 'abcdefghi', '\xff\xfe\x00\x80binary', 'x'.repeat(100)]) {
      expect(murmurHash64A(s)).toBe(ref(s));
    }
  });

  it('PFADD without arguments creates an HLL value', () => {
    expect(h.call('PFADD', 'hll')).toBe(':1\r\n');
    expect(h.call('EXISTS', 'hll')).toBe(':1\r\n');
    expect(hex(val('hll'))).toBe('48594c4c0100000000000000000000807fff');
    expect(h.call('PFCOUNT', 'hll')).toBe(':0\r\n');
    expect(h.call('PFADD', 'hll')).toBe(':0\r\n');
    expect(h.call('OBJECT', 'ENCODING', 'hll')).toBe('$3\r\nraw\r\n');
  });

  it('sparse bytes and cached cardinality match Redis', () => {
    expect(h.call('PFADD', 'h', 'a', 'b', 'c')).toBe(':1\r\n');
    expect(hex(val('h'))).toBe('48594c4c01000000000000000000008060f38050b1844bfb80425a');
    expect(h.call('PFADD', 'h', 'a', 'b', 'c')).toBe(':0\r\n');
    expect(h.call('PFCOUNT', 'h')).toBe(':3\r\n');
    expect(hex(val('h'))).toBe('48594c4c01000000030000000000000060f38050b1844bfb80425a');
    expect(h.call('PFADD', 'z', '')).toBe(':1\r\n');
    expect(hex(val('z'))).toBe('48594c4c01000000000000000000008057318468cc');
  });

  it('PFCOUNT returns approximated cardinality of set', () => {
    h.call('PFADD', 'hll', '1', '2', '3', '4', '5');
    expect(h.call('PFCOUNT', 'hll')).toBe(':5\r\n');
    h.call('PFADD', 'hll', '6', '7', '8', '8', '9', '10');
    expect(h.call('PFCOUNT', 'hll')).toBe(':10\r\n');
  });

  it('PFADD / PFCOUNT cache invalidation works', () => {
    h.call('PFADD', 'hll', 'a', 'b', 'c');
    h.call('PFCOUNT', 'hll');
    expect(h.call('GETRANGE', 'hll', '15', '15')).toBe('$1\r\n\x00\r\n');
    h.call('PFADD', 'hll', 'a', 'b', 'c');
    expect(h.call('GETRANGE', 'hll', '15', '15')).toBe('$1\r\n\x00\r\n');
    h.call('PFADD', 'hll', '1', '2', '3');
    expect(h.call('GETRANGE', 'hll', '15', '15')).toBe('$1\r\n\x80\r\n');
  });

  it('counts, promotion and dense bytes match Redis up to 200000 elements', () => {
    const want: Record<number, [number, string]> = {
      1000: [1001, 'sparse'], 2000: [2006, 'dense'], 5000: [4985, 'dense'], 10000: [9988, 'dense'],
      50000: [50353, 'dense'], 100000: [99562, 'dense'], 200000: [200292, 'dense'],
    };
    for (let n = 1; n <= 200000; n += 1000) {
      h.call('PFADD', 'big', ...range(n, n + 999));
      const w = want[n + 999];
      if (w) {
        expect(h.call('PFCOUNT', 'big')).toBe(`:${w[0]}\r\n`);
        expect(h.call('PFDEBUG', 'ENCODING', 'big')).toBe(`+${w[1]}\r\n`);
      }
    }
    expect(sha1(val('big'))).toBe('7a62349d86974b4afd766de3e98f74ddcdc46336');

    for (let i = 1; i <= 1500; i++) h.call('PFADD', 'sp', 'el' + i);
    expect(h.call('PFCOUNT', 'sp')).toBe(':1509\r\n');
    expect(h.call('PFDEBUG', 'ENCODING', 'sp')).toBe('+sparse\r\n');
    expect(val('sp').length).toBe(2736);
    expect(sha1(val('sp'))).toBe('882a34338f69b441f12eaf37fc56f7993251aee9');

    expect(h.call('PFCOUNT', 'sp', 'nokey', 'big')).toBe(':201977\r\n');
    expect(h.call('PFMERGE', 'md', 'sp', 'big')).toBe('+OK\r\n');
    expect(sha1(val('md'))).toBe('c18cd6159e2275d9c93406a99228736e5e4b0440');
    expect(h.call('PFCOUNT', 'md')).toBe(':201977\r\n');
  });

  it('hll-sparse-max-bytes controls promotion', () => {
    h.ctx.config['hll-sparse-max-bytes'] = 100;
    for (let i = 1; i < 60; i++) h.call('PFADD', 'sm', 'x' + i);
    expect(h.call('PFDEBUG', 'ENCODING', 'sm')).toBe('+dense\r\n');
    expect(h.call('PFCOUNT', 'sm')).toBe(':59\r\n');
    expect(sha1(val('sm'))).toBe('27248ef68e84c2b0e3dc20324bfbf14afdafa46f');
  });

  it('PFMERGE results on the cardinality of union of sets', () => {
    h.call('PFADD', 'hll1', 'a', 'b', 'c');
    h.call('PFADD', 'hll2', 'b', 'c', 'd');
    h.call('PFADD', 'hll3', 'c', 'd', 'e');
    expect(h.call('PFMERGE', 'hll', 'hll1', 'hll2', 'hll3')).toBe('+OK\r\n');
    expect(hex(val('hll'))).toBe('48594c4c0100000000000000000000805c7b8044768050b184498c80426d80425a');
    expect(h.call('PFCOUNT', 'hll')).toBe(':5\r\n');
    expect(h.call('PFDEBUG', 'DECODE', 'hll')).toBe(
      '$69\r\nZ:7292 v:1,1 Z:1143 v:1,1 Z:4274 v:2,1 Z:2445 v:1,1 Z:622 v:1,1 Z:603\r\n',
    );
    expect(h.call('PFMERGE', 'only')).toBe('+OK\r\n');
    expect(h.call('PFCOUNT', 'only')).toBe(':0\r\n');
  });

  it('PFCOUNT multiple-keys merge returns cardinality of union', () => {
    for (let x = 1; x < 3000; x++) {
      h.call('PFADD', 'hll1', 'foo-' + x);
      h.call('PFADD', 'hll2', 'bar-' + x);
      h.call('PFADD', 'hll3', 'zap-' + x);
      if (x % 500 === 0) {
        const card = Number(h.call('PFCOUNT', 'hll1', 'hll2', 'hll3').slice(1, -2));
        expect(Math.abs(card - x * 3)).toBeLessThan((card / 100) * 5);
      }
    }
    // A multi-key count writes nothing.
    const before = val('hll1');
    h.call('PFCOUNT', 'hll1', 'hll2');
    expect(val('hll1')).toBe(before);
  });

  it('PFADD, PFCOUNT, PFMERGE type checking works', () => {
    h.call('SET', 'foo', 'bar');
    expect(h.call('PFADD', 'foo', '1')).toBe(NOT_HLL);
    expect(h.call('PFCOUNT', 'foo')).toBe(NOT_HLL);
    expect(h.call('PFMERGE', 'bar', 'foo')).toBe(NOT_HLL);
    expect(h.call('PFMERGE', 'foo', 'bar')).toBe(NOT_HLL);
    h.ctx.db.set('lst', { type: 'list' });
    expect(h.call('PFADD', 'lst', '1')).toBe('-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
    expect(h.call('PFCOUNT', 'x', 'lst')).toBe('-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
  });

  it('corrupted HLLs are detected', () => {
    h.call('PFADD', 'hll', 'a', 'b', 'c');
    h.call('APPEND', 'hll', 'hello');
    expect(h.call('PFCOUNT', 'hll')).toBe(INVALID);

    h.call('DEL', 'hll');
    h.call('PFADD', 'hll', 'a', 'b', 'c');
    h.call('SETRANGE', 'hll', '0', '0123');
    expect(h.call('PFCOUNT', 'hll')).toBe(NOT_HLL);

    h.call('DEL', 'hll');
    h.call('PFADD', 'hll', 'a', 'b', 'c');
    h.call('SETRANGE', 'hll', '4', 'x');
    expect(h.call('PFCOUNT', 'hll')).toBe(NOT_HLL);

    h.call('DEL', 'hll');
    h.call('PFADD', 'hll', 'a', 'b', 'c');
    h.call('SETRANGE', 'hll', '4', '\x00');
    expect(h.call('PFCOUNT', 'hll')).toBe(NOT_HLL);

    // Runs past 16384 registers, even by a trailing VAL, are corrupt.
    const hdr = 'HYLL\x01' + '\0'.repeat(10) + '\x80';
    h.call('SET', 'c', hdr + '\x7f\xff\x80');
    expect(h.call('PFCOUNT', 'c')).toBe(INVALID);
    expect(h.call('PFCOUNT', 'c', 'x')).toBe(INVALID);
    expect(h.call('PFMERGE', 'd', 'c')).toBe(INVALID);
    expect(h.call('PFDEBUG', 'TODENSE', 'c')).toBe(INVALID);
  });

  it('random corruption never throws', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let j = 0; j < 200; j++) {
      h.call('DEL', 'hll');
      h.call('PFADD', 'hll', ...range(0, rnd(3000), 'r' + j + ':'));
      for (let i = 0; i < 5; i++) {
        const len = val('hll').length;
        h.call('SETRANGE', 'hll', String(rnd(len)), String.fromCharCode(rnd(256)));
        if (rnd(2)) break;
      }
      expect(() => {
        h.call('PFCOUNT', 'hll');
        h.call('PFADD', 'hll', 'x', 'y', 'z');
        h.call('PFCOUNT', 'hll', 'other');
        h.call('PFMERGE', 'dst', 'hll');
      }).not.toThrow();
    }
  });

  it('PFDEBUG', () => {
    expect(h.call('PFDEBUG', 'GETREG', 'nokey')).toBe('-ERR The specified key does not exist\r\n');
    h.call('PFADD', 'hll', '1', '2', '3');
    expect(h.call('PFDEBUG', 'ENCODING', 'hll')).toBe('+sparse\r\n');
    const regs = h.call('PFDEBUG', 'GETREG', 'hll');
    expect(regs.startsWith('*16384\r\n')).toBe(true);
    expect(h.call('PFDEBUG', 'ENCODING', 'hll')).toBe('+dense\r\n');
    expect(h.call('PFDEBUG', 'TODENSE', 'hll')).toBe(':0\r\n');
    expect(h.call('PFDEBUG', 'DECODE', 'hll')).toBe('-ERR HLL encoding is not sparse\r\n');
    expect(h.call('PFDEBUG', 'nope', 'hll')).toBe("-ERR Unknown PFDEBUG subcommand 'nope'\r\n");
    expect(h.call('PFCOUNT', 'hll')).toBe(':3\r\n');
  });

  it('sparse and dense encodings estimate identically', () => {
    for (let x = 0; x < 100; x++) {
      h.call('DEL', 'h1', 'h2');
      const els = range(0, (x * 37) % 100, 's' + x + ':');
      h.call('PFADD', 'h2');
      h.call('PFDEBUG', 'TODENSE', 'h2');
      h.call('PFADD', 'h1', ...els);
      h.call('PFADD', 'h2', ...els);
      expect(h.call('PFDEBUG', 'ENCODING', 'h1')).toBe('+sparse\r\n');
      expect(h.call('PFCOUNT', 'h1')).toBe(h.call('PFCOUNT', 'h2'));
    }
  });

  it('keeps the TTL of an updated key and counts dirty', () => {
    h.call('PFADD', 'k', 'a');
    h.ctx.db.setExpire('k', Date.now() + 100000);
    const d = h.ks.stats.dirty;
    h.call('PFADD', 'k', 'b', 'c');
    expect(h.ks.stats.dirty).toBe(d + 2);
    expect(h.ctx.db.ttlOf('k')).toBeGreaterThan(0);
    h.call('PFCOUNT', 'k');
    expect(h.ks.stats.dirty).toBe(d + 3);
    h.call('PFCOUNT', 'k');
    expect(h.ks.stats.dirty).toBe(d + 3);
    expect(EMPTY_HLL.length).toBe(18);
  });

  it('PFSELFTEST passes (arity and admin flag come from the table)', () => {
    expect(h.call('PFSELFTEST')).toBe('+OK\r\n');
  });

  it('self test runs with other sparse limits and shorter runs', () => {
    expect(hllSelfTest(3000, 1000)).toBeNull();
    expect(hllSelfTest(1, 100000)).toBeNull();
    expect(hllSelfTest(100000, 20000)).toBeNull();
  });

  it('the 8-byte hash path agrees with the string path', () => {
    const b = Buffer.alloc(8);
    for (let i = 0; i < 20000; i++) {
      const hi = (Math.random() * 2 ** 32) >>> 0;
      const lo = i < 10 ? i : (Math.random() * 2 ** 32) >>> 0;
      b.writeUInt32LE(lo, 0);
      b.writeUInt32LE(hi, 4);
      expect(patLen64Pair(hi | 0, lo | 0)).toEqual(patLenPair(b.latin1Slice(0, 8)));
    }
  });
});
