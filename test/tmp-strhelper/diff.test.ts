import { test, expect } from 'vitest';
import * as net from 'net';
import { shardHarness } from '../helpers/shard-harness';
import { commands as s } from '../../src/commands/string';
import { commands as b } from '../../src/commands/bitops';
import type { CommandDef } from '../../src/commands/types';
import * as fs from 'fs';

const PORT = Number(fs.readFileSync('/tmp/strhelper_port', 'utf8'));

const extra: CommandDef[] = [
  { name: 'del', run: (c, a) => { let n = 0; for (const k of a.slice(1)) if (c.db.del(k)) n++; c.w.int(n); } },
  { name: 'flushall', run: (c) => { for (const d of c.ks.dbs) d.clear(); c.w.ok(); } },
  { name: 'rpush', run: (c, a) => { c.db.set(a[1], { type: 'list' } as any); c.w.int(1); } },
  { name: 'exists', run: (c, a) => { c.w.int(c.db.peek(a[1]) === undefined ? 0 : 1); } },
  { name: 'hasttl', run: (c, a) => { c.w.int(c.db.ttlOf(a[1]) >= 0 ? 1 : 0); } },
  { name: 'object', run: (c, a) => {
      const v = c.db.peek(a[2]);
      if (v === undefined) return c.w.nil();
      const str = v as string;
      let enc = 'raw';
      if (c.db.raw.has(a[2])) enc = 'raw';
      else if (str.length <= 20 && /^-?[1-9][0-9]*$|^0$/.test(str) && BigInt(str) <= 2n**63n-1n && BigInt(str) >= -(2n**63n)) enc = 'int';
      else if (str.length <= 44) enc = 'embstr';
      c.w.bulk(enc);
  } },
];

function enc(args: string[]): Buffer {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
  return Buffer.from(s, 'latin1');
}
// returns end offset of one complete reply at pos, or -1
function parseEnd(buf: string, pos: number): number {
  if (pos >= buf.length) return -1;
  const nl = buf.indexOf('\r\n', pos);
  if (nl < 0) return -1;
  const t = buf[pos];
  const line = buf.slice(pos + 1, nl);
  if (t === '+' || t === '-' || t === ':' || t === '_' || t === ',' || t === '#') return nl + 2;
  if (t === '$') { const n = Number(line); if (n < 0) return nl + 2; const e = nl + 2 + n + 2; return e <= buf.length ? e : -1; }
  if (t === '*' || t === '%') { let n = Number(line); if (n < 0) return nl + 2; if (t === '%') n *= 2; let p = nl + 2; for (let i = 0; i < n; i++) { p = parseEnd(buf, p); if (p < 0) return -1; } return p; }
  throw new Error('bad ' + t);
}

class Client {
  sock!: net.Socket; data = ''; waiters: (() => void)[] = [];
  async connect() {
    this.sock = net.connect(PORT, '127.0.0.1');
    await new Promise<void>((r) => this.sock.once('connect', () => r()));
    this.sock.on('data', (d) => { this.data += d.toString('latin1'); const w = this.waiters.shift(); w && w(); });
  }
  async call(args: string[]): Promise<string> {
    this.sock.write(enc(args));
    for (;;) {
      const e = this.data.length ? parseEnd(this.data, 0) : -1;
      if (e >= 0) { const r = this.data.slice(0, e); this.data = this.data.slice(e); return r; }
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }
}

let seed = 12345;
function rnd(n: number) { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; }
function pick<T>(arr: T[]): T { return arr[rnd(arr.length)]; }
function rstr(max: number, bin = true) { const n = rnd(max + 1); let s = ''; for (let i = 0; i < n; i++) s += String.fromCharCode(bin ? rnd(256) : 97 + rnd(4)); return s; }
function rint() { return pick(['0','1','-1','2','7','8','9','15','16','-2','-8','-9','100','-100','63','64','65','1000','-1000', String(rnd(80)), String(-rnd(80)), 'abc', '', '9223372036854775807', '-9223372036854775808', '4294967296', '18446744073709551616', '01', '#1', '#3']); }
function rfloat() { return pick(['0','1','0.1','0.2','-0.1','1.5','10.5','3.0e3','1e-5','-1.1','1.1','2.2','17179869184','0.3333333333333333','1e20','1e308','1e-20','inf','-inf','+inf','nan','abc',' 1','1 ','5.0e3','0x10','1e400','.5','5.','-.5', String(rnd(1000)/7), String(-rnd(1000)/13), String(rnd(100000)/1000), String(rnd(1e9)) + '.' + String(rnd(1e6)), '-' + String(rnd(1e6)/100), (rnd(1e6)/3).toExponential(), '1e' + rnd(30), '1e-' + rnd(30), '123456789.123456789', '99999999999999999999999.5']); }

async function runAll(cases: string[][], proto: 2 | 3 = 2) {
  const cl = new Client(); await cl.connect();
  if (proto === 3) await cl.call(['HELLO', '3']);
  const h = shardHarness([...s, ...b, ...extra], proto);
  const bad: string[] = [];
  for (const c of cases) {
    const exp = await cl.call(c);
    const got = h.call(...c);
    if (exp !== got) bad.push(JSON.stringify(c) + '\n  redis=' + JSON.stringify(exp) + '\n  ours =' + JSON.stringify(got));
  }
  cl.sock.destroy();
  return bad;
}

test('fixed cases', async () => {
  const cases: string[][] = (await import('./cases')).cases;
  const bad = await runAll(cases);
  expect(bad.slice(0, 30).join('\n')).toBe('');
  const bad3 = await runAll(cases, 3);
  expect(bad3.slice(0, 30).join('\n')).toBe('');
}, 60000);

for (const sd of [1, 2, 3, 4]) test('fuzz ' + sd, async () => {
  seed = sd * 7919;
  const cases: string[][] = [['flushall']];
  const keys = ['k1', 'k2', 'k3', 'lst'];
  cases.push(['rpush', 'lst', 'x']);
  for (let i = 0; i < 15000; i++) {
    const k = pick(keys.slice(0, 3)); const k2 = pick(keys);
    const r = rnd(30);
    switch (r) {
      case 0: cases.push(['set', k, pick([rstr(20), '\xff'.repeat(rnd(40)) + rstr(3), '\x00'.repeat(rnd(40)) + rstr(3), '\xff'.repeat(rnd(30))])]); break;
      case 1: cases.push(['setrange', k2, rint(), rstr(5)]); break;
      case 2: cases.push(['getrange', k2, rint(), rint()]); break;
      case 3: cases.push(['bitcount', k2, ...pick([[], [rint()], [rint(), rint()], [rint(), rint(), pick(['bit','byte','BIT','x'])], [rint(), rint(), 'bit', 'x']])]); break;
      case 4: cases.push(['bitpos', k2, pick(['0','1','2','x']), ...pick([[], [rint()], [rint(), rint()], [rint(), rint(), pick(['bit','byte','BIT','x'])], [rint(), rint(), 'bit', 'x']])]); break;
      case 5: case 6: {
        const args = ['bitfield', k2]; const n = rnd(4);
        for (let j = 0; j < n; j++) {
          const op = pick(['get', 'set', 'incrby', 'overflow', 'GET', 'bad']);
          const ty = pick(['i8','u8','i1','u1','i64','u63','u64','i65','i0','x8','i16','u16','i5','u5','i32','u32','i63','u3']);
          if (op === 'overflow') args.push(op, pick(['wrap','sat','fail','SAT','bad']));
          else if (op.toLowerCase() === 'get') args.push(op, ty, pick([rint(), String(rnd(40)), '#' + rnd(5)]));
          else args.push(op, ty, pick([String(rnd(40)), '#' + rnd(5), rint()]), rint());
        }
        cases.push(args); break;
      }
      case 7: cases.push(['setbit', k2, pick([String(rnd(100)), rint()]), pick(['0','1','1','2','-1'])]); break;
      case 8: cases.push(['getbit', k2, pick([String(rnd(100)), rint()])]); break;
      case 9: cases.push(['bitop', pick(['and','or','xor','not','AND','nand']), pick(keys.slice(0,3)), ...Array.from({length: 1 + rnd(3)}, () => pick(keys.concat(['missing'])))]); break;
      case 10: cases.push(['incrbyfloat', k2, rfloat()]); break;
      case 11: cases.push(['set', k, rfloat()]); break;
      case 12: cases.push(['incrby', k2, rint()]); break;
      case 13: cases.push(['set', k, rint()]); break;
      case 14: cases.push(['append', k2, rstr(4)]); break;
      case 15: cases.push(['lcs', pick(keys), pick(keys), ...pick([[], ['len'], ['idx'], ['idx','withmatchlen'], ['idx','minmatchlen', pick(['0','1','2','3','x','-1'])], ['len','idx'], ['bad'], ['minmatchlen']])]); break;
      case 16: cases.push(['set', k, rstr(12, false)]); break;
      case 17: cases.push(['object', 'encoding', k]); break;
      case 18: cases.push(['get', k2]); break;
      case 19: cases.push(['strlen', k2]); break;
      case 20: cases.push(['decrby', k2, rint()]); break;
      case 21: cases.push(['incr', k2]); break;
      case 22: cases.push(['del', k]); break;
      case 23: cases.push(['bitfield_ro', k2, ...pick([[], ['get', 'u8', '0'], ['get', 'i5', String(rnd(30)), 'get', 'u3', '#2'], ['set', 'u8', '0', '1'], ['incrby','u8','0','1','get','u8','0']])]); break;
      case 24: cases.push(['mget', ...Array.from({length: 1 + rnd(4)}, () => pick(keys.concat(['missing'])))]); break;
      case 25: cases.push(['msetnx', k, rstr(3), pick(keys.slice(0,3)), rstr(3)]); break;
      case 26: cases.push(['getdel', k2]); break;
      case 27: cases.push(['getset', k, rstr(5)]); break;
      case 28: cases.push(['set', k, rstr(6, false), ...pick([['nx'], ['xx'], ['get'], ['get','nx'], ['xx','get'], ['keepttl'], ['ex','100'], ['px', '100000'], ['nx','xx'], ['ex'], ['ex','0'], ['ex','-1'], ['ex','x'], ['exat','1'], ['keepttl','ex','10'], ['ex','10','px','10'], ['get','get']])]); break;
      case 29: cases.push(['getex', k2, ...pick([[], ['persist'], ['ex','100'], ['px','100000'], ['persist','ex','10'], ['ex'], ['ex','0'], ['exat','9999999999'], ['pxat','1'], ['get'], ['nx'], ['keepttl']])]); cases.push(['hasttl', k2]); break;
    }
  }
  const bad = await runAll(cases);
  expect(bad.slice(0, 20).join('\n')).toBe('');
}, 120000);

test('incrbyfloat fuzz', async () => {
  seed = 99;
  const cases: string[][] = [];
  const num = () => {
    const sign = rnd(3) === 0 ? '-' : '';
    const ip = String(rnd(10) < 3 ? rnd(10) : rnd(2 ** 30) * (rnd(4) === 0 ? 1e6 : 1));
    const fp = rnd(3) ? '.' + String(rnd(1e9)).padStart(rnd(12) + 1, '0') : '';
    const ex = rnd(4) === 0 ? 'e' + (rnd(80) - 40) : '';
    return sign + ip + fp + ex;
  };
  for (let i = 0; i < 8000; i++) {
    cases.push(['set', 'f', num()]);
    cases.push(['incrbyfloat', 'f', num()]);
    if (rnd(2)) cases.push(['incrbyfloat', 'f', num()]);
  }
  const bad = await runAll(cases);
  expect(bad.slice(0, 20).join('\n')).toBe('');
}, 120000);
