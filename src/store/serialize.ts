// Moving a value between shards (multi-hop commands): a type name and a
// latin1 payload. Strings pass as they are; each data type registers its own
// codec here when it is added.

import type { RObject, Value } from './keyspace';

export interface TypeCodec {
  encode(v: RObject): string;
  decode(payload: string): RObject;
}

const codecs = new Map<string, TypeCodec>();

export function registerCodec(type: string, codec: TypeCodec): void {
  codecs.set(type, codec);
}

export function encodeValue(v: Value): [string, string] {
  if (typeof v === 'string') return ['string', v];
  const c = codecs.get(v.type);
  if (!c) throw new Error('no codec for type ' + v.type);
  return [v.type, c.encode(v)];
}

export function decodeValue(type: string, payload: string): Value {
  if (type === 'string') return payload;
  const c = codecs.get(type);
  if (!c) throw new Error('no codec for type ' + type);
  return c.decode(payload);
}
