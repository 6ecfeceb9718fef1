import { describe, test, expect, beforeEach, afterEach, vi } from 'vitest';
import { shardHarness } from '../helpers/shard-harness';
import { commands } from '../../src/commands/string';
import type { CommandDef } from '../../src/commands/contract';
import { int, bulk, err, NIL, WRONGTYPE } from '../helpers/resp';

// A stand-in list value and a DEL, so type errors and deletions can be set up.
const extra: CommandDef[] = [
  { name: 'rpush', run: (c, a) => { c.db.set(a[1], { type: 'list' }); c.w.int(1); } },
  { name: 'del', run: (c, a) => { c.w.int(c.db.del(a[1]) ? 1 : 0); } },
];

const OK = '+OK\r\n';
const EMPTY = '$0\r\n\r\n';
const NOTINT = err('ERR value is not an integer or out of range');
const SYNTAX = err('ERR syntax error');

let h: ReturnType<typeof shardHarness>;
beforeEach(() => {
  h = shardHarness([...commands, ...extra]);
});
afterEach(() => {
  vi.useRealTimers();
});

function useClock(ms: number) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(ms);
}

describe('SET / GET', () => {
  test('basic and empty and binary', () => {
    expect(h.call('SET', 'x', 'foobar')).toBe(OK);
    expect(h.call('GET', 'x')).toBe(bulk('foobar'));
    expect(h.call('SET', 'x', '')).toBe(OK);
    expect(h.call('GET', 'x')).toBe(EMPTY);
    let all = '';
    for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
    expect(h.call('SET', 'bin', all)).toBe(OK);
    expect(h.call('GET', 'bin')).toBe(bulk(all));
    expect(h.call('GET', 'nokey')).toBe(NIL);
  });

  test('big payload', () => {
    const buf = 'abcd'.repeat(1000000);
    h.call('SET', 'foo', buf);
    expect(h.call('GET', 'foo')).toBe(bulk(buf));
  });

  test('GET against wrong type', () => {
    h.call('RPUSH', 'l', 'a');
    expect(h.call('GET', 'l')).toBe(WRONGTYPE);
  });

  test('dirty and stats', () => {
    const d = h.ks.stats.dirty;
    h.call('SET', 'a', '1');
    h.call('SET', 'a', '2', 'NX');
    expect(h.ks.stats.dirty).toBe(d + 1);
    const hits = h.ks.stats.keyspaceHits, misses = h.ks.stats.keyspaceMisses;
    h.call('GET', 'a');
    h.call('GET', 'zz');
    expect(h.ks.stats.keyspaceHits).toBe(hits + 1);
    expect(h.ks.stats.keyspaceMisses).toBe(misses + 1);
  });

  test('NX / XX', () => {
    expect(h.call('SET', 'foo', '1', 'nx')).toBe(OK);
    expect(h.call('SET', 'foo', '2', 'nx')).toBe(NIL);
    expect(h.call('GET', 'foo')).toBe(bulk('1'));
    expect(h.call('SET', 'bar', '1', 'xx')).toBe(NIL);
    expect(h.call('GET', 'bar')).toBe(NIL);
    h.call('SET', 'bar', 'x');
    expect(h.call('SET', 'bar', '2', 'XX')).toBe(OK);
    expect(h.call('GET', 'bar')).toBe(bulk('2'));
  });

  test('GET option and its combinations', () => {
    h.call('SET', 'foo', 'bar');
    expect(h.call('SET', 'foo', 'bar2', 'GET')).toBe(bulk('bar'));
    expect(h.call('GET', 'foo')).toBe(bulk('bar2'));
    expect(h.call('SET', 'new', 'bar', 'GET')).toBe(NIL);
    expect(h.call('GET', 'new')).toBe(bulk('bar'));
    expect(h.call('SET', 'foo', 'baz', 'GET', 'XX')).toBe(bulk('bar2'));
    expect(h.call('SET', 'nx1', 'bar', 'GET', 'XX')).toBe(NIL);
    expect(h.call('GET', 'nx1')).toBe(NIL);
    expect(h.call('SET', 'nx2', 'bar', 'GET', 'NX')).toBe(NIL);
    expect(h.call('GET', 'nx2')).toBe(bulk('bar'));
    expect(h.call('SET', 'nx2', 'baz', 'GET', 'NX')).toBe(bulk('bar'));
    expect(h.call('GET', 'nx2')).toBe(bulk('bar'));
    expect(h.call('SET', 'foo', 'x', 'get', 'get')).toBe(bulk('baz'));
  });

  test('GET option with wrong type leaves the key alone', () => {
    h.call('RPUSH', 'foo', 'waffle');
    expect(h.call('SET', 'foo', 'bar', 'GET')).toBe(WRONGTYPE);
    expect(h.call('GET', 'foo')).toBe(WRONGTYPE);
  });

  test('syntax errors', () => {
    expect(h.call('SET', 'foo', 'bar', 'non-existing-option')).toBe(SYNTAX);
    expect(h.call('SET', 'foo', 'bar', 'NX', 'XX')).toBe(SYNTAX);
    expect(h.call('SET', 'foo', 'bar', 'XX', 'NX')).toBe(SYNTAX);
    expect(h.call('SET', 'foo', 'bar', 'EX')).toBe(SYNTAX);
    expect(h.call('SET', 'foo', 'bar', 'EX', '10', 'PX', '10')).toBe(SYNTAX);
    expect(h.call('SET', 'foo', 'bar', 'KEEPTTL', 'EX', '10')).toBe(SYNTAX);
    expect(h.call('SET', 'foo', 'bar', 'EXAT', '10', 'KEEPTTL')).toBe(SYNTAX);
    expect(h.call('SET', 'foo', 'bar', 'PERSIST')).toBe(SYNTAX);
    expect(h.call('GET', 'foo')).toBe(NIL);
    // Repeating the same option is allowed.
    expect(h.call('SET', 'foo', 'bar', 'EX', '10', 'EX', '20', 'nx', 'nx')).toBe(OK);
  });

  test('invalid expire times', () => {
    const inv = err("ERR invalid expire time in 'set' command");
    expect(h.call('SET', 'foo', 'bar', 'EX', '0')).toBe(inv);
    expect(h.call('SET', 'foo', 'bar', 'PX', '-1')).toBe(inv);
    expect(h.call('SET', 'foo', 'bar', 'EXAT', '0')).toBe(inv);
    expect(h.call('SET', 'foo', 'bar', 'EX', '9223372036854776')).toBe(inv);
    expect(h.call('SET', 'foo', 'bar', 'PX', '9223372036854775807')).toBe(inv);
    expect(h.call('SET', 'foo', 'bar', 'EX', '10.5')).toBe(NOTINT);
    expect(h.call('SET', 'foo', 'bar', 'EX', 'abc')).toBe(NOTINT);
    expect(h.call('SET', 'foo', 'bar', 'PXAT', '9223372036854775807')).toBe(OK);
    expect(h.call('SETEX', 'foo', '0', 'bar')).toBe(err("ERR invalid expire time in 'setex' command"));
    expect(h.call('PSETEX', 'foo', '-5', 'bar')).toBe(err("ERR invalid expire time in 'psetex' command"));
    expect(h.call('SETEX', 'foo', 'x', 'bar')).toBe(NOTINT);
    // The expire is validated before GET looks at the old value.
    h.call('RPUSH', 'l', 'a');
    expect(h.call('SET', 'l', 'x', 'GET', 'EX', '0')).toBe(inv);
  });

  test('EX / PX / EXAT / PXAT / KEEPTTL deadlines', () => {
    useClock(1_000_000);
    const db = h.ks.dbs[0];
    h.call('SET', 'a', 'v', 'EX', '10');
    expect(db.ttlOf('a')).toBe(1_010_000);
    h.call('SET', 'a', 'v', 'PX', '10000');
    expect(db.ttlOf('a')).toBe(1_010_000);
    h.call('SET', 'a', 'v', 'EXAT', '2000');
    expect(db.ttlOf('a')).toBe(2_000_000);
    h.call('SET', 'a', 'v', 'PXAT', '2000001');
    expect(db.ttlOf('a')).toBe(2_000_001);
    h.call('SET', 'a', 'w', 'KEEPTTL');
    expect(db.ttlOf('a')).toBe(2_000_001);
    h.call('SET', 'a', 'w');
    expect(db.ttlOf('a')).toBe(-1);
    h.call('SET', 'a', 'v', 'XX', 'PX', '10000');
    expect(db.ttlOf('a')).toBe(1_010_000);
    expect(h.call('SETEX', 'b', '5', 'x')).toBe(OK);
    expect(db.ttlOf('b')).toBe(1_005_000);
    expect(h.call('PSETEX', 'b', '5', 'x')).toBe(OK);
    expect(db.ttlOf('b')).toBe(1_000_005);
    vi.setSystemTime(1_000_006);
    expect(h.call('GET', 'b')).toBe(NIL);
  });

  test('SET on an expired key counts as missing (NX) and KEEPTTL does not revive the TTL', () => {
    useClock(1_000_000);
    h.call('SET', 'a', 'v', 'PX', '100');
    vi.setSystemTime(1_000_200);
    expect(h.call('SET', 'a', 'w', 'NX', 'KEEPTTL')).toBe(OK);
    expect(h.ks.dbs[0].ttlOf('a')).toBe(-1);
    expect(h.call('GET', 'a')).toBe(bulk('w'));
  });

  test('RESP3 null', () => {
    h = shardHarness([...commands, ...extra], 3);
    expect(h.call('GET', 'nokey')).toBe('_\r\n');
    expect(h.call('SET', 'a', 'b', 'XX')).toBe('_\r\n');
    expect(h.call('MGET', 'nokey')).toBe('*1\r\n_\r\n');
  });
});

describe('SETNX / GETSET / GETDEL / GETEX', () => {
  test('SETNX', () => {
    expect(h.call('SETNX', 'novar', 'foobared')).toBe(int(1));
    expect(h.call('SETNX', 'novar', 'blabla')).toBe(int(0));
    expect(h.call('GET', 'novar')).toBe(bulk('foobared'));
  });

  test('SETNX against volatile keys', () => {
    useClock(1_000_000);
    h.call('SET', 'x', '10', 'EX', '10000');
    expect(h.call('SETNX', 'x', '20')).toBe(int(0));
    h.call('SET', 'y', '10', 'EX', '1');
    vi.setSystemTime(1_002_000);
    expect(h.call('SETNX', 'y', '20')).toBe(int(1));
    expect(h.call('GET', 'y')).toBe(bulk('20'));
  });

  test('GETSET', () => {
    expect(h.call('GETSET', 'foo', 'xyz')).toBe(NIL);
    expect(h.call('GET', 'foo')).toBe(bulk('xyz'));
    expect(h.call('GETSET', 'foo', 'bar')).toBe(bulk('xyz'));
    expect(h.call('GET', 'foo')).toBe(bulk('bar'));
    h.call('RPUSH', 'l', 'a');
    expect(h.call('GETSET', 'l', 'x')).toBe(WRONGTYPE);
  });

  test('GETSET clears the TTL', () => {
    h.call('SET', 'foo', 'bar', 'EX', '100');
    h.call('GETSET', 'foo', 'x');
    expect(h.ks.dbs[0].ttlOf('foo')).toBe(-1);
  });

  test('GETDEL', () => {
    h.call('SET', 'foo', 'bar');
    const d = h.ks.stats.dirty;
    expect(h.call('GETDEL', 'foo')).toBe(bulk('bar'));
    expect(h.call('GETDEL', 'foo')).toBe(NIL);
    expect(h.ks.stats.dirty).toBe(d + 1);
    h.call('RPUSH', 'l', 'a');
    expect(h.call('GETDEL', 'l')).toBe(WRONGTYPE);
  });

  test('GETEX options', () => {
    useClock(5_000_000);
    const db = h.ks.dbs[0];
    h.call('SET', 'foo', 'bar');
    expect(h.call('GETEX', 'foo')).toBe(bulk('bar'));
    expect(db.ttlOf('foo')).toBe(-1);
    expect(h.call('GETEX', 'foo', 'EX', '10')).toBe(bulk('bar'));
    expect(db.ttlOf('foo')).toBe(5_010_000);
    expect(h.call('GETEX', 'foo', 'px', '10000')).toBe(bulk('bar'));
    expect(db.ttlOf('foo')).toBe(5_010_000);
    expect(h.call('GETEX', 'foo', 'exat', '5020')).toBe(bulk('bar'));
    expect(db.ttlOf('foo')).toBe(5_020_000);
    expect(h.call('GETEX', 'foo', 'pxat', '5030000')).toBe(bulk('bar'));
    expect(db.ttlOf('foo')).toBe(5_030_000);
    expect(h.call('GETEX', 'foo', 'persist')).toBe(bulk('bar'));
    expect(db.ttlOf('foo')).toBe(-1);
    // A past absolute time deletes the key after replying.
    expect(h.call('GETEX', 'foo', 'pxat', '1')).toBe(bulk('bar'));
    expect(h.call('GET', 'foo')).toBe(NIL);
  });

  test('GETEX errors', () => {
    h.call('SET', 'foo', 'bar');
    expect(h.call('GETEX', 'foo', 'non-existent-option')).toBe(SYNTAX);
    expect(h.call('GETEX', 'foo', 'persist', 'ex', '10')).toBe(SYNTAX);
    expect(h.call('GETEX', 'foo', 'ex', '10', 'persist')).toBe(SYNTAX);
    expect(h.call('GETEX', 'foo', 'nx')).toBe(SYNTAX);
    expect(h.call('GETEX', 'foo', 'keepttl')).toBe(SYNTAX);
    expect(h.call('GETEX', 'foo', 'ex')).toBe(SYNTAX);
    expect(h.call('GETEX', 'foo', 'ex', '0')).toBe(err("ERR invalid expire time in 'getex' command"));
    // The key is looked up before the expire is validated.
    expect(h.call('GETEX', 'missing', 'ex', '0')).toBe(NIL);
    h.call('RPUSH', 'l', 'a');
    expect(h.call('GETEX', 'l', 'ex', '0')).toBe(WRONGTYPE);
  });
});

describe('MGET / MSET / MSETNX', () => {
  test('MGET', () => {
    h.call('SET', 'foo', 'BAR');
    h.call('SET', 'bar', 'FOO');
    h.call('RPUSH', 'myset', 'x');
    expect(h.call('MGET', 'foo', 'baazz', 'bar', 'myset')).toBe(
      '*4\r\n' + bulk('BAR') + NIL + bulk('FOO') + NIL,
    );
  });

  test('MSET', () => {
    const d = h.ks.stats.dirty;
    expect(h.call('MSET', 'x', '10', 'y', 'foo bar', 'z', 'x x x x x x x\n\n\r\n')).toBe(OK);
    expect(h.ks.stats.dirty).toBe(d + 3);
    expect(h.call('MGET', 'x', 'y', 'z')).toBe('*3\r\n' + bulk('10') + bulk('foo bar') + bulk('x x x x x x x\n\n\r\n'));
    expect(h.call('MSET', 'x', '10', 'y')).toBe(err("ERR wrong number of arguments for 'mset' command"));
    expect(h.call('MSETNX', 'x', '20', 'y')).toBe(err("ERR wrong number of arguments for 'msetnx' command"));
  });

  test('MSETNX', () => {
    h.call('SET', 'x', '1');
    expect(h.call('MSETNX', 'x1', 'xxx', 'y2', 'yyy', 'x', '20')).toBe(int(0));
    expect(h.call('MGET', 'x1', 'y2')).toBe('*2\r\n' + NIL + NIL);
    expect(h.call('MSETNX', 'x1', 'xxx', 'y2', 'yyy')).toBe(int(1));
    expect(h.call('MGET', 'x1', 'y2')).toBe('*2\r\n' + bulk('xxx') + bulk('yyy'));
    expect(h.call('MSETNX', 'n1', 'xxx', 'n1', 'yyy')).toBe(int(1));
    expect(h.call('GET', 'n1')).toBe(bulk('yyy'));
    expect(h.call('MSETNX', 'n1', 'xxx', 'n1', 'zzz')).toBe(int(0));
    expect(h.call('GET', 'n1')).toBe(bulk('yyy'));
  });
});

describe('APPEND / STRLEN / GETRANGE / SETRANGE', () => {
  test('APPEND', () => {
    expect(h.call('APPEND', 'foo', 'bar')).toBe(int(3));
    expect(h.call('APPEND', 'foo', '100')).toBe(int(6));
    expect(h.call('GET', 'foo')).toBe(bulk('bar100'));
    expect(h.ks.dbs[0].raw.has('foo')).toBe(true);
    h.call('SET', 'n', '1');
    h.call('APPEND', 'n', '2');
    expect(h.call('GET', 'n')).toBe(bulk('12'));
    expect(h.ks.dbs[0].raw.has('n')).toBe(true);
    h.call('RPUSH', 'l', 'a');
    expect(h.call('APPEND', 'l', 'x')).toBe(WRONGTYPE);
  });

  test('APPEND keeps the TTL and honours proto-max-bulk-len', () => {
    h.call('SET', 'foo', 'bar', 'EX', '100');
    h.call('APPEND', 'foo', 'x');
    expect(h.ks.dbs[0].ttlOf('foo')).toBeGreaterThan(0);
    h.ctx.config.protoMaxBulkLen = 5;
    expect(h.call('APPEND', 'foo', 'xx')).toBe(err('ERR string exceeds maximum allowed size (proto-max-bulk-len)'));
  });

  test('STRLEN', () => {
    expect(h.call('STRLEN', 'notakey')).toBe(int(0));
    h.call('SET', 'myinteger', '-555');
    expect(h.call('STRLEN', 'myinteger')).toBe(int(4));
    h.call('SET', 'mystring', 'foozzz0123456789 baz');
    expect(h.call('STRLEN', 'mystring')).toBe(int(20));
  });

  test('GETRANGE', () => {
    expect(h.call('GETRANGE', 'mykey', '0', '-1')).toBe(EMPTY);
    h.call('SET', 'mykey', 'Hello World');
    expect(h.call('GETRANGE', 'mykey', '0', '3')).toBe(bulk('Hell'));
    expect(h.call('GETRANGE', 'mykey', '0', '-1')).toBe(bulk('Hello World'));
    expect(h.call('GETRANGE', 'mykey', '-4', '-1')).toBe(bulk('orld'));
    expect(h.call('GETRANGE', 'mykey', '5', '3')).toBe(EMPTY);
    expect(h.call('GETRANGE', 'mykey', '5', '5000')).toBe(bulk(' World'));
    expect(h.call('GETRANGE', 'mykey', '-5000', '10000')).toBe(bulk('Hello World'));
    expect(h.call('GETRANGE', 'mykey', '-1', '-5')).toBe(EMPTY);
    expect(h.call('SUBSTR', 'mykey', '1', '1')).toBe(bulk('e'));
    h.call('SET', 'mykey', '1234');
    expect(h.call('GETRANGE', 'mykey', '-3', '-1')).toBe(bulk('234'));
    expect(h.call('GETRANGE', 'mykey', '3', '5000')).toBe(bulk('4'));
    h.call('SET', 'foo', 'bar');
    expect(h.call('GETRANGE', 'foo', '0', '4294967297')).toBe(bulk('bar'));
    expect(h.call('GETRANGE', 'foo', '0', '-9223372036854775808')).toBe(bulk('b'));
    expect(h.call('GETRANGE', 'foo', 'a', '1')).toBe(NOTINT);
    expect(h.call('GETRANGE', 'foo', '1', '9223372036854775808')).toBe(NOTINT);
    h.call('SET', 'e', '');
    expect(h.call('GETRANGE', 'e', '0', '-1')).toBe(EMPTY);
  });

  test('GETRANGE fuzzing on binary strings', () => {
    let seed = 1;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
    for (let i = 0; i < 300; i++) {
      let s = '';
      const n = rnd(200);
      for (let j = 0; j < n; j++) s += String.fromCharCode(rnd(256));
      h.call('SET', 'bin', s);
      const start = rnd(300) - 150, end = rnd(300) - 150;
      let st = start < 0 ? n + start : start, en = end < 0 ? n + end : end;
      if (st < 0) st = 0;
      if (en < 0) en = 0;
      if (en >= n) en = n - 1;
      const exp = (start < 0 && end < 0 && start > end) || st > en || n === 0 ? '' : s.slice(st, en + 1);
      expect(h.call('GETRANGE', 'bin', String(start), String(end))).toBe(bulk(exp));
    }
  });

  test('SETRANGE against non-existing key', () => {
    expect(h.call('SETRANGE', 'mykey', '0', 'foo')).toBe(int(3));
    expect(h.call('GET', 'mykey')).toBe(bulk('foo'));
    h.call('DEL', 'mykey');
    expect(h.call('SETRANGE', 'mykey', '0', '')).toBe(int(0));
    expect(h.call('GET', 'mykey')).toBe(NIL);
    expect(h.call('SETRANGE', 'mykey', '1', 'foo')).toBe(int(4));
    expect(h.call('GET', 'mykey')).toBe(bulk('\0foo'));
  });

  test('SETRANGE against existing strings and encodings', () => {
    const db = h.ks.dbs[0];
    h.call('SET', 'mykey', 'foo');
    expect(h.call('SETRANGE', 'mykey', '0', 'b')).toBe(int(3));
    expect(h.call('GET', 'mykey')).toBe(bulk('boo'));
    h.call('SET', 'mykey', 'foo');
    expect(h.call('SETRANGE', 'mykey', '0', '')).toBe(int(3));
    expect(h.call('SETRANGE', 'mykey', '1', 'b')).toBe(int(3));
    expect(h.call('GET', 'mykey')).toBe(bulk('fbo'));
    h.call('SET', 'mykey', 'foo');
    expect(h.call('SETRANGE', 'mykey', '4', 'bar')).toBe(int(7));
    expect(h.call('GET', 'mykey')).toBe(bulk('foo\0bar'));
    h.call('SET', 'mykey', '1234');
    expect(h.call('SETRANGE', 'mykey', '0', '')).toBe(int(4));
    expect(db.raw.has('mykey')).toBe(false);
    expect(h.call('SETRANGE', 'mykey', '1', '3')).toBe(int(4));
    expect(db.raw.has('mykey')).toBe(true);
    expect(h.call('GET', 'mykey')).toBe(bulk('1334'));
    h.call('SET', 'mykey', '1234');
    expect(h.call('SETRANGE', 'mykey', '5', '2')).toBe(int(6));
    expect(h.call('GET', 'mykey')).toBe(bulk('1234\0' + '2'));
  });

  test('SETRANGE errors', () => {
    h.call('RPUSH', 'l', 'a');
    expect(h.call('SETRANGE', 'l', '0', 'bar')).toBe(WRONGTYPE);
    const big = err('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
    expect(h.call('SETRANGE', 'mykey', String(512 * 1024 * 1024 - 4), 'world')).toBe(big);
    h.call('SET', 'mykey', 'hello');
    expect(h.call('SETRANGE', 'mykey', '-1', 'world')).toBe(err('ERR offset is out of range'));
    expect(h.call('SETRANGE', 'mykey', String(512 * 1024 * 1024 - 4), 'world')).toBe(big);
    expect(h.call('SETRANGE', 'K', '9223372036854775807', 'A')).toBe(big);
    expect(h.call('SETRANGE', 'K', '2147483647', 'A')).toBe(big);
    expect(h.call('SETRANGE', 'K', 'x', 'A')).toBe(NOTINT);
  });
});

describe('INCR family', () => {
  test('INCR / INCRBY / DECR / DECRBY basics', () => {
    expect(h.call('INCR', 'novar')).toBe(int(1));
    expect(h.call('GET', 'novar')).toBe(bulk('1'));
    expect(h.call('INCR', 'novar')).toBe(int(2));
    h.call('SET', 'novar', '100');
    expect(h.call('INCR', 'novar')).toBe(int(101));
    h.call('SET', 'novar', '17179869184');
    expect(h.call('INCR', 'novar')).toBe(int(17179869185));
    h.call('SET', 'novar', '17179869184');
    expect(h.call('INCRBY', 'novar', '17179869184')).toBe(int(34359738368));
    h.call('SET', 'novar', '17179869184');
    expect(h.call('DECRBY', 'novar', '17179869185')).toBe(int(-1));
    expect(h.call('DECR', 'novar')).toBe(int(-2));
  });

  test('INCR keeps the TTL', () => {
    h.call('SET', 'n', '1', 'EX', '100');
    h.call('INCR', 'n');
    expect(h.ks.dbs[0].ttlOf('n')).toBeGreaterThan(0);
  });

  test('INCR rejects non-integers', () => {
    for (const v of ['    11', '11    ', '    11    ', '1.5', '', '01', '-0', '+1', 'abc', '9223372036854775808']) {
      h.call('SET', 'novar', v);
      expect(h.call('INCR', 'novar')).toBe(NOTINT);
    }
    h.call('RPUSH', 'mylist', '1');
    expect(h.call('INCR', 'mylist')).toBe(WRONGTYPE);
    expect(h.call('INCRBY', 'novar', 'x')).toBe(NOTINT);
    expect(h.call('INCRBY', 'mylist', 'x')).toBe(NOTINT);
  });

  test('64-bit edges and overflow', () => {
    const OVF = err('ERR increment or decrement would overflow');
    h.call('SET', 'n', '9223372036854775806');
    expect(h.call('INCR', 'n')).toBe(int('9223372036854775807'));
    expect(h.call('INCR', 'n')).toBe(OVF);
    expect(h.call('GET', 'n')).toBe(bulk('9223372036854775807'));
    expect(h.call('INCRBY', 'n', '-9223372036854775807')).toBe(int(0));
    h.call('SET', 'n', '-9223372036854775807');
    expect(h.call('DECR', 'n')).toBe(int('-9223372036854775808'));
    expect(h.call('DECR', 'n')).toBe(OVF);
    expect(h.call('INCRBY', 'n', '9223372036854775807')).toBe(int(-1));
    h.call('SET', 'n', '9007199254740991');
    expect(h.call('INCR', 'n')).toBe(int('9007199254740992'));
    expect(h.call('INCR', 'n')).toBe(int('9007199254740993'));
    expect(h.call('INCRBY', 'n', '9007199254740993')).toBe(int('18014398509481986'));
    h.call('SET', 'x', '0');
    expect(h.call('DECRBY', 'x', '-9223372036854775808')).toBe(err('ERR decrement would overflow'));
    expect(h.call('DECRBY', 'x', '-9223372036854775807')).toBe(int('9223372036854775807'));
    expect(h.call('INCRBY', 'x', '9223372036854775808')).toBe(NOTINT);
  });

  test('INCRBYFLOAT', () => {
    expect(h.call('INCRBYFLOAT', 'novar', '1')).toBe(bulk('1'));
    expect(h.call('INCRBYFLOAT', 'novar', '0.25')).toBe(bulk('1.25'));
    expect(h.call('GET', 'novar')).toBe(bulk('1.25'));
    h.call('SET', 'novar', '1.5');
    expect(h.call('INCRBYFLOAT', 'novar', '1.5')).toBe(bulk('3'));
    h.call('SET', 'novar', '17179869184');
    expect(h.call('INCRBYFLOAT', 'novar', '1.5')).toBe(bulk('17179869185.5'));
    h.call('SET', 'novar', '17179869184');
    expect(h.call('INCRBYFLOAT', 'novar', '17179869184')).toBe(bulk('34359738368'));
    h.call('SET', 'foo', '1');
    expect(h.call('INCRBYFLOAT', 'foo', '-1.1')).toBe(bulk('-0.1'));
    h.call('SET', 'mykey', '10.50');
    expect(h.call('INCRBYFLOAT', 'mykey', '0.1')).toBe(bulk('10.6'));
    expect(h.call('INCRBYFLOAT', 'mykey', '-5')).toBe(bulk('5.6'));
    h.call('SET', 'mykey', '5.0e3');
    expect(h.call('INCRBYFLOAT', 'mykey', '2.0e2')).toBe(bulk('5200'));
  });

  test('INCRBYFLOAT computes in long double like Redis', () => {
    h.call('SET', 'a', '0.1');
    expect(h.call('INCRBYFLOAT', 'a', '0.2')).toBe(bulk('0.3'));
    h.call('SET', 'a', '1.1');
    expect(h.call('INCRBYFLOAT', 'a', '2.2')).toBe(bulk('3.3'));
    expect(h.call('INCRBYFLOAT', 'a', '1000.1')).toBe(bulk('1003.39999999999999997'));
    h.call('SET', 'a', '0');
    expect(h.call('INCRBYFLOAT', 'a', '1e-20')).toBe(bulk('0'));
    expect(h.call('INCRBYFLOAT', 'a', '1e20')).toBe(bulk('100000000000000000000'));
    h.call('DEL', 'f');
    h.call('INCRBYFLOAT', 'f', String(1 / 41));
    h.call('INCRBYFLOAT', 'f', String(-1 / 41));
    expect(h.call('GET', 'f')).toBe(bulk('0'));
  });

  test('INCRBYFLOAT errors', () => {
    const NOTFLOAT = err('ERR value is not a valid float');
    for (const v of ['    11', '11    ', ' 11 ', 'abc', '1\x002']) {
      h.call('SET', 'novar', v);
      expect(h.call('INCRBYFLOAT', 'novar', '1.0')).toBe(NOTFLOAT);
    }
    h.call('SET', 'foo', '0');
    expect(h.call('INCRBYFLOAT', 'foo', '+inf')).toBe(err('ERR increment would produce NaN or Infinity'));
    expect(h.call('INCRBYFLOAT', 'foo', 'nan')).toBe(NOTFLOAT);
    expect(h.call('INCRBYFLOAT', 'foo', '1e5000')).toBe(NOTFLOAT);
    expect(h.call('INCRBYFLOAT', 'foo', '')).toBe(NOTFLOAT);
    h.call('SET', 'foo', '1e4932');
    expect(h.call('INCRBYFLOAT', 'foo', '1e4932')).toBe(err('ERR increment would produce NaN or Infinity'));
    h.call('RPUSH', 'mylist', '1');
    expect(h.call('INCRBYFLOAT', 'mylist', '1.0')).toBe(WRONGTYPE);
  });

  test('string setrange then incrbyfloat (null terminator)', () => {
    h.call('SET', 'foo', '1');
    h.call('SETRANGE', 'foo', '2', '2');
    expect(h.call('INCRBYFLOAT', 'foo', '1')).toBe(err('ERR value is not a valid float'));
  });
});

describe('LCS', () => {
  const rna1 = 'CACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTTCGTCCGGGTGTG';
  const rna2 = 'ATTAAAGGTTTATACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT';
  const rnalcs = 'ACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT';
  const range = (a: number, b: number, c: number, d: number, len?: number) =>
    (len === undefined ? '*2\r\n' : '*3\r\n') + `*2\r\n:${a}\r\n:${b}\r\n*2\r\n:${c}\r\n:${d}\r\n` + (len === undefined ? '' : int(len));

  beforeEach(() => {
    h.call('SET', 'virus1', rna1);
    h.call('SET', 'virus2', rna2);
  });

  test('basic and LEN', () => {
    expect(h.call('LCS', 'virus1', 'virus2')).toBe(bulk(rnalcs));
    expect(h.call('LCS', 'virus1', 'virus2', 'LEN')).toBe(int(rnalcs.length));
    expect(h.call('LCS', 'virus1', 'missing')).toBe(EMPTY);
    expect(h.call('LCS', 'missing', 'missing', 'len')).toBe(int(0));
  });

  test('IDX', () => {
    expect(h.call('LCS', 'virus1', 'virus2', 'IDX')).toBe(
      '*4\r\n' + bulk('matches') + '*5\r\n' +
      range(238, 238, 239, 239) + range(236, 236, 238, 238) + range(229, 230, 236, 237) +
      range(224, 224, 235, 235) + range(1, 222, 13, 234) + bulk('len') + int(227),
    );
    expect(h.call('LCS', 'virus1', 'virus2', 'IDX', 'WITHMATCHLEN')).toBe(
      '*4\r\n' + bulk('matches') + '*5\r\n' +
      range(238, 238, 239, 239, 1) + range(236, 236, 238, 238, 1) + range(229, 230, 236, 237, 2) +
      range(224, 224, 235, 235, 1) + range(1, 222, 13, 234, 222) + bulk('len') + int(227),
    );
    expect(h.call('LCS', 'virus1', 'virus2', 'IDX', 'WITHMATCHLEN', 'MINMATCHLEN', '5')).toBe(
      '*4\r\n' + bulk('matches') + '*1\r\n' + range(1, 222, 13, 234, 222) + bulk('len') + int(227),
    );
  });

  test('IDX in RESP3 is a map', () => {
    h = shardHarness([...commands, ...extra], 3);
    h.call('SET', 'a', 'ohmytext');
    h.call('SET', 'b', 'mynewtext');
    expect(h.call('LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '4')).toBe(
      '%2\r\n' + bulk('matches') + '*1\r\n' + range(4, 7, 5, 8) + bulk('len') + int(6),
    );
  });

  test('errors', () => {
    h.call('RPUSH', 'l', 'x');
    expect(h.call('LCS', 'virus1', 'l')).toBe(err('ERR The specified keys must contain string values'));
    expect(h.call('LCS', 'virus1', 'virus2', 'LEN', 'IDX')).toBe(
      err('ERR If you want both the length and indexes, please just use IDX.'),
    );
    expect(h.call('LCS', 'virus1', 'virus2', 'foo')).toBe(SYNTAX);
    expect(h.call('LCS', 'virus1', 'virus2', 'MINMATCHLEN')).toBe(SYNTAX);
    expect(h.call('LCS', 'virus1', 'virus2', 'MINMATCHLEN', 'x')).toBe(NOTINT);
    h.ctx.config.protoMaxBulkLen = 1000;
    expect(h.call('LCS', 'virus1', 'virus2')).toBe(
      err('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len'),
    );
  });
});
