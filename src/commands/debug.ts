// DEBUG (Redis's debug.c), refused unless `enable-debug-command` allows it,
// as in Redis 7.0. Only keyshard's own subcommand exists so far:
//
//   DEBUG KEYSHARD-FAULT <where> [shard]
//
// makes the next step of one kind throw, so tests can prove that a bug
// closes one connection (acceptor) or answers one client with an error
// (shard) and never takes the server down. <where> is `dispatch` or `merge`
// (acceptor), or `handler`, `serve`, `timeout`, `expire`, `loop` (a shard's
// command handler, a blocked client being served or timed out, active
// expiry, the drain loop outside the handler), or `exit` (the shard thread
// exits: the server stops, see docs/ARCHITECTURE.md "Faults").

import { cstr, formatError } from './errors';
import type { CommandDef, NodeCtx } from './contract';
import { OP_FAULT } from '../ring/ops';

const SHARD_FAULTS = new Set(['handler', 'serve', 'timeout', 'expire', 'loop', 'exit']);

const NOT_ALLOWED =
  'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a ' +
  'local connection, otherwise you need to set this option in the configuration file, and then restart the server.';

async function debugCommand(c: NodeCtx, a: string[]): Promise<void> {
  if (!c.server.config.allowProtected('enable-debug-command', c.conn.local === true)) return c.w.error(NOT_ALLOWED);
  const sub = a[1].toLowerCase();
  if (sub === 'keyshard-fault' && a.length >= 3 && a.length <= 4) {
    const where = a[2].toLowerCase();
    if ((where === 'dispatch' || where === 'merge') && a.length === 3) {
      c.server.injectFault(where);
      return c.w.ok();
    }
    if (SHARD_FAULTS.has(where)) {
      const shard = a.length === 4 ? Number(a[3]) : 0;
      if (!Number.isInteger(shard) || shard < 0 || shard >= c.server.shardCount) return c.w.error('ERR no such shard');
      if (where === 'exit') {
        // The shard is gone before it could answer.
        void c.server.adminCall(shard, [OP_FAULT, where]);
        return c.w.ok();
      }
      await c.server.adminCall(shard, [OP_FAULT, where]);
      return c.w.ok();
    }
    return c.w.error('ERR unknown fault point');
  }
  c.w.error(formatError(`ERR unknown subcommand '${cstr(a[1])}'. Try DEBUG HELP.`));
}

export const commands: CommandDef[] = [{ name: 'debug', node: debugCommand }];
