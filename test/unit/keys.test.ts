import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { shardHarness } from '../helpers/shard-harness';
import { commands, scanCursorSlot } from '../../src/commands/keys';
import { Keyspace } from '../../src/store/keyspace';
import { ReplyWriter } from '../../src/protocol/reply';
import { slotOfString } from '../../src/util/slot';
import type { ShardCtx } from '../../src/commands/contract';
import { int, bulk, err, NIL, parse } from '../helpers/resp';

const OK = '+OK\r\n';


const NOW = 1_700_000_000_000;

let h: ReturnType<typeof shardHarness>;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
  h = shardHarness(commands);
});
afterEach(() => {
  vi.useRealTimers();
});

const set = (k: string, v = 'v', db = 0) => h.ks.dbs[db].set(k, v);
const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);

describe('DEL / UNLINK / EXISTS / TOUCH / TYPE', () => {
  it('DEL against a single item and vararg DEL', () => {
    set('x', 'foo');
    expect(h.call('DEL', 'x')).toBe(int(1));
    expect(h.call('EXISTS', 'x')).toBe(int(0));
    set('foo1');
    set('foo2');
    set('foo3');
    expect(h.call('DEL', 'foo1', 'foo2', 'foo3', 'foo4')).toBe(int(3));
    expect(h.call('UNLINK', 'foo1')).toBe(int(0));
    set('u');
    expect(h.call('unlink', 'u', 'u')).toBe(int(1));
    expect(h.ks.stats.dirty).toBe(5);
  });

  it('DEL against an expired key counts it as expired, not deleted', () => {
    set('k');
    h.ks.dbs[0].setExpire('k', NOW + 1000);
    advance(1100);
    expect(h.call('DEL', 'k')).toBe(int(0));
    expect(h.ks.stats.expiredKeys).toBe(1);
    expect(h.ks.stats.dirty).toBe(0);
  });

  it('EXISTS counts repeated keys; zero-length values exist', () => {
    set('a');
    set('e', '');
    expect(h.call('EXISTS', 'a', 'a', 'b', 'e')).toBe(int(3));
    expect(h.call('TOUCH', 'a', 'b', 'a')).toBe(int(2));
    expect(h.ks.stats.keyspaceHits).toBe(5);
    expect(h.ks.stats.keyspaceMisses).toBe(2);
  });

  it('TYPE', () => {
    set('s');
    h.ks.dbs[0].set('l', { type: 'list' });
    expect(h.call('TYPE', 's')).toBe('+string\r\n');
    expect(h.call('TYPE', 'l')).toBe('+list\r\n');
    expect(h.call('TYPE', 'nope')).toBe('+none\r\n');
  });

  it('binary keys', () => {
    const k = 'k\x00\xff\r\n';
    set(k);
    expect(h.call('EXISTS', k)).toBe(int(1));
    expect(h.call('KEYS', '*')).toBe('*1\r\n' + bulk(k));
  });
});

describe('RENAME / RENAMENX', () => {
  it('basic usage and the source is gone', () => {
    set('mykey', 'hello');
    expect(h.call('RENAME', 'mykey', 'mykey1')).toBe(OK);
    expect(h.call('RENAME', 'mykey1', 'mykey2')).toBe(OK);
    expect(h.ks.dbs[0].peek('mykey2')).toBe('hello');
    expect(h.call('EXISTS', 'mykey', 'mykey1')).toBe(int(0));
    expect(h.ks.stats.dirty).toBe(2);
  });

  it('against an already existing key', () => {
    set('mykey', 'a');
    set('mykey2', 'b');
    expect(h.call('RENAME', 'mykey2', 'mykey')).toBe(OK);
    expect(h.ks.dbs[0].peek('mykey')).toBe('b');
    expect(h.call('EXISTS', 'mykey2')).toBe(int(0));
    expect(h.ks.dbs[0].size).toBe(1);
  });

  it('RENAMENX', () => {
    set('mykey', 'foobar');
    expect(h.call('RENAMENX', 'mykey', 'mykey2')).toBe(int(1));
    expect(h.ks.dbs[0].peek('mykey2')).toBe('foobar');
    set('mykey', 'foo');
    expect(h.call('RENAMENX', 'mykey', 'mykey2')).toBe(int(0));
    expect(h.ks.dbs[0].peek('mykey')).toBe('foo');
    expect(h.ks.dbs[0].peek('mykey2')).toBe('foobar');
  });

  it('missing source and same source/destination', () => {
    expect(h.call('RENAME', 'nokey', 'foobar')).toBe(err('ERR no such key'));
    expect(h.call('RENAMENX', 'nokey', 'foobar')).toBe(err('ERR no such key'));
    expect(h.call('RENAME', 'mykey', 'mykey')).toBe(err('ERR no such key'));
    set('mykey', 'foo');
    expect(h.call('RENAME', 'mykey', 'mykey')).toBe(OK);
    expect(h.call('RENAMENX', 'mykey', 'mykey')).toBe(int(0));
    expect(h.ks.dbs[0].peek('mykey')).toBe('foo');
    expect(h.ks.stats.dirty).toBe(0);
  });

  it('moves the TTL and does not inherit the target TTL', () => {
    set('mykey', 'foo');
    expect(h.call('EXPIRE', 'mykey', '100')).toBe(int(1));
    h.call('RENAME', 'mykey', 'mykey2');
    expect(h.call('TTL', 'mykey2')).toBe(int(100));
    set('mykey', 'foo');
    h.call('RENAME', 'mykey', 'mykey2');
    expect(h.call('TTL', 'mykey2')).toBe(int(-1));
  });

  it('keeps the raw encoding', () => {
    set('r', '12');
    h.ks.dbs[0].raw.add('r');
    h.call('RENAME', 'r', 'r2');
    expect(h.call('OBJECT', 'ENCODING', 'r2')).toBe(bulk('raw'));
    expect(h.ks.dbs[0].raw.has('r')).toBe(false);
  });
});

describe('COPY', () => {
  it('basic usage for string, same and other db', () => {
    set('mykey', 'foobar');
    expect(h.call('COPY', 'mykey', 'mynewkey')).toBe(int(1));
    expect(h.ks.dbs[0].peek('mynewkey')).toBe('foobar');
    expect(h.call('DBSIZE')).toBe(int(2));
    expect(h.call('COPY', 'mykey', 'mynewkey', 'DB', '10')).toBe(int(1));
    expect(h.ks.dbs[10].peek('mynewkey')).toBe('foobar');
    expect(h.ks.dbs[10].size).toBe(1);
    expect(h.ks.stats.dirty).toBe(2);
  });

  it('does not replace without REPLACE; replaces with it', () => {
    set('mykey2', 'hello');
    set('mynewkey', 'old', 10);
    expect(h.call('COPY', 'mykey2', 'mynewkey', 'DB', '10')).toBe(int(0));
    expect(h.call('COPY', 'mykey2', 'mynewkey', 'db', '10', 'replace')).toBe(int(1));
    expect(h.ks.dbs[10].peek('mynewkey')).toBe('hello');
    expect(h.ks.dbs[10].size).toBe(1);
  });

  it('errors', () => {
    set('mykey', 'foobar');
    expect(h.call('COPY', 'mykey', 'x', 'DB', 'notanumber')).toBe(err('ERR value is not an integer or out of range'));
    expect(h.call('COPY', 'mykey', 'x', 'DB', '16')).toBe(err('ERR DB index is out of range'));
    expect(h.call('COPY', 'mykey', 'x', 'DB', '-1')).toBe(err('ERR DB index is out of range'));
    expect(h.call('COPY', 'mykey', 'x', 'DB', '99999999999')).toBe(
      err('ERR value is out of range, value must between -2147483648 and 2147483647'),
    );
    expect(h.call('COPY', 'mykey', 'x', 'DB')).toBe(err('ERR syntax error'));
    expect(h.call('COPY', 'mykey', 'x', 'foo')).toBe(err('ERR syntax error'));
    expect(h.call('COPY', 'mykey', 'mykey')).toBe(err('ERR source and destination objects are the same'));
    expect(h.call('COPY', 'mykey', 'mykey', 'DB', '0')).toBe(err('ERR source and destination objects are the same'));
    expect(h.call('COPY', 'mykey', 'mykey', 'DB', '1')).toBe(int(1));
    expect(h.call('COPY', 'nokey', 'x')).toBe(int(0));
  });

  it('copies the TTL, and none when there is none', () => {
    set('mykey', 'foobar');
    h.call('EXPIRE', 'mykey', '100');
    expect(h.call('COPY', 'mykey', 'mynewkey', 'REPLACE')).toBe(int(1));
    expect(h.call('PTTL', 'mynewkey')).toBe(int(100000));
    set('mykey', 'foobar');
    expect(h.call('COPY', 'mykey', 'mynewkey', 'REPLACE')).toBe(int(1));
    expect(h.call('TTL', 'mynewkey')).toBe(int(-1));
  });

  it('clones object values', () => {
    const orig = { type: 'list' as const, items: [1], clone() { return { ...this, items: [...this.items] }; } };
    h.ks.dbs[0].set('l', orig);
    h.call('COPY', 'l', 'l2');
    const copy = h.ks.dbs[0].peek('l2') as typeof orig;
    expect(copy).not.toBe(orig);
    expect(copy.items).toEqual([1]);
    expect(h.call('TYPE', 'l2')).toBe('+list\r\n');
  });
});

describe('MOVE', () => {
  it('basic usage', () => {
    set('mykey', 'foobar');
    expect(h.call('MOVE', 'mykey', '10')).toBe(int(1));
    expect(h.call('EXISTS', 'mykey')).toBe(int(0));
    expect(h.call('DBSIZE')).toBe(int(0));
    h.select(10);
    expect(h.call('DBSIZE')).toBe(int(1));
    expect(h.ks.dbs[10].peek('mykey')).toBe('foobar');
  });

  it('against a key existing in the target db, or a missing key', () => {
    set('mykey', 'hello');
    set('mykey', 'there', 10);
    expect(h.call('MOVE', 'mykey', '10')).toBe(int(0));
    expect(h.call('MOVE', 'nokey', '10')).toBe(int(0));
    expect(h.ks.dbs[10].peek('mykey')).toBe('there');
  });

  it('errors', () => {
    set('mykey', 'hello');
    expect(h.call('MOVE', 'mykey', 'notanumber')).toBe(err('ERR value is not an integer or out of range'));
    expect(h.call('MOVE', 'mykey', '16')).toBe(err('ERR DB index is out of range'));
    expect(h.call('MOVE', 'mykey', '0')).toBe(err('ERR source and destination objects are the same'));
    expect(h.call('MOVE', 'nokey', '0')).toBe(err('ERR source and destination objects are the same'));
    expect(h.call('MOVE', 'mykey', '3000000000')).toBe(
      err('ERR value is out of range, value must between -2147483648 and 2147483647'),
    );
  });

  it('moves the TTL, and creates none when there is none', () => {
    set('mykey', 'foo');
    h.call('EXPIRE', 'mykey', '100');
    h.call('MOVE', 'mykey', '10');
    expect(h.call('TTL', 'mykey')).toBe(int(-2));
    h.select(10);
    expect(h.call('TTL', 'mykey')).toBe(int(100));
    h.select(0);
    set('other', 'foo');
    h.call('MOVE', 'other', '10');
    h.select(10);
    expect(h.call('TTL', 'other')).toBe(int(-1));
  });
});

describe('EXPIRE family', () => {
  it('set timeouts multiple times', () => {
    set('x', 'foobar');
    expect(h.call('EXPIRE', 'x', '5')).toBe(int(1));
    expect(h.call('TTL', 'x')).toBe(int(5));
    expect(h.call('EXPIRE', 'x', '10')).toBe(int(1));
    expect(h.call('TTL', 'x')).toBe(int(10));
    h.call('EXPIRE', 'x', '2');
    advance(1999);
    expect(h.call('EXISTS', 'x')).toBe(int(1));
    advance(2);
    expect(h.call('EXISTS', 'x')).toBe(int(0));
  });

  it('EXPIREAT, PEXPIRE, PEXPIREAT and the TTL views', () => {
    set('x');
    expect(h.call('EXPIREAT', 'x', String(NOW / 1000 + 15))).toBe(int(1));
    expect(h.call('TTL', 'x')).toBe(int(15));
    expect(h.call('EXPIRETIME', 'x')).toBe(int(NOW / 1000 + 15));
    expect(h.call('PEXPIRETIME', 'x')).toBe(int(NOW + 15000));
    expect(h.call('PEXPIRE', 'x', '1499')).toBe(int(1));
    expect(h.call('PTTL', 'x')).toBe(int(1499));
    expect(h.call('TTL', 'x')).toBe(int(1)); // rounded
    h.call('PEXPIRE', 'x', '1500');
    expect(h.call('TTL', 'x')).toBe(int(2));
    h.call('PEXPIREAT', 'x', String(NOW + 200));
    expect(h.call('PTTL', 'x')).toBe(int(200));
    expect(h.call('EXPIRETIME', 'x')).toBe(int(NOW / 1000)); // (t+500)/1000
    advance(201);
    expect(h.call('EXISTS', 'x')).toBe(int(0));
  });

  it('TTL family on missing and non-volatile keys', () => {
    set('x', 'hello');
    for (const c of ['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']) {
      expect(h.call(c, 'x')).toBe(int(-1));
      expect(h.call(c, 'nokey')).toBe(int(-2));
    }
  });

  it('PERSIST', () => {
    set('x', 'foo');
    h.call('EXPIRE', 'x', '50');
    expect(h.call('TTL', 'x')).toBe(int(50));
    expect(h.call('PERSIST', 'x')).toBe(int(1));
    expect(h.call('TTL', 'x')).toBe(int(-1));
    expect(h.call('PERSIST', 'x')).toBe(int(0));
    expect(h.call('PERSIST', 'nokeyatall')).toBe(int(0));
    expect(h.ks.stats.dirty).toBe(2);
  });

  it('does not resurrect keys', () => {
    set('foo', 'bar');
    h.call('PEXPIRE', 'foo', '500');
    advance(1000);
    expect(h.call('EXPIRE', 'foo', '10')).toBe(int(0));
    expect(h.call('EXISTS', 'foo')).toBe(int(0));
  });

  it('a deadline in the past deletes the key and replies 1', () => {
    set('foo', 'bar');
    expect(h.call('EXPIRE', 'foo', '-10')).toBe(int(1));
    expect(h.call('TTL', 'foo')).toBe(int(-2));
    set('foo', 'bar');
    expect(h.call('PEXPIREAT', 'foo', String(NOW))).toBe(int(1));
    expect(h.call('EXISTS', 'foo')).toBe(int(0));
    set('foo', 'bar');
    expect(h.call('EXPIRE', 'foo', '0')).toBe(int(1));
    expect(h.call('EXISTS', 'foo')).toBe(int(0));
    expect(h.ks.stats.dirty).toBe(3);
  });

  it('NX / XX / GT / LT', () => {
    const withTtl = (s: number | null) => {
      h.ks.dbs[0].set('foo', 'bar');
      if (s !== null) h.call('EXPIRE', 'foo', String(s));
    };
    withTtl(100);
    expect(h.call('EXPIRE', 'foo', '200', 'NX')).toBe(int(0));
    expect(h.call('TTL', 'foo')).toBe(int(100));
    withTtl(null);
    expect(h.call('EXPIRE', 'foo', '200', 'nx')).toBe(int(1));
    expect(h.call('TTL', 'foo')).toBe(int(200));
    withTtl(100);
    expect(h.call('EXPIRE', 'foo', '200', 'XX')).toBe(int(1));
    expect(h.call('TTL', 'foo')).toBe(int(200));
    withTtl(null);
    expect(h.call('EXPIRE', 'foo', '200', 'XX')).toBe(int(0));
    expect(h.call('TTL', 'foo')).toBe(int(-1));
    withTtl(100);
    expect(h.call('EXPIRE', 'foo', '200', 'GT')).toBe(int(1));
    expect(h.call('TTL', 'foo')).toBe(int(200));
    withTtl(200);
    expect(h.call('EXPIRE', 'foo', '100', 'GT')).toBe(int(0));
    expect(h.call('EXPIRE', 'foo', '200', 'GT')).toBe(int(0)); // equal is not greater
    withTtl(null);
    expect(h.call('EXPIRE', 'foo', '200', 'GT')).toBe(int(0));
    expect(h.call('TTL', 'foo')).toBe(int(-1));
    withTtl(100);
    expect(h.call('EXPIRE', 'foo', '200', 'LT')).toBe(int(0));
    expect(h.call('TTL', 'foo')).toBe(int(100));
    withTtl(200);
    expect(h.call('EXPIRE', 'foo', '100', 'LT')).toBe(int(1));
    expect(h.call('TTL', 'foo')).toBe(int(100));
    withTtl(null);
    expect(h.call('EXPIRE', 'foo', '100', 'LT')).toBe(int(1));
    expect(h.call('TTL', 'foo')).toBe(int(100));
    withTtl(200);
    expect(h.call('EXPIRE', 'foo', '100', 'LT', 'XX')).toBe(int(1));
    expect(h.call('TTL', 'foo')).toBe(int(100));
    withTtl(null);
    expect(h.call('EXPIRE', 'foo', '200', 'LT', 'XX')).toBe(int(0));
    expect(h.call('TTL', 'foo')).toBe(int(-1));
    withTtl(100);
    expect(h.call('EXPIRE', 'foo', '-10', 'LT')).toBe(int(1));
    expect(h.call('TTL', 'foo')).toBe(int(-2));
    withTtl(null);
    expect(h.call('EXPIRE', 'foo', '-10', 'LT')).toBe(int(1));
    expect(h.call('TTL', 'foo')).toBe(int(-2));
    for (const o of ['NX', 'XX', 'GT', 'LT']) expect(h.call('EXPIRE', 'none', '100', o)).toBe(int(0));
  });

  it('option errors', () => {
    set('foo', 'bar');
    expect(h.call('EXPIRE', 'foo', '200', 'LT', 'GT')).toBe(err('ERR GT and LT options at the same time are not compatible'));
    const nx = err('ERR NX and XX, GT or LT options at the same time are not compatible');
    expect(h.call('EXPIRE', 'foo', '200', 'NX', 'GT')).toBe(nx);
    expect(h.call('EXPIRE', 'foo', '200', 'NX', 'LT')).toBe(nx);
    expect(h.call('EXPIRE', 'foo', '200', 'NX', 'XX')).toBe(nx);
    expect(h.call('EXPIRE', 'foo', '200', 'GT', 'LT', 'NX')).toBe(nx);
    expect(h.call('EXPIRE', 'foo', '200', 'AB')).toBe(err('ERR Unsupported option AB'));
    expect(h.call('EXPIRE', 'foo', '200', 'XX', 'AB')).toBe(err('ERR Unsupported option AB'));
    // Options are checked before the number.
    expect(h.call('EXPIRE', 'foo', 'x', 'AB')).toBe(err('ERR Unsupported option AB'));
    expect(h.call('EXPIRE', 'foo', '1', 'a\r\nb\r\n')).toBe(err('ERR Unsupported option a  b'));
    expect(h.call('EXPIRE', 'foo', '1', 'a\x00b')).toBe(err('ERR Unsupported option a'));
    expect(h.call('EXPIRE', 'foo', '')).toBe(err('ERR value is not an integer or out of range'));
    expect(h.call('PEXPIRE', 'foo', '1.5')).toBe(err('ERR value is not an integer or out of range'));
    expect(h.call('TTL', 'foo')).toBe(int(-1));
  });

  it('overflow checks', () => {
    set('foo', 'bar');
    const e = (c: string) => err(`ERR invalid expire time in '${c}' command`);
    expect(h.call('EXPIRE', 'foo', '9223370399119966')).toBe(e('expire')); // overflows adding now
    expect(h.call('EXPIRE', 'foo', '9223372036854776')).toBe(e('expire'));
    expect(h.call('EXPIRE', 'foo', '10000000000000000')).toBe(e('expire'));
    expect(h.call('EXPIRE', 'foo', '18446744073709561')).toBe(e('expire'));
    expect(h.call('EXPIRE', 'foo', '-9223372036854776')).toBe(e('expire'));
    expect(h.call('EXPIRE', 'foo', '-9999999999999999')).toBe(e('expire'));
    expect(h.call('EXPIREAT', 'foo', '9223372036854776')).toBe(e('expireat'));
    expect(h.call('PEXPIRE', 'foo', '9223372036854770000')).toBe(e('pexpire'));
    expect(h.call('PEXPIRE', 'foo', '9223372036854775808')).toBe(err('ERR value is not an integer or out of range'));
    expect(h.call('TTL', 'foo')).toBe(int(-1));
    expect(h.call('EXPIREAT', 'foo', '9223372036854775')).toBe(int(1)); // fits: no basetime added
    expect(h.call('PEXPIREAT', 'foo', '9223372036854770000')).toBe(int(1));
    expect(h.call('PEXPIREAT', 'foo', '-9223372036854770000')).toBe(int(1));
    expect(h.call('TTL', 'foo')).toBe(int(-2));
  });
});

describe('OBJECT', () => {
  it('ENCODING of strings', () => {
    set('i', '12345');
    set('neg', '-9223372036854775808');
    set('big', '9223372036854775808');
    set('lead0', '012');
    set('e', 'x'.repeat(44));
    set('r', 'x'.repeat(45));
    set('raw', 'abc');
    h.ks.dbs[0].raw.add('raw');
    expect(h.call('OBJECT', 'ENCODING', 'i')).toBe(bulk('int'));
    expect(h.call('object', 'encoding', 'neg')).toBe(bulk('int'));
    expect(h.call('OBJECT', 'ENCODING', 'big')).toBe(bulk('embstr'));
    expect(h.call('OBJECT', 'ENCODING', 'lead0')).toBe(bulk('embstr'));
    expect(h.call('OBJECT', 'ENCODING', 'e')).toBe(bulk('embstr'));
    expect(h.call('OBJECT', 'ENCODING', 'r')).toBe(bulk('raw'));
    expect(h.call('OBJECT', 'ENCODING', 'raw')).toBe(bulk('raw'));
    expect(h.call('OBJECT', 'ENCODING', 'nokey')).toBe(NIL);
  });

  it('ENCODING of other values', () => {
    h.ks.dbs[0].set('l', { type: 'list', encoding: () => 'listpack' } as any);
    h.ks.dbs[0].set('z', { type: 'zset' });
    expect(h.call('OBJECT', 'ENCODING', 'l')).toBe(bulk('listpack'));
    expect(h.call('OBJECT', 'ENCODING', 'z')).toBe(bulk('unknown'));
  });

  it('missing key is a null in RESP3 too', () => {
    const h3 = shardHarness(commands, 3);
    expect(h3.call('OBJECT', 'ENCODING', 'nokey')).toBe('_\r\n');
    expect(h3.call('OBJECT', 'REFCOUNT', 'nokey')).toBe('_\r\n');
  });

  it('REFCOUNT', () => {
    set('a', '0');
    set('b', '9999');
    set('c', '10000');
    set('d', '-1');
    set('e', 'foo');
    h.ks.dbs[0].set('l', { type: 'list' });
    expect(h.call('OBJECT', 'REFCOUNT', 'a')).toBe(int(2147483647));
    expect(h.call('OBJECT', 'REFCOUNT', 'b')).toBe(int(2147483647));
    expect(h.call('OBJECT', 'REFCOUNT', 'c')).toBe(int(1));
    expect(h.call('OBJECT', 'REFCOUNT', 'd')).toBe(int(1));
    expect(h.call('OBJECT', 'REFCOUNT', 'e')).toBe(int(1));
    expect(h.call('OBJECT', 'REFCOUNT', 'l')).toBe(int(1));
    expect(h.call('OBJECT', 'REFCOUNT', 'nokey')).toBe(NIL);
    h.ctx.config['maxmemory'] = 1000000;
    h.ctx.config['maxmemory-policy'] = 'allkeys-lru';
    expect(h.call('OBJECT', 'REFCOUNT', 'a')).toBe(int(1));
    h.ctx.config['maxmemory-policy'] = 'volatile-ttl';
    expect(h.call('OBJECT', 'REFCOUNT', 'a')).toBe(int(2147483647));
  });

  it('IDLETIME and FREQ', () => {
    set('k');
    expect(h.call('OBJECT', 'IDLETIME', 'k')).toBe(int(0));
    expect(h.call('OBJECT', 'IDLETIME', 'nokey')).toBe(NIL);
    const freqErr =
      'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';
    expect(h.call('OBJECT', 'FREQ', 'k')).toBe(err(freqErr));
    expect(h.call('OBJECT', 'FREQ', 'nokey')).toBe(NIL);
    h.ctx.config['maxmemory-policy'] = 'allkeys-lfu';
    expect(h.call('OBJECT', 'FREQ', 'k')).toBe(int(0));
    expect(h.call('OBJECT', 'IDLETIME', 'k')).toBe(
      err(
        'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
      ),
    );
  });

  it('HELP', () => {
    const r = h.call('object', 'help');
    const lines = [
      'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
      'ENCODING <key>',
      '    Return the kind of internal representation used in order to store the value',
      '    associated with a <key>.',
      'FREQ <key>',
      '    Return the access frequency index of the <key>. The returned integer is',
      '    proportional to the logarithm of the recent access frequency of the key.',
      'IDLETIME <key>',
      '    Return the idle time of the <key>, that is the approximated number of',
      '    seconds elapsed since the last access to the key.',
      'REFCOUNT <key>',
      '    Return the number of references of the value associated with the specified',
      '    <key>.',
      'HELP',
      '    Prints this help.',
    ];
    expect(r).toBe(`*${lines.length}\r\n` + lines.map((l) => `+${l}\r\n`).join(''));
  });
});

describe('KEYS / DBSIZE / RANDOMKEY', () => {
  it('KEYS with pattern, KEYS *, DBSIZE', () => {
    for (const k of ['key_x', 'key_y', 'key_z', 'foo_a', 'foo_b', 'foo_c']) set(k, 'hello');
    expect(parse(h.call('KEYS', 'foo*')).sort()).toEqual(['foo_a', 'foo_b', 'foo_c']);
    expect(parse(h.call('KEYS', '*')).sort()).toEqual(['foo_a', 'foo_b', 'foo_c', 'key_x', 'key_y', 'key_z']);
    expect(parse(h.call('KEYS', '*_[xz]')).sort()).toEqual(['key_x', 'key_z']);
    expect(h.call('KEYS', 'key_y')).toBe('*1\r\n' + bulk('key_y'));
    expect(h.call('KEYS', 'nokey')).toBe('*0\r\n');
    expect(h.call('DBSIZE')).toBe(int(6));
    for (const k of parse(h.call('KEYS', '*'))) h.call('DEL', k);
    expect(h.call('DBSIZE')).toBe(int(0));
  });

  it('KEYS * returns the empty key, other star patterns do not', () => {
    set('');
    expect(h.call('KEYS', '*')).toBe('*1\r\n$0\r\n\r\n');
    expect(h.call('KEYS', '**')).toBe('*0\r\n');
    expect(h.call('KEYS', '')).toBe('*1\r\n$0\r\n\r\n');
  });

  it('KEYS skips expired keys without deleting them', () => {
    set('a');
    set('b');
    h.ks.dbs[0].setExpire('a', NOW + 10);
    advance(11);
    expect(h.call('KEYS', '*')).toBe('*1\r\n' + bulk('b'));
    expect(h.call('KEYS', 'a')).toBe('*0\r\n');
    expect(h.call('DBSIZE')).toBe(int(2)); // still counted until reclaimed
  });

  it('KEYS with a hash tag prefix', () => {
    set('{user}:1');
    set('{user}:2');
    set('{usr}:3');
    set('x{user}:4');
    expect(parse(h.call('KEYS', '{user}:*')).sort()).toEqual(['{user}:1', '{user}:2']);
    expect(parse(h.call('KEYS', '{u*')).sort()).toEqual(['{user}:1', '{user}:2', '{usr}:3']);
    expect(parse(h.call('KEYS', '*{user}*')).sort()).toEqual(['x{user}:4', '{user}:1', '{user}:2']);
  });

  it('KEYS * two times with a long key; long nested loops regression', () => {
    set('dlskeriewrioeuwqoirueioqwrueoqwrueqw', 'test');
    h.call('KEYS', '*');
    expect(h.call('KEYS', '*')).toBe('*1\r\n' + bulk('dlskeriewrioeuwqoirueioqwrueoqwrueqw'));
    h.call('FLUSHDB');
    set('a'.repeat(40), '1');
    expect(h.call('KEYS', 'a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b')).toBe('*0\r\n');
  });

  it('RANDOMKEY', () => {
    expect(h.call('RANDOMKEY')).toBe(NIL);
    set('x', '10');
    h.call('DEL', 'x');
    expect(h.call('RANDOMKEY')).toBe(NIL);
    set('foo', 'x');
    set('bar', 'y');
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) seen.add(parse(h.call('RANDOMKEY')));
    expect([...seen].sort()).toEqual(['bar', 'foo']);
  });

  it('RANDOMKEY reclaims expired picks', () => {
    for (let i = 0; i < 20; i++) {
      set('k' + i);
      h.ks.dbs[0].setExpire('k' + i, NOW + 5);
    }
    set('live');
    advance(10);
    expect(h.call('RANDOMKEY')).toBe(bulk('live'));
    h.call('DEL', 'live');
    expect(h.call('RANDOMKEY')).toBe(NIL);
    expect(h.ks.dbs[0].size).toBe(0);
  });
});

describe('FLUSHDB / FLUSHALL / SWAPDB', () => {
  it('FLUSHDB and FLUSHALL', () => {
    set('a');
    set('b');
    set('c', 'v', 1);
    h.ks.dbs[0].setExpire('a', NOW + 1000);
    expect(h.call('FLUSHDB')).toBe(OK);
    expect(h.ks.dbs[0].size).toBe(0);
    expect(h.ks.dbs[0].expires.size).toBe(0);
    expect(h.ks.dbs[1].size).toBe(1);
    expect(h.ks.stats.dirty).toBe(2);
    expect(h.call('FLUSHDB', 'async')).toBe(OK);
    expect(h.call('FLUSHDB', 'SYNC')).toBe(OK);
    set('a');
    expect(h.call('FLUSHALL', 'ASYNC')).toBe(OK);
    expect(h.ks.dbs[1].size + h.ks.dbs[0].size).toBe(0);
    expect(h.ks.stats.dirty).toBe(4);
    expect(h.ks.heap.size).toBe(0);
    expect(h.call('FLUSHALL')).toBe(OK);
  });

  it('flush syntax errors', () => {
    expect(h.call('FLUSHDB', 'foo')).toBe(err('ERR syntax error'));
    expect(h.call('FLUSHDB', 'sync', 'async')).toBe(err('ERR syntax error'));
    expect(h.call('FLUSHALL', 'now')).toBe(err('ERR syntax error'));
  });

  it('SWAPDB', () => {
    set('a', '0', 0);
    set('b', '1', 1);
    h.ks.dbs[1].setExpire('b', NOW + 5000);
    expect(h.call('SWAPDB', '0', '1')).toBe(OK);
    h.select(0);
    expect(h.call('KEYS', '*')).toBe('*1\r\n' + bulk('b'));
    expect(h.call('PTTL', 'b')).toBe(int(5000));
    h.select(1);
    expect(h.call('KEYS', '*')).toBe('*1\r\n' + bulk('a'));
    expect(h.call('SWAPDB', '3', '3')).toBe(OK);
    expect(h.ks.stats.dirty).toBe(2);
  });

  it('SWAPDB errors', () => {
    expect(h.call('SWAPDB', 'x', '1')).toBe(err('ERR invalid first DB index'));
    expect(h.call('SWAPDB', 'x', 'y')).toBe(err('ERR invalid first DB index'));
    expect(h.call('SWAPDB', '0', 'y')).toBe(err('ERR invalid second DB index'));
    expect(h.call('SWAPDB', '99999999999', '0')).toBe(err('ERR invalid first DB index'));
    expect(h.call('SWAPDB', '0', '16')).toBe(err('ERR DB index is out of range'));
    expect(h.call('SWAPDB', '-1', '0')).toBe(err('ERR DB index is out of range'));
    expect(h.ks.stats.dirty).toBe(0);
  });
});

describe('SCAN', () => {
  const populate = (n: number) => {
    for (let i = 0; i < n; i++) set('key:' + i, String(i));
  };
  const scanAll = (...opts: string[]) => {
    let cur = '0';
    const keys: string[] = [];
    let calls = 0;
    do {
      const [c, k] = parse(h.call('SCAN', cur, ...opts));
      cur = c;
      keys.push(...k);
      calls++;
    } while (cur !== '0');
    return { keys, calls };
  };

  it('basic, COUNT, MATCH', () => {
    populate(1000);
    const all = scanAll();
    expect(new Set(all.keys).size).toBe(1000);
    expect(all.keys.length).toBe(1000); // whole slots: no duplicates without rehashing
    const small = scanAll('count', '5');
    expect(new Set(small.keys).size).toBe(1000);
    expect(small.calls).toBeGreaterThan(all.calls);
    expect(new Set(scanAll('match', 'key:1??').keys).size).toBe(100);
    expect(scanAll('MATCH', 'key:42').keys).toEqual(['key:42']);
  });

  it('TYPE', () => {
    populate(1000);
    h.ks.dbs[0].set('alist', { type: 'list' });
    expect(scanAll('type', 'list').keys).toEqual(['alist']);
    expect(scanAll('TYPE', 'LIST').keys).toEqual(['alist']);
    expect(scanAll('type', 'string').keys.length).toBe(1000);
    expect(scanAll('type', 'string', 'match', 'key:*', 'count', '10').keys.length).toBe(1000);
    expect(scanAll('type', 'nosuchtype').keys.length).toBe(0);
  });

  it('visits whole slots and returns the next non-empty slot as cursor', () => {
    set('a');
    set('{a}x');
    set('b');
    const sa = slotOfString('a'), sb = slotOfString('b');
    expect(sb).toBeLessThan(sa);
    const [c1, k1] = parse(h.call('SCAN', '0', 'COUNT', '1'));
    // Empty slots between b's and a's are skipped: the cursor is a's slot.
    expect(c1).toBe(String(sa));
    expect(k1).toEqual(['b']);
    const [c2, k2] = parse(h.call('SCAN', c1, 'COUNT', '1'));
    expect(k2.sort()).toEqual(['a', '{a}x']);
    // Nothing after a's slot: the scan is complete.
    expect(c2).toBe('0');
  });

  it('skips and reclaims expired keys', () => {
    set('a');
    set('b');
    h.ks.dbs[0].setExpire('a', NOW + 10);
    advance(11);
    expect(scanAll().keys).toEqual(['b']);
    expect(h.ks.dbs[0].size).toBe(1);
    expect(h.ks.stats.expiredKeys).toBe(1);
  });

  it('cursor parsing', () => {
    set('k');
    expect(h.call('SCAN', '16384')).toBe('*2\r\n$1\r\n0\r\n*0\r\n');
    expect(h.call('SCAN', '18446744073709551615')).toBe('*2\r\n$1\r\n0\r\n*0\r\n');
    expect(h.call('SCAN', '-1')).toBe('*2\r\n$1\r\n0\r\n*0\r\n');
    expect(parse(h.call('SCAN', ''))).toEqual(['0', ['k']]);
    expect(parse(h.call('SCAN', '+0'))).toEqual(['0', ['k']]);
    expect(parse(h.call('SCAN', '-0'))).toEqual(['0', ['k']]);
    expect(parse(h.call('SCAN', '000'))).toEqual(['0', ['k']]);
    const bad = err('ERR invalid cursor');
    for (const c of ['x', ' 1', '1 ', '1.0', '+', '-', '18446744073709551616', '-18446744073709551616', '0x10']) {
      expect(h.call('SCAN', c), c).toBe(bad);
    }
    expect(scanCursorSlot('123')).toBe(123);
    expect(scanCursorSlot('99999')).toBe(16384);
    expect(scanCursorSlot('5\x00junk')).toBe(5);
  });

  it('option errors', () => {
    expect(h.call('SCAN', '0', 'COUNT', '0')).toBe(err('ERR syntax error'));
    expect(h.call('SCAN', '0', 'COUNT', '-1')).toBe(err('ERR syntax error'));
    expect(h.call('SCAN', '0', 'COUNT', 'x')).toBe(err('ERR value is not an integer or out of range'));
    expect(h.call('SCAN', '0', 'COUNT')).toBe(err('ERR syntax error'));
    expect(h.call('SCAN', '0', 'MATCH')).toBe(err('ERR syntax error'));
    expect(h.call('SCAN', '0', 'foo', 'bar')).toBe(err('ERR syntax error'));
    expect(h.call('SCAN', 'x', 'foo')).toBe(err('ERR invalid cursor'));
    expect(h.call('SCAN', '99999', 'foo')).toBe(err('ERR syntax error'));
  });

  it('stays within the shard range and hands over at its end', () => {
    const ks = new Keyspace(16, 100, 200);
    const w = new ReplyWriter();
    const ctx: ShardCtx = { ks, db: ks.dbs[0], w, config: { protoMaxBulkLen: 1 << 29, databases: 16 }, shard: 1, block: null, readyKey: null, scripts: null };
    const run = (name: string, ...a: string[]) => {
      w.reset();
      commands.find((d) => d.name === name)!.run!(ctx, [name, ...a]);
      return w.view().toString('latin1');
    };
    // Find keys for slots 150 and 199.
    const keyFor = (slot: number) => {
      for (let i = 0; ; i++) if (slotOfString('k' + i) === slot) return 'k' + i;
    };
    const k150 = keyFor(150), k199 = keyFor(199);
    ks.dbs[0].set(k150, 'v');
    ks.dbs[0].set(k199, 'v');
    // The cursor skips to the next slot holding keys; past the last one, to the range's end.
    expect(parse(run('scan', '100', 'COUNT', '1'))).toEqual(['199', [k150]]);
    expect(parse(run('scan', '151'))).toEqual(['200', [k199]]);
    expect(parse(run('scan', '199'))).toEqual(['200', [k199]]);
    expect(parse(run('keys', '*')).sort()).toEqual([k150, k199].sort());
    expect(run('dbsize')).toBe(int(2));
    expect(run('randomkey')).toMatch(/^\$/);
  });
});
