import { describe, it, expect } from 'vitest';
import { FrameScanner, SCAN_ERROR, SCAN_NEED_MORE, SCAN_OK, string2ll, splitArgs } from '../../src/protocol/frame';
// eslint-disable-next-line @typescript-eslint/no-var-requires
const Parser = require('redis-parser');

const L = (s: string) => Buffer.from(s, 'latin1');
const resp = (...args: (string | Buffer)[]) =>
  Buffer.concat([
    L(`*${args.length}\r\n`),
    ...args.flatMap((a) => {
      const b = typeof a === 'string' ? L(a) : a;
      return [L(`$${b.length}\r\n`), b, L('\r\n')];
    }),
  ]);

type Out = { cmds: string[][]; error: string | null; scans: number };

function argsOf(sc: FrameScanner, buf: Buffer): string[] {
  if (sc.inline) return sc.inlineArgs.map((b) => b.toString('latin1'));
  const r: string[] = [];
  for (let i = 0; i < sc.argc; i++) r.push(buf.latin1Slice(sc.argStart[i], sc.argEnd[i]));
  return r;
}

/**
 * Feeds chunks the way the acceptor does. 'append' keeps one buffer (so the
 * scanner may resume), 'concat' hands a fresh buffer each time (full rescans).
 */
function run(chunks: Buffer[], mode: 'append' | 'concat' = 'append', sc = new FrameScanner()): Out {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  let buf = Buffer.alloc(mode === 'append' ? total + 64 : 0);
  let pos = 0, end = 0, scans = 0;
  const cmds: string[][] = [];
  for (const ch of chunks) {
    if (mode === 'append') {
      ch.copy(buf, end);
      end += ch.length;
    } else {
      buf = Buffer.concat([buf.subarray(pos, end), ch]);
      end = buf.length;
      pos = 0;
    }
    if (sc.needBytes && end - pos < sc.needBytes) continue;
    for (;;) {
      scans++;
      const r = sc.scan(buf, pos, end);
      if (r === SCAN_NEED_MORE) break;
      if (r === SCAN_ERROR) return { cmds, error: sc.error, scans };
      expect(sc.frameStart).toBe(pos);
      if (sc.argc > 0) cmds.push(argsOf(sc, buf));
      pos = sc.frameEnd;
    }
  }
  return { cmds, error: null, scans };
}

function bytewise(b: Buffer): Buffer[] {
  const r: Buffer[] = [];
  for (let i = 0; i < b.length; i++) r.push(b.subarray(i, i + 1));
  return r;
}

function scanOne(s: string | Buffer, sc = new FrameScanner()) {
  const b = typeof s === 'string' ? L(s) : s;
  const r = sc.scan(b, 0, b.length);
  return { r, sc, b };
}

describe('FrameScanner multibulk', () => {
  it('scans a pipeline of many commands in one buffer', () => {
    const frames: Buffer[] = [];
    const want: string[][] = [];
    for (let i = 0; i < 1000; i++) {
      const a = ['SET', 'key:' + i, 'v'.repeat(i % 50)];
      frames.push(resp(...a));
      want.push(a);
    }
    const out = run([Buffer.concat(frames)]);
    expect(out.error).toBeNull();
    expect(out.cmds).toEqual(want);
  });

  it('reports frame bounds and argument offsets', () => {
    const b = Buffer.concat([L('xx'), resp('GET', 'k'), L('*1\r\n')]);
    const sc = new FrameScanner();
    expect(sc.scan(b, 2, b.length)).toBe(SCAN_OK);
    expect([sc.frameStart, sc.frameEnd, sc.argc, sc.inline]).toEqual([2, 2 + 20, 2, false]);
    expect([sc.argStart[0], sc.argEnd[0], sc.argStart[1], sc.argEnd[1]]).toEqual([2 + 8, 2 + 11, 2 + 17, 2 + 18]);
    expect(sc.scan(b, sc.frameEnd, b.length)).toBe(SCAN_NEED_MORE);
  });

  it('handles every split point, byte by byte, with and without resume', () => {
    const stream = Buffer.concat([
      resp('SET', 'a', 'hello\r\nworld'),
      resp(''),
      L('*0\r\n'),
      resp('MSET', ...Array.from({ length: 70 }, (_, i) => 'k' + i)),
      L('PING "a b" c\r\n'),
      resp(Buffer.alloc(300, 0x00), L('\r\n\r\n')),
      L('*-1\r\n'),
      resp('GET', '1234567890123456'),
    ]);
    const whole = run([stream]);
    expect(whole.error).toBeNull();
    expect(whole.cmds.length).toBe(6);
    for (const mode of ['append', 'concat'] as const) expect(run(bytewise(stream), mode)).toMatchObject({ cmds: whole.cmds, error: null });
    for (let cut = 1; cut < stream.length; cut++) {
      for (const mode of ['append', 'concat'] as const) {
        const out = run([stream.subarray(0, cut), stream.subarray(cut)], mode);
        expect(out.cmds).toEqual(whole.cmds);
        expect(out.error).toBeNull();
      }
    }
  });

  it('is binary safe: every byte value and CRLF inside values', () => {
    const all = Buffer.alloc(256);
    for (let i = 0; i < 256; i++) all[i] = i;
    const vals = [all, L('\r\n'), L('$3\r\nfoo\r\n'), L('*1\r\n'), L('\0\0\r\n\0')];
    const out = run(bytewise(resp(...vals)));
    expect(out.cmds).toEqual([vals.map((v) => v.toString('latin1'))]);
  });

  it('trusts the bulk length and skips the two bytes after the payload unchecked', () => {
    const { r, sc, b } = scanOne('*2\r\n$3\r\nfooXY$1\r\nbZZ');
    expect(r).toBe(SCAN_OK);
    expect(argsOf(sc, b)).toEqual(['foo', 'b']);
    expect(sc.frameEnd).toBe(b.length);
    // Likewise the byte after a count line's '\r'.
    expect(argsOf(...(() => { const x = scanOne('*1\rX$1\rYa\r\n'); return [x.sc, x.b] as const; })())).toEqual(['a']);
  });

  it('treats *0 and negative counts as empty commands', () => {
    for (const s of ['*0\r\n', '*-1\r\n', '*-5\r\n', '*-9223372036854775808\r\n']) {
      const { r, sc, b } = scanOne(s + 'PING\r\n');
      expect(r).toBe(SCAN_OK);
      expect(sc.argc).toBe(0);
      expect(sc.frameEnd).toBe(b.length - 6);
    }
  });

  it('accepts huge declared lengths without allocating for them', () => {
    let x = scanOne('*2147483647\r\n$3\r\nfoo\r\n');
    expect(x.r).toBe(SCAN_NEED_MORE);
    expect(x.sc.argStart.length).toBeLessThan(1000);
    x = scanOne('*1\r\n$536870912\r\nabc');
    expect(x.r).toBe(SCAN_NEED_MORE);
    expect(x.sc.needBytes).toBe(16 + 536870912 + 2);
    const sc = new FrameScanner();
    sc.maxBulkLen = Infinity;
    expect(scanOne('*1\r\n$9223372036854775807\r\n', sc).r).toBe(SCAN_NEED_MORE);
  });

  it('grows the argument arrays for many arguments', () => {
    const args = Array.from({ length: 5000 }, (_, i) => String(i));
    const out = run([resp(...args)]);
    expect(out.cmds[0]).toEqual(args);
  });

  it('receives a 10MB bulk in chunks without rescanning it', () => {
    const big = Buffer.alloc(10 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4093) big[i] = (i * 7) & 255;
    const stream = Buffer.concat([resp('SET', 'big', big), resp('GET', 'big')]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < stream.length; i += 16384) chunks.push(stream.subarray(i, i + 16384));
    for (const mode of ['append', 'concat'] as const) {
      const out = run(chunks, mode);
      expect(out.error).toBeNull();
      expect(out.cmds.length).toBe(2);
      expect(out.cmds[0][2] === big.toString('latin1')).toBe(true);
      expect(out.scans).toBeLessThan(10);
    }
  });

  it('resumes only on the same buffer and position', () => {
    const sc = new FrameScanner();
    const a = resp('SET', 'k', 'value-a');
    const b = resp('SET', 'other', 'value-b', 'x');
    const bufA = Buffer.alloc(64);
    a.copy(bufA);
    expect(sc.scan(bufA, 0, 20)).toBe(SCAN_NEED_MORE);
    const r = scanOne(b, sc);
    expect(r.r).toBe(SCAN_OK);
    expect(argsOf(sc, r.b)).toEqual(['SET', 'other', 'value-b', 'x']);
    expect(sc.scan(bufA, 0, a.length)).toBe(SCAN_OK);
    expect(argsOf(sc, bufA)).toEqual(['SET', 'k', 'value-a']);
  });
});

describe('FrameScanner errors', () => {
  const err = (s: string | Buffer, setup?: (sc: FrameScanner) => void) => {
    const sc = new FrameScanner();
    setup?.(sc);
    const b = typeof s === 'string' ? L(s) : s;
    const r = sc.scan(b, 0, b.length);
    return r === SCAN_ERROR ? sc.error : r;
  };
  const big = (n: number) => 'x'.repeat(n);

  it('multibulk count', () => {
    for (const s of ['*abc\r\n', '*\r\n', '*01\r\n', '*+1\r\n', '*-0\r\n', '*1 \r\n', '*2147483648\r\n', '*-9223372036854775809\r\n', '*99999999999999999999\r\n'])
      expect(err(s), s).toBe('Protocol error: invalid multibulk length');
    expect(err('*2147483647\r\n')).toBe(SCAN_NEED_MORE);
    expect(err('*12\r')).toBe(SCAN_NEED_MORE);
    expect(err('*' + big(65535))).toBe(SCAN_NEED_MORE);
    expect(err('*' + big(65536))).toBe('Protocol error: too big mbulk count string');
    expect(err('*' + big(70000) + '\r\n')).toBe('Protocol error: invalid multibulk length');
  });

  it('bulk header', () => {
    expect(err('*1\r\n:3\r\n')).toBe("Protocol error: expected '$', got ':'");
    expect(err('*1\r\n\xff\r\n')).toBe("Protocol error: expected '$', got '\xff'");
    expect(err('*1\r\n\r\n')).toBe("Protocol error: expected '$', got ' '");
    expect(err('*1\r\n\n\r\n')).toBe("Protocol error: expected '$', got ' '");
    expect(err('*1\r\nfoo')).toBe(SCAN_NEED_MORE);
    expect(err('*1\r\n$3\r\nfoo\r\n:')).toBe(SCAN_OK);
    for (const s of ['$-1', '$abc', '$', '$03', '$3x', '$536870913', '$9223372036854775808', '$1.5'])
      expect(err(`*1\r\n${s}\r\n`), s).toBe('Protocol error: invalid bulk length');
    expect(err('*1\r\n$536870912\r\n')).toBe(SCAN_NEED_MORE);
    expect(err('*1\r\n$2000\r\n', (sc) => (sc.maxBulkLen = 1024 * 1024))).toBe(SCAN_NEED_MORE);
    expect(err('*1\r\n$2000000\r\n', (sc) => (sc.maxBulkLen = 1024 * 1024))).toBe('Protocol error: invalid bulk length');
    expect(err('*1\r\n$' + big(65531))).toBe(SCAN_NEED_MORE);
    expect(err('*1\r\n$' + big(65536))).toBe('Protocol error: too big bulk count string');
    expect(err('*2\r\n$1\r\na\r\n$' + big(65536))).toBe('Protocol error: too big bulk count string');
  });

  it('NUL before the line end hides it, as strchr does in Redis', () => {
    expect(err('*1\0\r\n$1\r\na\r\n')).toBe(SCAN_NEED_MORE);
    expect(err('*1\0\r\n' + big(65536))).toBe('Protocol error: too big mbulk count string');
    expect(err('*1\r\n$1\0\r\na\r\n')).toBe(SCAN_NEED_MORE);
    expect(err('*1\r\n\0\r\n')).toBe(SCAN_NEED_MORE);
    expect(err('GET\0 a\r\n')).toBe(SCAN_NEED_MORE);
    expect(err('GET a\r\n\0')).toBe(SCAN_OK);
    expect(err('GET\0' + big(65536) + '\n')).toBe('Protocol error: too big inline request');
  });

  it('unauthenticated limits', () => {
    const auth = (sc: FrameScanner) => (sc.authRequired = true);
    expect(err('*10\r\n', auth)).toBe(SCAN_NEED_MORE);
    expect(err('*11\r\n', auth)).toBe('Protocol error: unauthenticated multibulk length');
    expect(err('*x\r\n', auth)).toBe('Protocol error: invalid multibulk length');
    expect(err('*1\r\n$16384\r\n', auth)).toBe(SCAN_NEED_MORE);
    expect(err('*1\r\n$16385\r\n', auth)).toBe('Protocol error: unauthenticated bulk length');
    expect(err('*1\r\n$-2\r\n', auth)).toBe('Protocol error: invalid bulk length');
  });

  it('inline', () => {
    expect(err(big(65536))).toBe(SCAN_NEED_MORE);
    expect(err(big(65537))).toBe('Protocol error: too big inline request');
    expect(err(big(100000) + '\n')).toBe(SCAN_OK);
    for (const s of ['"abc\n', "'abc\n", '"a"b\n', "'a'b\n", '"a\\"\n', 'x "\\x4\n'])
      expect(err(s), s).toBe('Protocol error: unbalanced quotes in request');
  });
});

describe('FrameScanner inline', () => {
  const split = (s: string) => {
    const { r, sc } = scanOne(s);
    expect(r).toBe(SCAN_OK);
    expect(sc.inline).toBe(true);
    return sc.inlineArgs.map((b) => b.toString('latin1'));
  };
  it('splits like sdssplitargs', () => {
    expect(split('SET a b\r\n')).toEqual(['SET', 'a', 'b']);
    expect(split('  SET\t\ta   b  \n')).toEqual(['SET', 'a', 'b']);
    expect(split('\r\n')).toEqual([]);
    expect(split('\n')).toEqual([]);
    expect(split('   \r\n')).toEqual([]);
    expect(split('a\rb\r\r\n')).toEqual(['a', 'b']);
    expect(split('\x0b\x0ca\x0bb\n')).toEqual(['a\x0bb']);
    expect(split('"a b" \'c d\'\n')).toEqual(['a b', 'c d']);
    expect(split('"" \'\'\n')).toEqual(['', '']);
    expect(split('"\\n\\r\\t\\b\\a\\\\\\"\\q"\n')).toEqual(['\n\r\t\b\x07\\"q']);
    expect(split('"\\x41\\xfF\\x00\\x4g\\x"\n')).toEqual(['A\xff\x00x4gx']);
    expect(split("'it\\'s \\n \"x\"'\n")).toEqual(["it's \\n \"x\""]);
    // A quote opened mid-token continues the same token.
    expect(split('ab"c d"\n')).toEqual(['abc d']);
    expect(split('ab"c d" ef\n')).toEqual(['abc d', 'ef']);
    expect(split('"a"\x0bb\n')).toEqual(['a', 'b']);
    expect(split('\xe9\xff\x80 x\n')).toEqual(['\xe9\xff\x80', 'x']);
  });

  it('consumes exactly one line and leaves the rest', () => {
    const { sc, b } = scanOne('PING\r\nPING\n');
    expect(sc.frameEnd).toBe(6);
    expect(sc.scan(b, 6, b.length)).toBe(SCAN_OK);
    expect(sc.frameEnd).toBe(b.length);
  });

  it('splitArgs returns null on unbalanced quotes', () => {
    expect(splitArgs(L('"a'), 0, 2)).toBeNull();
    expect(splitArgs(L('a b'), 0, 3)!.map(String)).toEqual(['a', 'b']);
  });
});

describe('string2ll', () => {
  it('matches Redis edge cases', () => {
    const p = (s: string) => string2ll(L(s), 0, s.length);
    expect(p('0')).toBe(0);
    expect(p('-1')).toBe(-1);
    expect(p('9223372036854775807')).toBeGreaterThan(9e18);
    expect(p('-9223372036854775808')).toBeLessThan(-9e18);
    for (const s of ['', '-', '-0', '00', '01', '+1', ' 1', '1 ', '9223372036854775808', '-9223372036854775809', '18446744073709551616', '1'.repeat(21)])
      expect(p(s), s).toBeNaN();
  });
});

describe('FrameScanner vs redis-parser oracle', () => {
  // Deterministic PRNG so a failure reproduces.
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  function randArg(): Buffer {
    const kind = rnd(10);
    const len = kind < 5 ? rnd(20) : kind < 8 ? rnd(300) : kind < 9 ? 0 : rnd(70000);
    const b = Buffer.allocUnsafe(len);
    const alpha = rnd(3);
    for (let i = 0; i < len; i++) b[i] = alpha === 0 ? 97 + rnd(26) : alpha === 1 ? [13, 10, 36, 42, 48][rnd(5)] : rnd(256);
    return b;
  }

  it('yields identical argument bytes on random streams and random chunking', () => {
    for (let round = 0; round < 30; round++) {
      const cmds: Buffer[][] = [];
      const n = 1 + rnd(60);
      for (let i = 0; i < n; i++) cmds.push(Array.from({ length: 1 + rnd(8) }, randArg));
      const stream = Buffer.concat(cmds.map((c) => resp(...c)));
      const chunks: Buffer[] = [];
      for (let i = 0; i < stream.length; ) {
        const step = 1 + rnd(rnd(2) ? 50 : 20000);
        chunks.push(stream.subarray(i, i + step));
        i += step;
      }
      const got: Buffer[][] = [];
      const parser = new Parser({
        returnReply: (r: Buffer[]) => got.push(r),
        returnError: (e: Error) => { throw e; },
        returnBuffers: true,
      });
      for (const ch of chunks) parser.execute(ch);
      const mine = run(chunks, round % 2 ? 'append' : 'concat');
      expect(mine.error).toBeNull();
      expect(got.length).toBe(n);
      expect(mine.cmds.length).toBe(n);
      for (let i = 0; i < n; i++) {
        expect(mine.cmds[i].length).toBe(got[i].length);
        for (let j = 0; j < got[i].length; j++) expect(L(mine.cmds[i][j]).equals(got[i][j])).toBe(true);
      }
    }
  });
});
