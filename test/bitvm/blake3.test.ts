import { blake3 } from "@noble/hashes/blake3.js";
import { expect } from "chai";

import { bytesToHex as hex } from "../../ts/core/index.js";
import { blake3Hash64, blake3Hash64Digest, blake3Hash64Input } from "../../ts/bitvm/blake3.js";
import { runFragment } from "../../ts/bitvm/run.js";

/** Deterministic messages: xorshift32 from a fixed seed. */
function messages(count: number, seed: number): Uint8Array[] {
  let s = seed >>> 0;
  const next = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  return Array.from({ length: count }, () => Uint8Array.from({ length: 64 }, () => next() & 0xff));
}

describe("bitvm/blake3", function () {
  this.timeout(60_000);
  const fragment = blake3Hash64();

  function digestOf(input: number[]): Uint8Array | undefined {
    const r = runFragment(fragment, input);
    if (!r.ok) return undefined;
    expect(r.stats.maxStackDepth).to.be.at.most(1000);
    return blake3Hash64Digest(r.stack);
  }

  it("stays within the stack limit", () => {
    expect(fragment.effect.maxDepth).to.be.at.most(1000);
    const r = runFragment(fragment, blake3Hash64Input(new Uint8Array(64)));
    expect(r.ok).to.equal(true);
    expect(r.stats.maxStackDepth).to.be.at.most(1000);
    expect(r.stack.length).to.equal(64);
  });

  for (const [i, msg] of [new Uint8Array(64), ...messages(6, 0x2545f491)].entries())
    it(`hashes 64-byte message #${i} like @noble/hashes`, () => {
      const got = digestOf(blake3Hash64Input(msg));
      expect(got).to.not.equal(undefined);
      expect(hex(got!)).to.equal(hex(blake3(msg)));
    });

  it("rejects a limb out of range or a tampered digest", () => {
    const [msg] = messages(1, 7);
    const input = blake3Hash64Input(msg!);
    const expected = blake3(msg!);

    for (const at of [0, 37, input.length - 1]) {
      const bad = [...input];
      bad[at] = 16;
      const r = runFragment(fragment, bad);
      if (r.ok) {
        let digest: Uint8Array | undefined;
        try {
          digest = blake3Hash64Digest(r.stack);
        } catch {
          digest = undefined;
        }
        if (digest !== undefined) expect(hex(digest)).to.not.equal(hex(expected));
      }
    }

    const good = digestOf(input)!;
    expect(hex(good)).to.equal(hex(expected));
    const tampered = Uint8Array.from(expected);
    tampered[5]! ^= 1;
    expect(hex(good)).to.not.equal(hex(tampered));
  });
});
