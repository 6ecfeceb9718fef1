import { describe, it, expect } from 'vitest';
import {
  fixed,
  bytesToHuman,
  safeInfoString,
  parseInfoArgs,
  formatInfo,
  wantsSection,
  needsShards,
  mergeStats,
  commandstatLines,
  errorstatLines,
  keyspaceLines,
  genInfo,
  commands as serverCommands,
} from '../../src/commands/server';
import {
  clientInfoLine,
  clientFlags,
  formatAddr,
  validClientAttr,
  commands as connCommands,
  type ConnView,
  type ServerView,
} from '../../src/commands/connection';
import { ReplyWriter } from '../../src/protocol/reply';
import { ReplyMode } from '../../src/commands/contract';
import { Conn } from '../../src/acceptor/conn';

/** A real connection object over a fake socket, so the reply-mode and closing logic tested is the acceptor's own. */
function fakeConn(over: Partial<Record<keyof Conn, unknown>> = {}): Conn {
  const t = Date.UTC(2024, 0, 1, 0, 0, 0);
  const socket = {
    remoteAddress: '127.0.0.1',
    remotePort: 50000,
    localAddress: '127.0.0.1',
    localPort: 6380,
    writableLength: 0,
    _handle: { fd: 9 },
  } as any;
  const c = new Conn((over.id as number) ?? 7, (over.socket as any) ?? socket, false);
  Object.assign(c, { createdAt: t, lastInteraction: t, nextSeq: 1, ...over });
  return c;
}

function fakeServer(opts: Record<string, string> = {}): ServerView & { dropped: number[]; silenced: number[]; markReplySilence(c: Conn, seq: number): void; conns: Map<number, Conn> } {
  const cfg: Record<string, string> = { databases: '16', requirepass: '', maxclients: '10000', hz: '10', ...opts };
  const s: any = {
    conns: new Map(),
    config: { get: (n: string) => cfg[n], num: (n: string) => Number(cfg[n]), configFile: '/etc/ks.conf' },
    stats: { totalConnections: 3, rejectedConnections: 0, totalCommands: 42, netInput: 100, netOutput: 200, lastSave: 1700000000 },
    cmdStats: new Map([['ping', { calls: 2, usec: 4, failed: 0, rejected: 0 }]]),
    errStats: new Map([['ERR', 1]]),
    links: [],
    ranges: [[0, 8192], [8192, 16384]],
    startedAt: Date.now() - 5000,
    runId: 'a'.repeat(40),
    port: 6380,
    dropped: [] as number[],
    silenced: [] as number[],
    txn: { reset: (conn: Conn) => (conn.multi = null) },
    closeAfterReply: (c: Conn) => c.closeAfterReply(),
    killClient(c: Conn) {
      s.dropped.push(c.id);
      s.conns.delete(c.id);
    },
    setReplyMode: (c: Conn, m: ReplyMode) => c.setReplyMode(m),
    resetClient(c: Conn) {
      c.resetReplyMode();
      c.multi = null;
    },
    shardStats: async () => [],
    shutdown: async () => {},
    markReplySilence(c: Conn, seq: number) {
      if (c.replyMode === ReplyMode.On) return;
      s.silenced.push(seq);
      c.silence(seq);
    },
    isShuttingDown: () => false,
    scripts: { info: () => ({ scripts: 0, memory: 0, luaMemory: 0, heldRuns: 0 }), unavailable: null },
  };
  return s;
}

const defs = new Map([...connCommands, ...serverCommands].map((d) => [d.name, d]));

/** Run a node handler the way the acceptor does (sequence number already taken). */
async function run(server: ServerView & { markReplySilence(c: Conn, seq: number): void }, conn: Conn, ...args: string[]): Promise<string> {
  const w = new ReplyWriter(256);
  w.proto = conn.proto;
  let name = args[0].toLowerCase();
  if (args.length > 1 && defs.has(name + '|' + args[1].toLowerCase())) name += '|' + args[1].toLowerCase();
  conn.nextSeq++;
  server.markReplySilence(conn, conn.nextSeq - 1);
  await defs.get(name)!.node!({ w, conn, server }, args);
  return w.view().toString('latin1');
}

describe('printf helpers', () => {
  it('fixed matches glibc %.Nf including ties to even', () => {
    const cases: Array<[number, number, string]> = [
      [0.125, 2, '0.12'], [0.375, 2, '0.38'], [2.5, 0, '2'], [3.5, 0, '4'], [1.005, 2, '1.00'],
      [0.015, 2, '0.01'], [1234.5678, 2, '1234.57'], [0, 2, '0.00'], [0.5, 0, '0'], [1.5, 0, '2'],
      [-0.125, 2, '-0.12'], [100 / 3, 2, '33.33'],
    ];
    for (const [x, d, s] of cases) expect(fixed(x, d), `${x}`).toBe(s);
  });

  it('bytesToHuman', () => {
    expect(bytesToHuman(0)).toBe('0B');
    expect(bytesToHuman(1023)).toBe('1023B');
    expect(bytesToHuman(1024)).toBe('1.00K');
    expect(bytesToHuman(1536)).toBe('1.50K');
    expect(bytesToHuman(1048576 * 3.25)).toBe('3.25M');
    expect(bytesToHuman(1024 ** 3)).toBe('1.00G');
  });

  it('safeInfoString', () => {
    expect(safeInfoString('get')).toBe('get');
    expect(safeInfoString('a#b:c\nd\re')).toBe('a_b_c_d_e');
  });
});

describe('INFO sections', () => {
  it('parses default/all/everything like genInfoSectionDict', () => {
    const d = parseInfoArgs([]);
    expect(wantsSection(d, 'server')).toBe(true);
    expect(wantsSection(d, 'modules')).toBe(true); // via module_list
    expect(wantsSection(d, 'commandstats')).toBe(false);
    expect(wantsSection(d, 'latencystats')).toBe(false);
    const a = parseInfoArgs(['ALL']);
    expect(a.all && !a.everything).toBe(true);
    expect(wantsSection(a, 'commandstats')).toBe(true);
    expect(parseInfoArgs(['everything']).everything).toBe(true);
    const k = parseInfoArgs(['KeySpace', 'default']);
    expect(k.sections.has('keyspace') && k.sections.has('cpu')).toBe(true);
    expect(needsShards(parseInfoArgs(['server', 'clients']))).toBe(false);
    expect(needsShards(parseInfoArgs(['keyspace']))).toBe(true);
  });

  it('formats sections in Redis order with blank lines between', () => {
    const r = parseInfoArgs(['cluster', 'server', 'nosuch']);
    const text = formatInfo(r, (k) => (k === 'server' ? ['a:1', 'b:2'] : ['cluster_enabled:0']));
    expect(text).toBe('# Server\r\na:1\r\nb:2\r\n\r\n# Cluster\r\ncluster_enabled:0\r\n');
    expect(formatInfo(parseInfoArgs(['nosuch']), () => [])).toBe('');
    expect(formatInfo(parseInfoArgs(['modules']), () => [])).toBe('# Modules\r\n');
  });

  it('merges acceptor and shard statistics', () => {
    const m = mergeStats(
      new Map([['ping', { calls: 2, usec: 10, failed: 0, rejected: 1 }]]),
      new Map([['ERR', 2]]),
      [
        { cmd: { get: { calls: 3, usec: 6, failed: 0 }, __stats: { calls: 9, usec: 1, failed: 0 } }, err: { WRONGTYPE: 1 }, dbs: [[5, 1], [0, 0]], ks: { expiredKeys: 1, keyspaceHits: 4, keyspaceMisses: 2, dirty: 7 } },
        { cmd: { get: { calls: 1, usec: 2, failed: 1 }, 'object|encoding': { calls: 1, usec: 0, failed: 0 } }, err: { ERR: 1 }, dbs: [[2, 0], [1, 1]], ks: { expiredKeys: 2, keyspaceHits: 1, keyspaceMisses: 0, dirty: 3 } },
      ],
    );
    expect(m.cmd.get('get')).toEqual({ calls: 4, usec: 8, failed: 1, rejected: 0 });
    expect(m.cmd.has('__stats')).toBe(false);
    expect(m.err.get('ERR')).toBe(3);
    expect(m.dbs).toEqual([[7, 1], [1, 1]]);
    expect([m.expiredKeys, m.keyspaceHits, m.keyspaceMisses, m.dirty]).toEqual([3, 5, 2, 10]);
    expect(commandstatLines(m.cmd)).toEqual([
      'cmdstat_get:calls=4,usec=8,usec_per_call=2.00,rejected_calls=0,failed_calls=1',
      'cmdstat_object|encoding:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0',
      'cmdstat_ping:calls=2,usec=10,usec_per_call=5.00,rejected_calls=1,failed_calls=0',
    ]);
    expect(errorstatLines(m.err)).toEqual(['errorstat_ERR:count=3', 'errorstat_WRONGTYPE:count=1']);
    expect(keyspaceLines(m.dbs)).toEqual(['db0:keys=7,expires=1,avg_ttl=0', 'db1:keys=1,expires=1,avg_ttl=0']);
  });

  it('lists a container before its subcommands, and skips unused entries', () => {
    const cmd = new Map([
      ['clients', { calls: 1, usec: 0, failed: 0, rejected: 0 }],
      ['client|list', { calls: 1, usec: 0, failed: 0, rejected: 0 }],
      ['client', { calls: 0, usec: 0, failed: 1, rejected: 0 }],
      ['idle', { calls: 0, usec: 0, failed: 0, rejected: 0 }],
    ]);
    expect(commandstatLines(cmd).map((l) => l.slice(0, l.indexOf(':')))).toEqual([
      'cmdstat_client', 'cmdstat_client|list', 'cmdstat_clients',
    ]);
  });

  it('generates a full INFO with the fields clients rely on', () => {
    const s = fakeServer();
    const text = genInfo(s, parseInfoArgs(['everything']), [{ cmd: {}, err: {}, dbs: [[3, 0]], ks: { expiredKeys: 0, keyspaceHits: 0, keyspaceMisses: 0, dirty: 5 } }]);
    const titles = text.split('\r\n').filter((l) => l.startsWith('# '));
    expect(titles).toEqual([
      '# Server', '# Clients', '# Memory', '# Persistence', '# Stats', '# Replication', '# CPU',
      '# Modules', '# Commandstats', '# Errorstats', '# Latencystats', '# Cluster', '# Keyspace',
    ]);
    expect(text).toContain('\r\nredis_version:7.0.15\r\n');
    expect(text).toContain('\r\nredis_mode:standalone\r\n');
    expect(text).toContain('\r\nrun_id:' + 'a'.repeat(40) + '\r\n');
    expect(text).toContain('\r\ntcp_port:6380\r\n');
    expect(text).toContain('\r\nconfig_file:/etc/ks.conf\r\n');
    expect(text).toContain('\r\nkeyshard_shards:2\r\n');
    expect(text).toContain('\r\nloading:0\r\n');
    expect(text).toContain('\r\nrdb_changes_since_last_save:5\r\n');
    expect(text).toContain('\r\ntotal_commands_processed:42\r\n');
    expect(text).toContain('\r\ntotal_error_replies:1\r\n');
    expect(text).toContain('\r\nrole:master\r\nconnected_slaves:0\r\n');
    expect(text).toContain('\r\ncmdstat_ping:calls=2,usec=4,usec_per_call=2.00,rejected_calls=0,failed_calls=0\r\n');
    expect(text).toContain('\r\nerrorstat_ERR:count=1\r\n');
    expect(text).toMatch(/\r\nused_cpu_sys:\d+\.\d{6}\r\n/);
    expect(text.endsWith('# Keyspace\r\ndb0:keys=3,expires=0,avg_ttl=0\r\n')).toBe(true);
    for (const l of text.split('\r\n')) if (l && !l.startsWith('# ')) expect(l).toMatch(/^[a-zA-Z0-9_|]+:/);
  });
});

describe('CLIENT LIST line', () => {
  it('has the 7.0.15 fields in order', () => {
    const c = fakeConn({ name: 'app', db: 2, lastCmd: 'client|list', proto: 3 });
    const line = clientInfoLine(c, c.createdAt + 3500, 10);
    expect(line).toBe(
      'id=7 addr=127.0.0.1:50000 laddr=127.0.0.1:6380 fd=9 name=app age=3 idle=3 flags=N db=2 sub=0 psub=0 ssub=0 multi=-1' +
        ' qbuf=0 qbuf-free=0 argv-mem=10 multi-mem=0 rbs=16384 rbp=0 obl=0 oll=0 omem=0 tot-mem=16394 events=r' +
        ' cmd=client|list user=default redir=-1 resp=3',
    );
  });

  it('flags and addresses', () => {
    expect(clientFlags(fakeConn({ noEvict: true }))).toBe('e');
    expect(clientFlags(fakeConn({ noEvict: true, closeAfterSeq: 3, flags: 'x' }))).toBe('xce');
    expect(formatAddr('::1', 5)).toBe('[::1]:5');
    expect(formatAddr('::ffff:10.0.0.1', 5)).toBe('10.0.0.1:5');
    expect(formatAddr(undefined, undefined)).toBe('?:0');
    expect(validClientAttr('abc~!')).toBe(true);
    expect(validClientAttr('a b')).toBe(false);
    expect(validClientAttr('\xe9')).toBe(false);
  });
});

describe('connection handlers', () => {
  it('PING / ECHO / SELECT', async () => {
    const s = fakeServer(), c = fakeConn();
    expect(await run(s, c, 'PING')).toBe('+PONG\r\n');
    expect(await run(s, c, 'PING', 'hi')).toBe('$2\r\nhi\r\n');
    expect(await run(s, c, 'PING', 'a', 'b')).toBe("-ERR wrong number of arguments for 'ping' command\r\n");
    expect(await run(s, c, 'ECHO', 'x\x00y')).toBe('$3\r\nx\x00y\r\n');
    expect(await run(s, c, 'SELECT', '15')).toBe('+OK\r\n');
    expect(c.db).toBe(15);
    expect(await run(s, c, 'SELECT', '16')).toBe('-ERR DB index is out of range\r\n');
    expect(await run(s, c, 'SELECT', '-1')).toBe('-ERR DB index is out of range\r\n');
    expect(await run(s, c, 'SELECT', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await run(s, c, 'SELECT', '4294967296')).toBe('-ERR value is out of range, value must between -2147483648 and 2147483647\r\n');
  });

  it('AUTH and HELLO', async () => {
    const open = fakeServer(), c = fakeConn();
    expect(await run(open, c, 'AUTH', 'x')).toBe(
      '-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n',
    );
    expect(await run(open, c, 'AUTH', 'default', 'whatever')).toBe('+OK\r\n');
    expect(await run(open, c, 'AUTH', 'bob', 'x')).toBe('-WRONGPASS invalid username-password pair or user is disabled.\r\n');
    expect(await run(open, c, 'AUTH', 'a', 'b', 'c')).toBe('-ERR syntax error\r\n');

    const s = fakeServer({ requirepass: 'pw' }), d = fakeConn({ authed: false });
    expect(await run(s, d, 'HELLO', '3')).toMatch(/^-NOAUTH HELLO must be called/);
    expect(await run(s, d, 'HELLO', '4')).toBe('-NOPROTO unsupported protocol version\r\n');
    expect(await run(s, d, 'HELLO', 'x')).toBe('-ERR Protocol version is not an integer or out of range\r\n');
    expect(await run(s, d, 'HELLO', '3', 'FOO')).toBe("-ERR Syntax error in HELLO option 'FOO'\r\n");
    expect(await run(s, d, 'HELLO', '3', 'AUTH', 'default', 'no')).toBe('-WRONGPASS invalid username-password pair or user is disabled.\r\n');
    expect(await run(s, d, 'AUTH', 'no')).toBe('-WRONGPASS invalid username-password pair or user is disabled.\r\n');
    const r = await run(s, d, 'HELLO', '3', 'AUTH', 'default', 'pw', 'SETNAME', 'me');
    expect(r).toBe(
      '%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:7\r\n' +
        '$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n',
    );
    expect([d.authed, d.proto, d.name]).toEqual([true, 3, 'me']);
    // HELLO without a version answers the same map, in the current protocol.
    expect(await run(s, d, 'HELLO')).toBe(r);
    expect(await run(s, d, 'HELLO', '2', 'SETNAME', 'a b')).toBe('-ERR Client names cannot contain spaces, newlines or special characters.\r\n');
    expect(await run(s, d, 'RESET')).toBe('+RESET\r\n');
    expect([d.authed, d.proto, d.name, d.db]).toEqual([false, 2, '', 0]);
  });

  it('QUIT and CLIENT KILL close after the reply', async () => {
    const s = fakeServer(), c = fakeConn({ id: 1 }), o = fakeConn({ id: 2, socket: { ...fakeConn().socket, remotePort: 50001 } as any });
    s.conns.set(1, c);
    s.conns.set(2, o);
    expect(await run(s, c, 'CLIENT', 'KILL', '1.2.3.4:5')).toBe('-ERR No such client\r\n');
    expect(await run(s, c, 'CLIENT', 'KILL', 'ID', '0')).toBe('-ERR client-id should be greater than 0\r\n');
    expect(await run(s, c, 'CLIENT', 'KILL', 'ID', '1', 'SKIPME')).toBe('-ERR syntax error\r\n');
    expect(await run(s, c, 'CLIENT', 'KILL', 'USER', 'bob')).toBe("-ERR No such user 'bob'\r\n");
    expect(await run(s, c, 'CLIENT', 'KILL', 'TYPE', 'bad')).toBe("-ERR Unknown client type 'bad'\r\n");
    expect(await run(s, c, 'CLIENT', 'KILL', 'ID', '1')).toBe(':0\r\n'); // SKIPME yes by default
    expect(await run(s, c, 'CLIENT', 'KILL', 'ADDR', '127.0.0.1:50001')).toBe(':1\r\n');
    expect(s.dropped).toEqual([2]);
    expect(c.closeAfterSeq).toBe(-1);
    expect(await run(s, c, 'CLIENT', 'KILL', '127.0.0.1:50000')).toBe('+OK\r\n');
    expect(c.closeAfterSeq).toBe(c.nextSeq - 1);
    const q = fakeConn({ nextSeq: 0 });
    expect(await run(s, q, 'QUIT')).toBe('+OK\r\n');
    expect(q.closeAfterSeq).toBe(0);
  });

  it('CLIENT REPLY OFF/SKIP/ON silence the right replies', async () => {
    const s = fakeServer(), c = fakeConn({ nextSeq: 0 });
    await run(s, c, 'CLIENT', 'REPLY', 'SKIP'); // seq 0
    expect([...c.silent!]).toEqual([0]);
    expect(c.replyMode).toBe(ReplyMode.Skip);
    await run(s, c, 'PING'); // seq 1: skipped
    expect([...c.silent!]).toEqual([0, 1]);
    await run(s, c, 'PING'); // seq 2: replied
    expect(c.silent!.has(2)).toBe(false);
    expect(await run(s, c, 'CLIENT', 'REPLY', 'OFF')).toBe(''); // seq 3
    expect(c.silent!.has(3)).toBe(true);
    await run(s, c, 'PING'); // seq 4
    expect(c.silent!.has(4)).toBe(true);
    await run(s, c, 'CLIENT', 'REPLY', 'SKIP'); // seq 5: still off
    expect(c.replyMode).toBe(ReplyMode.Off);
    expect(await run(s, c, 'CLIENT', 'REPLY', 'ON')).toBe('+OK\r\n'); // seq 6
    expect(c.silent!.has(6)).toBe(false);
    expect(c.replyMode).toBe(ReplyMode.On);
    expect(await run(s, c, 'CLIENT', 'REPLY', 'MAYBE')).toBe('-ERR syntax error\r\n');
  });

  it('CLIENT SETNAME/GETNAME/LIST/INFO/NO-EVICT/SETINFO/HELP', async () => {
    const s = fakeServer(), c = fakeConn();
    s.conns.set(c.id, c);
    expect(await run(s, c, 'CLIENT', 'GETNAME')).toBe('$-1\r\n');
    expect(await run(s, c, 'CLIENT', 'SETNAME', 'a\nb')).toBe('-ERR Client names cannot contain spaces, newlines or special characters.\r\n');
    expect(await run(s, c, 'CLIENT', 'SETNAME', 'n1')).toBe('+OK\r\n');
    expect(await run(s, c, 'CLIENT', 'GETNAME')).toBe('$2\r\nn1\r\n');
    expect(await run(s, c, 'CLIENT', 'ID')).toBe(':7\r\n');
    expect(await run(s, c, 'CLIENT', 'NO-EVICT', 'on')).toBe('+OK\r\n');
    expect(await run(s, c, 'CLIENT', 'NO-EVICT', 'x')).toBe('-ERR syntax error\r\n');
    const list = await run(s, c, 'CLIENT', 'LIST');
    expect(list).toMatch(/^\$\d+\r\nid=7 addr=127\.0\.0\.1:50000 .* name=n1 .* flags=e .*resp=2\n\r\n$/);
    expect(await run(s, c, 'CLIENT', 'LIST', 'TYPE', 'pubsub')).toBe('$0\r\n\r\n');
    expect(await run(s, c, 'CLIENT', 'LIST', 'TYPE', 'x')).toBe("-ERR Unknown client type 'x'\r\n");
    expect(await run(s, c, 'CLIENT', 'LIST', 'TYPE')).toBe('-ERR syntax error\r\n');
    expect(await run(s, c, 'CLIENT', 'LIST', 'ID', 'z')).toBe('-ERR Invalid client ID\r\n');
    expect(await run(s, c, 'CLIENT', 'LIST', 'ID', '99')).toBe('$0\r\n\r\n');
    expect((await run(s, c, 'CLIENT', 'LIST', 'ID', '7', '7')).split('\n').length).toBe(5);
    c.proto = 3;
    expect(await run(s, c, 'CLIENT', 'INFO')).toMatch(/^=\d+\r\ntxt:id=7 .*argv-mem=10 .*resp=3\n\r\n$/);
    c.proto = 2;
    expect(await run(s, c, 'CLIENT', 'SETINFO', 'LIB-NAME', 'ioredis')).toBe('+OK\r\n');
    expect(c.libName).toBe('ioredis');
    expect(await run(s, c, 'CLIENT', 'SETINFO', 'lib-ver', '5 0')).toBe('-ERR lib-ver cannot contain spaces, newlines or special characters.\r\n');
    expect(await run(s, c, 'CLIENT', 'SETINFO', 'foo', 'x')).toBe("-ERR Unrecognized option 'foo'\r\n");
    expect(await run(s, c, 'CLIENT', 'SETINFO', 'lib-name')).toBe("-ERR wrong number of arguments for 'client|setinfo' command\r\n");
    expect(await run(s, c, 'CLIENT', 'PAUSE', '10')).toBe("-ERR unknown subcommand 'PAUSE'. Try CLIENT HELP.\r\n");
    // Redis 7.0.15's CLIENT HELP, line for line.
    const helpLines = [
      'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
      'CACHING (YES|NO)',
      '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
      'GETREDIR',
      '    Return the client ID we are redirecting to when tracking is enabled.',
      'GETNAME',
      '    Return the name of the current connection.',
      'ID',
      '    Return the ID of the current connection.',
      'INFO',
      '    Return information about the current client connection.',
      'KILL <ip:port>',
      '    Kill connection made from <ip:port>.',
      'KILL <option> <value> [<option> <value> [...]]',
      '    Kill connections. Options are:',
      '    * ADDR (<ip:port>|<unixsocket>:0)',
      '      Kill connections made from the specified address',
      '    * LADDR (<ip:port>|<unixsocket>:0)',
      '      Kill connections made to specified local address',
      '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
      '      Kill connections by type.',
      '    * USER <username>',
      '      Kill connections authenticated by <username>.',
      '    * SKIPME (YES|NO)',
      '      Skip killing current connection (default: yes).',
      'LIST [options ...]',
      '    Return information about client connections. Options:',
      '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
      '      Return clients of specified type.',
      'UNPAUSE',
      '    Stop the current client pause, resuming traffic.',
      'PAUSE <timeout> [WRITE|ALL]',
      '    Suspend all, or just write, clients for <timeout> milliseconds.',
      'REPLY (ON|OFF|SKIP)',
      '    Control the replies sent to the current connection.',
      'SETNAME <name>',
      '    Assign the name <name> to the current connection.',
      'UNBLOCK <clientid> [TIMEOUT|ERROR]',
      '    Unblock the specified blocked client.',
      'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
      '         [OPTIN] [OPTOUT] [NOLOOP]',
      '    Control server assisted client side caching.',
      'TRACKINGINFO',
      '    Report tracking status for the current connection.',
      'NO-EVICT (ON|OFF)',
      '    Protect current client connection from eviction.',
      'HELP',
      '    Prints this help.',
    ];
    expect(await run(s, c, 'client', 'help')).toBe(`*${helpLines.length}\r\n` + helpLines.map((l) => `+${l}\r\n`).join(''));
  });
});

describe('server handlers', () => {
  it('TIME, LASTSAVE, SHUTDOWN ABORT, CLUSTER', async () => {
    const s = fakeServer(), c = fakeConn();
    const t = await run(s, c, 'TIME');
    const m = /^\*2\r\n\$\d+\r\n(\d+)\r\n\$\d+\r\n(\d+)\r\n$/.exec(t)!;
    expect(Math.abs(Number(m[1]) - Date.now() / 1000)).toBeLessThan(2);
    expect(Number(m[2])).toBeLessThan(1e6);
    expect(await run(s, c, 'LASTSAVE')).toBe(':1700000000\r\n');
    expect(await run(s, c, 'SHUTDOWN', 'ABORT')).toBe('-ERR No shutdown in progress.\r\n');
    expect(await run(s, c, 'SHUTDOWN', 'ABORT', 'NOW')).toBe('-ERR syntax error\r\n');
    expect(await run(s, c, 'SHUTDOWN', 'SAVE', 'NOSAVE')).toBe('-ERR syntax error\r\n');
    expect(await run(s, c, 'SHUTDOWN', 'LATER')).toBe('-ERR syntax error\r\n');
    expect(await run(s, c, 'CLUSTER', 'KEYSLOT', 'foo')).toBe(':12182\r\n');
    // Redis 7.0.15 (cluster-enabled) answers 8106 for both.
    expect(await run(s, c, 'CLUSTER', 'KEYSLOT', '{user1}.a')).toBe(':8106\r\n');
    expect(await run(s, c, 'CLUSTER', 'KEYSLOT', 'user1')).toBe(':8106\r\n');
    expect(await run(s, c, 'CLUSTER', 'INFO')).toBe('-ERR This instance has cluster support disabled\r\n');
    expect(await run(s, c, 'CLUSTER', 'INFO', 'x')).toBe("-ERR wrong number of arguments for 'cluster|info' command\r\n");
    expect(await run(s, c, 'CLUSTER', 'NOPE')).toBe("-ERR unknown subcommand 'NOPE'. Try CLUSTER HELP.\r\n");
  });

  it('INFO is a verbatim string', async () => {
    const s = fakeServer(), c = fakeConn();
    const r = await run(s, c, 'INFO', 'server');
    expect(r).toMatch(/^\$\d+\r\n# Server\r\nredis_version:7\.0\.15\r\n/);
    c.proto = 3;
    expect(await run(s, c, 'INFO', 'nosuch')).toBe('=4\r\ntxt:\r\n');
  });
});
