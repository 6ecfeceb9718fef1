// COMMAND and its subcommands, answered on the acceptor from the command table.

import { ReplyWriter } from '../protocol/reply';
import { globMatch } from '../util/glob';
import { E } from './errors';
import type { ArgMeta } from './meta';
import { asciiLower, asciiUpper, type Command, type CommandTable } from './table';
import type { CommandDef, NodeCtx } from './contract';

/** What these handlers need from the acceptor. */
export interface CommandServer {
  table: CommandTable;
}

const tableOf = (c: NodeCtx): CommandTable => (c.server as CommandServer).table;

// ---- COMMAND INFO / DOCS encoding (cached per command and protocol) ----

function writeInfo(w: ReplyWriter, cmd: Command): void {
  const m = cmd.meta;
  w.arr(10);
  w.bulk(m.name);
  w.int(m.arity);
  w.set(m.flags.length);
  for (const f of m.flags) w.simple(f);
  w.int(m.firstKey);
  w.int(m.lastKey);
  w.int(m.step);
  w.set(m.acl.length);
  for (const a of m.acl) w.simple(a);
  w.set(m.tips.length);
  for (const t of m.tips) w.bulk(t);
  w.set(m.keySpecs.length);
  for (const k of m.keySpecs) {
    w.map(k.notes ? 4 : 3);
    if (k.notes) {
      w.bulk('notes');
      w.bulk(k.notes);
    }
    w.bulk('flags');
    w.set(k.flags.length);
    for (const f of k.flags) w.simple(f);
    w.bulk('begin_search');
    w.map(2);
    w.bulk('type');
    if (k.bs === null) {
      w.bulk('unknown');
      w.bulk('spec');
      w.map(0);
    } else if ('index' in k.bs) {
      w.bulk('index');
      w.bulk('spec');
      w.map(1);
      w.bulk('index');
      w.int(k.bs.index);
    } else {
      w.bulk('keyword');
      w.bulk('spec');
      w.map(2);
      w.bulk('keyword');
      w.bulk(k.bs.keyword);
      w.bulk('startfrom');
      w.int(k.bs.startfrom);
    }
    w.bulk('find_keys');
    w.map(2);
    w.bulk('type');
    if (k.fk === null) {
      w.bulk('unknown');
      w.bulk('spec');
      w.map(0);
    } else if ('range' in k.fk) {
      w.bulk('range');
      w.bulk('spec');
      w.map(3);
      w.bulk('lastkey');
      w.int(k.fk.range[0]);
      w.bulk('keystep');
      w.int(k.fk.range[1]);
      w.bulk('limit');
      w.int(k.fk.range[2]);
    } else {
      w.bulk('keynum');
      w.bulk('spec');
      w.map(3);
      w.bulk('keynumidx');
      w.int(k.fk.keynum[0]);
      w.bulk('firstkey');
      w.int(k.fk.keynum[1]);
      w.bulk('keystep');
      w.int(k.fk.keynum[2]);
    }
  }
  if (cmd.subs === null) {
    // Redis answers an empty *set* here but an array when there are subcommands.
    w.set(0);
  } else {
    w.arr(cmd.subs.size);
    for (const s of cmd.subs.values()) writeInfo(w, s);
  }
}

function writeArgs(w: ReplyWriter, args: readonly ArgMeta[]): void {
  w.arr(args.length);
  for (const a of args) {
    const nested = a.type === 'oneof' || a.type === 'block';
    let n = 2;
    if (a.key_spec_index !== undefined) n++;
    if (a.token !== undefined) n++;
    if (a.summary !== undefined) n++;
    if (a.since !== undefined) n++;
    if (a.deprecated_since !== undefined) n++;
    if (a.flags !== undefined) n++;
    if (nested) n++;
    w.map(n);
    w.bulk('name');
    w.bulk(a.name);
    w.bulk('type');
    w.bulk(a.type);
    if (a.key_spec_index !== undefined) {
      w.bulk('key_spec_index');
      w.int(a.key_spec_index);
    }
    if (a.token !== undefined) {
      w.bulk('token');
      w.bulk(a.token);
    }
    if (a.summary !== undefined) {
      w.bulk('summary');
      w.bulk(a.summary);
    }
    if (a.since !== undefined) {
      w.bulk('since');
      w.bulk(a.since);
    }
    if (a.deprecated_since !== undefined) {
      w.bulk('deprecated_since');
      w.bulk(a.deprecated_since);
    }
    if (a.flags !== undefined) {
      w.bulk('flags');
      w.set(a.flags.length);
      for (const f of a.flags) w.simple(f);
    }
    if (nested) {
      w.bulk('arguments');
      writeArgs(w, a.arguments ?? []);
    }
  }
}

function writeDocs(w: ReplyWriter, cmd: Command): void {
  const m = cmd.meta;
  let n = 3; // summary, since, group
  if (m.complexity !== undefined) n++;
  if (m.docFlags !== undefined) n++;
  if (m.deprecatedSince !== undefined) n++;
  if (m.replacedBy !== undefined) n++;
  if (m.history !== undefined) n++;
  if (m.args !== undefined) n++;
  if (cmd.subs !== null) n++;
  w.map(n);
  w.bulk('summary');
  w.bulk(m.summary);
  w.bulk('since');
  w.bulk(m.since);
  w.bulk('group');
  w.bulk(m.group);
  if (m.complexity !== undefined) {
    w.bulk('complexity');
    w.bulk(m.complexity);
  }
  if (m.docFlags !== undefined) {
    w.bulk('doc_flags');
    w.set(m.docFlags.length);
    for (const f of m.docFlags) w.simple(f);
  }
  if (m.deprecatedSince !== undefined) {
    w.bulk('deprecated_since');
    w.bulk(m.deprecatedSince);
  }
  if (m.replacedBy !== undefined) {
    w.bulk('replaced_by');
    w.bulk(m.replacedBy);
  }
  if (m.history !== undefined) {
    w.bulk('history');
    w.set(m.history.length);
    for (const [since, change] of m.history) {
      w.arr(2);
      w.bulk(since);
      w.bulk(change);
    }
  }
  if (m.args !== undefined) {
    w.bulk('arguments');
    writeArgs(w, m.args);
  }
  if (cmd.subs !== null) {
    w.bulk('subcommands');
    w.map(cmd.subs.size);
    for (const s of cmd.subs.values()) {
      w.bulk(s.name);
      writeDocs(w, s);
    }
  }
}

// The replies never change for a command, so each is encoded once per protocol.
interface Cached {
  info: (Buffer | undefined)[];
  docs: (Buffer | undefined)[];
}
const cache = new WeakMap<Command, Cached>();
const scratch = new ReplyWriter(16 * 1024);

function cached(w: ReplyWriter, cmd: Command, kind: 'info' | 'docs'): void {
  let e = cache.get(cmd);
  if (e === undefined) {
    e = { info: [], docs: [] };
    cache.set(cmd, e);
  }
  let b = e[kind][w.proto];
  if (b === undefined) {
    scratch.reset();
    scratch.proto = w.proto;
    if (kind === 'info') writeInfo(scratch, cmd);
    else writeDocs(scratch, cmd);
    b = Buffer.from(scratch.view());
    e[kind][w.proto] = b;
  }
  w.rawBuf(b);
}

// ---- handlers ----

function commandAll(c: NodeCtx): void {
  const all = tableOf(c).all();
  c.w.arr(all.length);
  for (const cmd of all) cached(c.w, cmd, 'info');
}

function commandCount(c: NodeCtx): void {
  c.w.int(tableOf(c).all().length);
}

const ACL_CATEGORIES = new Set([
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog',
  'geo', 'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection',
  'transaction', 'scripting',
]);

function commandList(c: NodeCtx, a: string[]): void {
  let filter = '';
  let arg = '';
  for (let i = 2; i < a.length; i++) {
    if (asciiLower(a[i]) === 'filterby' && a.length - 1 - i === 2) {
      const t = asciiLower(a[i + 1]);
      if (t !== 'module' && t !== 'aclcat' && t !== 'pattern') return c.w.error(E.SYNTAX);
      filter = t;
      arg = a[i + 2];
      i += 2;
    } else {
      return c.w.error(E.SYNTAX);
    }
  }
  const names: string[] = [];
  let cat = '';
  if (filter === 'aclcat') {
    const l = asciiLower(arg);
    cat = ACL_CATEGORIES.has(l) ? '@' + l : '';
  }
  const keep = (cmd: Command): boolean => {
    switch (filter) {
      case '':
        return true;
      case 'module':
        return false; // no modules
      case 'aclcat':
        return cat !== '' && cmd.meta.acl.includes(cat);
      default:
        return globMatch(arg, cmd.name, true);
    }
  };
  for (const cmd of tableOf(c).all()) {
    if (keep(cmd)) names.push(cmd.name);
    if (cmd.subs) for (const s of cmd.subs.values()) if (keep(s)) names.push(s.name);
  }
  c.w.bulks(names);
}

function commandInfo(c: NodeCtx, a: string[]): void {
  const t = tableOf(c);
  if (a.length === 2) return commandAll(c);
  c.w.arr(a.length - 2);
  for (let i = 2; i < a.length; i++) {
    const cmd = t.lookupFullName(a[i]);
    if (cmd === undefined) c.w.nil();
    else cached(c.w, cmd, 'info');
  }
}

function commandDocs(c: NodeCtx, a: string[]): void {
  const t = tableOf(c);
  const found: Command[] = [];
  if (a.length === 2) found.push(...t.all());
  else {
    for (let i = 2; i < a.length; i++) {
      const cmd = t.lookupFullName(a[i]);
      if (cmd !== undefined) found.push(cmd);
    }
  }
  c.w.map(found.length);
  for (const cmd of found) {
    c.w.bulk(cmd.name);
    cached(c.w, cmd, 'docs');
  }
}

function getKeysImpl(c: NodeCtx, a: string[], withFlags: boolean): void {
  const t = tableOf(c);
  const argc = a.length - 2;
  const arg = (i: number): string => a[i + 2];
  const cmd = t.lookupArgv(argc, arg);
  const w = c.w;
  if (cmd === undefined) return w.error('ERR Invalid command specified');
  if (!cmd.hasKeys) return w.error('ERR The command has no key arguments');
  if ((cmd.arity > 0 && cmd.arity !== argc) || argc < -cmd.arity) {
    return w.error('ERR Invalid number of arguments specified for command');
  }
  const { pos, flags } = t.keysWithFlags(cmd, argc, arg);
  if (pos.length === 0) {
    if (cmd.noMandatoryKeys) return w.arr(0);
    return w.error('ERR Invalid arguments specified for command');
  }
  w.arr(pos.length);
  for (let i = 0; i < pos.length; i++) {
    if (!withFlags) {
      w.bulk(a[pos[i] + 2]);
      continue;
    }
    w.arr(2);
    w.bulk(a[pos[i] + 2]);
    w.set(flags[i].length);
    for (const f of flags[i]) w.simple(f);
  }
}

const HELP = [
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
];

/** Redis's addReplyHelp: header naming the command as typed, the lines, then HELP. */
export function writeHelp(w: ReplyWriter, typedName: string, lines: readonly string[]): void {
  const z = typedName.indexOf('\0');
  const name = asciiUpper(z < 0 ? typedName : typedName.slice(0, z));
  w.arr(lines.length + 3);
  w.simple(`${name} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const l of lines) w.simple(l);
  w.simple('HELP');
  w.simple('    Prints this help.');
}

export const commands: CommandDef[] = [
  { name: 'command', node: (c) => commandAll(c) },
  { name: 'command|count', node: (c) => commandCount(c) },
  { name: 'command|list', node: commandList },
  { name: 'command|info', node: commandInfo },
  { name: 'command|docs', node: commandDocs },
  { name: 'command|getkeys', node: (c, a) => getKeysImpl(c, a, false) },
  { name: 'command|getkeysandflags', node: (c, a) => getKeysImpl(c, a, true) },
  { name: 'command|help', node: (c, a) => writeHelp(c.w, a[0], HELP) },
];
