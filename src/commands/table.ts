// The command table: generated metadata (meta.ts) joined with the handlers the
// command-group files define. Also key extraction (Redis's key-spec rules with
// its getkeys fallbacks) and the unknown-command error texts.

import { META, type CommandMeta, type KeySpecMeta } from './meta';
import type { CommandDef } from './contract';
import type { ReplyWriter } from '../protocol/reply';
import { cstr } from './errors';

export interface Command {
  name: string;
  meta: CommandMeta;
  /** A container without a handler of its own gets a bare `{ name }`. */
  def: CommandDef;
  arity: number;
  firstKey: number;
  lastKey: number;
  step: number;
  movable: boolean;
  /** Subcommands by lower-case declared name ('encoding'); null if not a container. */
  subs: Map<string, Command> | null;
  parent: Command | null;

  isWrite: boolean;
  isReadonly: boolean;
  denyOom: boolean;
  admin: boolean;
  pubsub: boolean;
  noScript: boolean;
  blocking: boolean;
  loading: boolean;
  stale: boolean;
  fast: boolean;
  noAuth: boolean;
  noMulti: boolean;
  allowBusy: boolean;
  skipMonitor: boolean;
  skipSlowlog: boolean;
  noMandatoryKeys: boolean;
  noAsyncLoading: boolean;
  mayReplicate: boolean;
  isProtected: boolean;
  /** Redis's doesCommandHaveKeys. */
  hasKeys: boolean;
  /** def.node is an async function (it keeps writing after an await). */
  nodeAsync: boolean;

  /** Compiled key specs. */
  specs: KeySpec[];
  /** Key positions when they never depend on argv (GET, SMOVE, SET …), else null. */
  fixedKeys: readonly number[] | null;
  /** Largest index in fixedKeys: argc must exceed it for fixedKeys to apply. */
  fixedMax: number;
  /** Some spec is not NOT_KEY / some spec has VARIABLE_FLAGS (getKeysFromCommandWithSpecs). */
  specHasKey: boolean;
  specVarFlags: boolean;
  /** Redis's getkeys_proc, by kind; GK_NONE if none. */
  getKeys: number;
}

/** A key spec in a form cheap to evaluate. */
export interface KeySpec {
  flags: string[];
  notKey: boolean;
  incomplete: boolean;
  /** 0 unknown, 1 index, 2 keyword. */
  bs: number;
  pos: number;
  keyword: string;
  startfrom: number;
  /** 0 unknown, 1 range, 2 keynum. */
  fk: number;
  lastkey: number;
  step: number;
  limit: number;
  keynumidx: number;
  firstkey: number;
}

const GK_NONE = 0;
const GK_GENERIC = 1; // numkeys-style: params in GENERIC_PARAMS
const GK_SORT = 2;
const GK_SORT_RO = 3;
const GK_MIGRATE = 4;
const GK_GEORADIUS = 5;
const GK_XREAD = 6;
const GK_SET = 7;
const GK_BITFIELD = 8;

// [storeKeyOfs, keyCountOfs, firstKeyOfs, keyStep] per numkeys-style getkeys proc.
const GENERIC_PARAMS: Record<string, readonly number[]> = {
  sintercardGetKeys: [0, 1, 2, 1],
  zunionInterDiffStoreGetKeys: [1, 2, 3, 1],
  zunionInterDiffGetKeys: [0, 1, 2, 1],
  evalGetKeys: [0, 2, 3, 1],
  functionGetKeys: [0, 2, 3, 1],
  lmpopGetKeys: [0, 1, 2, 1],
  blmpopGetKeys: [0, 2, 3, 1],
  zmpopGetKeys: [0, 1, 2, 1],
  bzmpopGetKeys: [0, 2, 3, 1],
};
const OTHER_PROCS: Record<string, number> = {
  sortGetKeys: GK_SORT,
  sortROGetKeys: GK_SORT_RO,
  migrateGetKeys: GK_MIGRATE,
  georadiusGetKeys: GK_GEORADIUS,
  xreadGetKeys: GK_XREAD,
  setGetKeys: GK_SET,
  bitfieldGetKeys: GK_BITFIELD,
};

// Key flags the getkeys procs report, as COMMAND GETKEYSANDFLAGS prints them.
const KF_NONE: string[] = [];
const KF_RO_ACCESS = ['RO', 'access'];
const KF_OW_UPDATE = ['OW', 'update'];
const KF_RW_ACCESS_UPDATE = ['RW', 'access', 'update'];
const KF_RW_ACCESS_DELETE = ['RW', 'access', 'delete'];

const EMPTY: readonly number[] = Object.freeze([]);

/** Argument accessor: the i-th argument (0 = command name) as a latin1 string. */
export type ArgFn = (i: number) => string;

/** Lower-cases ASCII letters only, as strcasecmp/tolower do in the C locale. */
export function asciiLower(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return s;
}

export function asciiUpper(s: string): string {
  return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
}

/** strcasecmp(a, kw) == 0 for a lower-case ASCII keyword; `a` ends at a NUL like a C string. */
function cstrCaseEq(a: string, kw: string): boolean {
  const n = kw.length;
  if (a.length < n) return false;
  for (let i = 0; i < n; i++) {
    let c = a.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== kw.charCodeAt(i)) return false;
  }
  return a.length === n || a.charCodeAt(n) === 0;
}

/** C atoi(): leading space, sign, digits; the rest ignored; int-truncated. */
function atoi(s: string): number {
  let i = 0;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) i++;
    else break;
  }
  let neg = false;
  if (i < n && (s[i] === '-' || s[i] === '+')) neg = s[i++] === '-';
  const start = i;
  while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  if (i === start) return 0;
  const digits = s.slice(start, i);
  if (digits.length <= 15) {
    const v = Number(digits);
    return (neg ? -v : v) | 0;
  }
  // strtol clamps to the long range, then atoi keeps the low 32 bits.
  let b = BigInt(digits);
  if (neg) b = -b;
  const LMAX = 2n ** 63n - 1n;
  if (b > LMAX) b = LMAX;
  if (b < -LMAX - 1n) b = -LMAX - 1n;
  return Number(BigInt.asIntN(32, b));
}

/** string2ll then the (int) cast Redis applies to numkeys; null if not an integer or negative. */
function parseNumkeys(s: string): number | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  if (s === '0') return 0;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return null;
    i = 1;
  }
  let c = s.charCodeAt(i);
  if (c < 49 || c > 57) return null;
  for (i++; i < n; i++) {
    c = s.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  if (s.charCodeAt(0) === 45) return null; // valid but negative
  if (n <= 15) return Number(s) | 0;
  const b = BigInt(s);
  if (b > 2n ** 63n - 1n) return null;
  return Number(BigInt.asIntN(32, b));
}

function compileSpec(k: KeySpecMeta): KeySpec {
  const s: KeySpec = {
    flags: k.flags,
    notKey: k.flags.includes('not_key'),
    incomplete: k.flags.includes('incomplete'),
    bs: 0, pos: 0, keyword: '', startfrom: 0,
    fk: 0, lastkey: 0, step: 0, limit: 0, keynumidx: 0, firstkey: 0,
  };
  if (k.bs) {
    if ('index' in k.bs) {
      s.bs = 1;
      s.pos = k.bs.index;
    } else {
      s.bs = 2;
      s.keyword = k.bs.keyword.toLowerCase();
      s.startfrom = k.bs.startfrom;
    }
  }
  if (k.fk) {
    if ('range' in k.fk) {
      s.fk = 1;
      [s.lastkey, s.step, s.limit] = k.fk.range;
    } else {
      s.fk = 2;
      [s.keynumidx, s.firstkey, s.step] = k.fk.keynum;
    }
  }
  return s;
}

function makeCommand(meta: CommandMeta, def: CommandDef, parent: Command | null): Command {
  const f = meta.flags;
  const h = meta.hidden ?? [];
  const specs = meta.keySpecs.map(compileSpec);
  const specHasKey = specs.some((s) => !s.notKey);
  const specVarFlags = specs.some((s) => s.flags.includes('variable_flags'));
  let getKeys = GK_NONE;
  if (meta.getKeysFn) {
    getKeys = GENERIC_PARAMS[meta.getKeysFn] ? GK_GENERIC : OTHER_PROCS[meta.getKeysFn];
    if (getKeys === undefined) throw new Error(`command table: unknown getkeys proc ${meta.getKeysFn}`);
  }
  // Positions are argv-independent when every spec is a fixed index range;
  // VARIABLE_FLAGS only changes flags (SET/BITFIELD's procs give the same key).
  let fixedKeys: number[] | null = null;
  let fixedMax = 0;
  if (specs.length > 0 && specs.every((s) => s.bs === 1 && s.fk === 1 && s.lastkey >= 0 && !s.incomplete && !s.notKey)) {
    fixedKeys = [];
    for (const s of specs) {
      for (let i = s.pos; i <= s.pos + s.lastkey; i += s.step) {
        fixedKeys.push(i);
        if (i > fixedMax) fixedMax = i;
      }
    }
    Object.freeze(fixedKeys);
  }
  return {
    name: meta.name,
    meta,
    def,
    arity: meta.arity,
    firstKey: meta.firstKey,
    lastKey: meta.lastKey,
    step: meta.step,
    movable: meta.movable,
    subs: null,
    parent,
    isWrite: f.includes('write'),
    isReadonly: f.includes('readonly'),
    denyOom: f.includes('denyoom'),
    admin: f.includes('admin'),
    pubsub: f.includes('pubsub'),
    noScript: f.includes('noscript'),
    blocking: f.includes('blocking'),
    loading: f.includes('loading'),
    stale: f.includes('stale'),
    fast: f.includes('fast'),
    noAuth: f.includes('no_auth'),
    noMulti: f.includes('no_multi'),
    allowBusy: f.includes('allow_busy'),
    skipMonitor: f.includes('skip_monitor'),
    skipSlowlog: f.includes('skip_slowlog'),
    noMandatoryKeys: f.includes('no_mandatory_keys'),
    noAsyncLoading: f.includes('no_async_loading'),
    mayReplicate: h.includes('may_replicate'),
    isProtected: h.includes('protected'),
    hasKeys: getKeys !== GK_NONE || specHasKey,
    nodeAsync: (def.node as { [Symbol.toStringTag]?: string } | undefined)?.[Symbol.toStringTag] === 'AsyncFunction',
    specs,
    fixedKeys,
    fixedMax,
    specHasKey,
    specVarFlags,
    getKeys,
  };
}

export class CommandTable {
  /** Top-level commands, sorted by name. */
  private readonly list: Command[];
  /** Lower-case and upper-case names of top-level commands. */
  private readonly byName = new Map<string, Command>();

  constructor(list: Command[]) {
    this.list = list;
    for (const c of list) {
      this.byName.set(c.name, c);
      this.byName.set(asciiUpper(c.name), c);
    }
  }

  /** Top-level command by name, any case. */
  lookup(name: string): Command | undefined {
    return this.byName.get(name) ?? this.byName.get(asciiLower(name));
  }

  /** A container's subcommand by name, any case. */
  lookupSub(cmd: Command, name: string): Command | undefined {
    const subs = cmd.subs;
    if (subs === null) return undefined;
    return subs.get(name) ?? subs.get(asciiLower(name));
  }

  /**
   * Redis's lookupCommand for an argv (non-strict): the container itself when
   * argc is 1, else its subcommand (undefined if unknown).
   */
  lookupArgv(argc: number, arg: ArgFn): Command | undefined {
    const base = this.lookup(arg(0));
    if (base === undefined || argc === 1 || base.subs === null) return base;
    return this.lookupSub(base, arg(1));
  }

  /** Redis's lookupCommandBySds: 'get' or 'object|encoding', strict. */
  lookupFullName(s: string): Command | undefined {
    const bar = s.indexOf('|');
    if (bar < 0) return this.lookup(s);
    if (s.indexOf('|', bar + 1) >= 0) return undefined;
    const base = this.lookup(s.slice(0, bar));
    if (base === undefined || base.subs === null) return undefined;
    return this.lookupSub(base, s.slice(bar + 1));
  }

  all(): Command[] {
    return this.list;
  }

  /**
   * Key argument indexes for argv (getKeysFromCommandWithSpecs). The array may
   * be shared: don't mutate it. Empty for keyless commands (and when a
   * NO_MANDATORY_KEYS command names none); null when the command has keys but
   * argv doesn't say where (bad numkeys …): run it on one shard and let its
   * handler report the error.
   */
  /**
   * Timeout of a blocking command in ms (0 = forever), from the position its
   * spec gives the `timeout` argument: first (BLMPOP, BZMPOP) or last (BLPOP,
   * BLMOVE, …). An invalid value counts as forever here: the command's own
   * handler answers the error on its first run.
   */
  blockTimeoutMs(cmd: Command, a: readonly string[]): number {
    const s = cmd.meta.args?.[0]?.name === 'timeout' ? a[1] : a[a.length - 1];
    const v = Number(s);
    return Number.isFinite(v) && v > 0 ? Math.ceil(v * 1000) : 0;
  }

  keyIndexes(cmd: Command, argc: number, arg: ArgFn): readonly number[] | null {
    // Redis only looks for keys once arity passed; its getkeys procs rely on it.
    const arity = cmd.arity;
    if (arity > 0 ? argc !== arity : argc < -arity) return null;
    const fixed = cmd.fixedKeys;
    if (fixed !== null && argc > cmd.fixedMax) return fixed;
    if (!cmd.hasKeys) return EMPTY;
    const pos = getKeys(cmd, argc, arg, null);
    if (pos.length > 0) return pos;
    return cmd.noMandatoryKeys ? EMPTY : null;
  }

  /** Keys with their flags, for COMMAND GETKEYSANDFLAGS. */
  keysWithFlags(cmd: Command, argc: number, arg: ArgFn): { pos: number[]; flags: string[][] } {
    const flags: string[][] = [];
    const pos = getKeys(cmd, argc, arg, flags);
    return { pos, flags };
  }
}

/** getKeysUsingKeySpecs: positions, or null where Redis returns -1. */
function keysFromSpecs(cmd: Command, argc: number, arg: ArgFn, flagsOut: string[][] | null): number[] | null {
  const out: number[] = [];
  const specs = cmd.specs;
  for (let j = 0; j < specs.length; j++) {
    const s = specs[j];
    if (s.notKey) continue;
    let first = 0;
    if (s.bs === 1) {
      first = s.pos;
    } else if (s.bs === 2) {
      const start = s.startfrom > 0 ? s.startfrom : argc + s.startfrom;
      const end = s.startfrom > 0 ? argc - 1 : 1;
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (cstrCaseEq(arg(i), s.keyword)) {
          first = i + 1;
          break;
        }
      }
      if (first === 0) continue;
    } else {
      return null;
    }

    let last: number;
    if (s.fk === 1) {
      if (s.lastkey >= 0) last = first + s.lastkey;
      else if (s.limit === 0) last = argc + s.lastkey;
      else last = first + (Math.trunc((argc - first) / s.limit) + s.lastkey);
    } else if (s.fk === 2) {
      if (s.keynumidx >= argc || first + s.keynumidx >= argc) return null;
      const numkeys = parseNumkeys(arg(first + s.keynumidx));
      if (numkeys === null) return null;
      first += s.firstkey;
      last = first + numkeys - 1;
    } else {
      return null;
    }

    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += s.step) {
      out.push(i);
      if (flagsOut !== null) flagsOut.push(s.flags);
    }
    if (s.incomplete) return null;
  }
  return out;
}

/** getKeysFromCommandWithSpecs. */
function getKeys(cmd: Command, argc: number, arg: ArgFn, flagsOut: string[][] | null): number[] {
  if (cmd.specHasKey && !cmd.specVarFlags) {
    const r = keysFromSpecs(cmd, argc, arg, flagsOut);
    if (r !== null) return r;
    if (flagsOut !== null) flagsOut.length = 0;
  }
  switch (cmd.getKeys) {
    case GK_NONE:
      return [];
    case GK_GENERIC:
      return genericGetKeys(GENERIC_PARAMS[cmd.meta.getKeysFn!], argc, arg, flagsOut);
    case GK_SORT_RO:
      if (flagsOut !== null) flagsOut.push(KF_RO_ACCESS);
      return [1];
    case GK_SORT:
      return sortGetKeys(argc, arg, flagsOut);
    case GK_MIGRATE:
      return migrateGetKeys(argc, arg, flagsOut);
    case GK_GEORADIUS:
      return georadiusGetKeys(argc, arg, flagsOut);
    case GK_XREAD:
      return xreadGetKeys(argc, arg, flagsOut);
    case GK_SET: {
      let f = KF_OW_UPDATE;
      for (let i = 3; i < argc; i++) {
        if (cstrCaseEq(arg(i), 'get')) {
          f = KF_RW_ACCESS_UPDATE;
          break;
        }
      }
      if (flagsOut !== null) flagsOut.push(f);
      return [1];
    }
    case GK_BITFIELD: {
      let readonly = true;
      for (let i = 2; i < argc; i++) {
        const rem = argc - i - 1;
        const a = arg(i);
        if (cstrCaseEq(a, 'get') && rem >= 2) i += 2;
        else if ((cstrCaseEq(a, 'set') || cstrCaseEq(a, 'incrby')) && rem >= 3) {
          readonly = false;
          break;
        } else if (cstrCaseEq(a, 'overflow') && rem >= 1) i += 1;
        else {
          readonly = false;
          break;
        }
      }
      if (flagsOut !== null) flagsOut.push(readonly ? KF_RO_ACCESS : KF_RW_ACCESS_UPDATE);
      return [1];
    }
  }
  return [];
}

function genericGetKeys(p: readonly number[], argc: number, arg: ArgFn, flagsOut: string[][] | null): number[] {
  const [storeOfs, countOfs, firstOfs, step] = p;
  if (countOfs >= argc) return [];
  const num = atoi(arg(countOfs));
  if (num < 1 || num > Math.trunc((argc - firstOfs) / step)) return [];
  const out: number[] = [];
  for (let i = 0; i < num; i++) out.push(firstOfs + i * step);
  if (storeOfs) out.push(storeOfs);
  if (flagsOut !== null) for (let i = 0; i < out.length; i++) flagsOut.push(KF_NONE);
  return out;
}

function sortGetKeys(argc: number, arg: ArgFn, flagsOut: string[][] | null): number[] {
  let store = 0;
  for (let i = 2; i < argc; i++) {
    const a = arg(i);
    if (cstrCaseEq(a, 'limit')) i += 2;
    else if (cstrCaseEq(a, 'get') || cstrCaseEq(a, 'by')) i += 1;
    else if (cstrCaseEq(a, 'store') && i + 1 < argc) store = i + 1; // the last STORE wins, like SORT
  }
  if (flagsOut !== null) {
    flagsOut.push(KF_RO_ACCESS);
    if (store) flagsOut.push(KF_OW_UPDATE);
  }
  return store ? [1, store] : [1];
}

function migrateGetKeys(argc: number, arg: ArgFn, flagsOut: string[][] | null): number[] {
  let first = 3;
  let num = 1;
  if (argc > 6) {
    for (let i = 6; i < argc; i++) {
      const a = arg(i);
      if (cstrCaseEq(a, 'keys')) {
        // A key in argv[3] as well as KEYS is a syntax error MIGRATE reports.
        if (arg(3).length > 0) num = 0;
        else {
          first = i + 1;
          num = argc - first;
        }
        break;
      }
      if (cstrCaseEq(a, 'auth')) i += 1;
      else if (cstrCaseEq(a, 'auth2')) i += 2;
    }
  }
  const out: number[] = [];
  for (let i = 0; i < num; i++) {
    out.push(first + i);
    if (flagsOut !== null) flagsOut.push(KF_RW_ACCESS_DELETE);
  }
  return out;
}

function georadiusGetKeys(argc: number, arg: ArgFn, flagsOut: string[][] | null): number[] {
  let stored = -1;
  for (let i = 5; i < argc; i++) {
    const a = arg(i);
    if ((cstrCaseEq(a, 'store') || cstrCaseEq(a, 'storedist')) && i + 1 < argc) {
      stored = i + 1;
      i++;
    }
  }
  const out = stored === -1 ? [1] : [1, stored];
  if (flagsOut !== null) for (let i = 0; i < out.length; i++) flagsOut.push(KF_NONE);
  return out;
}

function xreadGetKeys(argc: number, arg: ArgFn, flagsOut: string[][] | null): number[] {
  let streams = -1;
  for (let i = 1; i < argc; i++) {
    const a = arg(i);
    if (cstrCaseEq(a, 'block') || cstrCaseEq(a, 'count')) i++;
    else if (cstrCaseEq(a, 'group')) i += 2;
    else if (cstrCaseEq(a, 'noack')) continue;
    else {
      if (cstrCaseEq(a, 'streams')) streams = i;
      break;
    }
  }
  if (streams === -1) return [];
  const n = argc - streams - 1;
  if (n === 0 || n % 2 !== 0) return [];
  const out: number[] = [];
  for (let i = streams + 1; i < argc - n / 2; i++) {
    out.push(i);
    if (flagsOut !== null) flagsOut.push(KF_NONE);
  }
  return out;
}

/**
 * Builds the table from the command groups' definitions. Throws on a def
 * naming a command Redis doesn't have, or on duplicates.
 */
export function buildTable(groups: readonly (readonly CommandDef[])[]): CommandTable {
  const defs = new Map<string, CommandDef>();
  for (const g of groups) {
    for (const d of g) {
      if (!META[d.name]) throw new Error(`command table: no metadata for '${d.name}'`);
      if (defs.has(d.name)) throw new Error(`command table: '${d.name}' defined twice`);
      defs.set(d.name, d);
    }
  }
  const top = new Map<string, Command>();
  const containerOf = (name: string): Command => {
    let c = top.get(name);
    if (c === undefined) {
      c = makeCommand(META[name], defs.get(name) ?? { name }, null);
      top.set(name, c);
    }
    if (c.subs === null) c.subs = new Map();
    return c;
  };
  for (const [name, d] of defs) {
    const bar = name.indexOf('|');
    if (bar < 0) {
      if (!top.has(name)) top.set(name, makeCommand(META[name], d, null));
      continue;
    }
    const parent = containerOf(name.slice(0, bar));
    parent.subs!.set(name.slice(bar + 1), makeCommand(META[name], d, parent));
  }
  // Sorted so listings are stable (Redis's own order is its dict's hash order).
  const list = [...top.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const c of list) {
    if (c.subs) c.subs = new Map([...c.subs].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  }
  return new CommandTable(list);
}

// ---- HELP and unknown command / subcommand errors ----

/** Redis's addReplyHelp: the command as sent, uppercased as C's toupper does, the lines, the HELP footer. */
export function replyHelp(w: ReplyWriter, cmd: string, lines: readonly string[]): void {
  w.arr(lines.length + 3);
  w.simple(`${asciiUpper(cmd)} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const l of lines) w.simple(l);
  w.simple('HELP');
  w.simple('    Prints this help.');
}

/** Newlines in an error reply would break the protocol; Redis turns them into spaces. */
function noNewlines(s: string): string {
  return s.replace(/[\r\n]/g, ' ');
}

/** "ERR unknown command 'foo', with args beginning with: 'a' 'b' " */
export function unknownCommandError(argv: readonly string[]): string {
  let args = '';
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += "'" + cstr(argv[i]).slice(0, 128 - args.length) + "' ";
  }
  return noNewlines(`ERR unknown command '${cstr(argv[0]).slice(0, 128)}', with args beginning with: ${args}`);
}

/** "ERR unknown subcommand 'x'. Try OBJECT HELP." (argv[0] the container, argv[1] the subcommand). */
export function unknownSubcommandError(argv: readonly string[]): string {
  return noNewlines(`ERR unknown subcommand '${cstr(argv[1]).slice(0, 128)}'. Try ${asciiUpper(cstr(argv[0]))} HELP.`);
}
