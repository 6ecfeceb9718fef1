import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Config, ConfigError, memToULL, repr, splitArgs } from '../../src/config/config';
import { globMatch } from '../../src/util/glob';
import { commands } from '../../src/commands/config';
import { ReplyWriter } from '../../src/protocol/reply';

let tmp: string;
const cwd0 = process.cwd();
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keyshard-config-'));
});
afterEach(() => process.chdir(cwd0));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
}

/** The error fromArgv throws, as redis-server would print it. */
function startErr(argv: string[]): ConfigError {
  try {
    Config.fromArgv(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const fatal = (line: number, text: string, err: string) =>
  `\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line ${line}\n>>> '${text}'\n${err}\n`;

describe('defaults', () => {
  it('prints values the way Redis does', () => {
    const c = new Config();
    expect(c.get('port')).toBe('6379');
    expect(c.get('bind')).toBe('127.0.0.1 -::1');
    expect(c.get('save')).toBe(''); // Redis: "3600 1 300 100 60 10000"; keyshard has no snapshots yet
    expect(c.get('appendonly')).toBe('no');
    expect(c.get('maxmemory')).toBe('0');
    expect(c.get('proto-max-bulk-len')).toBe('536870912');
    expect(c.get('client-query-buffer-limit')).toBe('1073741824');
    expect(c.get('hash-max-listpack-entries')).toBe('512');
    expect(c.get('hash-max-ziplist-value')).toBe('64');
    expect(c.get('zset-max-listpack-entries')).toBe('128');
    expect(c.get('list-max-listpack-size')).toBe('-2');
    expect(c.get('set-max-intset-entries')).toBe('512');
    expect(c.get('loglevel')).toBe('notice');
    expect(c.get('daemonize')).toBe('no');
    expect(c.get('requirepass')).toBe('');
    expect(c.get('pidfile')).toBe('');
    expect(c.get('maxmemory-policy')).toBe('noeviction');
    expect(c.get('client-output-buffer-limit')).toBe('normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60');
    expect(c.get('oom-score-adj-values')).toBe('0 200 800');
    expect(c.get('latency-tracking-info-percentiles')).toBe('50 99 99.9');
    expect(c.get('notify-keyspace-events')).toBe('');
    expect(c.get('shutdown-on-sigint')).toBe('default');
    expect(c.get('acl-pubsub-default')).toBe('resetchannels');
    expect(c.get('unixsocketperm')).toBe('0');
    expect(c.get('replicaof')).toBe('');
    expect(c.get('dir')).toBe(Buffer.from(process.cwd()).toString('latin1'));
    expect(c.num('shards')).toBe(Math.max(1, os.availableParallelism() - 1));
    expect(c.num('proto-max-bulk-len')).toBe(512 * 1024 * 1024);
    expect(c.get('nonexistent')).toBeUndefined();
    expect(c.saveParams()).toEqual([]);
  });

  it('lists every option with whether keyshard acts on it', () => {
    const d = Config.describe();
    const port = d.find((o) => o.name === 'port')!;
    expect(port).toMatchObject({ type: 'int', default: '6379', mutable: true, effective: true });
    expect(d.find((o) => o.name === 'lazyfree-lazy-expire')!.effective).toBe(false);
    expect(d.find((o) => o.name === 'databases')!.mutable).toBe(false);
    expect(d.find((o) => o.name === 'maxmemory')!.type).toBe('memory');
    expect(d.some((o) => o.name === 'key-load-delay')).toBe(false); // hidden
  });

  it('calls effective only the options keyshard acts on', () => {
    const d = new Map(Config.describe().map((o) => [o.name, o]));
    for (const n of ['port', 'bind', 'timeout', 'maxclients', 'requirepass', 'dir', 'pidfile', 'loglevel', 'hash-max-listpack-entries', 'rdbcompression']) {
      expect([n, d.get(n)!.effective]).toEqual([n, true]);
    }
    // Persistence and eviction don't exist yet; daemonize only takes "no", the cron period is fixed.
    for (const n of ['save', 'appendonly', 'maxmemory', 'maxmemory-policy', 'daemonize', 'hz', 'dbfilename', 'appendfsync']) {
      expect([n, d.get(n)!.effective]).toEqual([n, false]);
    }
    expect(d.get('save')).toMatchObject({ default: '', missing: 'RDB snapshots' });
    expect(d.get('appendonly')!.missing).toBe('the append-only file');
    expect(d.get('maxmemory')!.missing).toBe('maxmemory (memory limit and eviction)');
    expect(d.get('shutdown-on-sigterm')!.missing).toBe('RDB snapshots');
    expect(d.get('maxmemory-policy')!.missing).toBeNull();
  });
});

describe('helpers', () => {
  it('splitArgs follows sdssplitargs', () => {
    expect(splitArgs('a  b\tc')).toEqual(['a', 'b', 'c']);
    expect(splitArgs('"a b" \'c d\'')).toEqual(['a b', 'c d']);
    expect(splitArgs('"\\x41\\n\\"" \'it\\\'s\'')).toEqual(['A\n"', "it's"]);
    expect(splitArgs('""')).toEqual(['']);
    expect(splitArgs('"abc')).toBeNull();
    expect(splitArgs('"abc"x')).toBeNull();
    expect(splitArgs('   ')).toEqual([]);
  });

  it('repr round-trips through splitArgs', () => {
    const s = 'a "b"\\c\r\n\t\x00\xff';
    expect(repr(s)).toBe('"a \\"b\\"\\\\c\\r\\n\\t\\x00\\xff"');
    expect(splitArgs(repr(s))).toEqual([s]);
  });

  it('memToULL takes Redis units', () => {
    expect(memToULL('1k')).toBe(1000n);
    expect(memToULL('1kb')).toBe(1024n);
    expect(memToULL('1KB')).toBe(1024n);
    expect(memToULL('2m')).toBe(2000000n);
    expect(memToULL('2mb')).toBe(2097152n);
    expect(memToULL('1g')).toBe(1000000000n);
    expect(memToULL('1gb')).toBe(1073741824n);
    expect(memToULL('5b')).toBe(5n);
    expect(memToULL('')).toBe(0n);
    expect(memToULL('1.5gb')).toBeNull();
    expect(memToULL('-1')).toBeNull();
    expect(memToULL('1tb')).toBeNull();
  });

  it('globMatch follows stringmatch', () => {
    expect(globMatch('max*', 'maxmemory')).toBe(true);
    expect(globMatch('*of', 'slaveof')).toBe(true);
    expect(globMatch('h?llo', 'hello')).toBe(true);
    expect(globMatch('h[^e]llo', 'hello')).toBe(false);
    expect(globMatch('h[a-e]llo', 'hello')).toBe(true);
    expect(globMatch('h\\*llo', 'h*llo')).toBe(true);
    expect(globMatch('MAX*', 'maxmemory', true)).toBe(true);
    expect(globMatch('MAX*', 'maxmemory')).toBe(false);
    expect(globMatch('a*b*c', 'aXbYc')).toBe(true);
    expect(globMatch('a*', '')).toBe(false);
    expect(globMatch('*', '')).toBe(false);
  });
});

describe('command line and config file', () => {
  it('reads a file, then lets --options override it', () => {
    const f = file('a.conf', '# comment\n  port 7000  \nmaxmemory 100mb\nhash-max-ziplist-entries 64\nloglevel warning\n');
    const c = Config.fromArgv([f, '--port', '7001', '--maxmemory 1gb', '--loglevel', 'VERBOSE']);
    expect(c.configFile).toBe(f);
    expect(c.get('port')).toBe('7001');
    expect(c.num('port')).toBe(7001);
    // maxmemory is read (and overridden) as Redis does, then turned off: no eviction yet.
    expect(c.ignored.map((i) => [i.option, i.requested])).toEqual([['maxmemory', '1073741824']]);
    expect(c.get('maxmemory')).toBe('0');
    expect(c.get('hash-max-listpack-entries')).toBe('64');
    expect(c.get('loglevel')).toBe('verbose');
  });

  it('resolves a relative config file path', () => {
    file('rel.conf', 'port 7002\n');
    process.chdir(tmp);
    const c = Config.fromArgv(['rel.conf']);
    expect(c.configFile).toBe(path.join(process.cwd(), 'rel.conf'));
    expect(c.get('port')).toBe('7002');
  });

  it('accepts option values that start with --', () => {
    const c = Config.fromArgv(['--proc-title-template', '--my--title--template', '--loglevel', 'verbose']);
    expect(c.get('proc-title-template')).toBe('--my--title--template');
    expect(c.get('loglevel')).toBe('verbose');
    const d = Config.fromArgv(['--proc-title-template --my--title--template', '--loglevel verbose']);
    expect(d.get('proc-title-template')).toBe('--my--title--template');
  });

  it('handles multi-argument options given as one string or several', () => {
    const c = Config.fromArgv(['--shutdown-on-sigint', 'nosave', 'force', 'now', '--shutdown-on-sigterm', 'nosave force']);
    expect(c.get('shutdown-on-sigint')).toBe('nosave now force');
    expect(c.get('shutdown-on-sigterm')).toBe('nosave force');
    expect(Config.fromArgv(['--bind', '127.0.0.1', '::1']).get('bind')).toBe('127.0.0.1 ::1');
  });

  it('treats save like Redis: the first save replaces the defaults, later ones add', () => {
    // What the file and command line ask for; keyshard then runs with save "" (no snapshots yet).
    const asked = (c: Config) => (c.get('save') === '' ? c.ignored.find((i) => i.option === 'save')?.requested ?? '' : 'not turned off');
    const f = file('save.conf', 'save 900 1\n');
    expect(asked(Config.fromArgv([f]))).toBe('900 1');
    expect(asked(Config.fromArgv([f, '--save', '100', '100']))).toBe('900 1 100 100');
    expect(asked(Config.fromArgv([f, '--save', '']))).toBe('');
    expect(asked(Config.fromArgv(['--save', '100 100']))).toBe('100 100');
    expect(asked(Config.fromArgv(['--save', '--loglevel', 'verbose']))).toBe('');
    expect(asked(Config.fromArgv(['--loglevel', 'verbose', '--save']))).toBe('');
    const c = Config.fromArgv(['--proc-title-template', '--save', '--save', '', '--loglevel', 'verbose']);
    expect(c.get('proc-title-template')).toBe('--save');
    expect(c.get('save')).toBe('');
    expect(c.ignored).toEqual([]);
    expect(c.get('loglevel')).toBe('verbose');
    expect(Config.fromArgv([]).get('save')).toBe('');
  });

  it('turns off, and reports, start-up options that need persistence or eviction', () => {
    const f = file('wants.conf', 'appendonly yes\nsave 900 1\nsave 300 10\nmaxmemory 100mb\nmaxmemory-policy allkeys-lru\n');
    const c = Config.fromArgv([f, '--shutdown-on-sigterm', 'save now', '--shutdown-on-sigint', 'nosave']);
    expect(c.ignored).toEqual([
      {
        option: 'appendonly',
        requested: 'yes',
        value: 'no',
        feature: 'the append-only file',
        message: "Ignoring 'appendonly yes': keyshard does not implement the append-only file yet; running with appendonly no",
      },
      {
        option: 'save',
        requested: '900 1 300 10',
        value: '',
        feature: 'RDB snapshots',
        message: 'Ignoring \'save 900 1 300 10\': keyshard does not implement RDB snapshots yet; running with save ""',
      },
      {
        option: 'maxmemory',
        requested: '104857600',
        value: '0',
        feature: 'maxmemory (memory limit and eviction)',
        message: "Ignoring 'maxmemory 104857600': keyshard does not implement maxmemory (memory limit and eviction) yet; running with maxmemory 0",
      },
      {
        option: 'shutdown-on-sigterm',
        requested: 'save now',
        value: 'now',
        feature: 'RDB snapshots',
        message: "Ignoring 'shutdown-on-sigterm save now': keyshard does not implement RDB snapshots yet; running with shutdown-on-sigterm now",
      },
    ]);
    expect(c.get('appendonly')).toBe('no');
    expect(c.get('save')).toBe('');
    expect(c.saveParams()).toEqual([]);
    expect(c.get('maxmemory')).toBe('0');
    expect(c.get('maxmemory-policy')).toBe('allkeys-lru'); // harmless while maxmemory is 0
    expect(c.get('shutdown-on-sigterm')).toBe('now');
    expect(c.get('shutdown-on-sigint')).toBe('nosave');
    // The "off" values are simply taken.
    expect(Config.fromArgv(['--appendonly', 'no', '--save', '', '--maxmemory', '0']).ignored).toEqual([]);
  });

  it('reports bad arguments exactly as redis-server', () => {
    expect(startErr(['--port']).message).toBe(fatal(2, 'port', 'wrong number of arguments'));
    expect(startErr(['--port', '6380', '--loglevel']).message).toBe(fatal(3, 'loglevel', 'wrong number of arguments'));
    expect(startErr(['--port', '6379', '6380']).message).toBe(fatal(2, 'port "6379" "6380"', 'wrong number of arguments'));
    expect(startErr(['--port', '--loglevel', 'verbose']).message).toBe(fatal(2, 'port "--loglevel" "verbose"', 'wrong number of arguments'));
    expect(startErr(['--port', '--bla', '--loglevel', 'verbose']).message).toBe(
      fatal(2, 'port "--bla"', "argument couldn't be parsed into an integer"),
    );
    expect(startErr(['--logfile', '--my--log--file', '--loglevel', '--bla']).message).toBe(
      fatal(3, 'loglevel "--bla"', 'argument(s) must be one of the following: debug, verbose, notice, warning'),
    );
    expect(startErr(['--shutdown-on-sigint']).message).toBe(
      fatal(2, 'shutdown-on-sigint', 'argument(s) must be one of the following: default, save, nosave, now, force'),
    );
    expect(startErr(['--replicaof', '127.0.0.1', 'abc']).message).toBe(fatal(2, 'replicaof "127.0.0.1" "abc"', 'Invalid master port'));
    expect(startErr(['--replicaof', '--127.0.0.1', '--abc']).message).toBe(fatal(2, 'replicaof "--127.0.0.1"', 'wrong number of arguments'));
    expect(startErr(['--maxmemory', '1.5gb']).message).toBe(fatal(2, 'maxmemory "1.5gb"', 'argument must be a memory value'));
    expect(startErr(['--save', '100']).message).toBe(fatal(2, 'save "100"', 'Invalid save parameters'));
    expect(startErr(['--daemonize', 'maybe']).message).toBe(fatal(2, 'daemonize "maybe"', "argument must be 'yes' or 'no'"));
    expect(startErr(['--foo', 'bar']).message).toBe(fatal(2, 'foo "bar"', 'Bad directive or wrong number of arguments'));
    expect(startErr(['--notify-keyspace-events', 'q']).message).toBe(
      fatal(2, 'notify-keyspace-events "q"', "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."),
    );
    const many = Array.from({ length: 17 }, (_, i) => String(i + 1));
    expect(startErr(['--bind', ...many]).message).toBe(
      fatal(2, 'bind ' + many.map((x) => `"${x}"`).join(' '), 'Too many bind addresses specified.'),
    );
    expect(startErr(['--port', '70000']).message).toBe(fatal(2, 'port "70000"', 'argument must be between 0 and 65535 inclusive'));
  });

  it('reports bad config file lines with their line number', () => {
    const f1 = file('bad1.conf', 'port 7000\n# comment\n  maxmemory 1gb  \n  bogus directive  \n');
    expect(startErr([f1]).message).toBe(fatal(4, 'bogus directive', 'Bad directive or wrong number of arguments'));
    const f2 = file('bad2.conf', 'port "abc\n');
    expect(startErr([f2]).message).toBe(fatal(1, 'port "abc', 'Unbalanced quotes in configuration line'));
    const ok = file('ok.conf', 'port 7000\nsave 900 1\n');
    // Command-line options are numbered after the file's lines.
    expect(startErr([ok, '--port', 'xx']).message).toBe(fatal(4, 'port "xx"', "argument couldn't be parsed into an integer"));
    const f3 = file('bad3.conf', 'dir /nonexistent-keyshard-dir\n');
    expect(startErr([f3]).message).toBe(fatal(1, 'dir /nonexistent-keyshard-dir', 'No such file or directory'));
  });

  it('reports errors found after parsing without a line', () => {
    const f = file('log.conf', 'logfile /nonexistent-keyshard-dir/x.log\n');
    expect(startErr([f]).message).toBe(
      "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nCan't open the log file: No such file or directory\n",
    );
    const g = file('cluster.conf', 'cluster-enabled yes\nreplicaof 1.2.3.4 6379\n');
    expect(startErr([g]).message).toBe(
      '\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nreplicaof directive not allowed in cluster mode\n',
    );
  });

  it('reports an unreadable config file through the log', () => {
    const missing = path.join(tmp, 'missing.conf');
    const e = startErr([missing]);
    expect(e.logged).toBe(true);
    expect(e.message).toBe(`Fatal error, can't open config file '${missing}': No such file or directory`);
    const inc = file('inc.conf', `include ${path.join(tmp, 'nope.conf')}\n`);
    expect(startErr([inc]).message).toBe(`Fatal error, can't open config file '${path.join(tmp, 'nope.conf')}': No such file or directory`);
  });

  it('follows include (with wildcards) and keeps file-only directives', () => {
    fs.mkdirSync(path.join(tmp, 'conf.d'), { recursive: true });
    file('conf.d/a.conf', 'port 7100\n');
    file('conf.d/b.conf', 'timeout 5\n');
    const main = file(
      'main.conf',
      `include ${path.join(tmp, 'conf.d', '*.conf')}\ninclude ${path.join(tmp, 'empty.d', '*.conf')}\n` +
        'rename-command FLUSHALL ""\nuser alice on >pw ~* +@all\nlist-max-ziplist-entries 5\nsentinel\n',
    );
    const c = Config.fromArgv([main]);
    expect(c.get('port')).toBe('7100');
    expect(c.get('timeout')).toBe('5');
    expect(c.renameCommands.map((d) => d.args)).toEqual([['rename-command', 'FLUSHALL', '']]);
    expect(c.renameCommands[0].lineNo).toBe(3);
    expect(c.users.map((d) => d.args[1])).toEqual(['alice']);
    expect(startErr(['--sentinel', 'monitor', 'x']).message).toBe(
      fatal(2, 'sentinel "monitor" "x"', 'sentinel directive while not in sentinel mode'),
    );
  });

  it('rejects what keyshard cannot do', () => {
    expect(startErr(['--daemonize', 'yes']).message).toContain('keyshard cannot daemonize');
    expect(startErr(['--loadmodule', '/x.so']).logged).toBe(true);
  });

  it('chdirs for dir and clamps hz', () => {
    const c = Config.fromArgv(['--dir', tmp, '--hz', '1000']);
    expect(fs.realpathSync(process.cwd())).toBe(fs.realpathSync(tmp));
    expect(c.get('hz')).toBe('500');
    expect(Config.fromArgv(['--hz', '0']).get('hz')).toBe('1');
  });
});

describe('CONFIG GET', () => {
  const c = new Config();

  it('matches several patterns, each option once, aliases included', () => {
    const res = c.getMatching(['maxmemory', 'maxmemory*', 'bind', '*of']);
    const names = res.map((p) => p[0]);
    expect(new Set(names).size).toBe(names.length);
    for (const n of ['maxmemory', 'maxmemory-samples', 'maxmemory-clients', 'maxmemory-policy', 'bind', 'slaveof', 'replicaof']) {
      expect(names).toContain(n);
    }
    expect(names[0]).toBe('maxmemory');
  });

  it('reports a literal name as the client spelled it, and finds aliases', () => {
    expect(c.getMatching(['PORT'])).toEqual([['PORT', '6379']]);
    expect(c.getMatching(['PORT', 'port', 'p*rt'])).toEqual([['PORT', '6379']]);
    expect(c.getMatching(['hash-max-ziplist-entries'])).toEqual([['hash-max-ziplist-entries', '512']]);
    expect(c.getMatching(['lua-time-limit'])).toEqual([['lua-time-limit', '5000']]);
    expect(c.getMatching(['*ziplist-entries'])).toEqual([
      ['hash-max-ziplist-entries', '512'],
      ['zset-max-ziplist-entries', '128'],
    ]);
    expect(c.getMatching(['nosuch', 'nosuch*'])).toEqual([]);
  });

  it('hides hidden options from patterns only', () => {
    expect(c.getMatching(['*']).some((p) => p[0] === 'key-load-delay')).toBe(false);
    expect(c.getMatching(['key-load-delay'])).toEqual([['key-load-delay', '0']]);
  });
});

describe('CONFIG SET', () => {
  it('sets values, resolving aliases and units', () => {
    const c = new Config();
    expect(c.set([['repl-backlog-size', '10mb'], ['hash-max-ziplist-entries', '100'], ['maxmemory-policy', 'ALLKEYS-LRU']])).toBeNull();
    expect(c.get('repl-backlog-size')).toBe('10485760');
    expect(c.num('repl-backlog-size')).toBe(10485760);
    expect(c.get('hash-max-listpack-entries')).toBe('100');
    expect(c.get('maxmemory-policy')).toBe('allkeys-lru');
    expect(c.set([['maxmemory', '']])).toBeNull();
    expect(c.get('maxmemory')).toBe('0');
    expect(c.set([['maxmemory-clients', '50%']])).toBeNull();
    expect(c.get('maxmemory-clients')).toBe('50%');
    expect(c.set([['oom-score-adj', 'relative']])).toBeNull();
    expect(c.get('oom-score-adj')).toBe('yes');
    expect(c.set([['notify-keyspace-events', 'Kx$']])).toBeNull();
    expect(c.get('notify-keyspace-events')).toBe('$xK');
    expect(c.set([['notify-keyspace-events', 'AKEm']])).toBeNull();
    expect(c.get('notify-keyspace-events')).toBe('AKEm');
    expect(c.set([['latency-tracking-info-percentiles', '50 99.99 100']])).toBeNull();
    expect(c.get('latency-tracking-info-percentiles')).toBe('50 99.99 100');
    expect(c.set([['client-output-buffer-limit', 'replica 1mb 2mb 3 pubsub 1k 2kb 0']])).toBeNull();
    expect(c.get('client-output-buffer-limit')).toBe('normal 0 0 0 slave 1048576 2097152 3 pubsub 1000 2048 0');
    expect(c.set([['save', '']])).toBeNull();
    expect(c.get('save')).toBe('');
    expect(c.set([['bind', '']])).toBeNull();
    expect(c.get('bind')).toBe('');
    expect(c.set([['hz', '1000']])).toBeNull();
    expect(c.get('hz')).toBe('500');
    expect(c.set([['requirepass', 'secret']])).toBeNull();
    expect(c.get('requirepass')).toBe('secret');
    expect(c.isSensitive('requirepass')).toBe(true);
  });

  it('answers every error with Redis text', () => {
    const c = new Config();
    const fail = (a: string, b: string) => `ERR CONFIG SET failed (possibly related to argument '${a}') - ${b}`;
    expect(c.set([['foo', '1']])).toBe("ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
    expect(c.set([['port', 'abc']])).toBe(fail('port', "argument couldn't be parsed into an integer"));
    expect(c.set([['PORT', 'abc']])).toBe(fail('port', "argument couldn't be parsed into an integer"));
    expect(c.set([['port', '70000']])).toBe(fail('port', 'argument must be between 0 and 65535 inclusive'));
    expect(c.set([['maxmemory', '1.5gb']])).toBe(fail('maxmemory', 'argument must be a memory value'));
    expect(c.set([['maxmemory', '-1']])).toBe(fail('maxmemory', 'argument must be a memory value'));
    expect(c.set([['maxmemory-clients', 'abc']])).toBe(fail('maxmemory-clients', 'argument must be a memory or percent value'));
    expect(c.set([['maxmemory-clients', '200%']])).toBe(fail('maxmemory-clients', 'percentage argument must be less or equal to 100'));
    expect(c.set([['maxclients', '-1']])).toBe(fail('maxclients', 'argument must be between 1 and 4294967295 inclusive'));
    expect(c.set([['hash-max-ziplist-entries', '-1']])).toBe(
      fail('hash-max-ziplist-entries', 'argument must be between 0 and 9223372036854775807 inclusive'),
    );
    expect(c.set([['slowlog-log-slower-than', '-2']])).toBe(
      fail('slowlog-log-slower-than', 'argument must be between -1 and 9223372036854775807 inclusive'),
    );
    expect(c.set([['proto-max-bulk-len', '1000']])).toBe(
      fail('proto-max-bulk-len', 'argument must be between 1048576 and 9223372036854775807 inclusive'),
    );
    expect(c.set([['daemonize', 'yes']])).toBe(fail('daemonize', "can't set immutable config"));
    expect(c.set([['Databases', '5']])).toBe(fail('Databases', "can't set immutable config"));
    expect(c.set([['dir', tmp]])).toBe(fail('dir', "can't set protected config"));
    expect(c.set([['maxmemory', '1'], ['maxmemory', '2']])).toBe(fail('maxmemory', 'duplicate parameter'));
    expect(c.set([['loglevel', 'foo']])).toBe(fail('loglevel', 'argument(s) must be one of the following: debug, verbose, notice, warning'));
    expect(c.set([['protected-mode', 'maybe']])).toBe(fail('protected-mode', "argument must be 'yes' or 'no'"));
    expect(c.set([['save', '3600 1 300']])).toBe(fail('save', 'Invalid save parameters'));
    expect(c.set([['save', '0 1']])).toBe(fail('save', 'Invalid save parameters'));
    expect(c.set([['notify-keyspace-events', 'q']])).toBe(fail('notify-keyspace-events', "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."));
    expect(c.set([['client-output-buffer-limit', 'master 1 1 1']])).toBe(
      fail('client-output-buffer-limit', 'Invalid client class specified in buffer limit configuration.'),
    );
    expect(c.set([['client-output-buffer-limit', 'normal 1 1']])).toBe(
      fail('client-output-buffer-limit', 'Wrong number of arguments in buffer limit configuration.'),
    );
    expect(c.set([['client-output-buffer-limit', 'pubsub 1k 2k -1']])).toBe(
      fail('client-output-buffer-limit', 'Error in hard, soft or soft_seconds setting in buffer limit configuration.'),
    );
    expect(c.set([['oom-score-adj-values', '1 2']])).toBe(fail('oom-score-adj-values', 'wrong number of arguments'));
    expect(c.set([['oom-score-adj-values', '0 200 3000']])).toBe(
      fail('oom-score-adj-values', 'Invalid oom-score-adj-values, elements must be between -2000 and 2000.'),
    );
    expect(c.set([['shutdown-on-sigint', 'save nosave']])).toBe(
      fail('shutdown-on-sigint', "shutdown options SAVE and NOSAVE can't be used simultaneously"),
    );
    expect(c.set([['latency-tracking-info-percentiles', '101']])).toBe(
      fail('latency-tracking-info-percentiles', 'latency-tracking-info-percentiles parameters should sit between [0.0,100.0]'),
    );
    expect(c.set([['latency-tracking-info-percentiles', 'abc']])).toBe(
      fail('latency-tracking-info-percentiles', 'Invalid latency-tracking-info-percentiles parameters'),
    );
    expect(c.set([['dbfilename', 'x.rdb']])).toBe(fail('dbfilename', "can't set protected config"));
    expect(c.set([['proc-title-template', '{title}']])).toBe(
      fail('proc-title-template', 'template format is invalid or contains unknown variables'),
    );
    expect(c.set([['cluster-announce-hostname', 'a_b']])).toBe(
      fail('cluster-announce-hostname', 'Hostnames may only contain alphanumeric characters, hyphens or dots'),
    );
    expect(c.set([['lua-time-limit', 'abc']])).toBe(fail('lua-time-limit', "argument couldn't be parsed into an integer"));
    // CR/LF in the echoed name cannot break the protocol.
    expect(c.set([['a\r\nb', '1']])).toBe("ERR Unknown option or number of arguments for CONFIG SET - 'a  b'");
  });

  it('reports the first problem in argument order', () => {
    const c = new Config();
    expect(c.set([['timeout', '0'], ['databases', '3']])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config",
    );
    expect(c.set([['databases', '3'], ['foo', '1']])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config",
    );
    expect(c.set([['foo', '1'], ['databases', '3']])).toBe("ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
    // A name and its alias are different entries, as in Redis.
    expect(c.set([['hash-max-ziplist-entries', '1'], ['hash-max-listpack-entries', '2']])).toBeNull();
    expect(c.get('hash-max-listpack-entries')).toBe('2');
  });

  it('is atomic: a failing pair leaves every value as it was', () => {
    const c = new Config();
    expect(c.set([['repl-backlog-size', '10000002']])).toBeNull();
    const changes: string[] = [];
    c.onChange = (n, v) => void changes.push(`${n}=${v}`);
    expect(c.set([['repl-backlog-size', '10000001'], ['maxmemory-clients', '200%'], ['client-query-buffer-limit', 'invalid']])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100",
    );
    expect(c.get('repl-backlog-size')).toBe('10000002');
    expect(c.get('maxmemory-clients')).toBe('0');
    expect(c.get('client-query-buffer-limit')).toBe('1073741824');
    expect(changes).toEqual([]);
    // Redis 7.0.15 answers exactly this and keeps the old value of a multi-argument option.
    expect(c.set([['notify-keyspace-events', 'KEA'], ['port', 'x']])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an integer",
    );
    expect(c.get('notify-keyspace-events')).toBe('');
    expect(c.set([['save', ''], ['port', 'x']])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an integer",
    );
    expect(c.get('save')).toBe('');
  });

  it('calls onChange for changed values and rolls back when it refuses', () => {
    const c = new Config();
    const seen: string[] = [];
    c.onChange = (n, v) => {
      seen.push(`${n}=${v}`);
      if (n === 'port' && v === '1') return 'Unable to listen on this port. Check server logs.';
    };
    expect(c.set([['timeout', '0'], ['lua-time-limit', '100']])).toBeNull();
    expect(seen).toEqual(['busy-reply-threshold=100']);
    seen.length = 0;
    expect(c.set([['repl-backlog-size', '5'], ['port', '1']])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.",
    );
    expect(c.get('repl-backlog-size')).toBe('1048576');
    expect(c.get('port')).toBe('6379');
    expect(seen).toEqual(['repl-backlog-size=5', 'port=1', 'repl-backlog-size=1048576', 'port=6379']);
  });

  it('changes directory for dir when protected configs are enabled', () => {
    const c = Config.fromArgv(['--enable-protected-configs', 'local']);
    expect(c.set([['dir', tmp]])).toBe("ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config");
    expect(c.set([['dir', tmp]], true)).toBeNull();
    expect(fs.realpathSync(process.cwd())).toBe(fs.realpathSync(tmp));
    expect(c.set([['dir', '/nonexistent-keyshard-dir']], true)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory",
    );
    const y = Config.fromArgv(['--enable-protected-configs', 'yes']);
    expect(y.set([['dir', cwd0], ['port', 'x']])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an integer",
    );
    expect(fs.realpathSync(process.cwd())).toBe(fs.realpathSync(tmp)); // rolled back
  });

  it('reports LOADING for deny-loading options while loading', () => {
    const c = new Config();
    c.loading = true;
    expect(c.set([['appendonly', 'yes']])).toBe('LOADING Redis is loading the dataset in memory');
  });

  it('refuses to turn on persistence or eviction, which keyshard does not have yet', () => {
    const c = new Config();
    const fail = (a: string, b: string) => `ERR CONFIG SET failed (possibly related to argument '${a}') - ${b}`;
    const aof = 'keyshard does not implement the append-only file yet';
    const rdb = 'keyshard does not implement RDB snapshots yet';
    const mem = 'keyshard does not implement maxmemory (memory limit and eviction) yet';
    expect(c.set([['appendonly', 'yes']])).toBe(fail('appendonly', aof));
    expect(c.set([['APPENDONLY', 'YES']])).toBe(fail('appendonly', aof));
    expect(c.set([['save', '900 1']])).toBe(fail('save', rdb));
    expect(c.set([['save', '3600 1 300 100 60 10000']])).toBe(fail('save', rdb));
    expect(c.set([['maxmemory', '100mb']])).toBe(fail('maxmemory', mem));
    expect(c.set([['maxmemory', '1']])).toBe(fail('maxmemory', mem));
    expect(c.set([['shutdown-on-sigterm', 'save']])).toBe(fail('shutdown-on-sigterm', rdb));
    expect(c.set([['shutdown-on-sigint', 'save now force']])).toBe(fail('shutdown-on-sigint', rdb));
    // Bad values still get Redis's own error first.
    expect(c.set([['appendonly', 'maybe']])).toBe(fail('appendonly', "argument must be 'yes' or 'no'"));
    expect(c.set([['save', '900']])).toBe(fail('save', 'Invalid save parameters'));
    expect(c.set([['maxmemory', '1.5gb']])).toBe(fail('maxmemory', 'argument must be a memory value'));
    // All or nothing: a refused pair leaves the others as they were, in argument order.
    expect(c.set([['timeout', '30'], ['appendonly', 'yes'], ['port', 'x']])).toBe(fail('appendonly', aof));
    expect(c.set([['timeout', '30'], ['port', 'x'], ['appendonly', 'yes']])).toBe(
      fail('port', "argument couldn't be parsed into an integer"),
    );
    expect(c.get('timeout')).toBe('0');
    expect([c.get('appendonly'), c.get('save'), c.get('maxmemory'), c.get('shutdown-on-sigterm')]).toEqual(['no', '', '0', 'default']);
    // The "off" values are fine, and so is an eviction policy (nothing to evict with maxmemory 0).
    expect(c.set([['appendonly', 'no'], ['save', ''], ['maxmemory', '0']])).toBeNull();
    expect(c.set([['maxmemory', '0b'], ['maxmemory-policy', 'allkeys-lfu']])).toBeNull();
    expect(c.get('maxmemory-policy')).toBe('allkeys-lfu');
    expect(c.set([['shutdown-on-sigterm', 'nosave now'], ['shutdown-on-sigint', 'default']])).toBeNull();
    expect(c.get('shutdown-on-sigterm')).toBe('nosave now');
    // The same through the command handler.
    const w = new ReplyWriter();
    commands.find((d) => d.name === 'config|set')!.node!({ w, conn: {}, server: { config: c } } as any, ['CONFIG', 'SET', 'appendonly', 'yes']);
    expect(w.view().toString('latin1')).toBe(`-${fail('appendonly', aof)}\r\n`);
  });
});

describe('CONFIG REWRITE', () => {
  it('needs a config file', () => {
    expect(new Config().rewrite()).toBe('ERR The server is running without a config file');
  });

  it('keeps comments and unknown lines, updates in place, appends the rest', () => {
    const f = file(
      'rw.conf',
      '# my config\nport 7000\nbind 127.0.0.1\nsave 900 1\nsave 300 10\n\n# keep this\nmaxmemory 100mb\n' +
        'hash-max-ziplist-entries 64\nslave-read-only yes\nenable-protected-configs yes\nloglevel notice\nloglevel verbose\n',
    );
    const c = Config.fromArgv([f, '--dir', tmp]);
    // save and maxmemory were turned off at start-up (no persistence or
    // eviction yet): the user's lines stay as written.
    expect(c.ignored.map((i) => i.option)).toEqual(['save', 'maxmemory']);
    fs.appendFileSync(f, 'bogus line here\n');
    expect(
      c.set([
        ['hash-max-listpack-entries', '100'],
        ['requirepass', 'p w"x'],
        ['notify-keyspace-events', 'KEx'],
        ['maxmemory-clients', '10%'],
        ['client-output-buffer-limit', 'pubsub 1mb 1000 5'],
        ['replica-read-only', 'no'],
        ['timeout', '30'],
        ['latency-tracking-info-percentiles', '50 99.99'],
        ['shutdown-on-sigterm', 'nosave now'],
        ['loglevel', 'warning'],
        ['bind', '127.0.0.1 ::1'],
      ]),
    ).toBeNull();
    expect(c.rewrite()).toBeNull();
    const dir = Buffer.from(process.cwd()).toString('latin1');
    expect(fs.readFileSync(f, 'latin1')).toBe(
      '# my config\nport 7000\nbind 127.0.0.1 ::1\nsave 900 1\nsave 300 10\n\n# keep this\nmaxmemory 100mb\n' +
        'hash-max-listpack-entries 100\nreplica-read-only no\nenable-protected-configs yes\nloglevel warning\n\n' +
        '# ??? bogus line here\n\n# Generated by CONFIG REWRITE\n' +
        'requirepass "p w\\"x"\nshutdown-on-sigterm nosave now\ntimeout 30\nmaxmemory-clients 10%\n' +
        `dir "${dir}"\n` +
        'client-output-buffer-limit pubsub 1mb 1000 5\nnotify-keyspace-events "xKE"\n' +
        'latency-tracking-info-percentiles 50 99.99\n' +
        'user default on sanitize-payload #ca787a8fd25ded757aea683638bfbb3c7adb459786e776f8c98b7949a7709d12 ~* &* +@all\n',
    );
    // Round trip: the rewritten file loads back to the same values.
    const d = Config.fromArgv([f]);
    for (const [k, v] of c.getMatching(['*'])) {
      if (k !== 'dir') expect([k, d.get(k)]).toEqual([k, v]);
    }
    // A second rewrite (which, like Redis, reuses old lines of an option
    // in order) still loads back to the same values.
    expect(d.rewrite()).toBeNull();
    const e = Config.fromArgv([f]);
    for (const [k, v] of c.getMatching(['*'])) {
      if (k !== 'dir') expect([k, e.get(k)]).toEqual([k, v]);
    }
  });

  it('writes save "" and removes options back at defaults that were not in the file', () => {
    const f = file('rw2.conf', 'save 900 1\nport 7000\n');
    const c = Config.fromArgv([f]);
    expect(c.set([['save', ''], ['port', '6379']])).toBeNull();
    expect(c.rewrite()).toBeNull();
    const dir = Buffer.from(process.cwd()).toString('latin1');
    expect(fs.readFileSync(f, 'latin1')).toBe(
      `save ""\nport 6379\n\n# Generated by CONFIG REWRITE\ndir "${dir}"\nlatency-tracking-info-percentiles 50 99 99.9\nuser default on nopass ~* &* +@all\n`,
    );
    expect(Config.fromArgv([f]).get('save')).toBe('');
  });

  it('creates a missing file and reports write errors', () => {
    const dirPath = path.join(tmp, 'newdir');
    fs.mkdirSync(dirPath, { recursive: true });
    const f = path.join(dirPath, 'new.conf');
    fs.writeFileSync(f, '');
    const c = Config.fromArgv([f]);
    fs.unlinkSync(f);
    expect(c.rewrite()).toBeNull();
    expect(fs.readFileSync(f, 'latin1')).toContain('# Generated by CONFIG REWRITE\n');
    c.configFile = path.join(tmp, 'no-such-dir', 'x.conf');
    expect(c.rewrite()).toBe('ERR Rewriting config file: No such file or directory');
  });
});

describe('CONFIG command handlers', () => {
  const byName = new Map(commands.map((d) => [d.name, d]));
  function run(name: string, args: string[], proto: 2 | 3 = 2, server: any = {}, conn: any = {}): string {
    const w = new ReplyWriter();
    w.proto = proto;
    byName.get(name)!.node!({ w, conn, server }, args);
    return w.view().toString('latin1');
  }

  it('GET replies a map', () => {
    const server = { config: new Config() };
    expect(run('config|get', ['config', 'get', 'port', 'timeout'], 2, server)).toBe(
      '*4\r\n$4\r\nport\r\n$4\r\n6379\r\n$7\r\ntimeout\r\n$1\r\n0\r\n',
    );
    expect(run('config|get', ['CONFIG', 'GET', 'port'], 3, server)).toBe('%1\r\n$4\r\nport\r\n$4\r\n6379\r\n');
    expect(run('config|get', ['config', 'get', 'nosuch'], 3, server)).toBe('%0\r\n');
  });

  it('SET answers OK, errors, and syntax error on an odd count', () => {
    const server = { config: new Config() };
    expect(run('config|set', ['config', 'set', 'timeout', '5'], 2, server)).toBe('+OK\r\n');
    expect(server.config.get('timeout')).toBe('5');
    expect(run('config|set', ['config', 'set', 'timeout', '5', 'port'], 2, server)).toBe('-ERR syntax error\r\n');
    expect(run('config|set', ['config', 'set', 'foo', 'x'], 2, server)).toBe(
      "-ERR Unknown option or number of arguments for CONFIG SET - 'foo'\r\n",
    );
  });

  it('RESETSTAT, REWRITE and HELP', () => {
    let reset = 0;
    const server = { config: new Config(), resetStats: () => reset++ };
    expect(run('config|resetstat', ['config', 'resetstat'], 2, server)).toBe('+OK\r\n');
    expect(reset).toBe(1);
    expect(run('config|rewrite', ['config', 'rewrite'], 2, server)).toBe('-ERR The server is running without a config file\r\n');
    const help = run('config|help', ['config', 'help'], 2, server);
    expect(help.startsWith('*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET <pattern>\r\n')).toBe(true);
    expect(help.endsWith('+HELP\r\n+    Prints this help.\r\n')).toBe(true);
  });
});
