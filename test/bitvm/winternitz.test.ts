import { expect } from "chai";

import { hash160 } from "../../ts/bitcoin/index.js";
import {
  BitvmInputError,
  digitsToMessage,
  messageToDigits,
  runFragment,
  stackNumber,
  winternitzKeygen,
  winternitzLayout,
  winternitzPublicKey,
  winternitzSign,
  winternitzVerifyScript,
} from "../../ts/bitvm/index.js";

const seed = (n: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => (i * 31 + n) & 0xff);
const message = (len: number, salt: number): Uint8Array =>
  Uint8Array.from({ length: len }, (_, i) => (i * 73 + salt * 29 + 5) & 0xff);

/** Stack index (bottom-first witness) of the digit and chain value processed k-th. */
const slot = (witness: Uint8Array[], k: number): { digit: number; sig: number } => ({
  digit: witness.length - 1 - 2 * k,
  sig: witness.length - 2 - 2 * k,
});

describe("bitvm: Winternitz one-time signatures", function () {
  it("lays out digits and checksum digits as the scheme requires", function () {
    expect(winternitzLayout({ messageBytes: 20, digitBits: 4 })).to.deep.include({
      messageDigits: 40,
      checksumDigits: 3, // 40 × 15 = 600 needs three hex digits
      max: 15,
    });
    expect(winternitzLayout({ messageBytes: 32, digitBits: 4 }).checksumDigits).to.equal(3);
    expect(winternitzLayout({ messageBytes: 4, digitBits: 4 }).checksumDigits).to.equal(2); // 120
    const m = message(20, 1);
    for (const bits of [1, 2, 3, 4, 5, 7])
      expect(digitsToMessage(messageToDigits(m, bits), bits, 20)).to.deep.equal(m);
    expect(() => winternitzLayout({ messageBytes: 20, digitBits: 9 }))
      .to.throw(BitvmInputError)
      .with.property("code", "INVALID_ARGUMENT");
  });

  for (const [bytes, bits] of [
    [4, 4],
    [20, 4],
    [32, 4],
    [20, 3],
  ] as const) {
    it(`verifies a ${bytes}-byte message with ${bits}-bit digits and leaves it on the stack`, function () {
      const sk = winternitzKeygen(seed(bytes), { messageBytes: bytes, digitBits: bits });
      const script = winternitzVerifyScript(winternitzPublicKey(sk));
      for (const salt of [0, 1, 2]) {
        const m = message(bytes, salt);
        const r = runFragment(script, winternitzSign(sk, m));
        expect(r.ok, r.ok ? "" : r.message).to.equal(true);
        expect(r.stack.map(stackNumber)).to.deep.equal(messageToDigits(m, bits));
        expect(r.stats.maxStackDepth).to.be.at.most(1000);
      }
      // All-zero and all-one messages stress the checksum's extremes.
      for (const fill of [0x00, 0xff]) {
        const m = new Uint8Array(bytes).fill(fill);
        expect(runFragment(script, winternitzSign(sk, m)).ok).to.equal(true);
      }
    });
  }

  it("rejects forged and tampered signatures", function () {
    const sk = winternitzKeygen(seed(9), { messageBytes: 20, digitBits: 4 });
    const pk = winternitzPublicKey(sk);
    const script = winternitzVerifyScript(pk);
    const m = message(20, 3);
    m[19] = 0x10; // last message digit 0, processed right after the 3 checksum digits
    const good = winternitzSign(sk, m);
    expect(runFragment(script, good).ok).to.equal(true);
    const k = 3; // the last message digit's position in processing order

    // A digit changed without its chain value.
    const wrongDigit = good.slice();
    wrongDigit[slot(good, k).digit] = Uint8Array.of(5);
    expect(runFragment(script, wrongDigit).ok).to.equal(false);

    // The classic forgery: raise a digit by hashing its chain value forward. The digit itself then
    // verifies, and only the checksum stops it.
    const raised = good.slice();
    raised[slot(good, k).digit] = Uint8Array.of(1);
    raised[slot(good, k).sig] = hash160(good[slot(good, k).sig]!);
    const r = runFragment(script, raised);
    expect(r.ok).to.equal(false);
    if (!r.ok) expect(r.error).to.equal("NUMEQUALVERIFY");

    // A digit outside the base, with a chain value that would match deeper down.
    // The range check refuses it before the PICK can reach below the chain (the checksum would
    // catch it later too; the check is defence in depth and names the fault where it is).
    const outOfRange = good.slice();
    outOfRange[slot(good, k).digit] = Uint8Array.of(16);
    const oor = runFragment(script, outOfRange);
    expect(oor.ok).to.equal(false);
    if (!oor.ok) expect(oor.error).to.equal("VERIFY");

    // A tampered checksum chain value, a signature under another key, a truncated witness.
    const badChecksum = good.slice();
    badChecksum[slot(good, 0).sig] = hash160(badChecksum[slot(good, 0).sig]!);
    expect(runFragment(script, badChecksum).ok).to.equal(false);
    const other = winternitzKeygen(seed(10), { messageBytes: 20, digitBits: 4 });
    expect(runFragment(script, winternitzSign(other, m)).ok).to.equal(false);
    expect(runFragment(script, good.slice(2)).ok).to.equal(false);
    expect(() => winternitzSign(sk, new Uint8Array(19)))
      .to.throw(BitvmInputError)
      .with.property("code", "INVALID_ARGUMENT");
  });

  it("is smaller than BitVM's Winternitz verify (4,178 B for 20 bytes, 6,458 B for 32 bytes)", function () {
    const size = (bytes: number): number =>
      winternitzVerifyScript(
        winternitzPublicKey(winternitzKeygen(seed(1), { messageBytes: bytes, digitBits: 4 })),
      ).size;
    expect(size(20)).to.be.below(4178);
    expect(size(32)).to.be.below(6458);
  });
});
