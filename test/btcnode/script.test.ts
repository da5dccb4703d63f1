import { expect } from "chai";

import { addressToScript, AddressError, REGTEST, scriptToAddress } from "../../ts/btcnode/index.js";
import { dustThreshold } from "../../ts/btcnode/policy.js";
import { amountFromValue } from "../../ts/btcnode/rpc/methods.js";
import { classify, countSigOps, descriptorChecksum, scriptToAsm } from "../../ts/btcnode/script.js";
import { bip34Prefix, difficulty } from "../../ts/btcnode/validation.js";

const h = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, "hex"));

describe("btcnode: script inspection, policy numbers, addresses", () => {
  it("computes BIP380 descriptor checksums", () => {
    expect(descriptorChecksum("raw(deadbeef)")).to.equal("89f8spxm");
    expect(descriptorChecksum("raw(deadbeef)\u00e9")).to.equal(null);
  });

  it("classifies outputs with Core's type names and prints Core's asm", () => {
    const p2pkh = h("76a914000102030405060708090a0b0c0d0e0f1011121388ac");
    expect(classify(p2pkh).type).to.equal("pubkeyhash");
    expect(scriptToAsm(p2pkh)).to.equal(
      "OP_DUP OP_HASH160 000102030405060708090a0b0c0d0e0f10111213 OP_EQUALVERIFY OP_CHECKSIG",
    );
    expect(classify(h("0014" + "11".repeat(20))).type).to.equal("witness_v0_keyhash");
    expect(classify(h("0020" + "11".repeat(32))).type).to.equal("witness_v0_scripthash");
    expect(classify(h("5120" + "11".repeat(32))).type).to.equal("witness_v1_taproot");
    expect(classify(h("51024e73")).type).to.equal("anchor");
    expect(classify(h("6a0548656c6c6f")).type).to.equal("nulldata");
    expect(
      classify(h("5221" + "02" + "11".repeat(32) + "21" + "03" + "22".repeat(32) + "52ae")),
    ).to.deep.equal({
      type: "multisig",
      m: 2,
      n: 2,
    });
    expect(classify(h("ff")).type).to.equal("nonstandard");
    // Small pushes print as numbers, a truncated push as [error].
    expect(scriptToAsm(h("0302ff00" + "00" + "4f" + "60"))).to.equal("65282 0 -1 16");
    expect(scriptToAsm(h("4c05aa"))).to.equal("[error]");
  });

  it("counts signature operations like Core (CHECKMULTISIG: 20, or its key count when accurate)", () => {
    const multisig = h("52" + "21" + "02" + "11".repeat(32) + "21" + "03" + "22".repeat(32) + "52ae");
    expect(countSigOps(multisig, false)).to.equal(20);
    expect(countSigOps(multisig, true)).to.equal(2);
    expect(countSigOps(h("acadac"), false)).to.equal(3);
  });

  it("derives Core's dust thresholds at 3 sat/vB", () => {
    const dust = (s: string) => dustThreshold({ value: 0n, scriptPubKey: h(s) }, 3000n);
    expect(dust("76a914" + "00".repeat(20) + "88ac")).to.equal(546n);
    expect(dust("a914" + "00".repeat(20) + "87")).to.equal(540n);
    expect(dust("0014" + "00".repeat(20))).to.equal(294n);
    expect(dust("5120" + "00".repeat(32))).to.equal(330n);
    expect(dust("6a00")).to.equal(0n);
  });

  it("encodes BIP34 heights and difficulty as Core", () => {
    expect(Buffer.from(bip34Prefix(1)).toString("hex")).to.equal("51");
    expect(Buffer.from(bip34Prefix(17)).toString("hex")).to.equal("0111");
    expect(Buffer.from(bip34Prefix(128)).toString("hex")).to.equal("028000");
    expect(Buffer.from(bip34Prefix(227931)).toString("hex")).to.equal("035b7a03");
    expect(difficulty(0x1d00ffff)).to.equal(1);
    // Relative error, not chai's closeTo: hardhat's chai matchers read closeTo's operands as bigints.
    expect(Math.abs(difficulty(0x207fffff) / 4.656542373906925e-10 - 1)).to.be.lessThan(1e-12);
  });

  it("parses RPC amounts as Core's AmountFromValue", () => {
    expect(amountFromValue(0.1)).to.equal(10_000_000n);
    expect(amountFromValue("0.00000001")).to.equal(1n);
    expect(amountFromValue(21_000_000)).to.equal(2_100_000_000_000_000n);
    expect(() => amountFromValue("0.000000001")).to.throw("Invalid amount");
    expect(() => amountFromValue(-1)).to.throw("Amount out of range");
    expect(() => amountFromValue(true)).to.throw();
  });

  it("maps regtest addresses to scripts and back, rejecting other networks", () => {
    const cases = [
      "bcrt1qqurswpc8qurswpc8qurswpc8qurswpc8dxm0gk",
      "bcrt1p33wm0auhr9kkahzd6l0kqj85af4cswn276hsxg6zpz85xe2r0y8s7hfsm7",
      "mfcGAzvis9JQAb6avB6WBGiGrgWzLxuGaC",
      "2MsLXsEGDDUgsgRwwzqQbPvr9MZRApVae6w",
    ];
    for (const a of cases) expect(scriptToAddress(addressToScript(a, REGTEST), REGTEST)).to.equal(a);
    expect(Buffer.from(addressToScript(cases[1], REGTEST)).toString("hex")).to.equal(
      "51208c5db7f797196d6edc4dd7df6048f4ea6b883a6af6af032342088f436543790f",
    );
    expect(() => addressToScript("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", REGTEST)).to.throw(
      AddressError,
    );
    expect(() => addressToScript("bcrt1qqurswpc8qurswpc8qurswpc8qurswpc8dxm0gx", REGTEST)).to.throw(
      AddressError,
    );
  });
});
