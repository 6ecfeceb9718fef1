import { describe, expect, it } from 'vitest';
import { shardHarness } from '../helpers/shard-harness';
import { commands as set } from '../../src/commands/set';
import { commands as keys } from '../../src/commands/keys';
import { commands as str } from '../../src/commands/string';
import { SetValue } from '../../src/store/set';
import { encodeValue, decodeValue } from '../../src/store/serialize';
import { int, bulk, arr, bulks, err, NIL, WRONGTYPE as WRONG, parse } from '../helpers/resp';



const sorted = (r: string) => (parse(r) as string[]).slice().sort();

function harness(proto: 2 | 3 = 2) {
  return shardHarness([...set, ...keys, ...str], proto);
}
const enc = (h: ReturnType<typeof harness>, k: string) => parse(h.call('OBJECT', 'ENCODING', k));

describe('set basics', () => {
  it('SADD/SREM/SISMEMBER/SMISMEMBER/SCARD/SMEMBERS', () => {
    const h = harness();
    expect(h.call('SADD', 's', 'foo')).toBe(int(1));
    expect(enc(h, 's')).toBe('hashtable');
    expect(h.call('SADD', 's', 'bar', 'bar')).toBe(int(1));
    expect(h.call('SCARD', 's')).toBe(int(2));
    expect(h.call('SISMEMBER', 's', 'foo')).toBe(int(1));
    expect(h.call('SISMEMBER', 's', 'bla')).toBe(int(0));
    expect(h.call('SMISMEMBER', 's', 'bla', 'foo')).toBe(arr(int(0), int(1)));
    expect(h.call('SMISMEMBER', 'nokey', 'a', 'b')).toBe(arr(int(0), int(0)));
    expect(sorted(h.call('SMEMBERS', 's'))).toEqual(['bar', 'foo']);
    expect(h.call('SREM', 's', 'qux', 'foo')).toBe(int(1));
    expect(h.call('SREM', 's', 'bar', 'x')).toBe(int(1));
    expect(h.call('EXISTS', 's')).toBe(int(0));
    expect(h.call('SMEMBERS', 'nokey')).toBe('*0\r\n');
    expect(harness(3).call('SMEMBERS', 'nokey')).toBe('~0\r\n');
  });

  it('intset: encoding rules and ascending order', () => {
    const h = harness();
    h.call('SADD', 'i', '17', '-5', '3', '9223372036854775807', '-9223372036854775808', '0');
    expect(enc(h, 'i')).toBe('intset');
    expect(h.call('SMEMBERS', 'i')).toBe(bulks('-9223372036854775808', '-5', '0', '3', '17', '9223372036854775807'));
    expect(h.call('SSCAN', 'i', '0', 'MATCH', '*7*')).toBe(arr(bulk('0'), bulks('-9223372036854775808', '17', '9223372036854775807')));
    for (const m of ['01', '-0', '+1', '9223372036854775808', '1.0', ' 1']) {
      h.call('DEL', 'x');
      h.call('SADD', 'x', m);
      expect(enc(h, 'x')).toBe('hashtable');
    }
    h.call('DEL', 'x');
    for (let i = 0; i < 512; i++) h.call('SADD', 'x', String(i));
    expect(enc(h, 'x')).toBe('intset');
    h.call('SADD', 'x', '512');
    expect(enc(h, 'x')).toBe('hashtable');
    h.ctx.config['set-max-intset-entries'] = 0;
    h.call('SADD', 'z', '1');
    expect(enc(h, 'z')).toBe('hashtable');
  });

  it('wrong type', () => {
    const h = harness();
    h.call('SET', 'k', 'x');
    for (const cmd of [
      ['SADD', 'k', 'a'], ['SREM', 'k', 'a'], ['SISMEMBER', 'k', 'a'], ['SMISMEMBER', 'k', 'a'], ['SCARD', 'k'],
      ['SPOP', 'k'], ['SPOP', 'k', '1'], ['SRANDMEMBER', 'k'], ['SRANDMEMBER', 'k', '1'], ['SMEMBERS', 'k'],
      ['SINTER', 'nokey', 'k'], ['SUNION', 'k', 'nokey'], ['SDIFF', 'nokey', 'k'], ['SSCAN', 'k', '0'],
      ['SINTERCARD', '2', 'k', 'nokey'], ['SINTERSTORE', 'd', 'nokey', 'k'],
    ]) expect(h.call(...cmd)).toBe(WRONG);
    expect(h.call('EXISTS', 'd')).toBe(int(0));
  });
});

describe('SPOP / SRANDMEMBER', () => {
  it('errors and empty answers', () => {
    const h = harness();
    h.call('SADD', 's', 'a', 'b', 'c');
    expect(h.call('SPOP', 'nokey')).toBe(NIL);
    expect(h.call('SPOP', 'nokey', '3')).toBe('*0\r\n');
    expect(harness(3).call('SPOP', 'nokey', '3')).toBe('~0\r\n');
    expect(h.call('SPOP', 's', '0')).toBe('*0\r\n');
    expect(h.call('SPOP', 's', '-1')).toBe(err('ERR value is out of range, must be positive'));
    expect(h.call('SPOP', 's', 'x')).toBe(err('ERR value is out of range, must be positive'));
    expect(h.call('SPOP', 's', '1', '2')).toBe(err('ERR syntax error'));
    expect(h.call('SRANDMEMBER', 'nokey')).toBe(NIL);
    expect(h.call('SRANDMEMBER', 'nokey', '5')).toBe('*0\r\n');
    expect(h.call('SRANDMEMBER', 's', '0')).toBe('*0\r\n');
    expect(h.call('SRANDMEMBER', 's', '-9223372036854775808')).toBe(
      err('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807'),
    );
    expect(h.call('SRANDMEMBER', 's', '1', '2')).toBe(err('ERR syntax error'));
  });

  it('SPOP with count covers every path and empties the set', () => {
    const h = harness();
    const content = Array.from({ length: 26 }, (_, i) => String.fromCharCode(97 + i));
    for (const counts of [[11, 9, 0, 4, 1, 0, 1, 0], [30], [2, 24], [24, 2]]) {
      h.call('DEL', 's');
      h.call('SADD', 's', ...content);
      const got: string[] = [];
      for (const n of counts) got.push(...parse(h.call('SPOP', 's', String(n))));
      expect(got.slice().sort()).toEqual(content);
      expect(h.call('SCARD', 's')).toBe(int(0));
    }
    h.call('SADD', 'i', '1', '2', '3');
    expect([parse(h.call('SPOP', 'i')), parse(h.call('SPOP', 'i')), parse(h.call('SPOP', 'i'))].sort()).toEqual(['1', '2', '3']);
    expect(h.call('EXISTS', 'i')).toBe(int(0));
  });

  it('SPOP keeping few members rebuilds the set, keeping the TTL', () => {
    const h = harness();
    h.call('SADD', 's', 'a', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11');
    h.call('PEXPIRE', 's', '100000');
    const r = parse(h.call('SPOP', 's', '11'));
    expect(r.length).toBe(11);
    expect(h.call('SCARD', 's')).toBe(int(1));
    expect(Number(parse(h.call('PTTL', 's')))).toBeGreaterThan(0);
    const left = parse(h.call('SMEMBERS', 's'))[0];
    expect(enc(h, 's')).toBe(left === 'a' ? 'hashtable' : 'intset');
  });

  it('SRANDMEMBER counts: repeated, unique, whole set', () => {
    const h = harness();
    const content = Array.from({ length: 50 }, (_, i) => String(i));
    h.call('SADD', 's', ...content);
    expect(parse(h.call('SRANDMEMBER', 's', '-100')).length).toBe(100);
    expect(sorted(h.call('SRANDMEMBER', 's', '100'))).toEqual(content.slice().sort());
    for (const n of [45, 5]) {
      const r = parse(h.call('SRANDMEMBER', 's', String(n)));
      expect(r.length).toBe(n);
      expect(new Set(r).size).toBe(n);
      for (const m of r) expect(content).toContain(m);
    }
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) seen.add(parse(h.call('SRANDMEMBER', 's')));
    expect(seen.size).toBe(50);
  });
});

describe('set algebra', () => {
  it('SINTER / SUNION / SDIFF and stores', () => {
    const h = harness();
    for (let i = 0; i < 200; i++) {
      h.call('SADD', 's1', String(i));
      h.call('SADD', 's2', String(i + 195));
    }
    for (const m of ['199', '195', '1000', '2000']) h.call('SADD', 's3', m);
    for (let i = 5; i < 200; i++) h.call('SADD', 's4', String(i));
    h.call('SADD', 's5', '0');
    expect(h.call('SINTER', 's1', 's2')).toBe(bulks('195', '196', '197', '198', '199'));
    expect(h.call('SINTERCARD', '2', 's1', 's2', 'LIMIT', '3')).toBe(int(3));
    expect(h.call('SINTERCARD', '3', 's1', 's2', 's3')).toBe(int(2));
    expect(h.call('SINTERSTORE', 'r', 's1', 's2')).toBe(int(5));
    expect(enc(h, 'r')).toBe('intset');
    expect(h.call('SUNIONSTORE', 'r', 's1', 's2')).toBe(int(395));
    expect(enc(h, 'r')).toBe('intset');
    expect(h.call('SDIFF', 's1', 's4', 's5')).toBe(bulks('1', '2', '3', '4'));
    expect(h.call('SDIFFSTORE', 'r', 's1', 's4', 's5')).toBe(int(4));
    expect(enc(h, 'r')).toBe('intset');
    expect(h.call('SDIFF', 's1', 's1', 's1')).toBe('*0\r\n');
    expect(parse(h.call('SINTER', 's1', 's1')).length).toBe(200);
    h.call('SADD', 's1', 'foo');
    h.call('SADD', 's2', 'foo');
    h.call('SINTERSTORE', 'r', 's1', 's2');
    expect(enc(h, 'r')).toBe('hashtable');
    expect(sorted(h.call('SMEMBERS', 'r'))).toEqual(['195', '196', '197', '198', '199', 'foo']);
  });

  it('missing keys and destination handling', () => {
    const h = harness();
    h.call('SET', 'res', 'xxx');
    expect(h.call('SUNIONSTORE', 'res', 'n1', 'n2')).toBe(int(0));
    expect(h.call('EXISTS', 'res')).toBe(int(0));
    h.call('SADD', 'a', 'a', 'b', 'c');
    h.call('SADD', 'b', 'b', 'c', 'd');
    h.call('SADD', 'd', 'x');
    expect(h.call('SINTERSTORE', 'd', 'a', 'nokey')).toBe(int(0));
    expect(h.call('EXISTS', 'd')).toBe(int(0));
    expect(h.call('SINTER', 'a', 'b', 'nokey')).toBe('*0\r\n');
    expect(sorted(h.call('SUNION', 'a', 'b', 'nokey'))).toEqual(['a', 'b', 'c', 'd']);
    expect(h.call('SDIFF', 'a', 'b', 'nokey')).toBe(bulks('a'));
    expect(h.call('SDIFF', 'nokey', 'a')).toBe('*0\r\n');
    h.call('SET', 'str', 'x');
    h.call('SADD', 'd', 'e');
    expect(h.call('SDIFFSTORE', 'd', 'a', 'str')).toBe(WRONG);
    expect(h.call('SMEMBERS', 'd')).toBe(bulks('e'));
    expect(harness(3).call('SINTER', 'x', 'y')).toBe('~0\r\n');
  });

  it('SINTERCARD argument errors', () => {
    const h = harness();
    expect(h.call('SINTERCARD', '0', 'a')).toBe(err('ERR numkeys should be greater than 0'));
    expect(h.call('SINTERCARD', 'a', 'a')).toBe(err('ERR numkeys should be greater than 0'));
    expect(h.call('SINTERCARD', '2', 'a')).toBe(err("ERR Number of keys can't be greater than number of args"));
    expect(h.call('SINTERCARD', '1', 'a', 'b')).toBe(err('ERR syntax error'));
    expect(h.call('SINTERCARD', '1', 'a', 'LIMIT')).toBe(err('ERR syntax error'));
    expect(h.call('SINTERCARD', '1', 'a', 'LIMIT', '-1')).toBe(err("ERR LIMIT can't be negative"));
    expect(h.call('SINTERCARD', '1', 'a', 'LIMIT', 'a')).toBe(err("ERR LIMIT can't be negative"));
    expect(h.call('SINTERCARD', '1', 'nokey', 'limit', '10')).toBe(int(0));
  });
});

describe('SMOVE', () => {
  it('moves and converts the destination like Redis', () => {
    const h = harness();
    const setup = () => {
      h.call('DEL', 'm1', 'm2', 'm3');
      h.call('SADD', 'm1', '1', 'a', 'b');
      h.call('SADD', 'm2', '2', '3', '4');
    };
    setup();
    expect(h.call('SMOVE', 'm1', 'm2', 'a')).toBe(int(1));
    expect(enc(h, 'm2')).toBe('hashtable');
    setup();
    expect(h.call('SMOVE', 'm1', 'm2', '1')).toBe(int(1));
    expect(enc(h, 'm2')).toBe('intset');
    setup();
    expect(h.call('SMOVE', 'm2', 'm3', '2')).toBe(int(1));
    expect(enc(h, 'm3')).toBe('intset');
    expect(h.call('SMOVE', 'm1', 'm3', 'a')).toBe(int(1));
    expect(enc(h, 'm3')).toBe('hashtable');
    expect(h.call('SMOVE', 'm1', 'm1', 'b')).toBe(int(1));
    expect(h.call('SMOVE', 'm1', 'm1', 'zz')).toBe(int(0));
    expect(h.call('SMOVE', 'm1', 'm2', 'zz')).toBe(int(0));
    expect(h.call('SMOVE', 'nokey', 'm2', 'x')).toBe(int(0));
    h.call('SET', 'str', 'x');
    expect(h.call('SMOVE', 'nokey', 'str', 'x')).toBe(int(0));
    expect(h.call('SMOVE', 'm1', 'str', 'b')).toBe(WRONG);
    expect(h.call('SMOVE', 'str', 'm1', 'b')).toBe(WRONG);
    h.call('SREM', 'm1', '1');
    expect(h.call('SMOVE', 'm1', 'm4', 'b')).toBe(int(1));
    expect(h.call('EXISTS', 'm1')).toBe(int(0));
  });
});

describe('SSCAN', () => {
  it('errors and missing key', () => {
    const h = harness();
    h.call('SADD', 's', '1', 'a');
    expect(h.call('SSCAN', 's', 'x')).toBe(err('ERR invalid cursor'));
    expect(h.call('SSCAN', 's', '0', 'COUNT', '0')).toBe(err('ERR syntax error'));
    expect(h.call('SSCAN', 's', '0', 'COUNT', 'x')).toBe(err('ERR value is not an integer or out of range'));
    expect(h.call('SSCAN', 'nokey', '0')).toBe(arr(bulk('0'), '*0\r\n'));
    expect(parse(h.call('SSCAN', 's', '0', 'MATCH', '*a*', 'COUNT', '100'))[1]).toEqual(['a']);
  });

  it('returns every member that stays while most are removed (issue #4906)', () => {
    const h = harness();
    for (let k = 0; k < 30; k++) {
      h.call('DEL', 'set');
      h.call('SADD', 'set', 'x');
      const numele = 101 + Math.floor(Math.random() * 1000);
      const toremove: string[] = [];
      for (let j = 0; j < numele; j++) {
        h.call('SADD', 'set', String(j));
        if (j >= 100) toremove.push(String(j));
      }
      const found = new Set<string>();
      const delIt = Math.floor(Math.random() * 10);
      let cursor = '0';
      let it = 0;
      do {
        const [c, items] = parse(h.call('SSCAN', 'set', cursor));
        for (const m of items) found.add(m);
        cursor = c;
        if (++it === delIt) h.call('SREM', 'set', ...toremove);
      } while (cursor !== '0');
      for (let j = 0; j < 100; j++) expect(found.has(String(j))).toBe(true);
    }
  });
});

describe('value object', () => {
  it('clone, members and codec', () => {
    const s = new SetValue();
    for (const m of ['10', '-2', '3']) s.add(m, 512);
    expect(s.encoding()).toBe('intset');
    expect(s.members()).toEqual(['-2', '3', '10']);
    const c = s.clone();
    c.add('x');
    expect(s.has('x')).toBe(false);
    expect(c.encoding()).toBe('hashtable');
    const [t, p] = encodeValue(c);
    const d = decodeValue(t, p) as SetValue;
    expect(d.encoding()).toBe('hashtable');
    expect(d.members().sort()).toEqual(['-2', '10', '3', 'x']);
    const [t2, p2] = encodeValue(s);
    expect((decodeValue(t2, p2) as SetValue).encoding()).toBe('intset');
  });
});
