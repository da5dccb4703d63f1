/** Domain types of the L2 node. */

/** A 0x-prefixed hex string. */
export type Hex = `0x${string}`;
/** A 20-byte account address, 0x-prefixed (any case). */
export type Address = Hex & { readonly __address?: never };
/** A 32-byte hash (block, transaction, state root), 0x-prefixed lowercase. */
export type Hash32 = Hex & { readonly __hash32?: never };
/** An amount of native BTC in wei (18 decimals). */
export type Wei = bigint & { readonly __wei?: never };
/** An L2 block number. */
export type BlockNumber = number;

/** One satoshi in wei: native BTC has 18 decimals on the L2. */
export const WEI_PER_SAT = 10n ** 10n;
/** One bitcoin in wei. */
export const WEI_PER_BTC = 10n ** 18n;

/** Converts satoshis to wei. */
export function satsToWei(sats: bigint): Wei {
  return sats * WEI_PER_SAT;
}

/** Converts whole bitcoins to wei. */
export function btcToWei(btc: bigint): Wei {
  return btc * WEI_PER_BTC;
}

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
