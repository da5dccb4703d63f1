/**
 * `creditPegIn`'s decisions without nodes: which proof it submits, when it waits for the light
 * client, when someone else's credit counts as done, and which errors reach the caller. The
 * end-to-end credit (both nodes) is in credit.test.ts; this one is fast enough to mutate.
 */
import { expect } from "chai";

import { Transaction } from "../../ts/bitcoin/index.js";
import type { BitcoinBackend, TxProof } from "../../ts/btcnode/index.js";
import { BridgeError, creditPegIn, spvProof, txid as asTxid } from "../../ts/bridge/index.js";
import { IBtcLightClient__factory, LvmBridge__factory, type LvmBridge } from "../../types/index.js";

const bridgeErrors = LvmBridge__factory.createInterface();
const clientErrors = IBtcLightClient__factory.createInterface();
const revert = (data: string): Error => Object.assign(new Error("execution reverted"), { data });
const notYet = () =>
  revert(clientErrors.encodeErrorResult("SpvInsufficientConfirmations", ["0x" + "11".repeat(32), 1, 6]));
const notInChain = () =>
  revert(clientErrors.encodeErrorResult("SpvBlockNotInBestChain", ["0x" + "22".repeat(32)]));
const already = () =>
  revert(bridgeErrors.encodeErrorResult("PegInAlreadyCredited", ["0x" + "33".repeat(32)]));
const notPool = () => revert(bridgeErrors.encodeErrorResult("PegInTxNotPool", ["0x" + "44".repeat(32)]));

// A real transaction with a witness, so "the non-witness serialization" is a checkable claim.
const tx = Transaction.decode(
  Buffer.from(
    "02000000000101" +
      "aa".repeat(32) +
      "00000000" +
      "00" +
      "fdffffff" +
      "01" +
      "e803000000000000" +
      "160014" +
      "bb".repeat(20) +
      "01" +
      "40" +
      "cc".repeat(64) +
      "00000000",
    "hex",
  ),
);
const id = asTxid(tx.txid());
const header = { encode: () => Uint8Array.from({ length: 80 }, (_, i) => i) };
const branch = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)];
const proof = { tx, header, index: 3, branch, confirmations: 7 } as unknown as TxProof;

function backend(p: TxProof | undefined): BitcoinBackend {
  return { getTxProof: async () => p } as unknown as BitcoinBackend;
}

/** A bridge whose `creditPegIn` answers from `script` (an error to throw, or a hash); records calls. */
function fakeBridge(script: (Error | string)[], creditedAfter = Infinity) {
  const calls: unknown[][] = [];
  const asked: string[] = [];
  let n = 0;
  const bridge = {
    credited: async (internal: string) => {
      asked.push(internal);
      return n >= creditedAfter;
    },
    creditPegIn: async (...args: unknown[]) => {
      calls.push(args);
      const step = script[n++] ?? new Error("script exhausted");
      if (step instanceof Error) throw step;
      return { hash: step, wait: async () => ({ status: 1 }) };
    },
  };
  return { bridge: bridge as unknown as LvmBridge, calls, asked };
}

describe("bridge: creditPegIn's retries and errors (credit.ts, no nodes)", function () {
  it("submits the non-witness transaction, header, index and concatenated branch of the proof", async function () {
    const p = await spvProof(backend(proof), id);
    expect(p.rawTx).to.equal("0x" + Buffer.from(tx.encode({ witness: false })).toString("hex"));
    expect(p.rawTx.length).to.be.lessThan(2 + 2 * tx.encode().length); // the witness is not in it
    expect(p.header).to.equal("0x" + Buffer.from(header.encode()).toString("hex"));
    expect(p.txIndex).to.equal(3);
    expect(p.merkleBranch).to.equal("0x" + "01".repeat(32) + "02".repeat(32));
    expect(p.confirmations).to.equal(7);
    const { bridge, calls, asked } = fakeBridge(["0xabc"]);
    expect(await creditPegIn(backend(proof), bridge, id)).to.equal("0xabc");
    expect(calls).to.deep.equal([[p.rawTx, p.header, 3, p.merkleBranch]]);
    // The bridge keys peg-ins by the txid in internal (reversed) byte order.
    expect(asked[0]).to.equal("0x" + Buffer.from(id, "hex").reverse().toString("hex"));
  });

  it("does nothing when the peg-in is credited already", async function () {
    const { bridge, calls } = fakeBridge(["0xabc"], 0);
    expect(await creditPegIn(backend(proof), bridge, id)).to.equal("");
    expect(calls).to.have.length(0);
  });

  it("waits while the light client lacks the block or its depth, then credits", async function () {
    const { bridge, calls } = fakeBridge([notYet(), notInChain(), "0xdef"]);
    expect(await creditPegIn(backend(proof), bridge, id, 10_000)).to.equal("0xdef");
    expect(calls).to.have.length(3);
  });

  it("counts another's credit as done: PegInAlreadyCredited, or a revert after which it is credited", async function () {
    const a = fakeBridge([already()]);
    expect(await creditPegIn(backend(proof), a.bridge, id)).to.equal("");
    expect(a.calls).to.have.length(1);
    // The first creditPegIn call fails without a reason; `credited` then says someone was first.
    const b = fakeBridge([new Error("transaction reverted")], 1);
    expect(await creditPegIn(backend(proof), b.bridge, id)).to.equal("");
  });

  it("gives up at once on a revert that waiting cannot fix, and names it", async function () {
    const { bridge, calls } = fakeBridge([notPool(), "0xnever"]);
    const e = await creditPegIn(backend(proof), bridge, id, 10_000).catch((x: unknown) => x);
    expect(e).to.be.instanceOf(BridgeError);
    expect((e as BridgeError).code).to.equal("CONTRACT_REVERT");
    expect((e as BridgeError).details).to.deep.include({ error: "PegInTxNotPool" });
    expect(calls).to.have.length(1);
  });

  it("gives up when the light client is still behind at the deadline", async function () {
    const { bridge, calls } = fakeBridge([notYet(), notYet(), notYet(), notYet(), notYet(), notYet()]);
    const e = await creditPegIn(backend(proof), bridge, id, 300).catch((x: unknown) => x);
    expect((e as BridgeError).code).to.equal("CONTRACT_REVERT");
    expect((e as BridgeError).details).to.deep.include({ error: "SpvInsufficientConfirmations" });
    expect(calls.length).to.be.within(2, 3);
  });

  it("refuses an unconfirmed peg-in with NOT_CONFIRMED, without touching the bridge", async function () {
    const { bridge, calls } = fakeBridge(["0xabc"]);
    const e = await creditPegIn(backend(undefined), bridge, id, 10_000).catch((x: unknown) => x);
    expect((e as BridgeError).code).to.equal("NOT_CONFIRMED");
    expect(calls).to.have.length(0);
  });
});
