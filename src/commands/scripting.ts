// Scripting commands (Redis's eval.c): EVAL, EVALSHA, EVAL_RO, EVALSHA_RO
// and SCRIPT. The script cache lives on the acceptor and reaches every
// shard before any EVALSHA can (AcceptorView.scripts); EVAL's handler here
// is the shard side of the fast path (all the script's keys on this shard),
// the acceptor holds every shard for the others (src/crossshard/script.ts).

import type { CommandDef, NodeCtx, ShardCtx } from './contract';
import { E } from './errors';
import { parseLL } from '../util/parse';
import { replyHelp, unknownSubcommandError } from './table';

const SCRIPT_HELP = [
  'DEBUG (YES|SYNC|NO)',
  '    Set the debug mode for subsequent scripts executed.',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
];

export const NOSCRIPT = 'NOSCRIPT No matching script. Please use EVAL.';

/**
 * evalGenericCommand's argument checks: the number of keys, or null after
 * replying with Redis's error.
 */
export function evalNumKeys(w: { error(m: string): void }, a: string[]): number | null {
  const n = parseLL(a[2]);
  if (n === null) {
    w.error(E.NOTINT);
    return null;
  }
  if (n > BigInt(a.length - 3)) {
    w.error("ERR Number of keys can't be greater than number of args");
    return null;
  }
  if (n < 0n) {
    w.error("ERR Number of keys can't be negative");
    return null;
  }
  return Number(n);
}

/** The shard side of EVAL/EVALSHA (the acceptor has put the body in every shard's cache first). */
const evalRun = (isSha: boolean, readOnly: boolean) => (c: ShardCtx, a: string[]): void => {
  const n = evalNumKeys(c.w, a);
  if (n === null) return;
  if (c.scripts === null) return c.w.error('ERR scripting is not available on this server');
  c.scripts.eval(c, a[1], isSha, a.slice(3, 3 + n), a.slice(3 + n), readOnly);
};

function script(c: NodeCtx, a: string[]): void | Promise<void> {
  const sub = a[1].toLowerCase();
  const reg = c.server.scripts;
  if (a.length === 2 && sub === 'help') return replyHelp(c.w, a[0], SCRIPT_HELP);
  if (sub === 'flush') {
    if (!(a.length === 2 || (a.length === 3 && ['sync', 'async'].includes(a[2].toLowerCase())))) {
      return c.w.error('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
    }
    reg.flush();
    return c.w.ok();
  }
  if (sub === 'exists' && a.length >= 2) {
    c.w.arr(a.length - 2);
    for (let j = 2; j < a.length; j++) c.w.int(reg.exists(a[j].toLowerCase()) ? 1 : 0);
    return;
  }
  if (sub === 'load' && a.length === 3) {
    if (reg.unavailable !== null) return c.w.error(reg.unavailable);
    const r = reg.load(a[2]);
    if ('err' in r) return c.w.error(r.err);
    return c.w.bulk(r.sha);
  }
  if (sub === 'kill' && a.length === 2) {
    // Scripts run to completion before anything else is served; there is
    // never one running when this command is read.
    return c.w.error('NOTBUSY No scripts in execution right now.');
  }
  if (sub === 'debug' && a.length === 3) {
    const m = a[2].toLowerCase();
    if (m === 'no') return c.w.ok();
    if (m === 'yes' || m === 'sync') return c.w.error('ERR keyshard has no Lua debugger (SCRIPT DEBUG NO is accepted)');
    return c.w.error('ERR Use SCRIPT DEBUG YES/SYNC/NO');
  }
  c.w.error(unknownSubcommandError(a));
}

export const commands: CommandDef[] = [
  { name: 'eval', run: evalRun(false, false), script: 'eval' },
  { name: 'evalsha', run: evalRun(true, false), script: 'evalsha' },
  { name: 'eval_ro', run: evalRun(false, true), script: 'eval' },
  { name: 'evalsha_ro', run: evalRun(true, true), script: 'evalsha' },
  ...['help', 'flush', 'exists', 'load', 'kill', 'debug'].map((sub) => ({ name: 'script|' + sub, node: script })),
];
