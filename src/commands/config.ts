// CONFIG GET/SET/RESETSTAT/REWRITE/HELP, run on the acceptor against the
// server's Config (src/config/config.ts).

import type { CommandDef, NodeCtx } from './contract';
import type { Config } from '../config/config';
import { E } from './errors';

const HELP = [
  'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
  'HELP',
  '    Prints this help.',
];

function cfg(c: NodeCtx): Config {
  return c.server.config;
}

export const commands: CommandDef[] = [
  {
    name: 'config|get',
    node(c, a) {
      const pairs = cfg(c).getMatching(a.slice(2));
      const w = c.w;
      w.map(pairs.length);
      for (let i = 0; i < pairs.length; i++) {
        w.bulk(pairs[i][0]);
        w.bulk(pairs[i][1]);
      }
    },
  },
  {
    name: 'config|set',
    node(c, a) {
      if (a.length & 1) return c.w.error(E.SYNTAX);
      const pairs: Array<[string, string]> = [];
      for (let i = 2; i < a.length; i += 2) pairs.push([a[i], a[i + 1]]);
      // `conn.local`: loopback or unix-socket client (enable-protected-configs local).
      const err = cfg(c).set(pairs, c.conn?.local === true);
      if (err === null) c.w.ok();
      else c.w.error(err);
    },
  },
  {
    name: 'config|resetstat',
    node(c) {
      c.server.resetStats();
      c.w.ok();
    },
  },
  {
    name: 'config|rewrite',
    node(c) {
      const err = cfg(c).rewrite();
      if (err === null) c.w.ok();
      else c.w.error(err);
    },
  },
  {
    name: 'config|help',
    node(c, a) {
      const w = c.w;
      w.arr(HELP.length);
      // The header names the command as the client spelled it, upper-cased.
      w.simple(a[0].toUpperCase() + HELP[0].slice(6));
      for (let i = 1; i < HELP.length; i++) w.simple(HELP[i]);
    },
  },
];
