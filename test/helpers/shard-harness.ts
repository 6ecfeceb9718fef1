// Runs shard handlers directly, without threads or sockets, for unit tests
// of command semantics. Integration tests against a spawned server live in
// test/*.test.ts.
import { ReplyWriter } from '../../src/protocol/reply';
import { Keyspace } from '../../src/store/keyspace';
import type { CommandDef, ShardCtx } from '../../src/commands/contract';

export function shardHarness(defs: CommandDef[], proto: 2 | 3 = 2) {
  const byName = new Map(defs.map((d) => [d.name, d]));
  const ks = new Keyspace(16);
  const w = new ReplyWriter();
  const ctx: ShardCtx = {
    ks,
    db: ks.dbs[0],
    w,
    config: { protoMaxBulkLen: 512 * 1024 * 1024, databases: 16 },
    shard: 0,
    block: null,
    readyKey: null,
    scripts: null,
  };
  /** Run one command; returns the raw reply as a latin1 string. */
  function call(...args: string[]): string {
    const name = args[0].toLowerCase();
    const sub = args.length > 1 ? byName.get(name + '|' + args[1].toLowerCase()) : undefined;
    const def = sub ?? byName.get(name);
    if (!def || !def.run) throw new Error('no shard handler for ' + name);
    w.reset();
    w.proto = proto;
    ctx.ks.cachedNow = 0;
    def.run(ctx, args);
    return w.view().toString('latin1');
  }
  return {
    ks,
    ctx,
    call,
    select(db: number) {
      ctx.db = ks.dbs[db];
    },
    setProto(p: 2 | 3) {
      proto = p;
    },
  };
}
