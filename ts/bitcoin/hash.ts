/** Hash functions of the protocol, over @noble/hashes. */
import { ripemd160 as nobleRipemd160, sha1 as nobleSha1 } from "@noble/hashes/legacy.js";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";

export const sha256 = (b: Uint8Array): Uint8Array => nobleSha256(b);
export const sha1 = (b: Uint8Array): Uint8Array => nobleSha1(b);
export const ripemd160 = (b: Uint8Array): Uint8Array => nobleRipemd160(b);
export const sha256d = (b: Uint8Array): Uint8Array => nobleSha256(nobleSha256(b));
export const hash160 = (b: Uint8Array): Uint8Array => nobleRipemd160(nobleSha256(b));

const tagPrefixes = new Map<string, Uint8Array>();

/** BIP340 tagged hash: sha256(sha256(tag) || sha256(tag) || msgs…), with the tag prefix cached. */
export function taggedHash(tag: string, ...msgs: Uint8Array[]): Uint8Array {
  let prefix = tagPrefixes.get(tag);
  if (!prefix) {
    const t = nobleSha256(new TextEncoder().encode(tag));
    prefix = new Uint8Array(64);
    prefix.set(t, 0);
    prefix.set(t, 32);
    tagPrefixes.set(tag, prefix);
  }
  const h = nobleSha256.create().update(prefix);
  for (const m of msgs) h.update(m);
  return h.digest();
}
