import { describe, expect, it } from 'vitest';
import { shardHarness } from '../helpers/shard-harness';
import { commands as hash, parseScanCursor } from '../../src/commands/hash';
import { commands as keys } from '../../src/commands/keys';
import { commands as str } from '../../src/commands/string';
import { HashValue } from '../../src/store/hash';
import { encodeValue, decodeValue } from '../../src/store/serialize';
import { int, bulk, arr, bulks, err, NIL, WRONGTYPE as WRONG, parse } from '../helpers/resp';



function harness(proto: 2 | 3 = 2) {
  return shardHarness([...hash, ...keys, ...str], proto);
}

describe('hash basics', () => {
  it('HSET/HGET/HMGET/HLEN/HEXISTS/HSTRLEN', () => {
    const h = harness();
    expect(h.call('HSET', 'h', 'a', '1', 'b', '2', 'a', '3')).toBe(int(2));
    expect(h.call('HSET', 'h', 'a', '1', 'b')).toBe(err("ERR wrong number of arguments for 'hset' command"));
    expect(h.call('HMSET', 'h', 'a', '1', 'b')).toBe(err("ERR wrong number of arguments for 'hmset' command"));
    expect(h.call('HMSET', 'h', 'c', '3')).toBe('+OK\r\n');
    expect(h.call('HGET', 'h', 'a')).toBe(bulk('3'));
    expect(h.call('HGET', 'h', 'zz')).toBe(NIL);
    expect(h.call('HGET', 'nokey', 'a')).toBe(NIL);
    expect(h.call('HMGET', 'h', 'a', 'zz', 'c')).toBe(arr(bulk('3'), NIL, bulk('3')));
    expect(h.call('HMGET', 'nokey', 'a')).toBe(arr(NIL));
    expect(h.call('HLEN', 'h')).toBe(int(3));
    expect(h.call('HLEN', 'nokey')).toBe(int(0));
    expect(h.call('HEXISTS', 'h', 'b')).toBe(int(1));
    expect(h.call('HEXISTS', 'h', 'x')).toBe(int(0));
    expect(h.call('HSTRLEN', 'h', 'b')).toBe(int(1));
    expect(h.call('HSTRLEN', 'h', 'x')).toBe(int(0));
    expect(h.call('HSETNX', 'h', 'a', 'x')).toBe(int(0));
    expect(h.call('HSETNX', 'h', 'n', 'x')).toBe(int(1));
    expect(h.call('HSETNX', 'new', 'n', 'x')).toBe(int(1));
  });

  it('keeps listpack insertion order across deletes', () => {
    const h = harness();
    h.call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
    expect(h.call('HDEL', 'h', 'b', 'zz')).toBe(int(1));
    expect(h.call('HGETALL', 'h')).toBe(bulks('a', '1', 'c', '3', 'd', '4'));
    h.call('HSET', 'h', 'b', '5');
    expect(h.call('HKEYS', 'h')).toBe(bulks('a', 'c', 'd', 'b'));
    expect(h.call('HVALS', 'h')).toBe(bulks('1', '3', '4', '5'));
    expect(h.call('HDEL', 'h', 'a', 'b', 'c', 'd', 'e')).toBe(int(4));
    expect(h.call('EXISTS', 'h')).toBe(int(0));
  });

  it('empty replies and RESP3 map', () => {
    const h2 = harness();
    expect(h2.call('HGETALL', 'nokey')).toBe('*0\r\n');
    expect(h2.call('HKEYS', 'nokey')).toBe('*0\r\n');
    const h3 = harness(3);
    expect(h3.call('HGETALL', 'nokey')).toBe('%0\r\n');
    expect(h3.call('HVALS', 'nokey')).toBe('*0\r\n');
    h3.call('HSET', 'h', 'a', '1');
    expect(h3.call('HGETALL', 'h')).toBe('%1\r\n' + bulk('a') + bulk('1'));
    expect(h3.call('HGET', 'h', 'x')).toBe('_\r\n');
  });

  it('wrong type', () => {
    const h = harness();
    h.call('SET', 's', 'x');
    for (const cmd of [
      ['HGET', 's', 'a'], ['HSET', 's', 'a', 'b'], ['HMGET', 's', 'a'], ['HGETALL', 's'], ['HDEL', 's', 'a'],
      ['HLEN', 's'], ['HINCRBY', 's', 'a', '1'], ['HINCRBYFLOAT', 's', 'a', '1'], ['HRANDFIELD', 's'],
      ['HRANDFIELD', 's', '1'], ['HSCAN', 's', '0'], ['HSETNX', 's', 'a', 'b'], ['HSTRLEN', 's', 'a'],
    ]) expect(h.call(...cmd)).toBe(WRONG);
  });
});

describe('HINCRBY / HINCRBYFLOAT', () => {
  it('integers', () => {
    const h = harness();
    expect(h.call('HINCRBY', 'h', 'f', '2')).toBe(int(2));
    expect(h.call('HINCRBY', 'h', 'f', '3')).toBe(int(5));
    h.call('HSET', 'h', 'big', '17179869184');
    expect(h.call('HINCRBY', 'h', 'big', '17179869184')).toBe(int('34359738368'));
    h.call('HSET', 'h', 'n', '-9223372036854775484');
    expect(h.call('HINCRBY', 'h', 'n', '-1')).toBe(int('-9223372036854775485'));
    expect(h.call('HINCRBY', 'h', 'n', '-10000')).toBe(err('ERR increment or decrement would overflow'));
    h.call('HSET', 'h', 'm', '9223372036854775800');
    expect(h.call('HINCRBY', 'h', 'm', '7')).toBe(int('9223372036854775807'));
    expect(h.call('HINCRBY', 'h', 'm', '1')).toBe(err('ERR increment or decrement would overflow'));
    h.call('HSET', 'h', 's', ' 11');
    expect(h.call('HINCRBY', 'h', 's', '1')).toBe(err('ERR hash value is not an integer'));
    expect(h.call('HINCRBY', 'h', 'f', 'x')).toBe(err('ERR value is not an integer or out of range'));
  });

  it('floats', () => {
    const h = harness();
    expect(h.call('HINCRBYFLOAT', 'h', 'f', '1.23')).toBe(bulk('1.23'));
    expect(h.call('HINCRBYFLOAT', 'h', 'f', '0.77')).toBe(bulk('2'));
    expect(h.call('HINCRBYFLOAT', 'h', 'f', '-0.1')).toBe(bulk('1.9'));
    expect(h.call('HINCRBYFLOAT', 'h', 'f', 'abc')).toBe(err('ERR value is not a valid float'));
    expect(h.call('HINCRBYFLOAT', 'hf', 'f', '+inf')).toBe(err('ERR value is NaN or Infinity'));
    expect(h.call('EXISTS', 'hf')).toBe(int(0));
    h.call('HSET', 'h', 'z', '1\x002');
    expect(h.call('HINCRBYFLOAT', 'h', 'z', '1')).toBe(err('ERR hash value is not a float'));
    h.call('HSET', 'h', 'i', '1e4932');
    expect(h.call('HINCRBYFLOAT', 'h', 'i', '1e4932')).toBe(err('ERR increment would produce NaN or Infinity'));
  });
});

describe('encodings', () => {
  it('converts on value length, entries, and never back', () => {
    const h = harness();
    h.ctx.config['hash-max-listpack-value'] = 8;
    h.call('HSET', 'sm', 'tmp', '0');
    h.call('HSET', 'bg', 'tmp', '0');
    h.call('HINCRBYFLOAT', 'sm', 'tmp', '0.000005');
    h.call('HINCRBYFLOAT', 'bg', 'tmp', '0.0000005');
    expect(h.call('OBJECT', 'ENCODING', 'sm')).toBe(bulk('listpack'));
    expect(h.call('OBJECT', 'ENCODING', 'bg')).toBe(bulk('hashtable'));
    h.call('HINCRBYFLOAT', 'f1', 'abcdefgh', '1');
    h.call('HINCRBYFLOAT', 'f2', 'abcdefghi', '1');
    expect(h.call('OBJECT', 'ENCODING', 'f1')).toBe(bulk('listpack'));
    expect(h.call('OBJECT', 'ENCODING', 'f2')).toBe(bulk('hashtable'));
    h.ctx.config['hash-max-listpack-value'] = 64;
    h.ctx.config['hash-max-listpack-entries'] = 3;
    h.call('HSET', 'e', 'a', '1', 'b', '2', 'c', '3');
    expect(h.call('OBJECT', 'ENCODING', 'e')).toBe(bulk('listpack'));
    h.call('HSET', 'e', 'd', '4');
    expect(h.call('OBJECT', 'ENCODING', 'e')).toBe(bulk('hashtable'));
    h.call('HDEL', 'e', 'a', 'b', 'c');
    expect(h.call('OBJECT', 'ENCODING', 'e')).toBe(bulk('hashtable'));
  });
});

describe('HRANDFIELD', () => {
  it('argument errors and empty answers', () => {
    const h = harness();
    h.call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    expect(h.call('HRANDFIELD', 'h', '0')).toBe('*0\r\n');
    expect(h.call('HRANDFIELD', 'nokey', '5')).toBe('*0\r\n');
    expect(h.call('HRANDFIELD', 'nokey')).toBe(NIL);
    expect(h.call('HRANDFIELD', 'h', '-9223372036854770000', 'withvalues')).toBe(err('ERR value is out of range'));
    expect(h.call('HRANDFIELD', 'h', '-9223372036854775808')).toBe(
      err('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807'),
    );
    expect(h.call('HRANDFIELD', 'h', 'x')).toBe(err('ERR value is not an integer or out of range'));
    expect(h.call('HRANDFIELD', 'h', '1', 'foo')).toBe(err('ERR syntax error'));
    expect(h.call('HRANDFIELD', 'h', '10', 'WITHVALUES')).toBe(bulks('a', '1', 'b', '2', 'c', '3'));
  });

  it('shapes in RESP2 and RESP3, unique and repeated', () => {
    const h = harness();
    const fields = 'abcdefghij'.split('');
    for (const f of fields) h.call('HSET', 'h', f, f + f);
    for (const proto of [2, 3] as const) {
      h.setProto(proto);
      let r = parse(h.call('HRANDFIELD', 'h', '-25', 'withvalues'));
      if (proto === 2) {
        expect(r.length).toBe(50);
        for (let i = 0; i < 50; i += 2) expect(r[i + 1]).toBe(r[i] + r[i]);
      } else {
        expect(r.length).toBe(25);
        for (const p of r) expect(p[1]).toBe(p[0] + p[0]);
      }
      r = parse(h.call('HRANDFIELD', 'h', '8'));
      expect(r.length).toBe(8);
      expect(new Set(r).size).toBe(8);
      r = parse(h.call('HRANDFIELD', 'h', '2'));
      expect(new Set(r).size).toBe(2);
      for (const f of r) expect(fields).toContain(f);
    }
    h.setProto(2);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(parse(h.call('HRANDFIELD', 'h')));
    expect(seen.size).toBe(10);
  });
});

describe('HSCAN', () => {
  it('small encoding answers everything at once', () => {
    const h = harness();
    h.call('HSET', 'h', 'foo', '1', 'fab', '2', 'foobar', '10');
    expect(h.call('HSCAN', 'h', '0')).toBe(arr(bulk('0'), bulks('foo', '1', 'fab', '2', 'foobar', '10')));
    expect(h.call('HSCAN', 'h', '0', 'MATCH', 'foo*', 'COUNT', '1')).toBe(arr(bulk('0'), bulks('foo', '1', 'foobar', '10')));
    expect(h.call('HSCAN', 'h', 'x')).toBe(err('ERR invalid cursor'));
    expect(h.call('HSCAN', 'h', '0', 'COUNT', '0')).toBe(err('ERR syntax error'));
    expect(h.call('HSCAN', 'h', '0', 'TYPE', 'hash')).toBe(err('ERR syntax error'));
    expect(h.call('HSCAN', 'nokey', '0', 'COUNT', '0')).toBe(arr(bulk('0'), '*0\r\n'));
  });

  it('hashtable scan returns every field that stays, despite deletes', () => {
    const h = harness();
    for (let i = 0; i < 1000; i++) h.call('HSET', 'h', 'key:' + i, String(i));
    expect(h.call('OBJECT', 'ENCODING', 'h')).toBe(bulk('hashtable'));
    const found = new Set<string>();
    let cur = '0';
    let it = 0;
    do {
      const [next, items] = parse(h.call('HSCAN', 'h', cur));
      for (let i = 0; i < items.length; i += 2) {
        expect(items[i]).toBe('key:' + items[i + 1]);
        found.add(items[i]);
      }
      cur = next;
      if (++it === 5) for (let i = 100; i < 1000; i += 2) h.call('HDEL', 'h', 'key:' + i);
      if (it === 20) for (let i = 1000; i < 1100; i++) h.call('HSET', 'h', 'key:' + i, String(i));
    } while (cur !== '0');
    for (let i = 0; i < 100; i++) expect(found.has('key:' + i)).toBe(true);
    for (let i = 101; i < 1000; i += 2) expect(found.has('key:' + i)).toBe(true);
  });

  it('parses cursors like strtoul', () => {
    expect(parseScanCursor('')).toBe(0);
    expect(parseScanCursor('12')).toBe(12);
    expect(parseScanCursor('+12')).toBe(12);
    expect(parseScanCursor(' 1')).toBe(-1);
    expect(parseScanCursor('1x')).toBe(-1);
    expect(parseScanCursor('18446744073709551616')).toBe(-1);
    expect(parseScanCursor('-1')).toBeGreaterThan(1e15);
  });
});

describe('value object', () => {
  it('clone and codec round trip', () => {
    const h = harness();
    h.call('HSET', 'h', 'a', '1', 'b\x00\xff', 'x:y');
    const v = h.ctx.db.get('h') as HashValue;
    const c = v.clone();
    c.set('a', '2');
    expect(v.get('a')).toBe('1');
    const [t, p] = encodeValue(v);
    const d = decodeValue(t, p) as HashValue;
    expect(d.kv).toEqual(v.kv);
    expect(d.get('b\x00\xff')).toBe('x:y');
    expect(d.encoding()).toBe('listpack');
  });
});
