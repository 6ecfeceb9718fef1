#!/usr/bin/env node
// Generates src/commands/meta.ts from Redis's command spec JSON files.
//   node tools/gen-meta.mjs ../shared/reference/redis-7.0-commands > src/commands/meta.ts
// Run by hand when the specs change; never by the build or the tests (the
// project must not read the spec folder at run time).
//
// Besides copying the declared facts, this derives what Redis computes at
// startup from them, so COMMAND INFO prints the same thing: the implicit ACL
// categories, the legacy (first,last,step) range and the movablekeys flag.

import { readdirSync, readFileSync } from 'node:fs';
import { join, basename, resolve } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: node tools/gen-meta.mjs <spec-dir> > src/commands/meta.ts\n');
  process.exit(2);
}

// Printed command flags, in the order COMMAND INFO lists them.
const PRINTED_FLAGS = [
  'WRITE', 'READONLY', 'DENYOOM', 'MODULE', 'ADMIN', 'PUBSUB', 'NOSCRIPT', 'BLOCKING', 'LOADING',
  'STALE', 'SKIP_MONITOR', 'SKIP_SLOWLOG', 'ASKING', 'FAST', 'NO_AUTH', 'NO_MANDATORY_KEYS',
  'NO_ASYNC_LOADING', 'NO_MULTI', 'MOVABLE_KEYS', 'ALLOW_BUSY',
];
const PRINTED_NAME = { MOVABLE_KEYS: 'movablekeys' };
// Flags Redis keeps but never prints; the server still needs some of them.
const HIDDEN_FLAGS = ['MAY_REPLICATE', 'PROTECTED', 'TOUCHES_ARBITRARY_KEYS'];
const KNOWN_FLAGS = new Set([...PRINTED_FLAGS, ...HIDDEN_FLAGS, 'SENTINEL', 'ONLY_SENTINEL']);

// ACL categories in the order Redis prints them.
const ACL_ORDER = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog',
  'geo', 'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection',
  'transaction', 'scripting',
];

const KEY_FLAG_ORDER = ['RO', 'RW', 'OW', 'RM', 'ACCESS', 'UPDATE', 'INSERT', 'DELETE', 'NOT_KEY', 'INCOMPLETE', 'VARIABLE_FLAGS'];
const keyFlagName = (f) => (f.length === 2 ? f : f.toLowerCase());

const GROUP_NAME = { sorted_set: 'sorted-set' };

function fail(msg) {
  process.stderr.write(`gen-meta: ${msg}\n`);
  process.exit(1);
}

function ordered(list, order, what, cmd) {
  for (const x of list) if (!order.includes(x)) fail(`${cmd}: unknown ${what} ${x}`);
  return order.filter((x) => list.includes(x));
}

function keySpec(ks, cmd) {
  const out = { flags: ordered(ks.flags || [], KEY_FLAG_ORDER, 'key spec flag', cmd).map(keyFlagName) };
  const b = ks.begin_search, f = ks.find_keys;
  if (b.index) out.bs = { index: b.index.pos };
  else if (b.keyword) out.bs = { keyword: b.keyword.keyword, startfrom: b.keyword.startfrom };
  else if ('unknown' in b) out.bs = null;
  else fail(`${cmd}: bad begin_search`);
  if (f.range) out.fk = { range: [f.range.lastkey, f.range.step, f.range.limit] };
  else if (f.keynum) out.fk = { keynum: [f.keynum.keynumidx, f.keynum.firstkey, f.keynum.step] };
  else if ('unknown' in f) out.fk = null;
  else fail(`${cmd}: bad find_keys`);
  if (ks.notes) out.notes = cText(ks.notes);
  return out;
}

// Mirrors how Redis turns key specs into the legacy range and movablekeys.
function legacyRange(specs) {
  let movable = false;
  if (specs.length === 0) return { first: 0, last: 0, step: 0, movable };
  const isRange = (s) => s.bs && 'index' in s.bs && s.fk && 'range' in s.fk;
  if (specs.length === 1 && isRange(specs[0])) {
    const s = specs[0];
    const [lastkey, step] = s.fk.range;
    return {
      first: s.bs.index,
      last: lastkey >= 0 ? lastkey + s.bs.index : lastkey,
      step,
      movable: s.flags.includes('incomplete'),
    };
  }
  let first = Infinity, last = 0, prev = 0;
  for (const s of specs) {
    if (!isRange(s)) { movable = true; continue; }
    const pos = s.bs.index;
    const [lastkey, step] = s.fk.range;
    if (step !== 1 || (prev && prev !== pos - 1)) { movable = true; continue; }
    if (s.flags.includes('incomplete')) movable = true;
    first = Math.min(first, pos);
    const abs = lastkey >= 0 ? lastkey + pos : lastkey;
    // Redis compares these as unsigned, so a negative (relative-to-end) index wins.
    last = (last >>> 0) >= (abs >>> 0) ? last : abs;
    prev = last;
  }
  if (first === Infinity) return { first: 0, last: 0, step: 0, movable: true };
  // COMMAND INFO prints last+first when the stored relative lastkey is >= 0.
  return { first, last, step: 1, movable };
}

// Redis's generator pastes spec strings between double quotes in C source, so
// an embedded quote ends the literal: MIGRATE's token '""' becomes '' + ''.
// Reproduce what the C compiler makes of it.
function cText(v) {
  if (typeof v !== 'string' || !/["\\]/.test(v)) return v;
  const src = '"' + v + '"';
  let out = '';
  let i = 0;
  while (i < src.length) {
    if (src[i] !== '"') fail(`cannot reproduce C literal for ${JSON.stringify(v)}`);
    i++;
    while (src[i] !== '"') {
      if (i >= src.length) fail(`unterminated C literal for ${JSON.stringify(v)}`);
      if (src[i] === '\\') {
        const e = src[++i];
        out += e === 'n' ? '\n' : e === 't' ? '\t' : e;
      } else out += src[i];
      i++;
    }
    i++;
    while (src[i] === ' ') i++;
  }
  return out;
}

function arg(a) {
  const out = { name: a.name.toLowerCase(), type: a.type };
  if (a.key_spec_index !== undefined) out.key_spec_index = a.key_spec_index;
  if (a.token) out.token = cText(a.token).toUpperCase();
  if (a.summary) out.summary = cText(a.summary);
  if (a.since) out.since = cText(a.since);
  if (a.deprecated_since) out.deprecated_since = cText(a.deprecated_since);
  const flags = [];
  if (a.optional) flags.push('optional');
  if (a.multiple) flags.push('multiple');
  if (a.multiple_token) flags.push('multiple_token');
  if (flags.length) out.flags = flags;
  if (a.type === 'oneof' || a.type === 'block') out.arguments = (a.arguments || []).map(arg);
  return out;
}

const raw = [];
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  const d = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  for (const [name, desc] of Object.entries(d)) raw.push({ name, desc, file });
}

const groupOf = new Map();
for (const { name, desc } of raw) if (!desc.container) groupOf.set(name.toLowerCase(), desc.group);

const meta = new Map();
for (const { name, desc } of raw) {
  const cflags = desc.command_flags || [];
  for (const f of cflags) if (!KNOWN_FLAGS.has(f)) fail(`${name}: unknown flag ${f}`);
  if (cflags.includes('ONLY_SENTINEL')) continue;
  const full = desc.container ? `${desc.container.toLowerCase()}|${name.toLowerCase()}` : name.toLowerCase();
  const keySpecs = (desc.key_specs || []).map((k) => keySpec(k, full));
  const lr = legacyRange(keySpecs);
  const fl = new Set(cflags);
  if (lr.movable) fl.add('MOVABLE_KEYS');

  const acl = new Set((desc.acl_categories || []).map((c) => c.toLowerCase()));
  for (const c of acl) if (!ACL_ORDER.includes(c)) fail(`${full}: unknown acl category ${c}`);
  if (fl.has('WRITE')) acl.add('write');
  if (fl.has('READONLY') && !acl.has('scripting')) acl.add('read');
  if (fl.has('ADMIN')) { acl.add('admin'); acl.add('dangerous'); }
  if (fl.has('PUBSUB')) acl.add('pubsub');
  if (fl.has('FAST')) acl.add('fast');
  if (fl.has('BLOCKING')) acl.add('blocking');
  if (!acl.has('fast')) acl.add('slow');

  const group = desc.container ? groupOf.get(desc.container.toLowerCase()) : desc.group;
  if (!group) fail(`${full}: no group`);
  const m = {
    name: full,
    arity: desc.arity,
    flags: PRINTED_FLAGS.filter((f) => fl.has(f)).map((f) => PRINTED_NAME[f] || f.toLowerCase()),
    acl: ACL_ORDER.filter((c) => acl.has(c)).map((c) => '@' + c),
    firstKey: lr.first,
    lastKey: lr.last,
    step: lr.step,
    movable: lr.movable,
    keySpecs,
    tips: (desc.command_tips || []).map((t) => cText(t).toLowerCase()),
    group: GROUP_NAME[group] || group,
    since: cText(desc.since),
    summary: cText(desc.summary),
  };
  const hidden = HIDDEN_FLAGS.filter((f) => fl.has(f)).map((f) => f.toLowerCase());
  if (hidden.length) m.hidden = hidden;
  if (desc.complexity) m.complexity = cText(desc.complexity);
  if (desc.deprecated_since) m.deprecatedSince = cText(desc.deprecated_since);
  if (desc.replaced_by) m.replacedBy = cText(desc.replaced_by);
  if (desc.doc_flags && desc.doc_flags.length) m.docFlags = ['DEPRECATED', 'SYSCMD'].filter((f) => desc.doc_flags.includes(f)).map((f) => f.toLowerCase());
  if (desc.history && desc.history.length) m.history = desc.history.map((h) => [cText(h[0]), cText(h[1])]);
  if (desc.arguments && desc.arguments.length) m.args = desc.arguments.map(arg);
  if (desc.get_keys_function) m.getKeysFn = desc.get_keys_function;
  if (meta.has(full)) fail(`duplicate command ${full}`);
  meta.set(full, m);
}

for (const m of meta.values()) {
  const i = m.name.indexOf('|');
  if (i < 0) continue;
  const parent = meta.get(m.name.slice(0, i));
  if (!parent) fail(`${m.name}: no container`);
  (parent.subcommands ||= []).push(m.name);
}
for (const m of meta.values()) if (m.subcommands) m.subcommands.sort();

// Compact TS literal: unquoted identifier keys, JSON strings.
function lit(v) {
  if (Array.isArray(v)) return '[' + v.map(lit).join(',') + ']';
  if (v && typeof v === 'object') {
    return '{' + Object.entries(v).map(([k, x]) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)) + ':' + lit(x)).join(',') + '}';
  }
  return JSON.stringify(v);
}

const names = [...meta.keys()].sort();
let out = `// GENERATED by tools/gen-meta.mjs from Redis 7.0.15's command specs
// (${basename(resolve(dir))}/*.json, BSD-3-Clause). Do not edit by hand; re-run:
//   node tools/gen-meta.mjs ../shared/reference/redis-7.0-commands > src/commands/meta.ts
/* eslint-disable */

export interface KeySpecMeta {
  /** As COMMAND INFO prints them: 'RO'/'RW'/'OW'/'RM' upper case, the rest lower case, in Redis's order. */
  flags: string[];
  /** null: begin_search "unknown". */
  bs: { index: number } | { keyword: string; startfrom: number } | null;
  /** null: find_keys "unknown". */
  fk: { range: [lastkey: number, step: number, limit: number] } | { keynum: [keynumidx: number, firstkey: number, step: number] } | null;
  notes?: string;
}

export interface ArgMeta {
  name: string;
  type: string;
  key_spec_index?: number;
  token?: string;
  summary?: string;
  since?: string;
  deprecated_since?: string;
  /** 'optional' | 'multiple' | 'multiple_token', in that order. */
  flags?: string[];
  /** Present for 'oneof' and 'block'. */
  arguments?: ArgMeta[];
}

export interface CommandMeta {
  /** Lower case; a subcommand is 'container|sub'. */
  name: string;
  arity: number;
  /** As COMMAND INFO prints them, in Redis's order (includes the derived 'movablekeys'). */
  flags: string[];
  /** Flags Redis never prints: 'may_replicate', 'protected', 'touches_arbitrary_keys'. */
  hidden?: string[];
  /** As COMMAND prints them, including the categories Redis derives from the flags. */
  acl: string[];
  /** The legacy range COMMAND INFO prints (lastKey already absolute when >= 0). */
  firstKey: number;
  lastKey: number;
  step: number;
  movable: boolean;
  keySpecs: KeySpecMeta[];
  tips: string[];
  /** As COMMAND DOCS prints it ('sorted-set', not 'sorted_set'). */
  group: string;
  since: string;
  summary: string;
  complexity?: string;
  deprecatedSince?: string;
  replacedBy?: string;
  docFlags?: string[];
  history?: [string, string][];
  args?: ArgMeta[];
  /** Full names ('object|encoding'), sorted. */
  subcommands?: string[];
  /** Redis's getkeys_proc, used when the key specs can't answer. */
  getKeysFn?: string;
}

export const META: Record<string, CommandMeta> = {
`;
for (const n of names) out += `${JSON.stringify(n)}:${lit(meta.get(n))},\n`;
out += '};\n';
process.stdout.write(out);
