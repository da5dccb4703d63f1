/**
 * The L2 credit of a peg-in: the SPV proof of a confirmed PegInConfirm in the shape
 * `LvmBridge.creditPegIn(rawTx, header, txIndex, merkleBranch)` takes, read from any
 * `BitcoinBackend` (our regtest node or bitcoind).
 */
import { bytesToHex, concatBytes } from "../bitcoin/index.js";
import type { BitcoinBackend } from "../btcnode/index.js";

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
