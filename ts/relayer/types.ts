/** Display-order (explorer) block hash, 64 hex characters, as Bitcoin Core's RPC prints it. */
export type DisplayHash = string & { readonly __brand: "DisplayHash" };
/** Internal-order block hash as the contract stores it: 0x + 64 hex characters. */
export type InternalHash = `0x${string}` & { readonly __brand: "InternalHash" };
export type Height = number & { readonly __brand: "Height" };

/**
 * What the relayer needs from Bitcoin. `BitcoinBackend` (ts/btcnode: embedded node or bitcoind
 * RPC) satisfies it as is; hashes are taken as Core prints them.
 */
export interface HeaderSource {
  getBlockCount(): Promise<number>;
  getBlockHash(height: number): Promise<string>;
  getBlockHeader(hash: string): Promise<{ encode(): Uint8Array }>;
}

/** The light client on the L2, as the relayer sees it. */
export interface LightClientPort {
  bestBlock(): Promise<{ hash: InternalHash; height: Height }>;
  isInBestChain(hash: InternalHash, confirmations: number): Promise<boolean>;
  /** Submits consecutive raw 80-byte headers in one transaction; resolves when mined. */
  submitHeaders(headers: readonly Uint8Array[]): Promise<SubmitReceipt>;
}

export interface SubmitReceipt {
  readonly txHash: string;
  readonly gasUsed: bigint;
  readonly reorg: boolean;
}

export type RelayEvent =
  | { kind: "submitted"; from: Height; to: Height; count: number; gasUsed: bigint; reorg: boolean }
  | { kind: "waiting"; reason: string }
  | { kind: "error"; error: Error };

export interface SyncReport {
  /** Headers sent in this round (0 when the contract was already at the source's tip). */
  submitted: number;
  transactions: number;
  reorg: boolean;
  tip: { hash: InternalHash; height: Height };
}
