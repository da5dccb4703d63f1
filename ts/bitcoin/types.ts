/**
 * Domain types for Bitcoin values. The identifiers and amounts are ts/core's (one model for the
 * whole project); the transaction parts are the consensus core's own.
 */
import type { Outpoint } from "../core/index.js";

export {
  type Hex,
  type Txid,
  type BlockHash,
  type Sats,
  type Outpoint,
  type Height,
  txid,
  txidFromHex,
  blockHashFromHex,
  outpoint,
  height,
  sats,
  btcToSats,
  satsToBtc,
} from "../core/index.js";

export interface TxIn {
  prevout: Outpoint;
  scriptSig: Uint8Array;
  sequence: number;
  witness: Uint8Array[];
}

export interface TxOut {
  /** Satoshis; int64 on the wire, so a decoded value may be negative (and is then invalid). */
  value: bigint;
  scriptPubKey: Uint8Array;
}
