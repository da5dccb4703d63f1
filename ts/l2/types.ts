/** Domain types of the L2 node; amounts and hex are ts/core's (one model for the project). */
import type { PrefixedHex, Wei } from "../core/index.js";

export { type Wei, WEI_PER_SAT, WEI_PER_BTC, wei, satsToWei, btcToWei } from "../core/index.js";

/** A 0x-prefixed hex string (ts/core's `PrefixedHex`, as Ethereum JSON-RPC speaks). */
export type Hex = PrefixedHex;
/** A 20-byte account address, 0x-prefixed (any case). */
export type Address = Hex & { readonly __address?: never };
/** A 32-byte hash (block, transaction, state root), 0x-prefixed lowercase. */
export type Hash32 = Hex & { readonly __hash32?: never };
/** An L2 block number. */
export type BlockNumber = number;

/** What an executor reports about a block. */
export interface BlockHeader {
  readonly number: BlockNumber;
  readonly hash: Hash32;
  readonly stateRoot: Hash32;
  readonly timestamp: number;
  readonly gasUsed: bigint;
  readonly gasLimit: bigint;
  readonly baseFeePerGas: bigint;
  readonly transactions: readonly Hash32[];
}

/** An account's nonce and balance at the head: what admission checks a transaction against. */
export interface AccountState {
  readonly nonce: number;
  readonly balance: Wei;
}

/** A transaction the sequencer accepted: its hash and signed bytes. */
export interface RawTx {
  readonly hash: Hash32;
  readonly raw: Hex;
}
