// The live settings a shard's data structures read (encodings' listpack
// limits, proto-max-bulk-len, …): every option as the acceptor passed it
// (numbers where they look like numbers), updated in order with commands by
// CONFIG SET (the __config op).

export interface ShardConfig {
  protoMaxBulkLen: number;
  databases: number;
  [name: string]: number | string;
}
