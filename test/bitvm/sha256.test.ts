import { sha256 } from "@noble/hashes/sha2.js";
import { expect } from "chai";

import {
  type Fragment,
  LIMBS,
  limbsToU32,
  runFragment,
  stackNumber,
  u32Witness,
} from "../../ts/bitvm/index.js";
import {
  SHA256_IV,
  sha256Compress,
  sha256Hash64,
  sha256Hash64Digest,
  sha256Hash64Input,
} from "../../ts/bitvm/sha256.js";

/** xorshift32: deterministic test messages. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** The digest the script leaves, or undefined when it fails or leaves something else. */
function scriptDigest(f: Fragment, input: readonly number[]): string | undefined {
  const r = runFragment(f, input);
  if (!r.ok) return undefined;
  try {
    return hex(sha256Hash64Digest(r.stack));
  } catch {
    return undefined;
  }
}

describe("bitvm: SHA-256 in Script", function () {
  this.timeout(120_000);
  let hash64: Fragment;

  before(function () {
    hash64 = sha256Hash64();
  });

  it("hashes 64-byte messages as @noble/hashes does, within the stack limit", function () {
    const next = prng(0x5eed);
    const messages = [new Uint8Array(64)];
    for (let k = 0; k < 5; k++) messages.push(Uint8Array.from({ length: 64 }, () => next() & 0xff));
    for (const m of messages) {
      const r = runFragment(hash64, sha256Hash64Input(m));
      expect(r.ok, `run failed: ${r.ok ? "" : String(r.error)}`).to.equal(true);
      expect(r.stack.length).to.equal(64);
      expect(hex(sha256Hash64Digest(r.stack))).to.equal(hex(sha256(m)));
      expect(r.stats.maxStackDepth).to.be.at.most(1000);
    }
    expect(hash64.effect.maxDepth).to.be.at.most(1000);
    expect(hash64.effect.inputs).to.equal(128);
    expect(hash64.effect.outputs).to.equal(64);
  });

  it("does not produce the digest from a tampered input, nor match a tampered digest", function () {
    const m = Uint8Array.from({ length: 64 }, (_, i) => (i * 151 + 7) & 0xff);
    const good = sha256Hash64Input(m);
    const expected = hex(sha256(m));
    expect(scriptDigest(hash64, good)).to.equal(expected);

    const bad = [...good];
    bad[37] = 16;
    expect(scriptDigest(hash64, bad)).to.not.equal(expected);

    const tampered = sha256(m);
    tampered[31]! ^= 1;
    expect(scriptDigest(hash64, good)).to.not.equal(hex(tampered));
  });

  it("compresses one block from any chaining value", function () {
    const f = sha256Compress();
    expect(f.effect.maxDepth).to.be.at.most(1000);
    // SHA-256 of the 55-byte message "a" * 55: one padded block from the IV.
    const msg = new Uint8Array(55).fill(0x61);
    const padded = new Uint8Array(64);
    padded.set(msg);
    padded[55] = 0x80;
    const dv = new DataView(padded.buffer);
    dv.setUint32(60, 55 * 8, false);
    const words = Array.from({ length: 16 }, (_, i) => dv.getUint32(4 * i, false));
    const r = runFragment(f, u32Witness([...SHA256_IV, ...words]));
    expect(r.ok).to.equal(true);
    expect(r.stack.length).to.equal(8 * LIMBS);
    const out = new Uint8Array(32);
    const odv = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) {
      const limbs = r.stack
        .slice(8 * i, 8 * i + 8)
        .map(stackNumber)
        .reverse();
      odv.setUint32(4 * i, limbsToU32(limbs), false);
    }
    expect(hex(out)).to.equal(hex(sha256(msg)));
  });
});
