import { describe, it, expect } from 'vitest';
import { META } from '../../src/commands/meta';
import { buildTable, unknownCommandError, unknownSubcommandError, type CommandTable } from '../../src/commands/table';
import { commands as commandCmds } from '../../src/commands/command';
import type { CommandDef } from '../../src/commands/contract';
import { ReplyWriter } from '../../src/protocol/reply';

const noop = () => {};
const defs = (...names: string[]): CommandDef[] => names.map((name) => ({ name, run: noop }));

const table = buildTable([
  defs('get', 'set', 'mset', 'del', 'eval', 'zunionstore', 'sintercard', 'xread', 'xreadgroup', 'sort', 'migrate', 'smove', 'ping', 'lmpop'),
  defs('object|encoding', 'object|freq', 'georadius', 'bitfield', 'memory|usage'),
  commandCmds,
]);

const keys = (t: CommandTable, ...argv: string[]) => {
  const cmd = t.lookupArgv(argv.length, (i) => argv[i])!;
  const r = t.keyIndexes(cmd, argv.length, (i) => argv[i]);
  return r === null ? null : [...r];
};

/** Runs a COMMAND subcommand's node handler and returns the reply bytes. */
function run(proto: 2 | 3, ...argv: string[]): string {
  const w = new ReplyWriter(256);
  w.proto = proto;
  let cmd = table.lookup(argv[0])!;
  if (cmd.subs && argv.length >= 2) cmd = table.lookupSub(cmd, argv[1])!;
  void cmd.def.node!({ w, conn: null, server: { table } }, argv);
  return w.view().toString('latin1');
}

describe('META (legacy range as COMMAND INFO prints it in Redis 7.0.15)', () => {
  const cases: [string, number, number, number, number, boolean][] = [
    ['get', 2, 1, 1, 1, false],
    ['set', -3, 1, 1, 1, false],
    ['mset', -3, 1, -1, 2, false],
    ['del', -2, 1, -1, 1, false],
    ['eval', -3, 0, 0, 0, true],
    ['object|encoding', 3, 2, 2, 1, false],
    ['command', -1, 0, 0, 0, false],
    ['zunionstore', -4, 1, 1, 1, true],
    ['sort', -2, 1, 1, 1, true],
    ['migrate', -6, 3, 3, 1, true],
    ['smove', 4, 1, 2, 1, false],
  ];
  for (const [name, arity, first, last, step, movable] of cases) {
    it(name, () => {
      const m = META[name];
      expect([m.arity, m.firstKey, m.lastKey, m.step, m.movable]).toEqual([arity, first, last, step, movable]);
      expect(m.flags.includes('movablekeys')).toBe(movable);
    });
  }

  it('flags and implicit ACL categories', () => {
    expect(META.get.flags).toEqual(['readonly', 'fast']);
    expect(META.get.acl).toEqual(['@read', '@string', '@fast']);
    expect(META.eval.flags).toEqual(['noscript', 'stale', 'skip_monitor', 'no_mandatory_keys', 'movablekeys']);
    expect(META.eval.acl).toEqual(['@slow', '@scripting']);
    expect(META.object.acl).toEqual(['@slow']);
    expect(META.zadd.group).toBe('sorted-set');
    expect(META['migrate'].args!.find((a) => a.name === 'key_or_empty_string')!.arguments![1].token).toBe('');
  });

  it('has no sentinel-only commands', () => {
    expect(META.sentinel).toBeUndefined();
    expect(Object.keys(META).filter((n) => !n.includes('|')).length).toBe(240);
  });
});

describe('CommandTable', () => {
  it('looks names up in any case', () => {
    expect(table.lookup('get')!.name).toBe('get');
    expect(table.lookup('GET')!.name).toBe('get');
    expect(table.lookup('gEt')!.name).toBe('get');
    expect(table.lookup('nosuch')).toBeUndefined();
    expect(table.lookup('hset')).toBeUndefined(); // in META but not implemented
  });

  it('builds containers from subcommands', () => {
    const obj = table.lookup('OBJECT')!;
    expect([...obj.subs!.keys()]).toEqual(['encoding', 'freq']);
    const enc = table.lookupSub(obj, 'ENCODING')!;
    expect(enc.name).toBe('object|encoding');
    expect(enc.parent).toBe(obj);
    expect(obj.def).toEqual({ name: 'object' });
    expect(table.lookup('get')!.subs).toBeNull();
    expect(table.lookupFullName('Object|Encoding')).toBe(enc);
    expect(table.lookupFullName('get|x')).toBeUndefined();
    expect(table.lookupFullName('object|encoding|x')).toBeUndefined();
    expect(table.all().map((c) => c.name)).toContain('command');
  });

  it('precomputes flags', () => {
    const set = table.lookup('set')!;
    expect([set.isWrite, set.denyOom, set.fast, set.movable]).toEqual([true, true, false, false]);
    expect(table.lookup('get')!.isReadonly).toBe(true);
    expect(table.lookup('ping')!.hasKeys).toBe(false);
  });

  it('rejects defs without metadata and duplicates', () => {
    expect(() => buildTable([defs('nosuchcmd')])).toThrow(/no metadata/);
    expect(() => buildTable([defs('get'), defs('get')])).toThrow(/twice/);
  });
});

describe('keyIndexes', () => {
  it('fixed ranges', () => {
    expect(keys(table, 'get', 'k')).toEqual([1]);
    expect(keys(table, 'SET', 'k', 'v', 'GET')).toEqual([1]);
    expect(keys(table, 'smove', 'a', 'b', 'm')).toEqual([1, 2]);
    expect(keys(table, 'object', 'encoding', 'k')).toEqual([2]);
    expect(keys(table, 'ping')).toEqual([]);
  });

  it('ranges to the end, with a step', () => {
    expect(keys(table, 'mset', 'a', '1', 'b', '2', 'c', '3')).toEqual([1, 3, 5]);
    expect(keys(table, 'del', 'a', 'b', 'c')).toEqual([1, 2, 3]);
  });

  it('numkeys specs', () => {
    expect(keys(table, 'zunionstore', 'd', '2', 'a', 'b', 'WEIGHTS', '1', '2')).toEqual([1, 3, 4]);
    expect(keys(table, 'sintercard', '2', 'a', 'b', 'LIMIT', '5')).toEqual([2, 3]);
    expect(keys(table, 'eval', 'return 1', '2', 'k1', 'k2', 'arg')).toEqual([3, 4]);
    expect(keys(table, 'lmpop', '1', 'a', 'LEFT')).toEqual([2]);
  });

  it('bad numkeys gives null (or none for NO_MANDATORY_KEYS commands)', () => {
    expect(keys(table, 'zunionstore', 'd', 'x', 'a')).toBeNull();
    expect(keys(table, 'zunionstore', 'd', '5', 'a')).toBeNull();
    expect(keys(table, 'zunionstore', 'd', '0', 'a')).toBeNull();
    expect(keys(table, 'sintercard', '-1', 'a')).toBeNull();
    expect(keys(table, 'eval', 'return 1', '0')).toEqual([]);
    expect(keys(table, 'eval', 'return 1', '3', 'a')).toEqual([]);
    // Redis's fallback (atoi) still finds keys where the strict spec fails.
    expect(keys(table, 'zunionstore', 'd', '1x', 'a')).toEqual([3, 1]);
  });

  it('keyword specs', () => {
    expect(keys(table, 'xread', 'COUNT', '2', 'STREAMS', 'a', 'b', '0', '0')).toEqual([4, 5]);
    expect(keys(table, 'xread', 'streams', 'a', '0')).toEqual([2]);
    expect(keys(table, 'xreadgroup', 'GROUP', 'g', 'c', 'STREAMS', 'a', '>')).toEqual([5]);
    // Odd counts still yield keys by the spec's arithmetic; XREAD itself reports the error.
    expect(keys(table, 'xread', 'STREAMS', 'a', 'b', '0')).toEqual([2]);
    expect(keys(table, 'xread', 'COUNT', '1', 'a', 'b')).toBeNull();
  });

  it('getkeys fallbacks (SORT, MIGRATE, GEORADIUS)', () => {
    expect(keys(table, 'sort', 'k', 'BY', 'w_*', 'STORE', 'dst')).toEqual([1, 5]);
    expect(keys(table, 'sort', 'k', 'LIMIT', '0', '1')).toEqual([1]);
    expect(keys(table, 'migrate', 'h', '1', 'k', '0', '100')).toEqual([3]);
    expect(keys(table, 'migrate', 'h', '1', '', '0', '100', 'AUTH', 'p', 'KEYS', 'a', 'b')).toEqual([9, 10]);
    expect(keys(table, 'georadius', 'k', '0', '0', '1', 'km', 'STORE', 'd')).toEqual([1, 7]);
  });

  it('wrong arity gives null', () => {
    expect(keys(table, 'get')).toBeNull();
    expect(keys(table, 'mset', 'a')).toBeNull();
  });
});

describe('COMMAND replies (bytes from Redis 7.0.15)', () => {
  it('COMMAND INFO get', () => {
    expect(run(2, 'command', 'info', 'get')).toBe(
      '*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n',
    );
    expect(run(3, 'COMMAND', 'INFO', 'GET')).toBe(
      '*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@read\r\n+@string\r\n+@fast\r\n~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n',
    );
  });

  it('COMMAND INFO subcommand, unknown names', () => {
    expect(run(2, 'command', 'info', 'object|encoding', 'nosuch')).toBe(
      '*2\r\n*10\r\n$15\r\nobject|encoding\r\n:3\r\n*1\r\n+readonly\r\n:2\r\n:2\r\n:1\r\n*3\r\n+@keyspace\r\n+@read\r\n+@slow\r\n*1\r\n$23\r\nnondeterministic_output\r\n*1\r\n*6\r\n$5\r\nflags\r\n*1\r\n+RO\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n$-1\r\n',
    );
    expect(run(3, 'command', 'info', 'nosuch')).toBe('*1\r\n_\r\n');
    expect(run(2, 'command', 'info', 'get|key')).toBe('*1\r\n$-1\r\n');
  });

  it('COMMAND INFO keyword and keynum specs', () => {
    expect(run(3, 'command', 'info', 'xread')).toBe(
      '*1\r\n*10\r\n$5\r\nxread\r\n:-4\r\n~3\r\n+readonly\r\n+blocking\r\n+movablekeys\r\n:0\r\n:0\r\n:0\r\n~4\r\n+@read\r\n+@stream\r\n+@slow\r\n+@blocking\r\n~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$7\r\nkeyword\r\n$4\r\nspec\r\n%2\r\n$7\r\nkeyword\r\n$7\r\nSTREAMS\r\n$9\r\nstartfrom\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:2\r\n~0\r\n',
    );
    expect(run(3, 'command', 'info', 'sintercard')).toBe(
      '*1\r\n*10\r\n$10\r\nsintercard\r\n:-3\r\n~2\r\n+readonly\r\n+movablekeys\r\n:0\r\n:0\r\n:0\r\n~3\r\n+@read\r\n+@set\r\n+@slow\r\n~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$6\r\nkeynum\r\n$4\r\nspec\r\n%3\r\n$9\r\nkeynumidx\r\n:0\r\n$8\r\nfirstkey\r\n:1\r\n$7\r\nkeystep\r\n:1\r\n~0\r\n',
    );
  });

  it('COMMAND INFO of a container lists its implemented subcommands', () => {
    const r = run(2, 'command', 'info', 'object');
    expect(r.startsWith('*1\r\n*10\r\n$6\r\nobject\r\n:-2\r\n*0\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*0\r\n*0\r\n*2\r\n*10\r\n$15\r\nobject|encoding\r\n')).toBe(true);
  });

  it('COMMAND DOCS', () => {
    expect(run(2, 'command', 'docs', 'get')).toBe(
      '*2\r\n$3\r\nget\r\n*10\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n',
    );
    expect(run(3, 'command', 'docs', 'get')).toBe(
      '%1\r\n$3\r\nget\r\n%5\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n',
    );
    expect(run(2, 'command', 'docs', 'nosuch')).toBe('*0\r\n');
    expect(run(3, 'command', 'docs', 'nosuch')).toBe('%0\r\n');
  });

  it('COMMAND COUNT and LIST', () => {
    expect(run(2, 'command', 'count')).toBe(`:${table.all().length}\r\n`);
    expect(run(2, 'command', 'list', 'filterby', 'pattern', 'object*')).toBe('*3\r\n$6\r\nobject\r\n$15\r\nobject|encoding\r\n$11\r\nobject|freq\r\n');
    expect(run(2, 'command', 'list', 'filterby', 'aclcat', 'SCRIPTING')).toBe('*1\r\n$4\r\neval\r\n');
    expect(run(2, 'command', 'list', 'filterby', 'aclcat', 'nosuch')).toBe('*0\r\n');
    expect(run(2, 'command', 'list', 'filterby', 'module', 'm')).toBe('*0\r\n');
    expect(run(2, 'command', 'list', 'filterby', 'bad', 'x')).toBe('-ERR syntax error\r\n');
    expect(run(2, 'command', 'list', 'filterby', 'aclcat', 'x', 'y')).toBe('-ERR syntax error\r\n');
  });

  it('COMMAND GETKEYS / GETKEYSANDFLAGS', () => {
    expect(run(2, 'command', 'getkeys', 'zunionstore', 'd', '2', 'a', 'b')).toBe('*3\r\n$1\r\nd\r\n$1\r\na\r\n$1\r\nb\r\n');
    expect(run(3, 'command', 'getkeysandflags', 'set', 'k', 'v', 'get')).toBe('*1\r\n*2\r\n$1\r\nk\r\n~3\r\n+RW\r\n+access\r\n+update\r\n');
    expect(run(2, 'command', 'getkeysandflags', 'set', 'k', 'v')).toBe('*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+OW\r\n+update\r\n');
    expect(run(2, 'command', 'getkeysandflags', 'sort', 'k1', 'store', 'k2')).toBe(
      '*2\r\n*2\r\n$2\r\nk1\r\n*2\r\n+RO\r\n+access\r\n*2\r\n$2\r\nk2\r\n*2\r\n+OW\r\n+update\r\n',
    );
    expect(run(2, 'command', 'getkeys', 'memory', 'usage', 'k')).toBe('*1\r\n$1\r\nk\r\n');
    expect(run(2, 'command', 'getkeys', 'eval', 'return 1', '0')).toBe('*0\r\n');
    expect(run(2, 'command', 'getkeys', 'nosuch', 'x')).toBe('-ERR Invalid command specified\r\n');
    expect(run(2, 'command', 'getkeys', 'object', 'nosuch', 'x')).toBe('-ERR Invalid command specified\r\n');
    expect(run(2, 'command', 'getkeys', 'ping', 'x')).toBe('-ERR The command has no key arguments\r\n');
    expect(run(2, 'command', 'getkeys', 'get', 'a', 'b')).toBe('-ERR Invalid number of arguments specified for command\r\n');
    expect(run(2, 'command', 'getkeys', 'zunionstore', 'd', 'x', 'a')).toBe('-ERR Invalid arguments specified for command\r\n');
  });

  it('COMMAND HELP', () => {
    const r = run(2, 'command', 'help');
    expect(r.startsWith('*21\r\n+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+(no subcommand)\r\n')).toBe(true);
    expect(r.endsWith('+GETKEYSANDFLAGS <full-command>\r\n+    Return the keys and the access flags from a full Redis command.\r\n+HELP\r\n+    Prints this help.\r\n')).toBe(true);
  });
});

describe('unknown command errors', () => {
  it('formats like processCommand', () => {
    expect(unknownCommandError(['foo'])).toBe("ERR unknown command 'foo', with args beginning with: ");
    expect(unknownCommandError(['foo', 'a', 'b'])).toBe("ERR unknown command 'foo', with args beginning with: 'a' 'b' ");
    expect(unknownCommandError(['f\r\no', 'a\nb', 'c\0d'])).toBe("ERR unknown command 'f  o', with args beginning with: 'a b' 'c' ");
    const long = 'x'.repeat(200);
    expect(unknownCommandError([long, long])).toBe(`ERR unknown command '${'x'.repeat(128)}', with args beginning with: '${'x'.repeat(128)}' `);
    // Args stop once 128 bytes are collected; the last one is cut to what remains.
    const y = 'y'.repeat(60);
    expect(unknownCommandError(['foo', y, y, y])).toBe(`ERR unknown command 'foo', with args beginning with: '${y}' '${y}' 'yy' `);
  });

  it('subcommands', () => {
    expect(unknownSubcommandError(['object', 'nosuch'])).toBe("ERR unknown subcommand 'nosuch'. Try OBJECT HELP.");
    expect(unknownSubcommandError(['oBjEct', 'a\r\nb'])).toBe("ERR unknown subcommand 'a  b'. Try OBJECT HELP.");
  });
});
