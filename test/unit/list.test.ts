import { describe, test, expect, beforeEach } from 'vitest';
import { shardHarness } from '../helpers/shard-harness';
import { commands } from '../../src/commands/list';
import { commands as keyCommands } from '../../src/commands/keys';
import { commands as stringCommands } from '../../src/commands/string';
import { ListValue } from '../../src/store/list';
import { encodeValue, decodeValue } from '../../src/store/serialize';
import type { ShardCtx } from '../../src/commands/contract';
import { int, bulk, arr, bulks, err, NIL, NILARR, WRONGTYPE } from '../helpers/resp';

const all = [...commands, ...keyCommands, ...stringCommands];
const OK = '+OK\r\n';
const EMPTY = '*0\r\n';
const NOTINT = err('ERR value is not an integer or out of range');
const SYNTAX = err('ERR syntax error');

let h: ReturnType<typeof shardHarness>;
beforeEach(() => {
  h = shardHarness(all);
});

const range = (k: string) => h.call('LRANGE', k, '0', '-1');
function create(key: string, items: string[]) {
  h.call('DEL', key);
  h.call('RPUSH', key, ...items);
}

describe('ListValue', () => {
  test('deque operations across wrap-around and growth', () => {
    const l = new ListValue();
    const model: string[] = [];
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let i = 0; i < 5000; i++) {
      const op = rnd(8);
      const s = 'v' + i;
      if (op === 0) { l.pushLeft(s); model.unshift(s); }
      else if (op === 1) { l.pushRight(s); model.push(s); }
      else if (op === 2) expect(l.popLeft()).toBe(model.shift());
      else if (op === 3) expect(l.popRight()).toBe(model.pop());
      else if (op === 4) { const j = rnd(model.length + 1); l.insertAt(j, s); model.splice(j, 0, s); }
      else if (op === 5 && model.length) { const j = rnd(model.length), c = rnd(model.length - j + 1); l.removeRange(j, c); model.splice(j, c); }
      else if (op === 6 && model.length) {
        const v = model[rnd(model.length)], lim = rnd(3), tail = rnd(2) === 1;
        const removed = l.removeValue(v, lim, tail);
        let r = 0;
        if (!tail) { for (let j = 0; j < model.length; j++) if (model[j] === v && (lim === 0 || r < lim)) { model.splice(j--, 1); r++; } }
        else { for (let j = model.length - 1; j >= 0; j--) if (model[j] === v && (lim === 0 || r < lim)) { model.splice(j, 1); r++; } }
        expect(removed).toBe(r);
      } else { l.push(['a' + i, 'b' + i], rnd(2) === 0); }
      if (op === 7) model.length = 0, model.push(...l.toArray());
      expect(l.length).toBe(model.length);
    }
    expect(l.toArray()).toEqual(model);
  });

  test('push order, clone and codec', () => {
    const l = new ListValue();
    l.push(['a', 'b', 'c'], true);
    l.push(['d', 'e'], false);
    expect(l.toArray()).toEqual(['c', 'b', 'a', 'd', 'e']);
    const c = l.clone();
    c.popLeft();
    expect(l.length).toBe(5);
    const bin = ListValue.from(['', '1:2', '\x00\xff\r\n', 'x'.repeat(1000)]);
    const [type, payload] = encodeValue(bin);
    expect(type).toBe('list');
    expect((decodeValue(type, payload) as ListValue).toArray()).toEqual(bin.toArray());
    expect((decodeValue('list', encodeValue(new ListValue())[1]) as ListValue).length).toBe(0);
  });
});

describe('push / llen / lindex / lpop', () => {
  test('LPUSH, RPUSH, LLEN, LINDEX, LPOP, RPOP', () => {
    expect(h.call('LPUSH', 'l1', 'aa')).toBe(int(1));
    expect(h.call('RPUSH', 'l1', 'bb')).toBe(int(2));
    expect(h.call('RPUSH', 'l1', 'cc')).toBe(int(3));
    expect(h.call('LLEN', 'l1')).toBe(int(3));
    expect(h.call('LINDEX', 'l1', '0')).toBe(bulk('aa'));
    expect(h.call('LINDEX', 'l1', '2')).toBe(bulk('cc'));
    expect(h.call('LINDEX', 'l1', '-1')).toBe(bulk('cc'));
    expect(h.call('LINDEX', 'l1', '3')).toBe(NIL);
    expect(h.call('LINDEX', 'l1', '-4')).toBe(NIL);
    expect(h.call('LINDEX', 'l1', 'x')).toBe(NOTINT);
    expect(h.call('LINDEX', 'nokey', 'x')).toBe(NIL);
    expect(h.call('RPOP', 'l1')).toBe(bulk('cc'));
    expect(h.call('LPOP', 'l1')).toBe(bulk('aa'));
    expect(h.call('OBJECT', 'ENCODING', 'l1')).toBe(bulk('quicklist'));
    expect(h.call('TYPE', 'l1')).toBe('+list\r\n');
    expect(h.call('LPOP', 'l1')).toBe(bulk('bb'));
    expect(h.call('EXISTS', 'l1')).toBe(int(0));
  });

  test('variadic push order, PUSHX', () => {
    expect(h.call('LPUSH', 'l', 'a', 'b', 'c', 'd')).toBe(int(4));
    expect(h.call('RPUSH', 'l', '0', '1', '2', '3')).toBe(int(8));
    expect(range('l')).toBe(bulks('d', 'c', 'b', 'a', '0', '1', '2', '3'));
    expect(h.call('LPUSHX', 'x', 'a')).toBe(int(0));
    expect(h.call('RPUSHX', 'x', 'a')).toBe(int(0));
    expect(h.call('EXISTS', 'x')).toBe(int(0));
    create('x', ['L', 'c']);
    expect(h.call('RPUSHX', 'x', 'd')).toBe(int(3));
    expect(h.call('LPUSHX', 'x', 'a')).toBe(int(4));
    expect(h.call('RPUSHX', 'x', '42', 'x')).toBe(int(6));
    expect(h.call('LPUSHX', 'x', 'y3', 'y2', 'y1')).toBe(int(9));
    expect(range('x')).toBe(bulks('y1', 'y2', 'y3', 'a', 'L', 'c', 'd', '42', 'x'));
  });

  test('wrong type', () => {
    h.call('SET', 's', 'foo');
    for (const cmd of [
      ['LLEN', 's'], ['LINDEX', 's', '0'], ['LPUSH', 's', '0'], ['RPUSH', 's', '0'], ['LPUSHX', 's', '0'],
      ['LPOP', 's'], ['RPOP', 's', '2'], ['LRANGE', 's', '0', '1'], ['LSET', 's', '0', 'x'], ['LTRIM', 's', '0', '1'],
      ['LREM', 's', '0', 'x'], ['LINSERT', 's', 'before', 'a', 'b'], ['LPOS', 's', 'x'], ['LMOVE', 's', 'd', 'left', 'left'],
      ['RPOPLPUSH', 's', 'd'], ['LMPOP', '1', 's', 'left'], ['BLPOP', 's', '0'], ['BRPOP', 's', '0'],
      ['BLMPOP', '0', '2', 'nx', 's', 'left', 'count', '1'], ['BRPOPLPUSH', 's', 'd', '0'],
    ]) expect(h.call(...cmd)).toBe(WRONGTYPE);
  });

  test('LPOP/RPOP with count', () => {
    expect(h.call('LPUSH', 'lc', 'aa', 'bb', 'cc', 'dd', 'ee', 'ff', 'gg')).toBe(int(7));
    expect(h.call('LPOP', 'lc', '1')).toBe(bulks('gg'));
    expect(h.call('LPOP', 'lc', '2')).toBe(bulks('ff', 'ee'));
    expect(h.call('RPOP', 'lc', '2')).toBe(bulks('aa', 'bb'));
    expect(h.call('RPOP', 'lc', '1')).toBe(bulks('cc'));
    expect(h.call('LPOP', 'lc', '0')).toBe(EMPTY);
    expect(h.call('RPOP', 'lc', '123')).toBe(bulks('dd'));
    expect(h.call('EXISTS', 'lc')).toBe(int(0));
    expect(h.call('LPOP', 'foo', '-123')).toBe(err('ERR value is out of range, must be positive'));
    expect(h.call('LPOP', 'foo', 'abc')).toBe(err('ERR value is out of range, must be positive'));
    expect(h.call('LPOP', 'key', '1', '1')).toBe(err("ERR wrong number of arguments for 'lpop' command"));
    expect(h.call('RPOP', 'key', '2', '2')).toBe(err("ERR wrong number of arguments for 'rpop' command"));
    expect(h.call('LPOP', 'nokey')).toBe(NIL);
    expect(h.call('RPOP', 'nokey', '0')).toBe(NILARR);
    expect(h.call('LPOP', 'nokey', '1')).toBe(NILARR);
  });

  test('RESP3 nulls and empty arrays', () => {
    const h3 = shardHarness(all, 3);
    h3.call('LPUSH', 'l', 'zero');
    expect(h3.call('LPOP', 'l', '0')).toBe(EMPTY);
    expect(h3.call('RPOP', 'l', '0')).toBe(EMPTY);
    expect(h3.call('LPOP', 'none')).toBe('_\r\n');
    expect(h3.call('RPOP', 'none', '0')).toBe('_\r\n');
    expect(h3.call('LPOP', 'none', '1')).toBe('_\r\n');
    expect(h3.call('LINDEX', 'l', '5')).toBe('_\r\n');
    expect(h3.call('LPOS', 'l', 'x')).toBe('_\r\n');
    expect(h3.call('LMPOP', '1', 'none', 'left')).toBe('_\r\n');
    expect(h3.call('RPOPLPUSH', 'none', 'x')).toBe('_\r\n');
    expect(h3.call('BLPOP', 'none', '1')).toBe('_\r\n');
    expect(h3.call('BLMOVE', 'none', 'x', 'left', 'left', '1')).toBe('_\r\n');
  });

  test('mass push/pop and index consistency', () => {
    for (let i = 0; i < 500; i++) h.call('RPUSH', 'm', String(i));
    for (let i = 0; i < 500; i += 37) {
      expect(h.call('LINDEX', 'm', String(i))).toBe(bulk(String(i)));
      expect(h.call('LINDEX', 'm', String(-i - 1))).toBe(bulk(String(499 - i)));
    }
    let sum = 0;
    for (let i = 0; i < 250; i++) {
      sum += Number(h.call('LPOP', 'm').split('\r\n')[1]);
      sum += Number(h.call('RPOP', 'm').split('\r\n')[1]);
    }
    expect(sum).toBe((499 * 500) / 2);
    expect(h.call('EXISTS', 'm')).toBe(int(0));
  });

  test('dirty counter', () => {
    const d0 = h.ks.stats.dirty;
    h.call('RPUSH', 'l', 'a', 'b', 'c');
    expect(h.ks.stats.dirty - d0).toBe(3);
    h.call('LPOP', 'l', '2');
    expect(h.ks.stats.dirty - d0).toBe(5);
  });
});

describe('LINSERT / LSET / LREM / LTRIM / LRANGE', () => {
  test('LINSERT', () => {
    create('x', ['a', 'L', 'c', 'd']);
    expect(h.call('LINSERT', 'x', 'before', 'c', 'zz')).toBe(int(5));
    expect(range('x')).toBe(bulks('a', 'L', 'zz', 'c', 'd'));
    expect(h.call('LINSERT', 'x', 'after', 'c', 'yy')).toBe(int(6));
    expect(h.call('LINSERT', 'x', 'AFTER', 'd', 'dd')).toBe(int(7));
    expect(h.call('LINSERT', 'x', 'after', 'bad', 'ddd')).toBe(int(-1));
    expect(h.call('LINSERT', 'x', 'BEFORE', 'a', 'aa')).toBe(int(8));
    expect(h.call('LINSERT', 'x', 'before', 'bad', 'aaa')).toBe(int(-1));
    expect(range('x')).toBe(bulks('aa', 'a', 'L', 'zz', 'c', 'yy', 'd', 'dd'));
    expect(h.call('LINSERT', 'x', 'before', 'aa', '42')).toBe(int(9));
    expect(h.call('LRANGE', 'x', '0', '0')).toBe(bulks('42'));
    expect(h.call('LINSERT', 'x', 'aft3r', 'aa', '42')).toBe(SYNTAX);
    expect(h.call('LINSERT', 'nokey', 'aft3r', 'aa', '42')).toBe(SYNTAX);
    expect(h.call('LINSERT', 'nokey', 'after', 'aa', '42')).toBe(int(0));
  });

  test('LSET', () => {
    create('l', ['99', '98', 'L', '96', '95']);
    expect(h.call('LSET', 'l', '1', 'foo')).toBe(OK);
    expect(h.call('LSET', 'l', '-1', 'bar')).toBe(OK);
    expect(range('l')).toBe(bulks('99', 'foo', 'L', '96', 'bar'));
    expect(h.call('LSET', 'l', '10', 'foo')).toBe(err('ERR index out of range'));
    expect(h.call('LSET', 'l', '-6', 'foo')).toBe(err('ERR index out of range'));
    expect(h.call('LSET', 'l', 'x', 'foo')).toBe(NOTINT);
    expect(h.call('LSET', 'nosuchkey', 'x', 'foo')).toBe(err('ERR no such key'));
  });

  test('LREM', () => {
    const base = ['E', 'foo', 'bar', 'foobar', 'foobared', 'zap', 'bar', 'test', 'foo'];
    create('l', base);
    expect(h.call('LREM', 'l', '0', 'bar')).toBe(int(2));
    expect(range('l')).toBe(bulks('E', 'foo', 'foobar', 'foobared', 'zap', 'test', 'foo'));
    expect(h.call('LREM', 'l', '1', 'foo')).toBe(int(1));
    expect(range('l')).toBe(bulks('E', 'foobar', 'foobared', 'zap', 'test', 'foo'));
    expect(h.call('LREM', 'l', '1', 'nosuchelement')).toBe(int(0));
    create('l', [...base, 'foo']);
    expect(h.call('LREM', 'l', '-1', 'bar')).toBe(int(1));
    expect(range('l')).toBe(bulks('E', 'foo', 'bar', 'foobar', 'foobared', 'zap', 'test', 'foo', 'foo'));
    expect(h.call('LREM', 'l', '-2', 'foo')).toBe(int(2));
    expect(range('l')).toBe(bulks('E', 'foo', 'bar', 'foobar', 'foobared', 'zap', 'test'));
    create('o', ['E', '1', '2', '3']);
    expect(h.call('LREM', 'o', '1', '2')).toBe(int(1));
    expect(h.call('LLEN', 'o')).toBe(int(3));
    expect(h.call('LREM', 'o', 'x', '2')).toBe(NOTINT);
    expect(h.call('LREM', 'nokey', '0', '2')).toBe(int(0));
    create('one', ['a', 'a']);
    expect(h.call('LREM', 'one', '0', 'a')).toBe(int(2));
    expect(h.call('EXISTS', 'one')).toBe(int(0));
  });

  test('LTRIM', () => {
    const trim = (a: string, b: string) => {
      create('l', ['1', '2', '3', '4', 'L']);
      expect(h.call('LTRIM', 'l', a, b)).toBe(OK);
      return range('l');
    };
    expect(trim('0', '0')).toBe(bulks('1'));
    expect(trim('0', '1')).toBe(bulks('1', '2'));
    expect(trim('1', '2')).toBe(bulks('2', '3'));
    expect(trim('1', '-1')).toBe(bulks('2', '3', '4', 'L'));
    expect(trim('1', '-2')).toBe(bulks('2', '3', '4'));
    expect(trim('-2', '-1')).toBe(bulks('4', 'L'));
    expect(trim('-1', '-1')).toBe(bulks('L'));
    expect(trim('-5', '-1')).toBe(bulks('1', '2', '3', '4', 'L'));
    expect(trim('-10', '10')).toBe(bulks('1', '2', '3', '4', 'L'));
    expect(trim('0', '5')).toBe(bulks('1', '2', '3', '4', 'L'));
    expect(trim('0', '-5')).toBe(bulks('1'));
    expect(trim('0', '-6')).toBe(EMPTY);
    expect(h.call('EXISTS', 'l')).toBe(int(0));
    expect(h.call('LTRIM', 'nokey', '0', '1')).toBe(OK);
    expect(h.call('LTRIM', 'nokey', 'x', '1')).toBe(NOTINT);
  });

  test('LTRIM stress against a model', () => {
    let model: string[] = [];
    h.call('DEL', 'l');
    for (let i = 0; i < 33; i++) { model.push('v' + i); h.call('RPUSH', 'l', 'v' + i); }
    for (let i = 0; i < 300; i++) {
      const min = Math.floor(Math.random() * 32), max = min + Math.floor(Math.random() * 32);
      model = model.slice(min, max + 1);
      h.call('LTRIM', 'l', String(min), String(max));
      expect(range('l')).toBe(model.length ? bulks(...model) : EMPTY);
      for (let j = model.length; j < 32; j++) { model.push('n' + i + '_' + j); h.call('RPUSH', 'l', model[model.length - 1]); }
    }
  });

  test('LRANGE', () => {
    create('l', ['L', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(h.call('LRANGE', 'l', '1', '-2')).toBe(bulks('1', '2', '3', '4', '5', '6', '7', '8'));
    expect(h.call('LRANGE', 'l', '-3', '-1')).toBe(bulks('7', '8', '9'));
    expect(h.call('LRANGE', 'l', '4', '4')).toBe(bulks('4'));
    expect(h.call('LRANGE', 'l', '6', '2')).toBe(EMPTY);
    create('l', ['L', '1', '2', '3']);
    expect(h.call('LRANGE', 'l', '-1000', '1000')).toBe(bulks('L', '1', '2', '3'));
    expect(h.call('LRANGE', 'l', '0', '-4')).toBe(bulks('L'));
    expect(h.call('LRANGE', 'l', '0', '-5')).toBe(EMPTY);
    expect(h.call('LRANGE', 'l', '-1', '-2')).toBe(EMPTY);
    expect(h.call('LRANGE', 'l', '-9223372036854775808', '9223372036854775807')).toBe(bulks('L', '1', '2', '3'));
    expect(h.call('LRANGE', 'nosuchkey', '0', '1')).toBe(EMPTY);
    expect(h.call('LRANGE', 'nosuchkey', 'x', '1')).toBe(NOTINT);
    expect(h.call('LRANGE', 'l', '0', '9223372036854775808')).toBe(NOTINT);
  });

  test('binary-safe values', () => {
    const v = '\x00\xff\r\n\x80';
    h.call('RPUSH', 'b', v, 'x'.repeat(70000));
    expect(h.call('LINDEX', 'b', '0')).toBe(bulk(v));
    expect(h.call('LPOS', 'b', v)).toBe(int(0));
    expect(h.call('LRANGE', 'b', '1', '1')).toBe(bulks('x'.repeat(70000)));
  });
});

describe('LPOS', () => {
  beforeEach(() => create('l', ['a', 'b', 'c', '1', '2', '3', 'c', 'c']));
  test('basic, RANK, COUNT, MAXLEN', () => {
    expect(h.call('LPOS', 'l', 'a')).toBe(int(0));
    expect(h.call('LPOS', 'l', 'c')).toBe(int(2));
    expect(h.call('LPOS', 'l', 'c', 'RANK', '1')).toBe(int(2));
    expect(h.call('LPOS', 'l', 'c', 'RANK', '2')).toBe(int(6));
    expect(h.call('LPOS', 'l', 'c', 'RANK', '4')).toBe(NIL);
    expect(h.call('LPOS', 'l', 'c', 'RANK', '-1')).toBe(int(7));
    expect(h.call('LPOS', 'l', 'c', 'RANK', '-2')).toBe(int(6));
    expect(h.call('LPOS', 'l', 'c', 'COUNT', '0')).toBe(arr(int(2), int(6), int(7)));
    expect(h.call('LPOS', 'l', 'c', 'COUNT', '1')).toBe(arr(int(2)));
    expect(h.call('LPOS', 'l', 'c', 'COUNT', '2')).toBe(arr(int(2), int(6)));
    expect(h.call('LPOS', 'l', 'c', 'COUNT', '100')).toBe(arr(int(2), int(6), int(7)));
    expect(h.call('LPOS', 'l', 'c', 'COUNT', '0', 'RANK', '2')).toBe(arr(int(6), int(7)));
    expect(h.call('LPOS', 'l', 'c', 'COUNT', '2', 'RANK', '-1')).toBe(arr(int(7), int(6)));
    expect(h.call('LPOS', 'lx', 'c', 'COUNT', '0', 'RANK', '2')).toBe(EMPTY);
    expect(h.call('LPOS', 'lx', 'c')).toBe(NIL);
    expect(h.call('LPOS', 'l', 'x', 'COUNT', '2', 'RANK', '-1')).toBe(EMPTY);
    expect(h.call('LPOS', 'l', 'x', 'RANK', '-1')).toBe(NIL);
    expect(h.call('LPOS', 'l', 'a', 'COUNT', '0', 'MAXLEN', '1')).toBe(arr(int(0)));
    expect(h.call('LPOS', 'l', 'c', 'COUNT', '0', 'MAXLEN', '1')).toBe(EMPTY);
    expect(h.call('LPOS', 'l', 'c', 'COUNT', '0', 'MAXLEN', '3')).toBe(arr(int(2)));
    expect(h.call('LPOS', 'l', 'c', 'COUNT', '0', 'MAXLEN', '3', 'RANK', '-1')).toBe(arr(int(7), int(6)));
    expect(h.call('LPOS', 'l', 'c', 'COUNT', '0', 'MAXLEN', '7', 'RANK', '2')).toBe(arr(int(6)));
    expect(h.call('LPOS', 'l', 'a', 'RANK', '-9223372036854775808')).toBe(int(0));
    create('l', ['a']);
    expect(h.call('LPOS', 'l', 'b', 'COUNT', '10', 'RANK', '5')).toBe(EMPTY);
  });
  test('errors', () => {
    expect(h.call('LPOS', 'l', 'c', 'RANK', '0')).toBe(
      err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"),
    );
    expect(h.call('LPOS', 'l', 'c', 'RANK', 'x')).toBe(NOTINT);
    expect(h.call('LPOS', 'l', 'c', 'COUNT', '-1')).toBe(err("ERR COUNT can't be negative"));
    expect(h.call('LPOS', 'l', 'c', 'COUNT', 'x')).toBe(err("ERR COUNT can't be negative"));
    expect(h.call('LPOS', 'l', 'c', 'MAXLEN', '-1')).toBe(err("ERR MAXLEN can't be negative"));
    expect(h.call('LPOS', 'l', 'c', 'RANK')).toBe(SYNTAX);
    expect(h.call('LPOS', 'l', 'c', 'FOO', '1')).toBe(SYNTAX);
  });
});

describe('LMOVE / RPOPLPUSH / LMPOP', () => {
  test('RPOPLPUSH base case and same list', () => {
    create('a', ['a', 'L', 'c', 'd']);
    expect(h.call('RPOPLPUSH', 'a', 'b')).toBe(bulk('d'));
    expect(h.call('RPOPLPUSH', 'a', 'b')).toBe(bulk('c'));
    expect(range('a')).toBe(bulks('a', 'L'));
    expect(range('b')).toBe(bulks('c', 'd'));
    create('s', ['a', 'L', 'c']);
    expect(h.call('RPOPLPUSH', 's', 's')).toBe(bulk('c'));
    expect(range('s')).toBe(bulks('c', 'a', 'L'));
    create('one', ['x']);
    expect(h.call('RPOPLPUSH', 'one', 'one')).toBe(bulk('x'));
    expect(range('one')).toBe(bulks('x'));
  });

  test('LMOVE all directions', () => {
    for (const from of ['left', 'right']) for (const to of ['left', 'right']) {
      h.call('DEL', 'm2');
      create('m1', from === 'right' ? ['c', 'd', 'L', 'a'] : ['a', 'L', 'c', 'd']);
      expect(h.call('LMOVE', 'm1', 'm2', from, to)).toBe(bulk('a'));
      expect(h.call('LMOVE', 'm1', 'm2', from, to)).toBe(bulk('L'));
      expect(range('m1')).toBe(bulks('c', 'd'));
      expect(range('m2')).toBe(to === 'right' ? bulks('a', 'L') : bulks('L', 'a'));
      create('s', from === 'right' ? ['a', 'L', 'c'] : ['c', 'a', 'L']);
      expect(h.call('LMOVE', 's', 's', from, to)).toBe(bulk('c'));
      expect(range('s')).toBe(to === 'right' ? bulks('a', 'L', 'c') : bulks('c', 'a', 'L'));
    }
    expect(h.call('LMOVE', 's', 's', 'up', 'left')).toBe(SYNTAX);
    expect(h.call('LMOVE', 's', 's', 'left', 'down')).toBe(SYNTAX);
  });

  test('RPOPLPUSH against missing and wrong-type keys', () => {
    expect(h.call('RPOPLPUSH', 'src', 'dst')).toBe(NIL);
    expect(h.call('EXISTS', 'src', 'dst')).toBe(int(0));
    h.call('SET', 'src', 'x');
    expect(h.call('RPOPLPUSH', 'src', 'dst')).toBe(WRONGTYPE);
    expect(h.call('TYPE', 'src')).toBe('+string\r\n');
    create('src', ['a', 'b', 'c', 'd']);
    h.call('SET', 'dst', 'x');
    expect(h.call('RPOPLPUSH', 'src', 'dst')).toBe(WRONGTYPE);
    expect(range('src')).toBe(bulks('a', 'b', 'c', 'd'));
  });

  test('LPOP/RPOP/LMPOP basics', () => {
    create('l', ['L', '1', '2']);
    expect(h.call('LMPOP', '1', 'l', 'left', 'count', '1')).toBe(arr(bulk('l'), bulks('L')));
    expect(h.call('LMPOP', '2', 'l', 'l', 'right', 'count', '2')).toBe(arr(bulk('l'), bulks('2', '1')));
    expect(h.call('EXISTS', 'l')).toBe(int(0));
    expect(h.call('LMPOP', '1', 'ne', 'left', 'count', '10')).toBe(NILARR);
    expect(h.call('LMPOP', '2', 'ne', 'ne2', 'right')).toBe(NILARR);
    create('a', ['a', 'b', 'c', 'd', 'e']);
    expect(h.call('LMPOP', '2', 'a', 'b', 'LEFT')).toBe(arr(bulk('a'), bulks('a')));
    expect(h.call('LMPOP', '2', 'a', 'b', 'right', 'COUNT', '10')).toBe(arr(bulk('a'), bulks('e', 'd', 'c', 'b')));
    create('b', ['1', '2', '3', '4', '5']);
    expect(h.call('LMPOP', '2', 'a', 'b', 'right', 'count', '1')).toBe(arr(bulk('b'), bulks('5')));
    h.call('SET', 'a', 'str');
    expect(h.call('LMPOP', '2', 'a', 'b', 'left')).toBe(WRONGTYPE);
    h.call('DEL', 'a');
    h.call('SET', 'c', 'str');
    expect(h.call('LMPOP', '2', 'a', 'c', 'left')).toBe(WRONGTYPE);
  });

  test('LMPOP argument errors', () => {
    const NK = err('ERR numkeys should be greater than 0');
    const CNT = err('ERR count should be greater than 0');
    expect(h.call('LMPOP', '0', 'l', 'LEFT')).toBe(NK);
    expect(h.call('LMPOP', 'a', 'l', 'LEFT')).toBe(NK);
    expect(h.call('LMPOP', '-1', 'l', 'RIGHT')).toBe(NK);
    expect(h.call('LMPOP', '1', 'l', 'bad_where')).toBe(SYNTAX);
    expect(h.call('LMPOP', '1', 'l', 'LEFT', 'bar_arg')).toBe(SYNTAX);
    expect(h.call('LMPOP', '1', 'l', 'RIGHT', 'LEFT')).toBe(SYNTAX);
    expect(h.call('LMPOP', '1', 'l', 'COUNT')).toBe(SYNTAX);
    expect(h.call('LMPOP', '1', 'l', 'LEFT', 'COUNT', '1', 'COUNT', '2')).toBe(SYNTAX);
    expect(h.call('LMPOP', '2', 'l', 'l2', 'bad_arg')).toBe(SYNTAX);
    expect(h.call('LMPOP', '5', 'l', 'left')).toBe(SYNTAX);
    expect(h.call('LMPOP', '1', 'l', 'LEFT', 'COUNT', '0')).toBe(CNT);
    expect(h.call('LMPOP', '1', 'l', 'RIGHT', 'COUNT', 'a')).toBe(CNT);
    expect(h.call('LMPOP', '1', 'l', 'LEFT', 'COUNT', '-1')).toBe(CNT);
  });
});

describe('blocking', () => {
  interface Parked { keys: string[]; t: number; serve: (c: ShardCtx) => boolean; onTimeout: (c: ShardCtx) => void }
  let parked: Parked[];
  beforeEach(() => {
    parked = [];
    h.ctx.block = (keys, t, serve, onTimeout) => parked.push({ keys: keys.slice(), t, serve, onTimeout });
  });
  /** Run a parked client's serve as the shard would; its reply, or null if it kept waiting. */
  function serve(p: Parked, proto: 2 | 3 = 2): string | null {
    h.ctx.w.reset();
    h.ctx.w.proto = proto;
    return p.serve(h.ctx) ? h.ctx.w.view().toString('latin1') : null;
  }
  function timeout(p: Parked, proto: 2 | 3 = 2): string {
    h.ctx.w.reset();
    h.ctx.w.proto = proto;
    p.onTimeout(h.ctx);
    return h.ctx.w.view().toString('latin1');
  }

  test('serve immediately when data is there', () => {
    create('bl', ['a', 'b', 'L', 'c', 'd']);
    expect(h.call('BLPOP', 'bl', '1')).toBe(bulks('bl', 'a'));
    expect(h.call('BRPOP', 'bl', '1')).toBe(bulks('bl', 'd'));
    expect(h.call('BLMPOP', '1', '1', 'bl', 'left', 'count', '1')).toBe(arr(bulk('bl'), bulks('b')));
    expect(h.call('BLMPOP', '1', '1', 'bl', 'right', 'count', '1')).toBe(arr(bulk('bl'), bulks('c')));
    expect(h.call('LLEN', 'bl')).toBe(int(1));
    create('b1', ['a', 'L', 'c']);
    create('b2', ['d', 'L', 'f']);
    expect(h.call('BLPOP', 'b1', 'b2', '1')).toBe(bulks('b1', 'a'));
    expect(h.call('BRPOP', 'b2', 'b1', '1')).toBe(bulks('b2', 'f'));
    h.call('DEL', 'b1');
    expect(h.call('BLPOP', 'b1', 'b2', '1')).toBe(bulks('b2', 'd'));
    create('t', ['bar']);
    create('src', ['a', 'b', 'L', 'c', 'd']);
    expect(h.call('BRPOPLPUSH', 'src', 't', '1')).toBe(bulk('d'));
    expect(range('t')).toBe(bulks('d', 'bar'));
    expect(h.call('BLMOVE', 'src', 't', 'left', 'right', '1')).toBe(bulk('a'));
    expect(range('t')).toBe(bulks('d', 'bar', 'a'));
    expect(parked.length).toBe(0);
  });

  test('block, then serve left to right', () => {
    h.call('BLPOP', 'k1', 'k2', 'k2', 'k1', '0');
    expect(parked.length).toBe(1);
    expect(parked[0].t).toBe(0);
    expect(serve(parked[0])).toBeNull();
    h.call('RPUSH', 'k2', 'b');
    h.call('RPUSH', 'k1', 'a');
    expect(serve(parked[0])).toBe(bulks('k1', 'a'));
    expect(h.call('EXISTS', 'k1')).toBe(int(0));
    h.call('BRPOP', 'x', '0.1');
    expect(parked[1].t).toBe(100);
    h.call('LPUSH', 'x', 'foo', 'bar');
    expect(serve(parked[1])).toBe(bulks('x', 'foo'));
    expect(range('x')).toBe(bulks('bar'));
    // A key holding another type is passed over when serving.
    h.call('BLPOP', 'sx', 'ly', '0');
    h.call('SET', 'sx', 'str');
    expect(serve(parked[2])).toBeNull();
    h.call('RPUSH', 'ly', 'v');
    expect(serve(parked[2])).toBe(bulks('ly', 'v'));
  });

  test('BLMPOP blocked with count', () => {
    h.call('BLMPOP', '0', '2', 'bl', 'bl2', 'right', 'count', '10');
    h.call('LPUSH', 'bl', 'a', 'b', 'c', 'd', 'e');
    expect(serve(parked[0])).toBe(arr(bulk('bl'), bulks('a', 'b', 'c', 'd', 'e')));
    expect(h.call('EXISTS', 'bl')).toBe(int(0));
    expect(timeout(parked[0])).toBe(NILARR);
    expect(timeout(parked[0], 3)).toBe('_\r\n');
  });

  test('BLMOVE / BRPOPLPUSH blocked', () => {
    for (const from of ['left', 'right']) for (const to of ['left', 'right']) {
      parked = [];
      create('t', ['bar']);
      h.call('DEL', 'bl');
      h.call('BLMOVE', 'bl', 't', from, to, '0');
      expect(parked[0].keys).toEqual(['bl']);
      h.call('RPUSH', 'bl', 'foo');
      expect(serve(parked[0])).toBe(bulk('foo'));
      expect(range('t')).toBe(to === 'right' ? bulks('bar', 'foo') : bulks('foo', 'bar'));
      expect(h.call('EXISTS', 'bl')).toBe(int(0));
    }
    // Wrong-type destination: the waiter gets WRONGTYPE and the source keeps its element.
    parked = [];
    h.call('DEL', 'bl', 't');
    h.call('SET', 't', 'nolist');
    h.call('BRPOPLPUSH', 'bl', 't', '0');
    h.call('RPUSH', 'bl', 'a', 'b', 'c');
    expect(serve(parked[0])).toBe(WRONGTYPE);
    expect(range('bl')).toBe(bulks('a', 'b', 'c'));
    // Self-referential
    parked = [];
    h.call('DEL', 'bl');
    h.call('BRPOPLPUSH', 'bl', 'bl', '0');
    h.call('RPUSH', 'bl', 'foo');
    expect(serve(parked[0])).toBe(bulk('foo'));
    expect(range('bl')).toBe(bulks('foo'));
    // Timeout replies with a null array, like every list wait.
    expect(timeout(parked[0])).toBe(NILARR);
    expect(timeout(parked[0], 3)).toBe('_\r\n');
  });

  test('cannot block (MULTI): timeout reply at once', () => {
    h.ctx.block = null;
    create('xl', ['bar', 'foo']);
    expect(h.call('BRPOPLPUSH', 'xl', 't', '0')).toBe(bulk('foo'));
    expect(h.call('BRPOPLPUSH', 'xl', 't', '0')).toBe(bulk('bar'));
    expect(h.call('BRPOPLPUSH', 'xl', 't', '0')).toBe(NIL);
    expect(h.call('BLMOVE', 'xl', 't', 'left', 'left', '0')).toBe(NIL);
    expect(range('t')).toBe(bulks('bar', 'foo'));
    expect(h.call('BLPOP', 'xl', '0')).toBe(NILARR);
    expect(h.call('BRPOP', 'xl', '0')).toBe(NILARR);
    expect(h.call('BLMPOP', '0', '1', 'xl', 'left')).toBe(NILARR);
  });

  test('timeout parsing', () => {
    const NEG = err('ERR timeout is negative');
    const NF = err('ERR timeout is not a float or out of range');
    expect(h.call('BLPOP', 'b', '-1')).toBe(NEG);
    expect(h.call('BRPOP', 'b', '-0.001')).toBe(NEG);
    expect(h.call('BLPOP', 'b', 'abc')).toBe(NF);
    expect(h.call('BLPOP', 'b', '')).toBe(NF);
    expect(h.call('BLPOP', 'b', 'nan')).toBe(NF);
    expect(h.call('BLPOP', 'b', 'inf')).toBe(NEG);
    expect(h.call('BLPOP', 'b', '1e16')).toBe(NEG);
    expect(h.call('BLMOVE', 'a', 'b', 'left', 'right', 'x')).toBe(NF);
    expect(h.call('BLMOVE', 'a', 'b', 'lef', 'right', 'x')).toBe(SYNTAX);
    expect(h.call('BRPOPLPUSH', 'a', 'b', 'x')).toBe(NF);
    expect(h.call('BLMPOP', 'x', '1', 'l', 'left')).toBe(NF);
    expect(h.call('BLMPOP', '0', '1', 'l', 'lef')).toBe(SYNTAX);
    expect(h.call('BLMPOP', 'x', '0', 'l', 'left')).toBe(err('ERR numkeys should be greater than 0'));
    expect(parked.length).toBe(0);
    h.call('BLPOP', 'b', '0.001');
    h.call('BLPOP', 'b', '0.0001');
    h.call('BLPOP', 'b', '-0.0001');
    h.call('BLPOP', 'b', '1.5');
    h.call('BLPOP', 'b', '0x10');
    expect(parked.map((p) => p.t)).toEqual([1, 1, 0, 1500, 16000]);
  });
});

// LRANGE's speed is measured by native-bench (LRANGE_300); here only what its
// reply fast path writes: every length class of the "$<len>" header and of
// the byte copy, binary bytes, and a deque whose head has wrapped.
describe('LRANGE reply fast path', () => {
  test('300 of 600 elements, exact', () => {
    const items = Array.from({ length: 600 }, (_, i) => 'element:' + i);
    h.call('RPUSH', 'big', ...items);
    expect(h.call('LRANGE', 'big', '0', '299')).toBe(bulks(...items.slice(0, 300)));
    expect(h.call('LRANGE', 'big', '300', '-1')).toBe(bulks(...items.slice(300)));
  });

  test('every length class and binary bytes, across the wrap-around', () => {
    const bin = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');
    const items = [0, 1, 9, 10, 48, 49, 99, 100, 999, 1000, 70000].map((n) => 'v'.repeat(n));
    items.push(bin, bin.slice(0, 48), bin.slice(200));
    h.call('RPUSH', 'wrap', ...items);
    // Rotating the tail to the head moves the head behind slot 0 of the ring.
    for (let i = 0; i < 5; i++) h.call('LMOVE', 'wrap', 'wrap', 'RIGHT', 'LEFT');
    const want = [...items.slice(-5), ...items.slice(0, -5)];
    const l = h.ctx.db.get('wrap') as ListValue;
    expect(l.h + l.length).toBeGreaterThan(l.m + 1); // the elements really wrap
    expect(range('wrap')).toBe(bulks(...want));
    expect(h.call('LRANGE', 'wrap', '3', '-3')).toBe(bulks(...want.slice(3, -2)));
  });
});
