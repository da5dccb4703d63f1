/**
 * Transaction validation and the sequencer's pending pool. Validation mirrors geth's (same
 * checks, same messages), including what depends on other pending transactions of the sender:
 * nonce gaps, replacement price bumps and the cost of all of them against the balance. The pool
 * answers pending nonces and lookups; the executor's pool, which receives the same transactions,
 * orders blocks.
 */
import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { getAddress } from "ethers";

import { L2Error, RPC_INVALID_PARAMS } from "./errors.js";
import { RawTxError, decodeSignedTx, type SignedTxFields } from "./rawtx.js";
import { recoverPublicKey } from "./recovery.js";
import type { AccountState, Address, Hash32, Hex, RawTx } from "./types.js";

/** geth's txMaxSize: 4 slots of 32 KiB. */
export const MAX_TX_BYTES = 128 * 1024;
/** How far past the next executable nonce a sender may queue. */
export const MAX_NONCE_GAP = 64;
/** A replacement must raise both fee fields by this many percent (geth's default). */
export const PRICE_BUMP_PERCENT = 10n;

/** A decoded, signature-checked transaction. */
export interface PoolTx extends RawTx {
  /** The sender, lowercase hex. */
  readonly from: Address;
  readonly nonce: number;
  readonly gasLimit: bigint;
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
  readonly value: bigint;
  /** Upper bound of what it can take from the sender: gas * fee cap + value. */
  readonly cost: bigint;
}

/** The facts validation needs about the current head. */
export interface ValidationContext {
  readonly chainId: bigint;
  readonly blockGasLimit: bigint;
  /** Base fee of the next block. */
  readonly baseFee: bigint;
  /** Smallest accepted priority fee. */
  readonly minTip: bigint;
}

/** Decodes and checks what needs no state: encoding, type, signature, chain id, gas, size. */
export function decodeTransaction(raw: string, ctx: ValidationContext): PoolTx {
  const parsed = parseTransaction(raw, ctx);
  const pub = recoverPublicKey(
    keccak_256(parsed.fields.signingPayload),
    parsed.fields.signature,
    parsed.fields.yParity,
  );
  return checkTransaction(parsed, senderOf(pub, raw), ctx);
}

interface ParsedTx {
  readonly fields: SignedTxFields;
  readonly raw: Hex;
  readonly hash: Hash32;
}

const RAW_TX_ERRORS = {
  rlp: "INVALID_RLP",
  type: "UNSUPPORTED_TX_TYPE",
  signature: "INVALID_SIGNATURE",
} as const;

/** Encoding, type, signature values and chain id. */
function parseTransaction(raw: string, ctx: ValidationContext): ParsedTx {
  if (typeof raw !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(raw)) {
    throw new L2Error(
      "INVALID_PARAMS",
      "invalid argument 0: hex string without 0x prefix",
      raw,
      RPC_INVALID_PARAMS,
    );
  }
  if ((raw.length - 2) / 2 > MAX_TX_BYTES)
    throw new L2Error("OVERSIZED", "oversized data", raw.length / 2 - 1);
  const bytes = Buffer.from(raw.slice(2), "hex");
  let fields: SignedTxFields;
  try {
    fields = decodeSignedTx(bytes);
  } catch (e) {
    if (!(e instanceof RawTxError)) throw e;
    throw new L2Error(RAW_TX_ERRORS[e.kind], e.message, raw, undefined, undefined, e);
  }
  if (fields.type === 0 && fields.chainId === 0n) {
    throw new L2Error("UNPROTECTED_TX", "only replay-protected (EIP-155) transactions allowed over RPC", raw);
  }
  if (fields.chainId !== ctx.chainId)
    throw new L2Error("WRONG_CHAIN_ID", "invalid chain id for signer", fields.chainId);
  return { fields, raw: raw.toLowerCase() as Hex, hash: `0x${bytesToHex(keccak_256(bytes))}` as Hash32 };
}

/** Fees, gas and size, once the sender is known. */
function checkTransaction(parsed: ParsedTx, from: Address, ctx: ValidationContext): PoolTx {
  const { fields: tx, raw, hash } = parsed;
  const { maxFeePerGas, maxPriorityFeePerGas } = tx;
  if (maxPriorityFeePerGas > maxFeePerGas) {
    throw new L2Error(
      "TIP_ABOVE_FEE_CAP",
      `max priority fee per gas higher than max fee per gas: address ${getAddress(from)}, maxPriorityFeePerGas: ${maxPriorityFeePerGas}, maxFeePerGas: ${maxFeePerGas}`,
      maxPriorityFeePerGas,
    );
  }
  // Valid up to 2^64 - 1, but no account gets within a nonce gap of 2^53 (the pool counts in numbers).
  if (tx.nonce > BigInt(Number.MAX_SAFE_INTEGER))
    throw new L2Error("NONCE_TOO_HIGH", "nonce too high", tx.nonce);
  if (tx.gasLimit > ctx.blockGasLimit)
    throw new L2Error("GAS_LIMIT_EXCEEDED", "exceeds block gas limit", tx.gasLimit);
  const intrinsic = intrinsicGas(tx);
  if (tx.gasLimit < intrinsic) {
    throw new L2Error(
      "INTRINSIC_GAS_TOO_LOW",
      `intrinsic gas too low: gas ${tx.gasLimit}, minimum needed ${intrinsic}`,
      tx.gasLimit,
    );
  }
  if (maxPriorityFeePerGas < ctx.minTip) {
    throw new L2Error(
      "UNDERPRICED",
      `transaction underpriced: tip needed ${ctx.minTip}, tip permitted ${maxPriorityFeePerGas}`,
      maxPriorityFeePerGas,
    );
  }
  if (maxFeePerGas < ctx.baseFee) {
    throw new L2Error(
      "FEE_CAP_BELOW_BASE_FEE",
      `transaction underpriced: max fee per gas less than block base fee: address ${getAddress(from)}, maxFeePerGas: ${maxFeePerGas}, baseFee: ${ctx.baseFee}`,
      maxFeePerGas,
    );
  }
  return {
    hash,
    raw,
    from,
    nonce: Number(tx.nonce),
    gasLimit: tx.gasLimit,
    maxFeePerGas,
    maxPriorityFeePerGas,
    value: tx.value,
    cost: tx.gasLimit * maxFeePerGas + tx.value,
  };
}

/**
 * The signer's address, lowercase, from the recovered key (the decoder has already refused
 * high-s signatures). Lowercase because the pool keys on it and JSON-RPC answers it so (geth
 * does too); the EIP-55 checksum, a keccak of its own, is only spelled out in error messages.
 */
function senderOf(pub: Uint8Array | null, raw: string): Address {
  if (pub === null) throw new L2Error("INVALID_SIGNATURE", "invalid transaction v, r, s values", raw);
  return `0x${bytesToHex(keccak_256(pub.subarray(1)).subarray(12))}` as Address;
}

/** Intrinsic gas under Prague, including the EIP-7623 calldata floor. */
export function intrinsicGas(
  tx: Pick<SignedTxFields, "data" | "to" | "accessListKeys"> & { readonly authorizations?: number },
): bigint {
  const data = tx.data;
  let zeros = 0n;
  for (const b of data) if (b === 0) zeros++;
  const nonZeros = BigInt(data.length) - zeros;
  let gas = 21_000n + zeros * 4n + nonZeros * 16n;
  if (tx.to === null) gas += 32_000n + 2n * ((BigInt(data.length) + 31n) / 32n);
  for (const keys of tx.accessListKeys) gas += 2_400n + 1_900n * BigInt(keys);
  // EIP-7702: PER_EMPTY_ACCOUNT_COST for each authorization.
  gas += 25_000n * BigInt(tx.authorizations ?? 0);
  const floor = 21_000n + 10n * (zeros + 4n * nonZeros);
  return gas > floor ? gas : floor;
}

/** Pending transactions by sender and nonce. */
export class TxPool {
  readonly #bySender = new Map<Address, Map<number, PoolTx>>();
  readonly #byHash = new Map<Hash32, PoolTx>();
  #gas = 0n;

  get size(): number {
    return this.#byHash.size;
  }

  /** Sum of the gas limits of every pooled transaction. */
  get gas(): bigint {
    return this.#gas;
  }

  get(hash: Hash32): PoolTx | undefined {
    return this.#byHash.get(hash);
  }

  /** Every pooled transaction (for txpool_status / txpool_content). */
  values(): IterableIterator<PoolTx> {
    return this.#byHash.values();
  }

  /** The next nonce `sender` would use: past the contiguous run of pooled nonces. */
  nextNonce(sender: Address, stateNonce: number): number {
    const txs = this.#bySender.get(sender.toLowerCase() as Address);
    let n = stateNonce;
    while (txs?.has(n)) n++;
    return n;
  }

  /**
   * Checks `tx` against the sender's state and pooled transactions, then adds it. Returns the
   * transaction it replaced, if any.
   */
  add(tx: PoolTx, account: AccountState): PoolTx | undefined {
    const sender = tx.from;
    if (this.#byHash.has(tx.hash)) throw new L2Error("ALREADY_KNOWN", "already known", tx.hash);
    if (tx.nonce < account.nonce) {
      throw new L2Error(
        "NONCE_TOO_LOW",
        `nonce too low: address ${getAddress(tx.from)}, tx: ${tx.nonce} state: ${account.nonce}`,
        tx.nonce,
      );
    }
    const txs = this.#bySender.get(sender) ?? new Map<number, PoolTx>();
    if (tx.nonce > this.nextNonce(sender, account.nonce) + MAX_NONCE_GAP) {
      throw new L2Error("NONCE_TOO_HIGH", "nonce too high", tx.nonce);
    }
    const old = txs.get(tx.nonce);
    if (old !== undefined) {
      const bump = (x: bigint) => x + (x * PRICE_BUMP_PERCENT) / 100n;
      if (
        tx.maxFeePerGas < bump(old.maxFeePerGas) ||
        tx.maxPriorityFeePerGas < bump(old.maxPriorityFeePerGas)
      ) {
        throw new L2Error("REPLACEMENT_UNDERPRICED", "replacement transaction underpriced", tx.hash);
      }
    }
    let spent = tx.cost;
    for (const [n, other] of txs) if (n !== tx.nonce) spent += other.cost;
    if (spent > account.balance) {
      throw new L2Error(
        "INSUFFICIENT_FUNDS",
        `insufficient funds for gas * price + value: address ${getAddress(tx.from)} have ${account.balance} want ${spent}`,
        spent,
      );
    }
    if (old !== undefined) this.remove(old.hash);
    this.restore(tx);
    return old;
  }

  /** Puts back a transaction taken out by a replacement that did not go through; no checks. */
  restore(tx: PoolTx): void {
    const sender = tx.from;
    const txs = this.#bySender.get(sender) ?? new Map<number, PoolTx>();
    txs.set(tx.nonce, tx);
    this.#bySender.set(sender, txs);
    this.#byHash.set(tx.hash, tx);
    this.#gas += tx.gasLimit;
  }

  remove(hash: Hash32): void {
    const tx = this.#byHash.get(hash);
    if (tx === undefined) return;
    this.#byHash.delete(hash);
    this.#gas -= tx.gasLimit;
    const sender = tx.from;
    const txs = this.#bySender.get(sender);
    txs?.delete(tx.nonce);
    if (txs?.size === 0) this.#bySender.delete(sender);
  }

  /** Drops every pooled transaction of `sender` whose nonce is below `stateNonce`. */
  prune(sender: Address, stateNonce: number): void {
    const txs = this.#bySender.get(sender.toLowerCase() as Address);
    if (txs === undefined) return;
    for (const [n, tx] of txs) if (n < stateNonce) this.remove(tx.hash);
  }
}
