/**
 * The L2 credit of a peg-in: the SPV proof of a confirmed PegInConfirm in the shape
 * `LvmBridge.creditPegIn(rawTx, header, txIndex, merkleBranch)` takes, read from any
 * `BitcoinBackend` (our regtest node or bitcoind).
 */
import { bytesToHex, concatBytes } from "../bitcoin/index.js";
import type { BitcoinBackend } from "../btcnode/index.js";

import { NOT_RELAYED_YET, asBridgeError, decodeRevert, type LvmBridge } from "./contract.js";
import { BridgeError } from "./errors.js";
import type { Txid } from "./types.js";

export interface SpvProof {
  /** Non-witness serialization, hex: what the txid (and the merkle tree) commits to. */
  readonly rawTx: string;
  /** The 80-byte header of the including block, hex. */
  readonly header: string;
  readonly txIndex: number;
  /** Sibling hashes from the leaf up, internal byte order, concatenated, hex. */
  readonly merkleBranch: string;
  readonly confirmations: number;
}

/** The SPV proof of `txid` (a PegInConfirm, a payout…); an error when it is unconfirmed or unknown to `backend`. */
export async function spvProof(backend: BitcoinBackend, txid: Txid): Promise<SpvProof> {
  const p = await backend.getTxProof(txid);
  if (p === undefined)
    throw new BridgeError(
      "NOT_CONFIRMED",
      `PegInConfirm ${txid} is not in a block of the source chain`,
      txid,
    );
  return {
    rawTx: "0x" + bytesToHex(p.tx.encode({ witness: false })),
    header: "0x" + bytesToHex(p.header.encode()),
    txIndex: p.index,
    merkleBranch: "0x" + bytesToHex(concatBytes(...p.branch)),
    confirmations: p.confirmations,
  };
}

/**
 * Credits PegInConfirm `id` on the L2 unless it already is: waits (up to `timeoutMs`) while the
 * light client does not hold its block at the bridge's depth; `PegInAlreadyCredited` (someone
 * else was first) counts as done. Returns the L2 transaction hash, or "" when it was done already.
 */
export async function creditPegIn(
  l1: BitcoinBackend,
  bridge: LvmBridge,
  id: Txid,
  timeoutMs = 120_000,
): Promise<string> {
  const internal = "0x" + bytesToHex(Uint8Array.from(Buffer.from(id, "hex")).reverse());
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await bridge.credited(internal)) return "";
    try {
      const p = await spvProof(l1, id);
      const tx = await bridge.creditPegIn(p.rawTx, p.header, p.txIndex, p.merkleBranch);
      await tx.wait();
      return tx.hash;
    } catch (e) {
      // Someone else's credit may have landed first (a mined revert carries no reason): ask.
      if (await bridge.credited(internal)) return "";
      const revert = decodeRevert(e);
      if (revert?.name === "PegInAlreadyCredited") return "";
      const waiting = revert !== undefined && NOT_RELAYED_YET.has(revert.name);
      if (!waiting || Date.now() > deadline) throw asBridgeError(e, `credit of ${id}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
