// Version strings: the Redis version keyshard answers as, and its own.

/** The Redis version keyshard is compatible with and reports (clients gate features on it). */
export const VERSION = '7.0.15';
export const KEYSHARD_VERSION = '0.1.0';
