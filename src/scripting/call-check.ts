// What redis.call / redis.pcall check before running a command (Redis 7.0's
// scriptCall): the command exists with the right arity, it may run from a
// script, and a read-only script (EVAL_RO, no-writes) does not write. The
// texts are Redis's; the engine adds the script position to them. Shared by
// the shard host (src/shard/scripts.ts) and the acceptor's held path
// (src/crossshard/script.ts).

import type { Command, CommandTable } from '../commands/table';

export type CallCheck = { cmd: Command; err: null } | { cmd: null; err: string };

/** The table entry (subcommand resolved) for a script's command, or the error reply text. */
export function checkScriptCall(table: CommandTable, args: readonly string[], readOnly: boolean): CallCheck {
  let cmd = args.length > 0 ? table.lookup(args[0]) : undefined;
  if (cmd !== undefined && cmd.subs !== null && args.length >= 2) {
    const sub = table.lookupSub(cmd, args[1]);
    if (sub !== undefined) cmd = sub;
  }
  if (cmd === undefined) return { cmd: null, err: 'ERR Unknown Redis command called from script' };
  const argc = args.length;
  if (cmd.arity > 0 ? argc !== cmd.arity : argc < -cmd.arity) {
    return { cmd: null, err: 'ERR Wrong number of args calling Redis command from script' };
  }
  if (cmd.noScript) return { cmd: null, err: 'ERR This Redis command is not allowed from script' };
  if (readOnly && (cmd.isWrite || cmd.mayReplicate)) {
    return { cmd: null, err: 'ERR Write commands are not allowed from read-only scripts.' };
  }
  return { cmd, err: null };
}

/** An error reply's bytes. */
export function errorReply(text: string): Buffer {
  return Buffer.from('-' + text + '\r\n', 'latin1');
}

const PONG = Buffer.from('+PONG\r\n');
const OK = Buffer.from('+OK\r\n');

function bulk(s: string): Buffer {
  return Buffer.from(`$${s.length}\r\n${s}\r\n`, 'latin1');
}

/**
 * The connection commands a script may call wherever it runs (PING, ECHO,
 * SELECT of the script's own database); null for any other acceptor
 * command. `select` receives a valid database number.
 */
export function scriptConnectionCommand(cmd: Command, args: readonly string[], databases: number, select: (db: number) => void): Buffer | null {
  switch (cmd.name) {
    case 'ping':
      return args.length === 1 ? PONG : bulk(args[1]);
    case 'echo':
      return bulk(args[1]);
    case 'select': {
      const n = Number(args[1]);
      if (!/^-?\d+$/.test(args[1]) || !Number.isSafeInteger(n)) return errorReply('ERR value is not an integer or out of range');
      if (n < 0 || n >= databases) return errorReply('ERR DB index is out of range');
      select(n);
      return OK;
    }
    default:
      return null;
  }
}
