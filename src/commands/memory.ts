// MEMORY USAGE / PURGE / HELP.
//
// USAGE is an estimate in the spirit of Redis's objectComputeSize: bytes of
// the key and value plus a fixed per-entry overhead, for collections the
// serialized size (strings inside a V8 heap are not separately measurable).
// It is O(size of the value); Redis samples, which only matters for speed.

import type { CommandDef, ShardCtx } from './contract';
import { E } from './errors';
import { parseLL } from '../util/parse';
import { encodeValue } from '../store/serialize';
import { replyHelp } from './table';

/** Map entry, key string header, value header: what a key costs beyond its bytes. */
const ENTRY_OVERHEAD = 72;

function usage(c: ShardCtx, a: string[]): void {
  for (let j = 3; j < a.length; j++) {
    if (a[j].toLowerCase() === 'samples' && j + 1 < a.length) {
      const n = parseLL(a[j + 1]);
      if (n === null) return c.w.error(E.NOTINT);
      if (n < 0n) return c.w.error(E.SYNTAX);
      j++;
    } else {
      return c.w.error(E.SYNTAX);
    }
  }
  const key = a[2];
  const v = c.db.peek(key);
  if (v === undefined) return c.w.nil();
  const bytes = typeof v === 'string' ? v.length : encodeValue(v)[1].length;
  c.w.int(ENTRY_OVERHEAD + key.length + bytes);
}

const HELP = [
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
];

export const commands: CommandDef[] = [
  { name: 'memory|usage', run: usage },
  { name: 'memory|help', run: (c, a) => replyHelp(c.w, a[0], HELP) },
  // V8 manages its own heap; there are no allocator pages to hand back.
  { name: 'memory|purge', node: (c) => c.w.ok() },
];
