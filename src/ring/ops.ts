// The vocabulary of shard-internal operations: the names the acceptor and
// the coordinator put in admin, control and internal command records, and
// the shard's handlers answer (src/shard/internal.ts, all of them). A name
// starting with "__" can't collide with a client command, and a shard runs
// these only from records the acceptor marked as internal.

/** Statistics of the shard (INFO), as one JSON bulk. */
export const OP_STATS = '__stats';
/** CONFIG RESETSTAT on the shard. */
export const OP_RESETSTAT = '__resetstat';
/** `__config <name> <value>`: a CONFIG SET the shard must see, in order with commands. */
export const OP_CONFIG = '__config';
/** `__take KEEP|DEL <key>…`: a held shard hands over keys (type, ttl, payload) for a multi-hop. */
export const OP_TAKE = '__take';
/** `__put <key> <type> <ttl> <payload>…`: store keys moved from another shard ('none' deletes). */
export const OP_PUT = '__put';
/** `__probe <command args…>`: the keys a command will read beyond its key spec (SORT BY/GET). */
export const OP_PROBE = '__probe';
/** `__exec <conn> <frame>…`: a whole MULTI/EXEC on its only shard, as one step. */
export const OP_EXEC = '__exec';
/** `__txwatch <conn> <key>…`: WATCH keys for a connection (db = the record's). */
export const OP_TXWATCH = '__txwatch';
/** `__txforget <conn>`: forget a connection's WATCHes. */
export const OP_TXFORGET = '__txforget';
/** `__txcheck <conn>`: 1 if a WATCHed key of the connection changed (and forget them). */
export const OP_TXCHECK = '__txcheck';
/** `__unblock <conn>`: drop a vanished client's waiter silently. */
export const OP_UNBLOCK = '__unblock';
/** `__clientunblock <conn> TIMEOUT|ERROR`: CLIENT UNBLOCK of a waiter on this shard. */
export const OP_CLIENTUNBLOCK = '__clientunblock';
/** `__watchkeys <token> <key>…`: a one-shot watcher for a cross-shard wait (fires K_WAKE). */
export const OP_WATCHKEYS = '__watchkeys';
/** `__unwatch <token>`: drop a cross-shard wait's watchers. */
export const OP_UNWATCH = '__unwatch';
/** `__fault <where>`: DEBUG KEYSHARD-FAULT on the shard. */
export const OP_FAULT = '__fault';
/** `__scriptload <body>`: the acceptor accepted this script body; compile and cache it. */
export const OP_SCRIPTLOAD = '__scriptload';
/** `__scriptflush`: SCRIPT FLUSH. */
export const OP_SCRIPTFLUSH = '__scriptflush';
