// Every command group, joined with the generated metadata into the one
// command table. Both threads build it: the acceptor to route, the shards to
// find their handlers.

import { buildTable, CommandTable } from './table';
import type { CommandDef, ShardHandler, ShardHandlerKeys } from './contract';
import { commands as string } from './string';
import { commands as bitops } from './bitops';
import { commands as keys } from './keys';
import { commands as command } from './command';
import { commands as config } from './config';
import { commands as connection } from './connection';
import { commands as server } from './server';
import { commands as list } from './list';
import { commands as hash } from './hash';
import { commands as set } from './set';
import { commands as zset } from './zset';
import { commands as geo } from './geo';
import { commands as hll } from './hll';
import { commands as sort } from './sort';
import { commands as memory } from './memory';
import { commands as dump } from './dump';
import { commands as multi } from './multi';
import { commands as debug } from './debug';
import { commands as scripting } from './scripting';

export const groups: CommandDef[][] = [
  string, bitops, keys, command, config, connection, server,
  list, hash, set, zset, geo, hll, sort, memory, multi, dump, debug, scripting,
];

export function buildCommandTable(): CommandTable {
  return buildTable(groups);
}

/** name → shard handler, for the worker (subcommands as 'object|encoding'). */
export function shardHandlers(): Map<string, ShardHandler> {
  const m = new Map<string, ShardHandler>();
  for (const g of groups) for (const d of g) if (d.run) m.set(d.name, d.run);
  return m;
}

/** name → key probe (CommandDef.probe), for the worker's __probe op. */
export function shardProbes(): Map<string, ShardHandlerKeys> {
  const m = new Map<string, ShardHandlerKeys>();
  for (const g of groups) for (const d of g) if (d.probe) m.set(d.name, d.probe);
  return m;
}
