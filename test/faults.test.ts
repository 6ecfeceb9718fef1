// Crash and corruption: malformed multi-key commands, more than 256
// databases, and fault isolation (a bug injected with DEBUG KEYSHARD-FAULT
// at every guarded step leaves the server up and the other clients served).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RawClient, frame, startServer, Spawned } from './helpers/server';
import { bulk, err, int, NIL, arr } from './helpers/resp';
import { slotOfString, slotRanges } from '../src/util/slot';

const OK = '+OK\r\n';
const MSET_ARITY = err("ERR wrong number of arguments for 'mset' command");

function shardOf(key: string, shards: number): number {
  const slot = slotOfString(key);
  return slotRanges(shards).findIndex(([a, b]) => slot >= a && slot < b);
}

/** A key owned by `shard` (of `shards`). */
function keyOn(shard: number, shards: number, prefix: string): string {
  for (let i = 0; ; i++) if (shardOf(`${prefix}${i}`, shards) === shard) return `${prefix}${i}`;
}

async function client(port: number): Promise<RawClient> {
  const c = new RawClient(port);
  await c.ready();
  return c;
}

/** Send one command and read until the reply `expect` has fully arrived. */
async function call(c: RawClient, args: string[], expectLen: number): Promise<string> {
  return c.call(frame(...args), expectLen);
}

for (const shards of [1, 4]) {
  describe(`malformed multi-key commands (${shards} shard(s))`, () => {
    let srv: Spawned;
    beforeAll(async () => {
      srv = await startServer({ shards });
    });
    afterAll(async () => {
      await srv?.stop();
    });

    it('MSET with a missing value answers the arity error, alone and pipelined after a SET', async () => {
      const c = await client(srv.port);
      expect(await call(c, ['SET', 'foo', 'bar', 'EX', '100'], OK.length)).toBe(OK);
      expect(await call(c, ['MSET', 'a', '1', 'b'], MSET_ARITY.length)).toBe(MSET_ARITY);
      // In one pipeline right after a SET with more arguments: no value is
      // taken from the previous command's positions.
      const want = OK + MSET_ARITY + NIL + NIL;
      c.send(frame('SET', 'foo', 'bar', 'EX', '100') + frame('MSET', 'a', '1', 'b') + frame('GET', 'b') + frame('GET', 'a'));
      expect(await c.read(want.length)).toBe(want);
      const nx = err("ERR wrong number of arguments for 'msetnx' command");
      c.send(frame('SET', 'foo', 'bar', 'EX', '100') + frame('MSETNX', 'a', '1', 'b') + frame('EXISTS', 'a', 'b'));
      expect(await c.read((OK + nx + int(0)).length)).toBe(OK + nx + int(0));
      expect(srv.proc.exitCode).toBe(null);
      expect(await call(c, ['GET', 'foo'], bulk('bar').length)).toBe(bulk('bar'));
      c.close();
    });

    it('well-formed MSET across shards still works after a malformed one', async () => {
      const c = await client(srv.port);
      const keys = Array.from({ length: 8 }, (_, i) => `mk${i}`);
      c.send(frame('MSET', 'x', '1', 'y') + frame('MSET', ...keys.flatMap((k) => [k, 'v' + k])) + frame('MGET', ...keys));
      const want = MSET_ARITY + OK + arr(...keys.map((k) => bulk('v' + k)));
      expect(await c.read(want.length)).toBe(want);
      c.close();
    });
  });
}

describe('more than 256 databases', () => {
  let srv: Spawned;
  beforeAll(async () => {
    srv = await startServer({ shards: 2, args: ['--databases', '300'] });
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('a key set in db 256 stays in db 256', async () => {
    const c = await client(srv.port);
    expect(await call(c, ['SELECT', '256'], OK.length)).toBe(OK);
    expect(await call(c, ['SET', 'k', 'in256'], OK.length)).toBe(OK);
    expect(await call(c, ['MSET', 'k1', 'a', 'k2', 'b', 'k3', 'c'], OK.length)).toBe(OK);
    expect(await call(c, ['SELECT', '299'], OK.length)).toBe(OK);
    expect(await call(c, ['SET', 'k', 'in299'], OK.length)).toBe(OK);
    expect(await call(c, ['SELECT', '0'], OK.length)).toBe(OK);
    expect(await call(c, ['GET', 'k'], NIL.length)).toBe(NIL);
    expect(await call(c, ['DBSIZE'], int(0).length)).toBe(int(0));
    expect(await call(c, ['SELECT', '256'], OK.length)).toBe(OK);
    expect(await call(c, ['GET', 'k'], bulk('in256').length)).toBe(bulk('in256'));
    expect(await call(c, ['DBSIZE'], int(4).length)).toBe(int(4));
    expect(await call(c, ['SELECT', '44'], OK.length)).toBe(OK); // 300 mod 256, where a byte would wrap
    expect(await call(c, ['DBSIZE'], int(0).length)).toBe(int(0));
    const range = err('ERR DB index is out of range');
    expect(await call(c, ['SELECT', '300'], range.length)).toBe(range);
    c.close();
  });
});

describe('DEBUG is refused unless enable-debug-command allows it', () => {
  it('answers Redis 7.0s error by default', async () => {
    const srv = await startServer({ shards: 1 });
    try {
      const c = await client(srv.port);
      const want = err(
        'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a ' +
          'local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
      );
      expect(await call(c, ['DEBUG', 'KEYSHARD-FAULT', 'dispatch'], want.length)).toBe(want);
      c.close();
    } finally {
      await srv.stop();
    }
  });
});

for (const shards of [1, 4]) {
  describe(`fault isolation (${shards} shard(s))`, () => {
    let srv: Spawned;
    beforeAll(async () => {
      srv = await startServer({ shards, args: ['--enable-debug-command', 'local'] });
    });
    afterAll(async () => {
      await srv?.stop();
    });

    /** Another client, untouched by the fault, still gets every answer. */
    async function othersServed(): Promise<void> {
      const o = await client(srv.port);
      const keys = Array.from({ length: 6 }, (_, i) => `other${i}`);
      o.send(frame('MSET', ...keys.flatMap((k) => [k, k])) + frame('MGET', ...keys) + frame('PING'));
      const want = OK + arr(...keys.map(bulk)) + '+PONG\r\n';
      expect(await o.read(want.length)).toBe(want);
      o.close();
      expect(srv.proc.exitCode).toBe(null);
    }

    async function arm(where: string, shard?: number): Promise<void> {
      const d = await client(srv.port);
      const args = ['DEBUG', 'KEYSHARD-FAULT', where, ...(shard === undefined ? [] : [String(shard)])];
      expect(await call(d, args, OK.length)).toBe(OK);
      d.close();
    }

    it('an error while dispatching closes that connection only', async () => {
      const victim = await client(srv.port);
      const bystander = await client(srv.port);
      await arm('dispatch');
      victim.send(frame('SET', 'dk', 'v'));
      expect(await victim.waitClose()).toBe(true);
      // The acceptor's log is written asynchronously.
      await vi.waitFor(() => {
        expect(srv.output()).toContain('injected fault (DEBUG KEYSHARD-FAULT dispatch)');
        expect(srv.output()).toContain('closing client after an internal error');
      }, { timeout: 3000 });
      expect(await call(bystander, ['PING'], 7)).toBe('+PONG\r\n');
      bystander.close();
      await othersServed();
    });

    it('an error while merging a split command closes that connection only', async () => {
      const victim = await client(srv.port);
      await arm('merge');
      victim.send(frame('DBSIZE')); // a fan-out: gathered and merged even with one shard
      expect(await victim.waitClose()).toBe(true);
      await vi.waitFor(() => expect(srv.output()).toContain('injected fault (DEBUG KEYSHARD-FAULT merge)'), { timeout: 3000 });
      await othersServed();
    });

    it('a command handler that throws answers an error to that client', async () => {
      const key = keyOn(shards - 1, shards, 'h');
      const c = await client(srv.port);
      await arm('handler', shards - 1);
      const e = err('ERR internal error: injected fault (DEBUG KEYSHARD-FAULT handler)');
      c.send(frame('SET', key, 'v') + frame('SET', key, 'w') + frame('GET', key));
      expect(await c.read((e + OK + bulk('w')).length)).toBe(e + OK + bulk('w'));
      c.close();
      await othersServed();
    });

    it('an error in the drain loop outside the handler answers that client and the shard goes on', async () => {
      const key = keyOn(0, shards, 'l');
      const c = await client(srv.port);
      await arm('loop', 0);
      const e = err('ERR internal error: injected fault (DEBUG KEYSHARD-FAULT loop)');
      c.send(frame('GET', key) + frame('SET', key, 'v') + frame('GET', key));
      expect(await c.read((e + OK + bulk('v')).length)).toBe(e + OK + bulk('v'));
      c.close();
      await othersServed();
    });

    it('an error while serving a blocked client answers it and leaves the pusher served', async () => {
      const key = keyOn(0, shards, 'bl');
      const blocked = await client(srv.port);
      blocked.send(frame('BLPOP', key, '0'));
      await new Promise((r) => setTimeout(r, 100));
      await arm('serve', 0);
      const pusher = await client(srv.port);
      expect(await call(pusher, ['RPUSH', key, 'x'], int(1).length)).toBe(int(1));
      const e = err('ERR internal error: injected fault (DEBUG KEYSHARD-FAULT serve)');
      expect(await blocked.read(e.length)).toBe(e);
      // The waiter is gone: the next push stays in the list.
      expect(await call(pusher, ['RPUSH', key, 'y'], int(2).length)).toBe(int(2));
      expect(await call(blocked, ['LPOP', key], bulk('x').length)).toBe(bulk('x'));
      blocked.close();
      pusher.close();
      await othersServed();
    });

    it('an error while timing out a blocked client answers it', async () => {
      const key = keyOn(0, shards, 'bt');
      await arm('timeout', 0);
      const blocked = await client(srv.port);
      const e = err('ERR internal error: injected fault (DEBUG KEYSHARD-FAULT timeout)');
      expect(await call(blocked, ['BLPOP', key, '0.05'], e.length)).toBe(e);
      expect(await call(blocked, ['BLPOP', key, '0.05'], '*-1\r\n'.length)).toBe('*-1\r\n');
      blocked.close();
      await othersServed();
    });

    it('an error in active expiry is logged and expiry carries on', async () => {
      const c = await client(srv.port);
      const key = keyOn(0, shards, 'ex');
      expect(await call(c, ['SELECT', '5'], OK.length)).toBe(OK);
      await arm('expire', 0);
      expect(await call(c, ['SET', key, 'v', 'PX', '1'], OK.length)).toBe(OK);
      const deadline = Date.now() + 3000;
      while (!srv.output().includes('DEBUG KEYSHARD-FAULT expire') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(srv.output()).toContain('injected fault (DEBUG KEYSHARD-FAULT expire)');
      // Later passes reclaim the key without anyone touching it (DBSIZE
      // counts keys not yet reclaimed, as in Redis).
      let size = '';
      for (let i = 0; i < 100 && size !== int(0); i++) {
        await new Promise((r) => setTimeout(r, 20));
        size = await call(c, ['DBSIZE'], int(0).length);
      }
      expect(size).toBe(int(0));
      c.close();
      await othersServed();
    });
  });
}

describe('a shard thread that dies anyway', () => {
  it('stops the server loudly instead of serving a keyspace with a hole', async () => {
    const srv = await startServer({ shards: 2, args: ['--enable-debug-command', 'yes'] });
    try {
      const c = await client(srv.port);
      c.send(frame('DEBUG', 'KEYSHARD-FAULT', 'exit', '1'));
      const deadline = Date.now() + 5000;
      while (srv.proc.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(srv.proc.exitCode).toBe(1);
      expect(srv.output()).toContain('shard 1 exited with code 70; its keys are lost, stopping the server');
      c.close();
    } finally {
      await srv.stop();
    }
  });
});
