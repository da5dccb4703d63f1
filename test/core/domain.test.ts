import { expect } from "chai";

import {
  DomainError,
  LvmError,
  MAX_MONEY,
  blockHashFromHex,
  btcToSats,
  bytesToHex,
  height,
  hexToBytes,
  outpoint,
  reverseHex,
  sats,
  satsToBtc,
  satsToWei,
  txid,
  txidFromHex,
  wei,
} from "../../ts/core/index.js";

/** The code of the DomainError `f` throws (a DomainError is an LvmError). */
function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(DomainError);
    expect(e).to.be.instanceOf(LvmError);
    return (e as DomainError).code;
  }
  return "OK";
}

describe("core: domain model", () => {
  it("sats: 0 … MAX_MONEY (21e14) and nothing else", () => {
    expect(MAX_MONEY).to.equal(2_100_000_000_000_000n);
    expect(sats(0)).to.equal(0n);
    expect(sats(MAX_MONEY)).to.equal(MAX_MONEY);
    expect(code(() => sats(MAX_MONEY + 1n))).to.equal("INVALID_AMOUNT");
    expect(code(() => sats(-1n))).to.equal("INVALID_AMOUNT");
    expect(code(() => sats(-1))).to.equal("INVALID_AMOUNT");
    expect(code(() => sats(0.5))).to.equal("INVALID_AMOUNT");
    try {
      sats(MAX_MONEY + 1n);
    } catch (e) {
      expect((e as DomainError).value).to.equal(MAX_MONEY + 1n);
    }
  });

  it("BTC decimals ↔ sats without floating point, bounded by MAX_MONEY", () => {
    expect(btcToSats("0.00000001")).to.equal(1n);
    expect(btcToSats(0.1 + 0.2)).to.equal(30_000_000n);
    expect(btcToSats("21000000")).to.equal(MAX_MONEY);
    expect(code(() => btcToSats("21000000.00000001"))).to.equal("INVALID_AMOUNT");
    expect(code(() => btcToSats("1.000000001"))).to.equal("INVALID_AMOUNT");
    expect(code(() => btcToSats("-1"))).to.equal("INVALID_AMOUNT");
    expect(satsToBtc(123_456_789n)).to.equal("1.23456789");
    expect(satsToBtc(-1n)).to.equal("-0.00000001");
  });

  it("wei: a uint256 (0 ≤ v < 2^256)", () => {
    expect(wei((1n << 256n) - 1n)).to.equal((1n << 256n) - 1n);
    expect(code(() => wei(1n << 256n))).to.equal("INVALID_WEI");
    expect(code(() => wei(-1n))).to.equal("INVALID_WEI");
    expect(satsToWei(3n)).to.equal(30_000_000_000n);
    expect(code(() => satsToWei(-1n))).to.equal("INVALID_WEI");
  });

  it("txids, block hashes and outpoints are checked 64-hex strings", () => {
    const t = "ab".repeat(32);
    expect(txid(t)).to.equal(t);
    expect(code(() => txid(t.toUpperCase()))).to.equal("INVALID_TXID"); // our own code writes lowercase
    expect(txidFromHex(t.toUpperCase())).to.equal(t); // users and RPC callers may write either case
    expect(code(() => txid(t.slice(2)))).to.equal("INVALID_TXID");
    expect(code(() => txidFromHex(t + "0"))).to.equal("INVALID_TXID");
    expect(code(() => blockHashFromHex("zz".repeat(32)))).to.equal("INVALID_HASH");
    expect(outpoint(t, 0xffffffff)).to.deep.equal({ txid: t, vout: 0xffffffff });
    expect(code(() => outpoint(t, 2 ** 32))).to.equal("INVALID_OUTPOINT");
    expect(code(() => outpoint(t, -1))).to.equal("INVALID_OUTPOINT");
    expect(height(0)).to.equal(0);
    expect(code(() => height(-1))).to.equal("INVALID_HEIGHT");
    expect(code(() => height(1.5))).to.equal("INVALID_HEIGHT");
  });

  it("hex ↔ bytes: even-length hex of either case, lowercase out", () => {
    expect(bytesToHex(hexToBytes("00FFab"))).to.equal("00ffab");
    expect(reverseHex(hexToBytes("0102"))).to.equal("0201");
    expect(bytesToHex(hexToBytes(""))).to.equal("");
    for (const bad of ["0", "0x00", "zz", "00 "])
      expect(
        code(() => hexToBytes(bad)),
        bad,
      ).to.equal("INVALID_HEX");
  });
});
