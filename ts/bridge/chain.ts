/**
 * The external effects of the bridge flows on Bitcoin, each idempotent: a broadcast first asks
 * whether the transaction is already in the mempool or a block (a restarted node forgets its
 * mempool, so a flow re-sends the exact transaction it wrote down before); a wait for depth
 * mines on regtest when given an address, and otherwise waits for the network.
 */
import { Transaction } from "../bitcoin/index.js";
import type { BitcoinBackend } from "../btcnode/index.js";
import { Transaction as ScureTx } from "@scure/btc-signer/transaction.js";

import { BridgeError } from "./errors.js";
import { sats, txid, type Txid, type Utxo } from "./types.js";

/** Where a transaction is: `confirmations` 0 = in the mempool, undefined = nowhere. */
export async function txDepth(l1: BitcoinBackend, id: Txid): Promise<number | undefined> {
  return (await l1.getTxStatus(id))?.confirmations;
}

/**
 * Sends `raw` unless it is already in the mempool or a block. If the node refuses it and one of
 * its inputs is spent by another transaction, it can never confirm: `CONFLICTED` (the caller may
 * rebuild); any other refusal is `BROADCAST_REFUSED`, with the node's error as `cause`.
 */
export async function broadcastOnce(l1: BitcoinBackend, raw: Uint8Array): Promise<Txid> {
  const tx = Transaction.decode(raw);
  const id = txid(tx.txid());
  if ((await txDepth(l1, id)) !== undefined) return id;
  try {
    await l1.sendTransaction(tx);
    return id;
  } catch (e) {
    if ((await txDepth(l1, id)) !== undefined) return id;
    for (const input of tx.inputs) {
      const prev = await l1.getTxOut(input.prevout, true);
      if (prev === undefined)
        throw new BridgeError(
          "CONFLICTED",
          `${id}: input ${input.prevout.txid}:${input.prevout.vout} is spent elsewhere`,
          id,
          {
            cause: e,
          },
        );
    }
    throw new BridgeError("BROADCAST_REFUSED", `${id} refused by the node`, id, { cause: e });
  }
}

/**
 * Until `id` is `depth` deep: with `mineTo` (regtest) mines the missing blocks, otherwise polls.
 * Returns false when it is not even in the mempool (the caller re-broadcasts).
 */
export async function untilDepth(
  l1: BitcoinBackend,
  id: Txid,
  depth: number,
  opts: { mineTo?: string; pollMs?: number; timeoutMs?: number } = {},
): Promise<boolean> {
  const deadline = Date.now() + (opts.timeoutMs ?? 600_000);
  for (;;) {
    const d = await txDepth(l1, id);
    if (d === undefined) return false;
    if (d >= depth) return true;
    if (opts.mineTo !== undefined) await l1.mine(depth - d, opts.mineTo);
    else {
      if (Date.now() > deadline)
        throw new BridgeError("NOT_CONFIRMED", `${id} is ${d} deep, waited for ${depth}`, id);
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 5_000));
    }
  }
}

/** Mature, confirmed, unspent outputs paying `script`, oldest first, minus `exclude` ("txid:vout"). */
export async function spendableCoins(
  l1: BitcoinBackend,
  script: Uint8Array,
  exclude: ReadonlySet<string> = new Set(),
  filter: (u: { coinbase: boolean; txid: Txid }) => boolean = () => true,
): Promise<Utxo[]> {
  const height = await l1.getBlockCount();
  return (await l1.scanUtxos(script))
    .filter((u) => !u.coinbase || height - u.height >= 100)
    .filter((u) => !exclude.has(`${u.outpoint.txid}:${u.outpoint.vout}`))
    .filter((u) => filter({ coinbase: u.coinbase, txid: txid(u.outpoint.txid) }))
    .sort((a, b) => a.height - b.height || (a.outpoint.txid < b.outpoint.txid ? -1 : 1))
    .map((u) => ({
      txid: txid(u.outpoint.txid),
      vout: u.outpoint.vout,
      amount: sats(u.value),
      script: u.scriptPubKey,
    }));
}

/** Outpoints `raw` spends, as "txid:vout". */
export function spentBy(raw: Uint8Array): string[] {
  return Transaction.decode(raw).inputs.map((i) => `${i.prevout.txid}:${i.prevout.vout}`);
}

/** vsize of a key-path-only transaction with `inputs` inputs and `outputs` P2TR/P2WPKH outputs. */
const keyPathVsize = (inputs: number, outputs: number): bigint => BigInt(11 + 58 * inputs + 43 * outputs);

/**
 * A signed key-path payment of `amount` to `script` from `coins` (BIP86 outputs of `key`), change
 * back to the first coin's script when above dust; fee `feeRate` sat/vB. Not broadcast.
 */
export function signPayment(opts: {
  coins: readonly Utxo[];
  secret: Uint8Array;
  key: Uint8Array;
  script: Uint8Array;
  amount: bigint;
  feeRate: bigint;
}): { raw: Uint8Array; txid: Txid; fee: bigint; spent: Utxo[] } {
  const spent: Utxo[] = [];
  let total = 0n;
  for (const c of opts.coins) {
    spent.push(c);
    total += c.amount;
    if (total >= opts.amount + keyPathVsize(spent.length, 2) * opts.feeRate) break;
  }
  const fee2 = keyPathVsize(spent.length, 2) * opts.feeRate;
  const fee1 = keyPathVsize(spent.length, 1) * opts.feeRate;
  if (total < opts.amount + fee1)
    throw new BridgeError(
      "INSUFFICIENT_FUNDS",
      `coins hold ${total} sats, ${opts.amount} + fee needed`,
      total,
    );
  const tx = new ScureTx();
  for (const c of spent)
    tx.addInput({
      txid: c.txid,
      index: c.vout,
      witnessUtxo: { script: c.script, amount: c.amount },
      tapInternalKey: opts.key,
    });
  tx.addOutput({ script: opts.script, amount: opts.amount });
  const change = total - opts.amount - fee2;
  let fee = total - opts.amount;
  if (change >= 546n) {
    tx.addOutput({ script: spent[0]!.script, amount: change });
    fee = fee2;
  }
  tx.sign(opts.secret);
  tx.finalize();
  return { raw: tx.extract(), txid: txid(tx.id), fee, spent };
}
