import { expect } from "chai";

import { Transaction, txid, type TxOut } from "../../ts/bitcoin/index.js";
import { RejectError } from "../../ts/btcnode/index.js";
import { checkStandardTx, DEFAULT_POLICY } from "../../ts/btcnode/policy.js";
import { isPushOnly } from "../../ts/btcnode/script.js";

const h = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, "hex"));
const P2WPKH = h("0014" + "11".repeat(20));

/** A version-2 transaction with one input (the given scriptSig) and the given outputs. */
function tx(outputs: TxOut[], scriptSig: Uint8Array = new Uint8Array(0)): Transaction {
  return new Transaction({
    inputs: [
      { prevout: { txid: txid("ab".repeat(32)), vout: 0 }, scriptSig, sequence: 0xffffffff, witness: [] },
    ],
    outputs,
  });
}

/** The policy reject reason, or "standard". */
function verdict(t: Transaction): string {
  try {
    checkStandardTx(t, DEFAULT_POLICY);
    return "standard";
  } catch (e) {
    if (!(e instanceof RejectError)) throw e;
    expect(e.kind).to.equal("policy");
    return e.code;
  }
}

describe("btcnode: standardness policy (Core's IsStandardTx)", () => {
  const pay = { value: 10_000n, scriptPubKey: P2WPKH };
  const data = (hex: string): TxOut => ({ value: 0n, scriptPubKey: h("6a" + hex) });

  it("relays one OP_RETURN output and refuses a second (multi-op-return)", () => {
    expect(verdict(tx([pay]))).to.equal("standard");
    expect(verdict(tx([pay, data("0548656c6c6f")]))).to.equal("standard");
    expect(verdict(tx([pay, data("0548656c6c6f"), data("0548656c6c6f")]))).to.equal("multi-op-return");
    // A bare OP_RETURN is a data output too.
    expect(verdict(tx([data(""), data("")]))).to.equal("multi-op-return");
  });

  it("refuses an OP_RETURN output above -datacarriersize (83 bytes of script)", () => {
    expect(verdict(tx([pay, data("4c50" + "00".repeat(80))]))).to.equal("standard"); // 83 bytes
    expect(verdict(tx([pay, data("4c51" + "00".repeat(81))]))).to.equal("scriptpubkey"); // 84 bytes
  });

  it("counts OP_RESERVED as a push in scriptSigs and null data, as Core's IsPushOnly does", () => {
    expect(isPushOnly(h("50"))).to.equal(true);
    expect(isPushOnly(h("0051604f50"))).to.equal(true);
    expect(isPushOnly(h("61"))).to.equal(false); // OP_NOP
    expect(isPushOnly(h("4c05aa"))).to.equal(false); // truncated push
    expect(verdict(tx([pay], h("50")))).to.equal("standard");
    expect(verdict(tx([pay], h("0161")))).to.equal("standard"); // a push of the byte 0x61
    expect(verdict(tx([pay], h("61")))).to.equal("scriptsig-not-pushonly");
    expect(verdict(tx([pay], h("4c05aa")))).to.equal("scriptsig-not-pushonly");
    expect(verdict(tx([pay, data("50")]))).to.equal("standard");
    expect(verdict(tx([pay, data("61")]))).to.equal("scriptpubkey");
  });

  it("refuses dust and accepts the threshold itself (294 sat for P2WPKH at 3 sat/vB)", () => {
    expect(verdict(tx([{ value: 294n, scriptPubKey: P2WPKH }]))).to.equal("standard");
    expect(verdict(tx([{ value: 293n, scriptPubKey: P2WPKH }]))).to.equal("dust");
  });
});
