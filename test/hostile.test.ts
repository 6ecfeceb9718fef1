// Hostile and unlucky clients (issue 11): a client turned away at
// maxclients must not keep the server from shutting down, and HTTP requests
// are treated as the cross-protocol attack they may be.
import { describe, expect, it, vi } from 'vitest';
import * as net from 'node:net';
import { RawClient, frame, startServer } from './helpers/server';

function waitExit(proc: import('node:child_process').ChildProcess, ms: number): Promise<number | null> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve(proc.exitCode);
    const t = setTimeout(() => resolve(null), ms);
    proc.once('exit', (code) => {
      clearTimeout(t);
      resolve(code);
    });
  });
}

describe('hostile and unlucky clients', () => {
  it('a client turned away at maxclients leaves nothing open: SIGTERM still stops the server', async () => {
    const srv = await startServer({ shards: 2 });
    try {
      const held = new RawClient(srv.port);
      await held.ready();
      expect(await held.call(frame('CONFIG', 'SET', 'maxclients', '1'), 5)).toBe('+OK\r\n');
      for (let i = 0; i < 3; i++) {
        const late = new RawClient(srv.port);
        await late.ready();
        late.send(frame('PING'));
        expect(await late.read(40)).toBe('-ERR max number of clients reached\r\n');
        expect(await late.waitClose()).toBe(true);
        late.close();
      }
      // A refused client that never reads nor closes must not hold the server either.
      const silent = net.connect(srv.port, '127.0.0.1');
      await new Promise((r) => silent.once('connect', r));
      silent.on('error', () => {});
      expect(await held.call(frame('PING'), 7)).toBe('+PONG\r\n');
      srv.proc.kill('SIGTERM');
      expect(await waitExit(srv.proc, 5000)).toBe(0);
      silent.destroy();
      held.close();
    } finally {
      await srv.stop();
    }
  });

  it('SHUTDOWN NOSAVE after refused clients exits too', async () => {
    const srv = await startServer({ shards: 1 });
    try {
      const held = new RawClient(srv.port);
      await held.ready();
      await held.call(frame('CONFIG', 'SET', 'maxclients', '1'), 5);
      const late = new RawClient(srv.port);
      await late.ready();
      late.send(frame('PING'));
      await late.read(40);
      late.close();
      held.send(frame('SHUTDOWN', 'NOSAVE'));
      expect(await waitExit(srv.proc, 5000)).toBe(0);
      held.close();
    } finally {
      await srv.stop();
    }
  });

  for (const req of ['POST / HTTP/1.1\r\nHost: example.com\r\n\r\n', 'Host: example.com\r\n', 'PING\r\npost /x\r\n']) {
    it(`an HTTP-looking request closes the connection without a reply (${JSON.stringify(req.slice(0, 12))})`, async () => {
      const srv = await startServer({ shards: 1 });
      try {
        const c = new RawClient(srv.port);
        await c.ready();
        c.send(req);
        expect(await c.waitClose()).toBe(true);
        const got = await c.read(0, 10);
        // Like Redis's freeClientAsync: the connection goes without writing anything still pending.
        expect(got).toBe('');
        await vi.waitFor(() => expect(srv.output()).toContain('Possible SECURITY ATTACK detected'), { timeout: 3000 });
        // Everyone else carries on.
        const o = new RawClient(srv.port);
        await o.ready();
        expect(await o.call(frame('PING'), 7)).toBe('+PONG\r\n');
        o.close();
      } finally {
        await srv.stop();
      }
    });
  }
});

describe('unauthenticated clients', () => {
  it('more than 10 arguments or a bulk over 16 KB before AUTH: Redis errors and closes', async () => {
    const srv = await startServer({ shards: 1, args: ['--requirepass', 'secret'] });
    try {
      const many = new RawClient(srv.port);
      await many.ready();
      many.send('*11\r\n');
      const e1 = '-ERR Protocol error: unauthenticated multibulk length\r\n';
      expect(await many.read(e1.length)).toBe(e1);
      expect(await many.waitClose()).toBe(true);
      const big = new RawClient(srv.port);
      await big.ready();
      big.send('*2\r\n$4\r\nAUTH\r\n$16385\r\n');
      const e2 = '-ERR Protocol error: unauthenticated bulk length\r\n';
      expect(await big.read(e2.length)).toBe(e2);
      expect(await big.waitClose()).toBe(true);
      // Within the limits: NOAUTH as usual; after AUTH in the same pipeline, no limits.
      const ok = new RawClient(srv.port);
      await ok.ready();
      const v = 'x'.repeat(20000);
      ok.send(frame('GET', 'k') + frame('AUTH', 'secret') + frame('SET', 'k', v) + frame('MSET', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5', 'f', '6'));
      const want = '-NOAUTH Authentication required.\r\n+OK\r\n+OK\r\n+OK\r\n';
      expect(await ok.read(want.length)).toBe(want);
      ok.close();
    } finally {
      await srv.stop();
    }
  });
});

describe('vanished clients', () => {
  it("a client that pipelines cross-shard commands and disconnects leaves its queued commands undone", { timeout: 30000 }, async () => {
    const srv = await startServer({ shards: 4 });
    try {
      const c = new RawClient(srv.port);
      await c.ready();
      // src and dst on different shards (4 shards: slots 0-4095, …).
      const src = 'vanish:{a}', dst = 'vanish:{b}';
      const n = 20000;
      let fill = '';
      for (let i = 0; i < n; i += 1000) fill += frame('RPUSH', src, ...Array.from({ length: 1000 }, (_, j) => String(i + j)));
      c.send(fill);
      let want = '';
      for (let i = 1000; i <= n; i += 1000) want += `:${i}\r\n`;
      expect(await c.read(want.length, 10000)).toBe(want);
      let burst = '';
      for (let i = 0; i < n; i++) burst += frame('LMOVE', src, dst, 'LEFT', 'RIGHT');
      c.send(burst);
      c.close();
      const o = new RawClient(srv.port);
      await o.ready();
      const len = async (k: string) => {
        o.send(frame('LLEN', k));
        let r = '';
        while (!r.endsWith('\r\n')) r += await o.read(1);
        return Number(r.slice(1, -2));
      };
      await new Promise((r) => setTimeout(r, 1000));
      const moved1 = await len(dst);
      await new Promise((r) => setTimeout(r, 1000));
      const moved2 = await len(dst);
      // Nothing keeps running once the client is gone, and most never ran.
      expect(moved2).toBe(moved1);
      expect(moved2).toBeLessThan(n);
      expect(moved2 + (await len(src))).toBe(n);
      o.close();
    } finally {
      await srv.stop();
    }
  });
});

describe('output buffer limits', () => {
  it('client-output-buffer-limit normal closes a client that pipelines and never reads', { timeout: 20000 }, async () => {
    const srv = await startServer({ shards: 2 });
    try {
      const admin = new RawClient(srv.port);
      await admin.ready();
      expect(await admin.call(frame('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 4mb 2mb 1'), 5)).toBe('+OK\r\n');
      const v = 'v'.repeat(10 * 1024);
      expect(await admin.call(frame('SET', 'big', v), 5)).toBe('+OK\r\n');
      // Replies this client never reads: 20k × 10 KB.
      const hog = net.connect(srv.port, '127.0.0.1');
      hog.on('error', () => {});
      await new Promise((r) => hog.once('connect', r));
      hog.pause();
      hog.write(frame('GET', 'big').repeat(20000));
      // The server drops it (a paused socket notices only once it reads again).
      let clients = 2;
      for (let i = 0; i < 100 && clients > 1; i++) {
        await new Promise((r) => setTimeout(r, 100));
        admin.send(frame('CLIENT', 'LIST'));
        let list = '';
        while (!list.endsWith('\r\n') || list.split('\n').length < 3) list += await admin.read(1);
        clients = list.split('\n').filter((l) => l.includes('id=')).length;
      }
      expect(clients).toBe(1);
      await vi.waitFor(() => expect(srv.output()).toContain('overcoming of output buffer limits'), { timeout: 3000 });
      const closed = new Promise<boolean>((r) => hog.once('close', () => r(true)));
      hog.resume();
      expect(await closed).toBe(true);
      // A client that reads its replies is never closed for the same traffic.
      const reader = new RawClient(srv.port);
      await reader.ready();
      reader.send(frame('GET', 'big').repeat(500));
      const one = `$${v.length}\r\n${v}\r\n`;
      expect((await reader.read(one.length * 500, 10000)).length).toBe(one.length * 500);
      expect(reader.closed).toBe(false);
      reader.close();
      admin.close();
    } finally {
      await srv.stop();
    }
  });
});
