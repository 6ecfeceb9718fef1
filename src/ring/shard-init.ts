// What a shard worker receives when it starts: its three rings (request,
// control, reply) with their side-channel ports, its slot range and the
// server settings. The contract between src/shardset (which spawns the
// worker) and src/shard (the worker), kept below both.

import type { MessagePort } from 'node:worker_threads';

export interface ShardInit {
  shard: number;
  shards: number;
  slotLo: number;
  slotHi: number;
  databases: number;
  reqSab: SharedArrayBuffer;
  ctrlSab: SharedArrayBuffer;
  repSab: SharedArrayBuffer;
  /** The acceptor's reply bell: bell[0] bumped per publish, bell[1] = acceptor sleeps. */
  bellSab: SharedArrayBuffer;
  reqPort: MessagePort;
  ctrlPort: MessagePort;
  repPort: MessagePort;
  config: Record<string, number | string>;
}
