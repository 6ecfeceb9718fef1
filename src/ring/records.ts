// Record layouts carried by the rings. Request rings (acceptor → shard) and
// control rings (coordinator → held shard) share the request layout; reply
// rings (shard → acceptor) use the reply layout.
//
// Request record: 16-byte header, then a RESP multibulk frame.
//   u8 kind | u8 proto | u8 0 | u8 flags | u32 tag1 | u32 tag2 | u32 db
// (the database number takes a whole word: `databases` goes up to INT_MAX)
// Reply record: 12-byte header, then RESP reply bytes.
//   u8 kind | u8 flags | u16 0 | u32 tag1 | u32 tag2
// The tags are opaque to the shard: it echoes them so the acceptor knows
// where the reply goes.

export const REQ_HEADER = 16;
export const REP_HEADER = 12;

/** A client command: tag1 = connection id, tag2 = its sequence number. */
export const K_CMD = 1;
/** One shard's part of a split or fanned-out command: tag1 = gather id, tag2 = part. */
export const K_PART = 2;
/** Multi-hop marker: the shard stops here and serves its control ring until released. tag1 = txn id. */
export const K_HOLD = 3;
/** Control op executed by a held shard (payload: a command frame). tag1 = txn id, tag2 = op id. */
export const K_CTRL = 4;
/** End of hold. */
export const K_RELEASE = 5;
/** Shard-internal request from the acceptor (stats, config): tag1 = request id. */
export const K_ADMIN = 6;

/** A cross-shard wait's watcher fired (reply only): tag1 = wait token. */
export const K_WAKE = 7;

/** Reply flag: the reply is an error reply. */
export const RF_ERROR = 1;

/** Request flag (byte 3): an acceptor-built internal op carried as a client command (EXEC's __exec). */
export const RQ_INTERNAL = 1;
