/**
 * A test wallet built on bitcoinjs-lib (an independent implementation): it derives P2TR and
 * P2WPKH addresses and signs spends, so the node is tested on transactions it did not build.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import * as bitcoin from "bitcoinjs-lib";
import { ECPairFactory, type ECPairInterface } from "ecpair";
import * as ecc from "tiny-secp256k1";

import { Transaction, type Outpoint } from "../../ts/bitcoin/index.js";
import type { BtcNode } from "../../ts/btcnode/index.js";

bitcoin.initEccLib(ecc);
const ECPair = ECPairFactory(ecc);
const net = bitcoin.networks.regtest;

export interface WalletCoin {
  readonly outpoint: Outpoint;
  readonly value: bigint;
  readonly script: Uint8Array;
}

export interface SpendOptions {
  readonly version?: number;
  readonly locktime?: number;
  /** Sequence of every input (default 0xfffffffd: RBF-signalling, locktime enabled). */
  readonly sequence?: number;
}

export class TestWallet {
  readonly key: ECPairInterface;
  readonly xonly: Uint8Array;
  readonly trAddress: string;
  readonly trScript: Uint8Array;
  readonly wpkhAddress: string;
  readonly wpkhScript: Uint8Array;
  private readonly tweaked: ECPairInterface;

  constructor(seed = 1) {
    this.key = ECPair.fromPrivateKey(Buffer.alloc(32, seed), { network: net });
    this.xonly = this.key.publicKey.subarray(1, 33);
    const tr = bitcoin.payments.p2tr({ internalPubkey: this.xonly, network: net });
    this.trAddress = tr.address as string;
    this.trScript = tr.output as Uint8Array;
    const w = bitcoin.payments.p2wpkh({ pubkey: this.key.publicKey, network: net });
    this.wpkhAddress = w.address as string;
    this.wpkhScript = w.output as Uint8Array;
    this.tweaked = this.key.tweak(bitcoin.crypto.taggedHash("TapTweak", this.xonly));
  }

  /** Spendable coins of this wallet in the node's UTXO set (mature, not spent by the mempool). */
  coins(node: BtcNode): WalletCoin[] {
    return node
      .scanUtxos([this.trScript, this.wpkhScript])
      .filter(({ coin }) => !coin.coinbase || node.height + 1 - coin.height >= 100)
      .filter(({ outpoint }) => node.getTxOut(outpoint, true) !== undefined)
      .sort((a, b) => a.coin.height - b.coin.height || a.outpoint.vout - b.outpoint.vout)
      .map(({ outpoint, coin }) => ({ outpoint, value: coin.value, script: coin.scriptPubKey }));
  }

  /** Signs a spend of `inputs` to `outputs` (address or raw script). */
  spend(
    inputs: readonly WalletCoin[],
    outputs: readonly { to: string | Uint8Array; value: bigint }[],
    opts: SpendOptions = {},
  ): Transaction {
    const psbt = new bitcoin.Psbt({ network: net });
    psbt.setVersion(opts.version ?? 2);
    psbt.setLocktime(opts.locktime ?? 0);
    for (const c of inputs) {
      const isTr = c.script.length === 34 && c.script[0] === 0x51;
      psbt.addInput({
        hash: c.outpoint.txid,
        index: c.outpoint.vout,
        sequence: opts.sequence ?? 0xfffffffd,
        witnessUtxo: { script: c.script, value: c.value },
        ...(isTr ? { tapInternalKey: this.xonly } : {}),
      });
    }
    for (const o of outputs) {
      if (typeof o.to === "string") psbt.addOutput({ address: o.to, value: o.value });
      else psbt.addOutput({ script: o.to, value: o.value });
    }
    inputs.forEach((c, i) => {
      const isTr = c.script.length === 34 && c.script[0] === 0x51;
      psbt.signInput(i, isTr ? this.tweaked : this.key);
    });
    psbt.finalizeAllInputs();
    return Transaction.decode(psbt.extractTransaction(true).toBuffer());
  }

  /** Pays `value` to `to` from the first coin, change back to this wallet's taproot address. */
  pay(
    coin: WalletCoin,
    to: string | Uint8Array,
    value: bigint,
    fee = 1000n,
    opts: SpendOptions = {},
  ): Transaction {
    const change = coin.value - value - fee;
    const outs = [{ to, value }];
    if (change > 0n) outs.push({ to: this.trAddress, value: change });
    return this.spend([coin], outs, opts);
  }
}

/** The outputs of `tx` that pay this wallet, as coins. */
export function outputsOf(tx: Transaction, w: TestWallet): WalletCoin[] {
  const ours = (s: Uint8Array) =>
    Buffer.from(s).equals(Buffer.from(w.trScript)) || Buffer.from(s).equals(Buffer.from(w.wpkhScript));
  return tx.outputs
    .map((o, vout) => ({ outpoint: { txid: tx.txid(), vout }, value: o.value, script: o.scriptPubKey }))
    .filter((c) => ours(c.script));
}

export function tmpDir(prefix = "btcnode-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const hexOf = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** P2WSH output script of a witness script. */
export function p2wsh(witnessScript: Uint8Array): { script: Uint8Array; address: string } {
  const p = bitcoin.payments.p2wsh({ redeem: { output: witnessScript }, network: net });
  return { script: p.output as Uint8Array, address: p.address as string };
}

/** Spends a P2WSH coin whose witness script needs no signature (e.g. `<n> OP_CSV OP_DROP OP_1`). */
export function spendWitnessScript(
  coin: WalletCoin,
  witnessScript: Uint8Array,
  outputs: readonly { to: Uint8Array; value: bigint }[],
  opts: SpendOptions = {},
): Transaction {
  const tx = new bitcoin.Transaction();
  tx.version = opts.version ?? 2;
  tx.locktime = opts.locktime ?? 0;
  tx.addInput(
    Buffer.from(coin.outpoint.txid, "hex").reverse(),
    coin.outpoint.vout,
    opts.sequence ?? 0xfffffffd,
  );
  for (const o of outputs) tx.addOutput(o.to, o.value);
  tx.setWitness(0, [witnessScript]);
  return Transaction.decode(tx.toBuffer());
}

/** Minimal script-number push of a small non-negative integer. */
export function pushNum(n: number): number[] {
  if (n === 0) return [0x00];
  if (n >= 1 && n <= 16) return [0x50 + n];
  const bytes: number[] = [];
  let v = n;
  while (v > 0) {
    bytes.push(v & 0xff);
    v = Math.floor(v / 256);
  }
  if (bytes[bytes.length - 1] & 0x80) bytes.push(0);
  return [bytes.length, ...bytes];
}

/** A taproot output committing to one tapscript leaf, and the witness suffix that reveals it. */
export function taprootLeaf(
  internal: Uint8Array,
  leaf: Uint8Array,
): { script: Uint8Array; address: string; reveal: Uint8Array[] } {
  const p = bitcoin.payments.p2tr({
    internalPubkey: internal,
    scriptTree: { output: leaf },
    redeem: { output: leaf, redeemVersion: 0xc0 },
    network: net,
  });
  const w = p.witness as Uint8Array[];
  return { script: p.output as Uint8Array, address: p.address as string, reveal: w.slice(-2) };
}

/** Spends a taproot coin by script path: `stack` items, then the leaf script and control block. */
export function spendTaprootLeaf(
  coin: WalletCoin,
  stack: readonly Uint8Array[],
  reveal: readonly Uint8Array[],
  outputs: readonly { to: Uint8Array; value: bigint }[],
): Transaction {
  const tx = new bitcoin.Transaction();
  tx.version = 2;
  tx.addInput(Buffer.from(coin.outpoint.txid, "hex").reverse(), coin.outpoint.vout, 0xfffffffd);
  for (const o of outputs) tx.addOutput(o.to, o.value);
  tx.setWitness(
    0,
    [...stack, ...reveal].map((b) => Buffer.from(b)),
  );
  return Transaction.decode(tx.toBuffer());
}
