// OBJECT ENCODING / REFCOUNT of string values whose encoding depends on the
// command that wrote them (replies checked against Redis 7.0.15).
import { describe, test, expect, beforeEach } from 'vitest';
import { shardHarness } from '../helpers/shard-harness';
import { commands as strings } from '../../src/commands/string';
import { commands as keys } from '../../src/commands/keys';

const bulk = (s: string) => `$${s.length}\r\n${s}\r\n`;
const int = (n: number) => `:${n}\r\n`;

let h: ReturnType<typeof shardHarness>;
beforeEach(() => {
  h = shardHarness([...strings, ...keys]);
});
const enc = (k: string) => h.call('OBJECT', 'ENCODING', k);

describe('OBJECT ENCODING of INCRBYFLOAT results', () => {
  test('an integer-looking result is embstr, not int, and not shared', () => {
    expect(h.call('INCRBYFLOAT', 'a', '3')).toBe(bulk('3'));
    expect(enc('a')).toBe(bulk('embstr'));
    expect(h.call('OBJECT', 'REFCOUNT', 'a')).toBe(int(1));
    h.call('INCRBYFLOAT', 'b', '1.5');
    expect(enc('b')).toBe(bulk('embstr'));
    expect(h.call('INCRBYFLOAT', 'b', '1.5')).toBe(bulk('3'));
    expect(enc('b')).toBe(bulk('embstr'));
    h.call('SET', 'e', '3');
    expect(enc('e')).toBe(bulk('int'));
    expect(h.call('INCRBYFLOAT', 'e', '0')).toBe(bulk('3'));
    expect(enc('e')).toBe(bulk('embstr'));
    expect(h.call('INCRBYFLOAT', 'f', '-0')).toBe(bulk('0'));
    expect(enc('f')).toBe(bulk('embstr'));
    expect(h.call('INCRBYFLOAT', 'g', '12345678901234567')).toBe(bulk('12345678901234567'));
    expect(enc('g')).toBe(bulk('embstr'));
  });

  test('long results are raw, as by length', () => {
    const r = '100000000000000000003583830118858923890798487404544';
    expect(h.call('INCRBYFLOAT', 'c', '1e50')).toBe(bulk(r));
    expect(enc('c')).toBe(bulk('raw'));
    expect(h.call('INCRBYFLOAT', 'd', '10000000000000000000')).toBe(bulk('10000000000000000000'));
    expect(enc('d')).toBe(bulk('embstr'));
  });

  test('later writes re-encode; TTL changes and no-op writes do not', () => {
    h.call('INCRBYFLOAT', 'a', '3');
    expect(h.call('INCR', 'a')).toBe(int(4));
    expect(enc('a')).toBe(bulk('int'));
    h.call('INCRBYFLOAT', 'u', '3');
    h.call('DECRBY', 'u', '0');
    expect(enc('u')).toBe(bulk('int'));
    h.call('INCRBYFLOAT', 'm', '3');
    h.call('SET', 'm', '3', 'KEEPTTL');
    expect(enc('m')).toBe(bulk('int'));
    h.call('INCRBYFLOAT', 'k', '3');
    h.call('SET', 'k', '13', 'GET');
    expect(enc('k')).toBe(bulk('int'));
    h.call('INCRBYFLOAT', 'q', '3');
    h.call('GETEX', 'q', 'PX', '100000');
    h.call('EXPIRE', 'q', '1000');
    expect(enc('q')).toBe(bulk('embstr'));
    h.call('PERSIST', 'q');
    expect(enc('q')).toBe(bulk('embstr'));
    h.call('INCRBYFLOAT', 's', '3');
    h.call('SETRANGE', 's', '0', '');
    expect(enc('s')).toBe(bulk('embstr'));
    h.call('LCS', 's', 's');
    expect(enc('s')).toBe(bulk('embstr'));
    // APPEND unshares into a raw value, even when appending nothing.
    h.call('INCRBYFLOAT', 'r', '3');
    h.call('APPEND', 'r', '');
    expect(enc('r')).toBe(bulk('raw'));
    h.call('SET', 'r', '7');
    expect(enc('r')).toBe(bulk('int'));
  });

  test('DEL and re-create, COPY, RENAME keep or drop the mark as Redis does', () => {
    h.call('INCRBYFLOAT', 'a', '3');
    h.call('COPY', 'a', 'a2');
    expect(enc('a2')).toBe(bulk('embstr'));
    h.call('RENAME', 'a2', 'a3');
    expect(enc('a3')).toBe(bulk('embstr'));
    expect(h.call('EXISTS', 'a2')).toBe(int(0));
    h.call('DEL', 'a');
    h.call('SET', 'a', '3');
    expect(enc('a')).toBe(bulk('int'));
    h.call('INCRBYFLOAT', 'n', '3');
    h.call('MOVE', 'n', '1');
    h.select(1);
    expect(enc('n')).toBe(bulk('embstr'));
    h.call('FLUSHALL');
    h.call('SET', 'n', '3');
    expect(enc('n')).toBe(bulk('int'));
  });
});

describe('OBJECT ENCODING of other writers', () => {
  test('SET / APPEND / SETRANGE on new keys', () => {
    const cases: Array<[string, string]> = [
      ['+1', 'embstr'], ['01', 'embstr'], ['-0', 'embstr'], ['123456789012345678901', 'embstr'],
      ['-9223372036854775808', 'int'], ['9223372036854775808', 'embstr'], ['12', 'int'],
    ];
    for (const [v, e] of cases) {
      h.call('SET', 'j', v);
      expect([v, enc('j')]).toEqual([v, bulk(e)]);
    }
    h.call('APPEND', 'h', '12');
    expect(enc('h')).toBe(bulk('int'));
    h.call('SETRANGE', 'i', '0', '12');
    expect(enc('i')).toBe(bulk('raw'));
    h.call('GETSET', 'k', '12');
    expect(enc('k')).toBe(bulk('int'));
  });
});
