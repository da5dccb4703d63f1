/**
 * Transaction validation and the pending pool. Validation mirrors geth's (same checks, same
 * messages); ordering follows geth's miner: among the lowest-nonce transaction of each sender,
 * the highest effective tip goes first, and a sender's later nonces wait behind the earlier ones
 * (gaps are held, not executed).
 */
import { Transaction, getAddress, getBytes, keccak256 } from "ethers";
import { recover } from "tiny-secp256k1";

import { L2Error, RPC_INVALID_PARAMS } from "./errors.js";
import type { SignatureRecovery } from "./recovery.js";
import type { Address, Hash32, Hex, RawTx } from "./types.js";

/** geth's txMaxSize: 4 slots of 32 KiB. */
export const MAX_TX_BYTES = 128 * 1024;
/** How far past the next executable nonce a sender may queue. */
export const MAX_NONCE_GAP = 64;
/** A replacement must raise both fee fields by this many percent (geth's default). */
export const PRICE_BUMP_PERCENT = 10n;

/** A decoded, signature-checked transaction. */
export interface PoolTx extends RawTx {
  readonly from: Address;
  readonly nonce: number;
  readonly gasLimit: bigint;
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
  readonly value: bigint;
  /** Upper bound of what it can take from the sender: gas * fee cap + value. */
  readonly cost: bigint;
  readonly tx: Transaction;
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
  const tx = parseTransaction(raw, ctx);
  return checkTransaction(tx, raw, recoverSender(tx, raw), ctx);
}

/** The same, with the signature recovered on `recovery`'s worker thread. */
export async function decodeTransactionOffThread(
  raw: string,
  ctx: ValidationContext,
  recovery: SignatureRecovery,
): Promise<PoolTx> {
  const tx = parseTransaction(raw, ctx);
  const sig = tx.signature!;
  const pub = await recovery.recover(
    getBytes(tx.unsignedHash),
    getBytes(sig.r + sig.s.slice(2)),
    sig.yParity,
  );
  if (pub === null) throw new L2Error("INVALID_SIGNATURE", "invalid transaction v, r, s values", raw);
  return checkTransaction(tx, raw, addressOf(pub), ctx);
}

/** Encoding, type, presence of a signature and chain id. */
function parseTransaction(raw: string, ctx: ValidationContext): Transaction {
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
  let tx: Transaction;
  try {
    tx = Transaction.from(raw);
  } catch (e) {
    const typeByte = getBytes(raw)[0];
    if (typeByte !== undefined && typeByte < 0x7f && typeByte > 0x04) {
      throw new L2Error("UNSUPPORTED_TX_TYPE", "transaction type not supported", typeByte);
    }
    throw new L2Error(
      "INVALID_RLP",
      `rlp: ${(e as { shortMessage?: string }).shortMessage ?? "invalid encoding"}`,
      raw,
    );
  }
  if (tx.type !== 0 && tx.type !== 1 && tx.type !== 2) {
    throw new L2Error("UNSUPPORTED_TX_TYPE", "transaction type not supported", tx.type);
  }
  if (tx.signature === null)
    throw new L2Error("INVALID_SIGNATURE", "invalid transaction v, r, s values", raw);
  if (tx.type === 0 && tx.chainId === 0n) {
    throw new L2Error("UNPROTECTED_TX", "only replay-protected (EIP-155) transactions allowed over RPC", raw);
  }
  if (tx.chainId !== ctx.chainId)
    throw new L2Error("WRONG_CHAIN_ID", "invalid chain id for signer", tx.chainId);
  return tx;
}

/** Fees, gas and size, once the sender is known. */
function checkTransaction(tx: Transaction, raw: string, from: Address, ctx: ValidationContext): PoolTx {
  const maxFeePerGas = tx.type === 2 ? (tx.maxFeePerGas ?? 0n) : (tx.gasPrice ?? 0n);
  const maxPriorityFeePerGas = tx.type === 2 ? (tx.maxPriorityFeePerGas ?? 0n) : maxFeePerGas;
  if (maxPriorityFeePerGas > maxFeePerGas) {
    throw new L2Error(
      "TIP_ABOVE_FEE_CAP",
      `max priority fee per gas higher than max fee per gas: address ${from}, maxPriorityFeePerGas: ${maxPriorityFeePerGas}, maxFeePerGas: ${maxFeePerGas}`,
      maxPriorityFeePerGas,
    );
  }
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
      `transaction underpriced: max fee per gas less than block base fee: address ${from}, maxFeePerGas: ${maxFeePerGas}, baseFee: ${ctx.baseFee}`,
      maxFeePerGas,
    );
  }
  return {
    hash: tx.hash as Hash32,
    raw: raw.toLowerCase() as Hex,
    from: from as Address,
    nonce: tx.nonce,
    gasLimit: tx.gasLimit,
    maxFeePerGas,
    maxPriorityFeePerGas,
    value: tx.value,
    cost: tx.gasLimit * maxFeePerGas + tx.value,
    tx,
  };
}

/**
 * The signer's address. Recovery is most of the cost of admitting a transaction: libsecp256k1
 * (tiny-secp256k1, WASM) does it several times faster than the pure-JS curve behind ethers'
 * `tx.from`, which caps the sequencer's intake. ethers has already refused high-s signatures.
 */
function recoverSender(tx: Transaction, raw: string): Address {
  const sig = tx.signature;
  if (sig === null) throw new L2Error("INVALID_SIGNATURE", "invalid transaction v, r, s values", raw);
  let pub: Uint8Array | null;
  try {
    pub = recover(getBytes(tx.unsignedHash), getBytes(sig.r + sig.s.slice(2)), sig.yParity, false);
  } catch {
    pub = null;
  }
  if (pub === null) throw new L2Error("INVALID_SIGNATURE", "invalid transaction v, r, s values", raw);
  return addressOf(pub);
}

const addressOf = (pub: Uint8Array): Address =>
  getAddress("0x" + keccak256(pub.subarray(1)).slice(26)) as Address;

/** Intrinsic gas under Prague, including the EIP-7623 calldata floor. */
export function intrinsicGas(tx: Transaction): bigint {
  const data = getBytes(tx.data);
  let zeros = 0n;
  for (const b of data) if (b === 0) zeros++;
  const nonZeros = BigInt(data.length) - zeros;
  let gas = 21_000n + zeros * 4n + nonZeros * 16n;
  if (tx.to === null) gas += 32_000n + 2n * ((BigInt(data.length) + 31n) / 32n);
  for (const entry of tx.accessList ?? []) gas += 2_400n + 1_900n * BigInt(entry.storageKeys.length);
  const floor = 21_000n + 10n * (zeros + 4n * nonZeros);
  return gas > floor ? gas : floor;
}

/** The account state validation reads. */
export interface AccountState {
  readonly nonce: number;
  readonly balance: bigint;
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
    const sender = tx.from.toLowerCase() as Address;
    if (this.#byHash.has(tx.hash)) throw new L2Error("ALREADY_KNOWN", "already known", tx.hash);
    if (tx.nonce < account.nonce) {
      throw new L2Error(
        "NONCE_TOO_LOW",
        `nonce too low: address ${tx.from}, tx: ${tx.nonce} state: ${account.nonce}`,
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
        `insufficient funds for gas * price + value: address ${tx.from} have ${account.balance} want ${spent}`,
        spent,
      );
    }
    if (old !== undefined) {
      this.#byHash.delete(old.hash);
      this.#gas -= old.gasLimit;
    }
    this.#gas += tx.gasLimit;
    txs.set(tx.nonce, tx);
    this.#bySender.set(sender, txs);
    this.#byHash.set(tx.hash, tx);
    return old;
  }

  remove(hash: Hash32): void {
    const tx = this.#byHash.get(hash);
    if (tx === undefined) return;
    this.#byHash.delete(hash);
    this.#gas -= tx.gasLimit;
    const sender = tx.from.toLowerCase() as Address;
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

  senders(): Address[] {
    return [...this.#bySender.keys()];
  }

  /**
   * Picks the next block: repeatedly the best-paying executable head among senders, within
   * `gasLimit`. `nonces` gives each sender's state nonce.
   */
  select(gasLimit: bigint, baseFee: bigint, nonces: (sender: Address) => number): PoolTx[] {
    const tip = (t: PoolTx) => {
      const room = t.maxFeePerGas - baseFee;
      return room < t.maxPriorityFeePerGas ? room : t.maxPriorityFeePerGas;
    };
    const next = new Map<Address, number>();
    const heads: PoolTx[] = [];
    for (const [sender, txs] of this.#bySender) {
      const n = nonces(sender);
      next.set(sender, n);
      const head = txs.get(n);
      if (head !== undefined && head.maxFeePerGas >= baseFee) heads.push(head);
    }
    const chosen: PoolTx[] = [];
    let gas = 0n;
    // Heads are few (one per sender); a sorted array keeps this simple and fast enough.
    heads.sort((a, b) => cmpTip(tip(b), tip(a)));
    while (heads.length > 0) {
      const best = heads.shift() as PoolTx;
      if (gas + best.gasLimit > gasLimit) continue;
      gas += best.gasLimit;
      chosen.push(best);
      const sender = best.from.toLowerCase() as Address;
      const n = best.nonce + 1;
      next.set(sender, n);
      const following = this.#bySender.get(sender)?.get(n);
      if (following !== undefined && following.maxFeePerGas >= baseFee) {
        const t = tip(following);
        let i = heads.findIndex((h) => tip(h) < t);
        if (i < 0) i = heads.length;
        heads.splice(i, 0, following);
      }
    }
    return chosen;
  }

  /** Total gas limit of executable transactions, to decide whether a block is full. */
  executableGas(nonces: (sender: Address) => number): bigint {
    let gas = 0n;
    for (const [sender, txs] of this.#bySender) {
      for (let n = nonces(sender); txs.has(n); n++) gas += (txs.get(n) as PoolTx).gasLimit;
    }
    return gas;
  }
}

function cmpTip(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
