// Single-hop split and fan-out: how a command whose keys span shards is cut
// into one part per shard (MGET, MSET, DEL, EXISTS, UNLINK, TOUCH), and how
// the parts' replies (or every shard's, for DBSIZE, KEYS, FLUSHALL …) merge
// into the reply of the whole command. The parts are enqueued in one call,
// so they take one place in the global order: each depends only on its own
// shard, which makes the whole atomic without holding anything.

import { encodeFrameFromRanges } from '../protocol/frame-args';
import { elementSpans, readReply } from '../protocol/resp-read';
import type { MergeKind } from '../commands/contract';
import type { Router } from '../routing/route';
import type { FrameScanner } from '../protocol/frame';
import { encodeFrame } from '../protocol/frame-args';

export interface SplitPlan {
  shards: number[];
  frames: Buffer[];
  /** For 'mget': (shard, position within its part) of each key, in key order. */
  order: Array<[number, number]>;
}

/**
 * One frame per shard holding its keys (and the arguments that travel with
 * them, MSET's values), from the keys router located. Null when the last
 * key's companions are missing: the command's own handler answers that
 * error (Redis checks argc in msetCommand), so it must go whole to one shard.
 */
export function splitByShard(router: Router, step: number, buf: Buffer, sc: FrameScanner): SplitPlan | null {
  const idx = router.keyIdx, sh = router.keyShard, n = router.keyCount;
  if (n > 0 && idx[n - 1] + step > sc.argc) return null;
  const groups = new Map<number, number[]>();
  const order: Array<[number, number]> = [];
  for (let j = 0; j < n; j++) {
    let g = groups.get(sh[j]);
    if (g === undefined) groups.set(sh[j], (g = [0]));
    order.push([sh[j], (g.length - 1) / step]);
    for (let t = 0; t < step; t++) g.push(idx[j] + t);
  }
  const shards = [...groups.keys()];
  const frames = shards.map((k) => encodeFrameFromRanges(buf, sc.argStart, sc.argEnd, groups.get(k)!));
  return { shards, frames, order };
}

/** Combine per-shard replies into the reply of the whole command. */
export function mergeParts(kind: MergeKind, parts: Buffer[], shards: number[], order: Array<[number, number]> | null): Buffer {
  switch (kind) {
    case 'sum': {
      let n = 0;
      for (const p of parts) {
        const v = readReply(p, 0).value;
        if (typeof v === 'number') n += v;
      }
      return Buffer.from(':' + n + '\r\n');
    }
    case 'ok':
      return Buffer.from('+OK\r\n');
    case 'random': {
      const hits = parts.filter((p) => !(p[0] === 0x5f || (p[0] === 0x24 && p[1] === 0x2d)));
      return hits.length ? hits[Math.floor(Math.random() * hits.length)] : parts[0];
    }
    case 'concat': {
      let total = 0;
      const bodies: Buffer[] = [];
      for (const p of parts) {
        const [s, e] = elementSpans(p, 0);
        total += s.length;
        if (s.length) bodies.push(p.subarray(s[0], e[e.length - 1]));
      }
      return Buffer.concat([Buffer.from((parts[0]?.[0] === 0x7e ? '~' : '*') + total + '\r\n'), ...bodies]);
    }
    case 'mget': {
      const spans = parts.map((p) => elementSpans(p, 0));
      const pos = new Map<number, number>();
      shards.forEach((k, i) => pos.set(k, i));
      const out: Buffer[] = [Buffer.from('*' + order!.length + '\r\n')];
      for (const [k, j] of order!) {
        const i = pos.get(k)!;
        out.push(parts[i].subarray(spans[i][0][j], spans[i][1][j]));
      }
      return Buffer.concat(out);
    }
  }
}

/**
 * SCAN over several shards in one call. The cursor is a slot number; part i
 * scans shard shards[i] from the cursor (the first part) or from the start
 * of its range, each up to COUNT elements, all enqueued at once. The merge
 * takes the parts in slot order: a part that did not finish its range ends
 * the page at its cursor; a finished one is followed by the next part
 * unless the page already holds COUNT keys and the next part brings more.
 * Slots of parts left out are not counted as visited, so a key present for
 * the whole scan is still returned at least once.
 */
export interface ScanPlan {
  shards: number[];
  frames: Buffer[];
  /** End (exclusive slot) of each part's range. */
  ends: number[];
  count: number;
}

/** At most this many shards' worth of slots per SCAN call. */
export const SCAN_MAX_PARTS = 4;

export function scanParts(args: string[], cursorShard: number, ranges: ReadonlyArray<readonly [number, number]>): ScanPlan {
  let count = 10;
  for (let i = 2; i + 1 < args.length; i += 2) {
    if (args[i].toLowerCase() === 'count') {
      const v = Number(args[i + 1]);
      if (Number.isSafeInteger(v) && v > 0) count = v;
    }
  }
  const shards: number[] = [];
  const frames: Buffer[] = [];
  const ends: number[] = [];
  for (let k = cursorShard; k < ranges.length && shards.length < SCAN_MAX_PARTS; k++) {
    const a = args.slice();
    if (k !== cursorShard) a[1] = String(ranges[k][0]);
    shards.push(k);
    frames.push(encodeFrame(a));
    ends.push(ranges[k][1]);
  }
  return { shards, frames, ends, count };
}

export function mergeScan(plan: ScanPlan, parts: Buffer[]): Buffer {
  let cursor = '0';
  const keys: Buffer[] = [];
  let n = 0;
  for (let i = 0; i < parts.length; i++) {
    const top = elementSpans(parts[i], 0);
    const inner = elementSpans(parts[i], top[0][1]);
    if (i > 0 && n >= plan.count && inner[0].length > 0) break;
    for (let j = 0; j < inner[0].length; j++) keys.push(parts[i].subarray(inner[0][j], inner[1][j]));
    n += inner[0].length;
    cursor = readReply(parts[i], top[0][0]).value as string;
    const c = Number(cursor);
    if (c !== 0 && c < plan.ends[i]) break; // this shard's range is not done
  }
  return Buffer.concat([Buffer.from(`*2\r\n$${cursor.length}\r\n${cursor}\r\n*${n}\r\n`), ...keys]);
}
