import { schnorr } from "@noble/curves/secp256k1.js";
import { expect } from "chai";
import { executeScript, stackNumberOrUndefined } from "./script.js";
import { winternitzPublicKey, winternitzSign } from "../../ts/bitvm/index.js";
import { amountMessage, committedAmount, disproveLeaf, oracleWinternitzKey } from "../../ts/dlc/index.js";

// The Script checks of the staked oracle, run by our interpreter: the committed amount is decoded
// exactly, a commitment equal to the requested amount cannot be disproved, any other can, and a
// forged or truncated commitment fails.

describe("dlc: the staked oracle's Script checks", () => {
  const sk = oracleWinternitzKey(schnorr.utils.randomSecretKey(), "lvm/withdrawal/42");
  const pk = winternitzPublicKey(sk);

  it("committedAmount leaves the committed amount as one script number", () => {
    const f = committedAmount(pk);
    for (const x of [0n, 1n, 15n, 16n, 255n, 2_100_000_000n, 0x7fffffffn, 123_456_789n]) {
      const r = executeScript(f.bytes, { stack: winternitzSign(sk, amountMessage(x)) });
      expect(r.ok, `x = ${x}`).to.equal(true);
      expect(r.stack.length).to.equal(1);
      expect(stackNumberOrUndefined(r.stack[0]!)).to.equal(x);
    }
  });

  it("disprove leaf: true for a commitment ≠ requested, false for the requested amount", () => {
    const w = 87_654_321n;
    const leaf = disproveLeaf(pk, w);
    const honest = executeScript(leaf, { stack: winternitzSign(sk, amountMessage(w)) });
    expect(honest.ok && honest.stack.length === 1 && honest.stack[0]!.length === 0).to.equal(true); // false on top
    for (const x of [w - 1n, w + 1n, 0n, w * 2n]) {
      const r = executeScript(leaf, { stack: winternitzSign(sk, amountMessage(x)) });
      expect(r.ok && r.stack.length === 1 && r.stack[0]![0] === 1, `x = ${x}`).to.equal(true);
    }
  });

  it("a forged commitment fails: a wrong chain value, a changed digit, another key", () => {
    const leaf = disproveLeaf(pk, 5n);
    const sig = winternitzSign(sk, amountMessage(6n));
    const bad = sig.map((x) => x.slice());
    bad[0]![3] ^= 1;
    expect(executeScript(leaf, { stack: bad }).ok).to.equal(false);
    // claim digit 7 for the last digit without its chain value: the checksum refuses it
    const digitChanged = sig.map((x) => x.slice());
    const at = digitChanged.findIndex((x) => x.length === 1 && x[0] === 6);
    digitChanged[at] = Uint8Array.of(7);
    expect(executeScript(leaf, { stack: digitChanged }).ok).to.equal(false);
    const other = oracleWinternitzKey(schnorr.utils.randomSecretKey(), "lvm/withdrawal/42");
    expect(executeScript(leaf, { stack: winternitzSign(other, amountMessage(6n)) }).ok).to.equal(false);
  });
});
