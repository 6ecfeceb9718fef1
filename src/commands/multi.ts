// Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH. They live on the
// acceptor (src/acceptor/txn.ts), which queues a transaction's commands and
// runs EXEC on the shards that own its keys.

import type { CommandDef, NodeCtx } from './contract';

const txn = (c: NodeCtx) => c.server.txn;

export const commands: CommandDef[] = [
  { name: 'multi', node: (c) => txn(c).multi(c), txnControl: true },
  { name: 'exec', node: (c) => txn(c).exec(c), txnControl: true },
  { name: 'discard', node: (c) => txn(c).discard(c), txnControl: true },
  { name: 'watch', node: (c, a) => txn(c).watch(c, a), txnControl: true },
  { name: 'unwatch', node: (c) => txn(c).unwatch(c) },
];
