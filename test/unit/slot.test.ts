// Hash slots must match Redis Cluster exactly: clients route by them.
import { describe, expect, it } from 'vitest';
import { crc16, slotOfBytes, slotOfString, slotRanges, slotOwners } from '../../src/util/slot';

describe('hash slots', () => {
  it('CRC16-XMODEM check value', () => {
    const b = Buffer.from('123456789');
    expect(crc16(b, 0, b.length)).toBe(0x31c3);
  });

  it('known Redis Cluster slots', () => {
    // Values from the Redis Cluster specification and tutorial.
    expect(slotOfString('foo')).toBe(12182);
    expect(slotOfString('somekey')).toBe(11058);
    expect(slotOfString('foo{hash_tag}')).toBe(2515);
    expect(slotOfString('bar{hash_tag}')).toBe(2515);
    expect(slotOfString('')).toBe(0);
  });

  it('applies the {hash tag} rule like Redis', () => {
    // Expected slots are CLUSTER KEYSLOT answers of a redis-server 7.0.15
    // started with cluster-enabled yes.
    const slot = (key: string, want: number) => expect(slotOfString(key), key).toBe(want);
    slot('{user1000}.following', 3443);
    slot('{user1000}.followers', 3443);
    slot('user1000', 3443);
    // Only the first { counts, up to the first } after it.
    slot('foo{{bar}}zap', 4015);
    slot('{bar', 4015);
    slot('foo{bar}{zap}', 5061);
    slot('bar', 5061);
    // An empty tag hashes the whole key (not the later {bar}).
    slot('foo{}{bar}', 8363);
    // No closing brace: the whole key.
    slot('foo{bar', 15278);
  });

  it('bytes and latin1 strings agree, binary keys included', () => {
    for (let i = 0; i < 2000; i++) {
      const len = (i * 7) % 40;
      const b = Buffer.alloc(len);
      for (let j = 0; j < len; j++) b[j] = (i * 31 + j * 17) & 0xff;
      expect(slotOfBytes(b, 0, len)).toBe(slotOfString(b.toString('latin1')));
    }
  });

  it('splits the slots into contiguous ranges, one per shard', () => {
    for (const n of [1, 2, 3, 4, 7]) {
      const r = slotRanges(n);
      expect(r[0][0]).toBe(0);
      expect(r[n - 1][1]).toBe(16384);
      for (let k = 1; k < n; k++) expect(r[k][0]).toBe(r[k - 1][1]);
      const owners = slotOwners(n);
      r.forEach(([a, b], k) => {
        expect(owners[a]).toBe(k);
        expect(owners[b - 1]).toBe(k);
      });
    }
  });
});
