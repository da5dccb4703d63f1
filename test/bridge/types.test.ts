/**
 * The bridge's amount and txid constructors, by code only, so the test holds whether they are the
 * bridge's own or ts/core's re-exported (issue 14: one domain model).
 */
import { expect } from "chai";

import { l2Address, sats, txid, xOnlyKey } from "../../ts/bridge/index.js";

const MAX_MONEY = 21_000_000n * 100_000_000n;

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return String((e as { code?: unknown }).code);
  }
  return "OK";
}

describe("bridge: domain values", () => {
  it("sats: 0 … MAX_MONEY, as bigint or number", () => {
    expect(sats(0)).to.equal(0n);
    expect(sats(5_000)).to.equal(5_000n);
    expect(sats(MAX_MONEY)).to.equal(MAX_MONEY);
    expect(code(() => sats(MAX_MONEY + 1n))).to.equal("INVALID_AMOUNT");
    expect(code(() => sats(-1n))).to.equal("INVALID_AMOUNT");
    expect(code(() => sats(-1))).to.equal("INVALID_AMOUNT");
  });

  it("txid: exactly 64 lowercase hex characters", () => {
    expect(txid("ab".repeat(32))).to.equal("ab".repeat(32));
    for (const bad of [
      "AB".repeat(32),
      "ab".repeat(31),
      "ab".repeat(33),
      "x" + "ab".repeat(32),
      "ab".repeat(32) + "\n",
    ])
      expect(
        code(() => txid(bad)),
        bad,
      ).to.equal("INVALID_TXID");
  });

  it("x-only keys are 32 bytes on the curve; L2 addresses 20 bytes", () => {
    const g = Uint8Array.from(
      Buffer.from("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", "hex"),
    );
    expect(xOnlyKey(g)).to.equal(g);
    expect(code(() => xOnlyKey(g.subarray(1)))).to.equal("INVALID_KEY");
    expect(code(() => xOnlyKey(new Uint8Array(32).fill(0xff)))).to.equal("INVALID_KEY"); // ≥ p: no point
    expect(l2Address("0x" + "11".repeat(20)).length).to.equal(20);
    expect(l2Address(new Uint8Array(20)).length).to.equal(20);
    expect(code(() => l2Address("0x" + "11".repeat(19)))).to.equal("INVALID_RECIPIENT");
    expect(code(() => l2Address("11".repeat(20)))).to.equal("INVALID_RECIPIENT");
    expect(code(() => l2Address(new Uint8Array(21)))).to.equal("INVALID_RECIPIENT");
  });
});
