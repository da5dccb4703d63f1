/**
 * The node's validation caches and parallel script checks: a transaction verified at mempool
 * entry is not verified again in its block, but only under its exact wtxid (a changed witness
 * with the same txid is verified again, and rejected when invalid); failures are never cached;
 * worker-thread verdicts decide blocks, and the failing input is named.
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { expect } from "chai";

import {
  hash160,
  nativeSecp256k1,
  nobleSecp256k1,
  PrecomputedTxData,
  secp256k1Backend,
  setSecp256k1Backend,
  sighashWitnessV0,
  Transaction,
  type Block,
  type Secp256k1Backend,
  type TxOut,
} from "../../ts/bitcoin/index.js";
import { BtcNode, RejectError } from "../../ts/btcnode/index.js";
import { buildBlock, mineBlock } from "../../ts/btcnode/miner.js";
import {
  CachingTransactionChecker,
  ScriptExecutionCache,
  SignatureCache,
} from "../../ts/btcnode/sigcache.js";
import { PARALLEL_MIN_INPUTS } from "../../ts/btcnode/script-workers.js";
import { blockScriptFlags } from "../../ts/btcnode/validation.js";
import { outputsOf, TestWallet, tmpDir, type WalletCoin } from "./wallet.js";

/** Counts the curve operations signature checks perform on this thread. */
function counting(inner: Secp256k1Backend): Secp256k1Backend & { calls: number } {
  const c = {
    name: inner.name,
    calls: 0,
    ecdsa: (s: Uint8Array, m: Uint8Array, k: Uint8Array) => (c.calls++, inner.ecdsa(s, m, k)),
    schnorr: (s: Uint8Array, m: Uint8Array, k: Uint8Array) => (c.calls++, inner.schnorr(s, m, k)),
    tweak: (k: Uint8Array, t: Uint8Array) => inner.tweak(k, t),
  };
  return c;
}

/** The P2WPKH spend `tx` (one input) re-signed with a fresh random nonce: same txid, new wtxid. */
function resign(tx: Transaction, w: TestWallet, prevout: TxOut, corrupt = false): Transaction {
  const t = Transaction.decode(tx.encode());
  const pk = w.key.publicKey;
  const scriptCode = Uint8Array.of(0x76, 0xa9, 0x14, ...hash160(pk), 0x88, 0xac);
  const msg = sighashWitnessV0(t, 0, scriptCode, prevout.value, 0x01, new PrecomputedTxData(t, [prevout]));
  const sig = secp256k1.sign(msg, w.key.privateKey as Uint8Array, {
    prehash: false,
    format: "der",
    extraEntropy: true,
  });
  const full = Uint8Array.of(...sig, 0x01);
  if (corrupt) full[10] ^= 0x01;
  t.inputs[0]!.witness = [full, Uint8Array.from(pk)];
  return t;
}

function mined(node: BtcNode, txs: readonly Transaction[], fees: bigint, w: TestWallet): Block {
  const b = buildBlock(node.chain, txs, fees, w.trScript);
  if (!mineBlock(b, 1_000_000)) throw new Error("no nonce found");
  return b;
}

async function rejection(p: Promise<unknown>): Promise<RejectError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(RejectError);
    return e as RejectError;
  }
  return expect.fail("expected a rejection");
}

describe("btcnode: signature and script execution caches, parallel script checks", function () {
  const w = new TestWallet(5);
  const dirs = [tmpDir(), tmpDir(), tmpDir()];
  let miner: BtcNode;
  let warm: BtcNode;
  let cold: BtcNode;
  let backend: Secp256k1Backend;

  /** Fresh P2WPKH coins on every node, each paid by one spend to the wallet's taproot address. */
  async function spends(count: number): Promise<{ txs: Transaction[]; coins: WalletCoin[] }> {
    const [coin] = w.coins(miner).filter((c) => c.value > 1_000_000_000n);
    const each = 1_000_000n;
    const outs = Array.from({ length: count }, () => ({ to: w.wpkhAddress, value: each }));
    const fan = w.spend(
      [coin!],
      [...outs, { to: w.trAddress, value: coin!.value - BigInt(count + 1) * each }],
    );
    await miner.sendTransaction(fan);
    await miner.generate(1, w.trScript);
    await follow();
    const coins = outputsOf(fan, w).filter((c) => c.value === each);
    return { txs: coins.map((c) => w.pay(c, w.trAddress, each - 1000n, 1000n)), coins };
  }

  async function follow(): Promise<void> {
    for (const v of [warm, cold])
      for (let h = v.height + 1; h <= miner.height; h++)
        await v.submitBlock(await miner.getBlock(miner.blockHash(h)));
  }

  before(async function () {
    backend = secp256k1Backend();
    miner = await BtcNode.open({ datadir: dirs[0]!.dir, sync: false });
    warm = await BtcNode.open({ datadir: dirs[1]!.dir, sync: false });
    cold = await BtcNode.open({ datadir: dirs[2]!.dir, sync: false });
    await miner.generate(110, w.trScript);
    await follow();
  });
  afterEach(() => setSecp256k1Backend(backend));
  after(async () => {
    for (const n of [miner, warm, cold]) await n.close();
    for (const d of dirs) d.cleanup();
  });

  it("does not verify again, when its block connects, what the mempool verified", async () => {
    const { txs } = await spends(5);
    for (const t of txs) await warm.sendTransaction(t);
    const block = mined(miner, txs, 5000n, w);
    const count = counting(backend);
    setSecp256k1Backend(count);
    // Without the signature cache, only the script execution cache can spare the checks.
    warm.chain.sigCache.clear();
    expect(await warm.submitBlock(block)).to.equal("new-tip");
    expect(count.calls, "signature checks in the warm node's block").to.equal(0);
    expect(await cold.submitBlock(block)).to.equal("new-tip");
    expect(count.calls, "signature checks in the cold node's block").to.equal(5);
    expect(await miner.submitBlock(block)).to.equal("new-tip");
  });

  it("keys the script cache by wtxid: the same txid with another witness is verified again", async () => {
    const { txs, coins } = await spends(2);
    const prevouts = coins.map((c) => ({ value: c.value, scriptPubKey: c.script }));
    for (const t of txs) await warm.sendTransaction(t);
    // A valid re-signature of txs[0]: same txid, new wtxid. It must be checked (one signature).
    const other = resign(txs[0]!, w, prevouts[0]!);
    expect(other.txid()).to.equal(txs[0]!.txid());
    expect(other.wtxid()).to.not.equal(txs[0]!.wtxid());
    // A corrupted signature under the same txid: the block carrying it is invalid.
    const forged = resign(txs[1]!, w, prevouts[1]!, true);
    expect(forged.txid()).to.equal(txs[1]!.txid());
    const bad = mined(miner, [other, forged], 2000n, w);
    const err = await rejection(warm.submitBlock(bad));
    expect(err.reason).to.match(/^mandatory-script-verify-flag-failed/);
    expect(err.debug).to.match(new RegExp(`^${forged.txid()}:0 [A-Z_]+$`));
    expect(warm.tip.hash).to.not.equal(bad.header.hash());

    const count = counting(backend);
    setSecp256k1Backend(count);
    const good = mined(miner, [other, txs[1]!], 2000n, w);
    expect(await warm.submitBlock(good)).to.equal("new-tip");
    expect(count.calls, "only the re-signed input is verified").to.equal(1);
    for (const n of [miner, cold]) expect(await n.submitBlock(good)).to.equal("new-tip");
  });

  it("never caches a failure: a rejected transaction is rejected again, also inside a block", async () => {
    const { txs, coins } = await spends(1);
    const prevout = { value: coins[0]!.value, scriptPubKey: coins[0]!.script };
    const forged = resign(txs[0]!, w, prevout, true);
    const sigs = warm.chain.sigCache.size;
    for (let i = 0; i < 2; i++) {
      const err = await rejection(warm.sendTransaction(forged));
      expect(err.reason).to.match(/^mandatory-script-verify-flag-failed/);
    }
    expect(warm.chain.sigCache.size).to.equal(sigs);
    const flags = blockScriptFlags(warm.chain.params, warm.height + 1);
    expect(warm.chain.scriptCache.has(forged.wtxid(), flags)).to.equal(false);
    const err = await rejection(warm.submitBlock(mined(miner, [forged], 1000n, w)));
    expect(err.debug).to.match(new RegExp(`^${forged.txid()}:0 `));
    // the honest one still goes through, and its block connects
    await warm.sendTransaction(txs[0]!);
    const block = mined(miner, [txs[0]!], 1000n, w);
    for (const n of [warm, cold, miner]) expect(await n.submitBlock(block)).to.equal("new-tip");
  });

  it("decides blocks by the worker threads' verdicts and names the first failing input", async function () {
    const n = PARALLEL_MIN_INPUTS + 16;
    const { txs, coins } = await spends(n);
    const prevouts = coins.map((c) => ({ value: c.value, scriptPubKey: c.script }));
    const tip = cold.tip.hash;
    // Index 2 sits in the first batch, which goes to a worker; index n - 3 in the last one.
    const early = resign(txs[2]!, w, prevouts[2]!, true);
    const late = resign(txs[n - 3]!, w, prevouts[n - 3]!, true);
    for (const [variant, expected] of [
      [[early], early],
      [[late], late],
      [[early, late], early],
    ] as const) {
      const list = txs.map((t) => variant.find((v) => v.txid() === t.txid()) ?? t);
      for (const b of [nativeSecp256k1 ?? nobleSecp256k1, nobleSecp256k1]) {
        setSecp256k1Backend(b);
        const err = await rejection(cold.submitBlock(mined(miner, list, BigInt(n) * 1000n, w)));
        expect(err.reason).to.match(/^mandatory-script-verify-flag-failed/);
        expect(err.debug, `${b.name} backend`).to.match(new RegExp(`^${expected.txid()}:0 `));
        expect(cold.tip.hash).to.equal(tip);
        expect(cold.chain.scriptChecks.liveWorkers, "a worker thread took part").to.be.greaterThan(0);
      }
    }
    setSecp256k1Backend(backend);
    const block = mined(miner, txs, BigInt(n) * 1000n, w);
    expect(await cold.submitBlock(block)).to.equal("new-tip");
    expect(await miner.submitBlock(block)).to.equal("new-tip");
  });

  it("bounds both caches and salts their keys", function () {
    const c = new ScriptExecutionCache(3);
    for (let i = 0; i < 5; i++) c.add(i.toString(16).padStart(64, "0"), 1);
    expect(c.size).to.equal(3);
    expect(c.has("0".repeat(64), 1)).to.equal(false); // the oldest went first
    expect(c.has((4).toString(16).padStart(64, "0"), 1)).to.equal(true);
    expect(c.has((4).toString(16).padStart(64, "0"), 3)).to.equal(false); // exact flags only
    const a = new SignatureCache();
    const b = new SignatureCache();
    const parts = [new Uint8Array(32), new Uint8Array(33), new Uint8Array(64)] as const;
    expect(a.key("schnorr", ...parts)).to.not.equal(b.key("schnorr", ...parts));
    expect(a.key("schnorr", ...parts)).to.not.equal(a.key("ecdsa", ...parts));
  });

  it("stores signatures only when told to and only when valid", async () => {
    const { txs, coins } = await spends(1);
    const prevouts = [{ value: coins[0]!.value, scriptPubKey: coins[0]!.script }];
    const cache = new SignatureCache();
    const check = (tx: Transaction, store: boolean): boolean => {
      const checker = new CachingTransactionChecker(
        tx,
        0,
        prevouts,
        new PrecomputedTxData(tx, prevouts),
        cache,
        store,
      );
      const [sig, pk] = tx.inputs[0]!.witness as [Uint8Array, Uint8Array];
      const code = Uint8Array.of(0x76, 0xa9, 0x14, ...hash160(pk), 0x88, 0xac);
      return checker.checkEcdsa(sig, pk, code, "witness_v0");
    };
    const forged = resign(txs[0]!, w, prevouts[0]!, true);
    expect(check(forged, true)).to.equal(false);
    expect(cache.size).to.equal(0);
    expect(check(txs[0]!, false)).to.equal(true);
    expect(cache.size).to.equal(0);
    expect(check(txs[0]!, true)).to.equal(true);
    expect(cache.size).to.equal(1);
    const count = counting(backend);
    setSecp256k1Backend(count);
    expect(check(txs[0]!, false)).to.equal(true);
    expect(count.calls).to.equal(0);
    expect(check(forged, false)).to.equal(false);
    expect(count.calls).to.equal(1);
  });
});
