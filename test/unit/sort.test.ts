import { describe, it, expect, beforeEach } from 'vitest';
import { shardHarness } from '../helpers/shard-harness';
import { commands as sort } from '../../src/commands/sort';
import { commands as str } from '../../src/commands/string';
import { commands as keys } from '../../src/commands/keys';
import { ListValue } from '../../src/store/list';
import { SetValue } from '../../src/store/set';
import { ZsetValue } from '../../src/store/zset';
import { HashValue } from '../../src/store/hash';

function arr(items: (string | null)[]): string {
  return `*${items.length}\r\n` + items.map((s) => (s === null ? '$-1\r\n' : `$${s.length}\r\n${s}\r\n`)).join('');
}

describe('SORT', () => {
  let h: ReturnType<typeof shardHarness>;
  const db = () => h.ctx.db;
  function list(key: string, items: string[], left = false): void {
    const l = new ListValue();
    l.push(items, left);
    db().set(key, l);
  }
  function set(key: string, items: string[]): void {
    const s = new SetValue();
    for (const m of items) s.add(m, 512);
    db().set(key, s);
  }
  function zset(key: string, pairs: Array<[number, string]>): void {
    const z = new ZsetValue();
    for (const [sc, m] of pairs) z.add(m, sc, h.ctx.config);
    db().set(key, z);
  }
  function hash(key: string, kv: Record<string, string>): void {
    const o = new HashValue();
    for (const f of Object.keys(kv)) o.set(f, kv[f]);
    db().set(key, o);
  }
  const lrange = (key: string) => (db().peek(key) as ListValue).toArray();
  beforeEach(() => {
    h = shardHarness([...sort, ...str, ...keys]);
  });

  describe('BY key / hash field on every input type', () => {
    for (const [title, kind, num] of [
      ['small list', 'list', 16], ['big list', 'list', 1000], ['intset', 'set', 16], ['hash table set', 'set', 1000],
    ] as const) {
      it(title, () => {
        let seed = num;
        const rnd = () => {
          seed = (seed * 1103515245 + 12345) & 0x7fffffff;
          return seed;
        };
        const rows: Array<[string, number]> = [];
        const seen = new Set<number>();
        const items: string[] = [];
        for (let i = 0; i < num; i++) {
          let w: number;
          do w = rnd() % 2 ? rnd() % 1000000 : (rnd() % 1000000) / 1000003; while (seen.has(w));
          seen.add(w);
          items.push(String(i));
          h.call('SET', `weight_${i}`, String(w));
          hash(`wobj_${i}`, { weight: String(w) });
          rows.push([String(i), w]);
        }
        if (kind === 'list') list('tosort', items, true);
        else set('tosort', items);
        const result = rows.sort((a, b) => a[1] - b[1]).map((r) => r[0]);
        expect(h.call('SORT', 'tosort', 'BY', 'weight_*')).toBe(arr(result));
        expect(h.call('SORT', 'tosort', 'BY', 'weight_*', 'LIMIT', '5', '5')).toBe(arr(result.slice(5, 10)));
        expect(h.call('SORT', 'tosort', 'BY', 'wobj_*->weight')).toBe(arr(result));
        expect(h.call('SORT', 'tosort', 'BY', 'weight_*', 'STORE', 'sort-res')).toBe(`:${num}\r\n`);
        expect(lrange('sort-res')).toEqual(result);
        expect(h.call('OBJECT', 'ENCODING', 'sort-res')).toBe('$9\r\nquicklist\r\n');
      });
    }
  });

  it('GET #, GET <const>, GET key and hash field', () => {
    const items = ['3', '1', '2'];
    list('tosort', items);
    for (const i of items) {
      h.call('SET', `weight_${i}`, `w${i}`);
      hash(`wobj_${i}`, { weight: `h${i}` });
    }
    expect(h.call('SORT', 'tosort', 'GET', '#')).toBe(arr(['1', '2', '3']));
    expect(h.call('SORT', 'tosort', 'GET', 'foo')).toBe(arr([null, null, null]));
    expect(h.call('SORT', 'tosort', 'GET', '#', 'GET', 'weight_*', 'GET', 'wobj_*->weight')).toBe(
      arr(['1', 'w1', 'h1', '2', 'w2', 'h2', '3', 'w3', 'h3']),
    );
    // A missing key or field, or the wrong type, is a nil.
    expect(h.call('SORT', 'tosort', 'GET', 'wobj_*->nofield', 'GET', 'weight_*->x', 'GET', 'wobj_*')).toBe(
      arr([null, null, null, null, null, null, null, null, null]),
    );
    // RESP3 nil.
    h.setProto(3);
    expect(h.call('SORT', 'tosort', 'GET', 'nokey_*', 'LIMIT', '0', '1')).toBe('*1\r\n_\r\n');
  });

  it('GET with STORE stores empty strings for missing values', () => {
    list('l', ['b', 'a']);
    h.call('SET', 'v_a', 'A');
    expect(h.call('SORT', 'l', 'ALPHA', 'GET', 'v_*', 'GET', '#', 'STORE', 'dst')).toBe(':4\r\n');
    expect(lrange('dst')).toEqual(['A', 'a', '', 'b']);
  });

  it('DESC, ALPHA, floats', () => {
    list('l', ['5', '3', '10', '-1']);
    expect(h.call('SORT', 'l', 'DESC')).toBe(arr(['10', '5', '3', '-1']));
    list('mylist', ['2', '1', '3', '10'].reverse(), true);
    expect(h.call('SORT', 'mylist', 'alpha')).toBe(arr(['1', '10', '2', '3']));
    const floats = ['1.1', '5.10', '3.10', '7.44', '2.1', '5.75', '6.12', '0.25', '1.15'];
    list('f', floats, true);
    expect(h.call('SORT', 'f')).toBe(arr(floats.slice().sort((a, b) => Number(a) - Number(b))));
  });

  it('sorted sets: ALPHA DESC, BY nosort order and LIMIT, conversion to skiplist', () => {
    const pairs: Array<[number, string]> = [[1, 'a'], [5, 'b'], [2, 'c'], [10, 'd'], [3, 'e']];
    zset('zset', pairs);
    expect(h.call('OBJECT', 'ENCODING', 'zset')).toBe('$8\r\nlistpack\r\n');
    expect(h.call('SORT', 'zset', 'alpha', 'desc')).toBe(arr(['e', 'd', 'c', 'b', 'a']));
    expect(h.call('OBJECT', 'ENCODING', 'zset')).toBe('$8\r\nskiplist\r\n');
    expect(h.call('SORT', 'zset', 'by', 'nosort', 'asc')).toBe(arr(['a', 'c', 'e', 'b', 'd']));
    expect(h.call('SORT', 'zset', 'by', 'nosort', 'desc')).toBe(arr(['d', 'b', 'e', 'c', 'a']));
    expect(h.call('SORT', 'zset', 'by', 'nosort', 'asc', 'limit', '0', '1')).toBe(arr(['a']));
    expect(h.call('SORT', 'zset', 'by', 'nosort', 'desc', 'limit', '0', '1')).toBe(arr(['d']));
    expect(h.call('SORT', 'zset', 'by', 'nosort', 'asc', 'limit', '0', '2')).toBe(arr(['a', 'c']));
    expect(h.call('SORT', 'zset', 'by', 'nosort', 'desc', 'limit', '0', '2')).toBe(arr(['d', 'b']));
    expect(h.call('SORT', 'zset', 'by', 'nosort', 'desc', 'limit', '1', '2')).toBe(arr(['b', 'e']));
    expect(h.call('SORT', 'zset', 'by', 'nosort', 'limit', '5', '10')).toBe('*0\r\n');
    expect(h.call('SORT', 'zset', 'by', 'nosort', 'limit', '-10', '100')).toBe(arr(['a', 'c', 'e', 'b', 'd']));
  });

  it('STORE: empty results delete or skip the destination', () => {
    expect(h.call('SORT', 'foo', 'STORE', 'bar')).toBe(':0\r\n');
    list('foo', ['bar']);
    expect(h.call('SORT', 'foo', 'alpha', 'limit', '10', '10', 'STORE', 'zap')).toBe(':0\r\n');
    expect(h.call('EXISTS', 'zap')).toBe(':0\r\n');
    expect(h.call('SORT', 'emptylist', 'STORE', 'foo')).toBe(':0\r\n');
    expect(h.call('EXISTS', 'foo')).toBe(':0\r\n');
  });

  it('BY <constant> with STORE on a set still orders the output', () => {
    const m = 'a b c d e f g h i l m n o p q r s t u v z aa aaa azz'.split(' ');
    set('myset', m);
    expect(h.call('SORT', 'myset', 'alpha', 'by', '_', 'store', 'mylist')).toBe(`:${m.length}\r\n`);
    expect(lrange('mylist')).toEqual(m.slice().sort());
  });

  it('bad doubles', () => {
    set('myset', ['1', '2', '3', '4', 'not-a-double']);
    const err = "-ERR One or more scores can't be converted into double\r\n";
    expect(h.call('SORT', 'myset')).toBe(err);
    set('myset', ['1', '2', '3', '4']);
    h.call('MSET', 'score:1', '10', 'score:2', '20', 'score:3', '30', 'score:4', 'not-a-double');
    expect(h.call('SORT', 'myset', 'by', 'score:*')).toBe(err);
    // Nothing is stored on error.
    expect(h.call('SORT', 'myset', 'by', 'score:*', 'STORE', 'dst')).toBe(err);
    expect(h.call('EXISTS', 'dst')).toBe(':0\r\n');
    // strtod rules: leading space, empty string, hex, inf are fine; trailing
    // junk, NaN and out-of-range values are not.
    for (const ok of [' 1', '', '0x10', 'inf', '-Infinity', '1e3', '.5', '4.', '+4', '2.2250738585072014e-308', '0x1p-1074']) {
      list('l', ['5', ok]);
      expect(h.call('SORT', 'l').startsWith('*2'), JSON.stringify(ok)).toBe(true);
    }
    for (const bad of ['1 ', 'nan', '1e400', '1e-400', '4.9e-324', '1e-310', '0x', '1e', 'infx']) {
      list('l', ['5', bad]);
      expect(h.call('SORT', 'l'), JSON.stringify(bad)).toBe(err);
    }
  });

  it('BY sub-sorts lexicographically if score is the same', () => {
    const m = 'a b c d e f g h i l m n o p q r s t u v z aa aaa azz'.split(' ');
    set('myset', m);
    for (const e of m) h.call('SET', `score:${e}`, '100');
    expect(h.call('SORT', 'myset', 'by', 'score:*')).toBe(arr(m.slice().sort()));
    // Missing BY keys weigh 0.
    expect(h.call('SORT', 'myset', 'by', 'nokey:*', 'desc', 'limit', '0', '3')).toBe(arr(['z', 'v', 'u']));
  });

  it('GET with pattern ending with just -> does not get hash field', () => {
    list('mylist', ['a']);
    h.call('SET', 'x:a->', '100');
    expect(h.call('SORT', 'mylist', 'by', 'num', 'get', 'x:*->')).toBe(arr(['100']));
  });

  it('BY nosort keeps native list order, with STORE and LIMIT', () => {
    list('testa', ['2', '1', '4', '3', '5'], true);
    expect(h.call('SORT', 'testa', 'by', 'nosort')).toBe(arr(['5', '3', '4', '1', '2']));
    expect(h.call('SORT', 'testa', 'by', 'nosort', 'desc')).toBe(arr(['2', '1', '4', '3', '5']));
    expect(h.call('SORT', 'testa', 'by', 'nosort', 'desc', 'limit', '1', '2')).toBe(arr(['1', '4']));
    expect(h.call('SORT', 'testa', 'by', 'nosort', 'store', 'testb')).toBe(':5\r\n');
    expect(lrange('testb')).toEqual(['5', '3', '4', '1', '2']);
    expect(h.call('SORT', 'testa', 'by', 'nosort', 'limit', '0', '3', 'store', 'testb')).toBe(':3\r\n');
    expect(lrange('testb')).toEqual(['5', '3', '4']);
    // A constant BY disables sorting even when a starred BY follows.
    expect(h.call('SORT', 'testa', 'by', 'nosort', 'by', 'w_*')).toBe(arr(['5', '3', '4', '1', '2']));
  });

  it('SORT_RO', () => {
    list('mylist', ['a']);
    h.call('SET', 'x:a', '100');
    expect(h.call('SORT_RO', 'mylist', 'by', 'nosort', 'get', 'x:*->')).toBe(arr([null]));
    expect(h.call('SORT_RO', 'mylist', 'by', 'nosort', 'get', 'x:*')).toBe(arr(['100']));
    expect(h.call('SORT_RO', 'foolist', 'STORE', 'bar')).toBe('-ERR syntax error\r\n');
  });

  it('LIMIT edge cases and syntax errors', () => {
    list('L', ['0', '1', '2']);
    expect(h.call('SORT_RO', 'L', 'by', 'a', 'limit', '2', '9223372036854775807')).toBe(arr(['2']));
    expect(h.call('SORT', 'L', 'limit', '1', '-5')).toBe(arr(['1', '2']));
    expect(h.call('SORT', 'L', 'limit', '1', '0')).toBe('*0\r\n');
    expect(h.call('SORT', 'L', 'limit', 'x', '1')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(h.call('SORT', 'L', 'limit', '1')).toBe('-ERR syntax error\r\n');
    expect(h.call('SORT', 'L', 'bogus')).toBe('-ERR syntax error\r\n');
    expect(h.call('SORT', 'L', 'get')).toBe('-ERR syntax error\r\n');
    h.call('SET', 'str', 'x');
    expect(h.call('SORT', 'str')).toBe('-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
    // Options are parsed before the key's type is checked.
    expect(h.call('SORT', 'str', 'bogus')).toBe('-ERR syntax error\r\n');
    expect(h.call('SORT', 'nokey')).toBe('*0\r\n');
  });

  it('ALPHA BY compares looked-up values, missing first', () => {
    list('l', ['a', 'b', 'c']);
    h.call('SET', 'k_a', 'zz');
    h.call('SET', 'k_b', 'aa');
    expect(h.call('SORT', 'l', 'BY', 'k_*', 'ALPHA')).toBe(arr(['c', 'b', 'a']));
    expect(h.call('SORT', 'l', 'BY', 'k_*', 'ALPHA', 'DESC')).toBe(arr(['a', 'b', 'c']));
  });

  it('STORE replaces the destination and clears its TTL, counts dirty', () => {
    list('l', ['2', '1']);
    h.call('SET', 'dst', 'old');
    db().setExpire('dst', Date.now() + 100000);
    const d = h.ks.stats.dirty;
    expect(h.call('SORT', 'l', 'STORE', 'dst')).toBe(':2\r\n');
    expect(lrange('dst')).toEqual(['1', '2']);
    expect(db().ttlOf('dst')).toBe(-1);
    expect(h.ks.stats.dirty).toBe(d + 2);
  });
});
