import { createHash } from "node:crypto";

import { expect } from "chai";

import { bitsToTarget, Block, merkleRoot, Transaction, type BlockHash } from "../../ts/bitcoin/index.js";
import { BtcNode, RejectError } from "../../ts/btcnode/index.js";
import { selectTransactions } from "../../ts/btcnode/miner.js";
import {
  outputsOf,
  p2wsh,
  pushNum,
  spendTaprootLeaf,
  spendWitnessScript,
  taprootLeaf,
  TestWallet,
  tmpDir,
  type WalletCoin,
} from "./wallet.js";

const OP_CLTV = 0xb1;
const OP_CSV = 0xb2;
const OP_DROP = 0x75;
const OP_1 = 0x51;

async function rejects(p: Promise<unknown>, reason: string | RegExp): Promise<RejectError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(RejectError);
    const r = (e as RejectError).reason;
    if (typeof reason === "string") expect(r).to.equal(reason);
    else expect(r).to.match(reason);
    return e as RejectError;
  }
  expect.fail(`expected rejection ${String(reason)}`);
}

describe("btcnode: regtest node", function () {
  const tmp = tmpDir();
  const w = new TestWallet(1);
  const other = new TestWallet(2);
  let node: BtcNode;

  before(async () => {
    node = await BtcNode.open({ datadir: tmp.dir, sync: false });
    await node.generate(110, w.trScript);
  });
  after(async () => {
    await node.close();
    tmp.cleanup();
  });

  it("starts from Bitcoin Core's regtest genesis and mines real proof of work", async () => {
    expect(node.blockHash(0)).to.equal("0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206");
    expect(node.height).to.equal(110);
    for (const h of [1, 50, 110]) {
      const block = await node.getBlock(node.blockHash(h));
      expect(block.header.bits).to.equal(0x207fffff);
      expect(BigInt("0x" + block.header.hash()) <= bitsToTarget(block.header.bits)).to.equal(true);
      expect(block.txs[0].outputs[0].value).to.equal(50_00000000n);
      expect(block.header.prevHash).to.equal(node.blockHash(h - 1));
    }
  });

  it("accepts a taproot spend into the mempool, mines it and updates the UTXO set", async () => {
    const [coin] = w.coins(node);
    const tx = w.pay(coin, other.wpkhAddress, 1_0000_0000n, 2000n);
    const r = await node.sendTransaction(tx);
    expect(r.fee).to.equal(2000n);
    expect(node.mempool.get(tx.txid())).to.not.equal(undefined);
    expect(node.getTxOut(coin.outpoint, true)).to.equal(undefined);
    expect(node.getTxOut(coin.outpoint, false)).to.not.equal(undefined);
    const [hash] = await node.generate(1, w.trScript);
    const block = await node.getBlock(hash);
    expect(block.txs.map((t) => t.txid())).to.include(tx.txid());
    expect(block.txs[0].outputs[0].value).to.equal(50_00000000n + 2000n);
    expect(node.mempool.size).to.equal(0);
    expect(node.getTxOut(coin.outpoint, false)).to.equal(undefined);
    expect(node.getTxOut({ txid: tx.txid(), vout: 0 }, false)?.value).to.equal(1_0000_0000n);
  });

  it("rejects invalid and non-standard transactions with Core's reasons, keeping state", async () => {
    const [coin] = w.coins(node);
    const good = w.pay(coin, other.trAddress, 1000_0000n);
    const badSig = Transaction_withWitnessByteFlipped(good);
    await rejects(node.sendTransaction(badSig), /^mandatory-script-verify-flag-failed \(/);
    await rejects(node.sendTransaction(w.pay(coin, other.trAddress, 100n)), "dust");
    await rejects(
      node.sendTransaction(w.pay(coin, other.trAddress, 1000_0000n, 50n)),
      "min relay fee not met",
    );
    await rejects(
      node.sendTransaction(
        w.pay({ ...coin, outpoint: { ...coin.outpoint, vout: 7 } }, other.trAddress, 1000n),
      ),
      "bad-txns-inputs-missingorspent",
    );
    const overspend = Transaction.decode(good.encode());
    overspend.outputs[0].value = coin.value + 1n;
    await rejects(node.sendTransaction(overspend), "bad-txns-in-belowout");
    expect(node.mempool.size).to.equal(0);
    await node.sendTransaction(good);
    await rejects(node.sendTransaction(good), "txn-already-in-mempool");
    await node.generate(1, w.trScript);
  });

  it("orders the block template by ancestor fee rate and replaces by fee", async () => {
    const coins = w.coins(node).slice(0, 3);
    const low = w.pay(coins[0], other.trAddress, 1_0000_0000n, 500n);
    const high = w.pay(coins[1], other.trAddress, 1_0000_0000n, 20_000n);
    const parent = w.pay(coins[2], w.trAddress, 1_0000_0000n, 200n);
    for (const t of [low, high, parent]) await node.sendTransaction(t);
    // A child paying a high fee lifts its low-fee parent above `low` (CPFP).
    const child = w.pay(outputsOf(parent, w)[0], other.trAddress, 5000_0000n, 30_000n);
    await node.sendTransaction(child);
    const entries = selectTransactions(node.mempool);
    const order = entries.map((e) => e.txid);
    expect(order.indexOf(parent.txid())).to.be.lessThan(order.indexOf(child.txid()));
    expect(order.indexOf(child.txid())).to.be.lessThan(order.indexOf(low.txid()));
    expect(order[0]).to.equal(high.txid());

    // Replacement: same input as `low`, must pay more in total and in rate.
    const cheapReplacement = w.pay(coins[0], other.wpkhAddress, 1_0000_0000n, 400n);
    await rejects(node.sendTransaction(cheapReplacement), "insufficient fee");
    const replacement = w.pay(coins[0], other.wpkhAddress, 1_0000_0000n, 5000n);
    const r = await node.sendTransaction(replacement);
    expect(r.replaced).to.deep.equal([low.txid()]);
    expect(node.mempool.get(low.txid())).to.equal(undefined);
    await node.generate(1, w.trScript);
    expect(node.mempool.size).to.equal(0);
  });

  it("enforces nLockTime, CLTV, CSV/BIP68 and median-time-past (BIP113)", async () => {
    const coins = w.coins(node);
    const tip = node.height;
    // nLockTime by height: final only in a block above the lock height.
    const locked = w.pay(coins[0], other.trAddress, 1000_0000n, 1000n, {
      locktime: tip + 2,
      sequence: 0xfffffffe,
    });
    await rejects(node.sendTransaction(locked), "non-final");

    // CSV: an output that can be spent 3 blocks after it confirms.
    const csvScript = Uint8Array.of(...pushNum(3), OP_CSV, OP_DROP, OP_1);
    const cltvScript = Uint8Array.of(...pushNum(tip + 3), OP_CLTV, OP_DROP, OP_1);
    const fund = w.spend(
      [coins[1]],
      [
        { to: p2wsh(csvScript).address, value: 1_0000_0000n },
        { to: p2wsh(cltvScript).address, value: 1_0000_0000n },
        { to: w.trAddress, value: coins[1].value - 2_0000_0000n - 2000n },
      ],
    );
    await node.sendTransaction(fund);
    await node.generate(1, w.trScript); // fund confirmed at tip + 1
    const csvCoin: WalletCoin = {
      outpoint: { txid: fund.txid(), vout: 0 },
      value: 1_0000_0000n,
      script: p2wsh(csvScript).script,
    };
    const cltvCoin: WalletCoin = {
      outpoint: { txid: fund.txid(), vout: 1 },
      value: 1_0000_0000n,
      script: p2wsh(cltvScript).script,
    };
    const csvSpend = spendWitnessScript(csvCoin, csvScript, [{ to: other.trScript, value: 9999_0000n }], {
      sequence: 3,
    });
    await rejects(node.sendTransaction(csvSpend), "non-BIP68-final");
    // A sequence below the script's requirement fails the script itself.
    const csvShort = spendWitnessScript(csvCoin, csvScript, [{ to: other.trScript, value: 9999_0000n }], {
      sequence: 1,
    });
    await rejects(node.sendTransaction(csvShort), /^mandatory-script-verify-flag-failed/);
    const cltvEarly = spendWitnessScript(cltvCoin, cltvScript, [{ to: other.trScript, value: 9999_0000n }], {
      locktime: tip + 1,
      sequence: 0xfffffffe,
    });
    await rejects(node.sendTransaction(cltvEarly), /^mandatory-script-verify-flag-failed/);
    await node.generate(2, w.trScript);
    await node.sendTransaction(locked);
    await node.sendTransaction(csvSpend);
    const cltvOk = spendWitnessScript(cltvCoin, cltvScript, [{ to: other.trScript, value: 9999_0000n }], {
      locktime: tip + 3,
      sequence: 0xfffffffe,
    });
    await node.sendTransaction(cltvOk);
    await node.generate(1, w.trScript);
    expect(node.mempool.size).to.equal(0);

    // Time lock: final only once the median time past of the tip passes it.
    const mtp = node.medianTimePast(node.tip);
    const timeLocked = w.pay(w.coins(node)[0], other.trAddress, 1000_0000n, 1000n, {
      locktime: mtp + 3600,
      sequence: 0xfffffffe,
    });
    await rejects(node.sendTransaction(timeLocked), "non-final");
    node.setMockTime(mtp + 4000);
    await node.generate(11, w.trScript);
    node.setMockTime(0);
    expect(node.medianTimePast(node.tip)).to.be.greaterThan(mtp + 3600);
    await node.sendTransaction(timeLocked);
    await node.generate(1, w.trScript);
  });

  it("validates taproot script-path spends (a hash-lock leaf) with the interpreter", async () => {
    const preimage = new Uint8Array(32).fill(7);
    const digest = createHash("sha256").update(preimage).digest();
    const leaf = Uint8Array.of(0xa8, 0x20, ...digest, 0x87); // OP_SHA256 <digest> OP_EQUAL
    const tr = taprootLeaf(other.xonly, leaf);
    const [coin] = w.coins(node);
    const fund = w.pay(coin, tr.address, 1_0000_0000n, 2000n);
    await node.sendTransaction(fund);
    await node.generate(1, w.trScript);
    const lockCoin: WalletCoin = {
      outpoint: { txid: fund.txid(), vout: 0 },
      value: 1_0000_0000n,
      script: tr.script,
    };
    const wrong = spendTaprootLeaf(lockCoin, [new Uint8Array(32).fill(8)], tr.reveal, [
      { to: w.trScript, value: 9999_0000n },
    ]);
    await rejects(node.sendTransaction(wrong), /^mandatory-script-verify-flag-failed/);
    const right = spendTaprootLeaf(lockCoin, [preimage], tr.reveal, [{ to: w.trScript, value: 9999_0000n }]);
    await node.sendTransaction(right);
    const [h] = await node.generate(1, w.trScript);
    expect((await node.getBlock(h)).txs.map((t) => t.txid())).to.include(right.txid());
    // A block carrying the failing spend is rejected, even though the node never saw it in its mempool.
    const fund2 = w.pay(w.coins(node)[0], tr.address, 1_0000_0000n, 2000n);
    await node.sendTransaction(fund2);
    await node.generate(1, w.trScript);
    const wrong2 = spendTaprootLeaf(
      { outpoint: { txid: fund2.txid(), vout: 0 }, value: 1_0000_0000n, script: tr.script },
      [new Uint8Array(32).fill(9)],
      tr.reveal,
      [{ to: w.trScript, value: 9999_0000n }],
    );
    const tip = node.tip.hash;
    let err: unknown;
    try {
      await node.generateBlock(w.trScript, [wrong2]);
    } catch (e) {
      err = e;
    }
    expect((err as RejectError).reason).to.match(/^mandatory-script-verify-flag-failed/);
    expect(node.tip.hash).to.equal(tip);
  });

  it("invalidateblock reorgs out a block: UTXO set and mempool are restored", async () => {
    const [coin] = w.coins(node);
    const tx = w.pay(coin, other.trAddress, 1_0000_0000n, 3000n);
    await node.sendTransaction(tx);
    const before = node.tip.hash;
    const [h] = await node.generate(1, w.trScript);
    expect(node.getTxOut(coin.outpoint, false)).to.equal(undefined);
    await node.invalidateBlock(h);
    expect(node.tip.hash).to.equal(before);
    expect(node.getTxOut(coin.outpoint, false)?.value).to.equal(coin.value);
    expect(node.getTxOut({ txid: tx.txid(), vout: 0 }, false)).to.equal(undefined);
    expect(node.mempool.get(tx.txid())).to.not.equal(undefined);
    const [h2] = await node.generate(1, w.trScript);
    expect(h2).to.not.equal(h);
    expect((await node.getBlock(h2)).txs.map((t) => t.txid())).to.include(tx.txid());
    const verify = await node.verifyUtxoSet();
    expect(verify.mismatches).to.deep.equal([]);
  });

  it("reorgs to a heavier competing chain received block by block", async () => {
    const tmpB = tmpDir();
    const b = await BtcNode.open({ datadir: tmpB.dir, sync: false });
    try {
      for (let i = 1; i <= node.height; i++) await b.submitBlock(await node.getBlock(node.blockHash(i)));
      expect(b.tip.hash).to.equal(node.tip.hash);
      const [coin] = w.coins(node);
      const tx = w.pay(coin, other.trAddress, 1_0000_0000n, 3000n);
      await node.sendTransaction(tx);
      const [mineA] = await node.generate(1, w.trScript);
      const forkB = await b.generate(2, other.trScript);
      expect(await node.submitBlock(await b.getBlock(forkB[0]))).to.equal("side-branch");
      expect(node.tip.hash).to.equal(mineA);
      expect(await node.submitBlock(await b.getBlock(forkB[1]))).to.equal("new-tip");
      expect(node.tip.hash).to.equal(forkB[1]);
      // The transaction only A had confirmed is back in A's mempool, its input unspent again.
      expect(node.mempool.get(tx.txid())).to.not.equal(undefined);
      expect(node.getTxOut(coin.outpoint, false)?.value).to.equal(coin.value);
      expect(node.blockIndex(mineA)).to.not.equal(undefined);
      expect(node.isActive(node.blockIndex(mineA)!)).to.equal(false);
      expect((await node.verifyUtxoSet()).ok).to.equal(true);
    } finally {
      await b.close();
      tmpB.cleanup();
    }
  });

  it("rejects invalid blocks with Core's reasons and writes nothing of them", async () => {
    const tipBefore = node.tip.hash;
    const heightBefore = node.height;
    const good = await node.generateBlock(w.trScript, [], false);
    const bytes = good.encode();

    const badMerkle = Block.decode(bytes);
    badMerkle.header.merkleRoot = new Uint8Array(32).fill(9);
    mine(badMerkle);
    await rejects(node.submitBlock(badMerkle), "bad-txnmrklroot");

    const badPow = Block.decode(bytes);
    while (BigInt("0x" + badPow.header.hash()) <= bitsToTarget(badPow.header.bits)) badPow.header.nonce++;
    await rejects(node.submitBlock(badPow), "high-hash");

    const greedy = await node.generateBlock(w.trScript, [], false);
    greedy.txs[0].outputs[0].value += 1n;
    greedy.header.merkleRoot = merkleRoot(greedy.txs.map((t) => t.hashBytes()));
    // The witness commitment does not cover the coinbase, so only the amount is wrong.
    mine(greedy);
    await rejects(node.submitBlock(greedy), "bad-cb-amount");
    expect(node.tip.hash).to.equal(tipBefore);
    await rejects(node.submitBlock(greedy), "bad-cb-amount");

    const orphan = Block.decode(bytes);
    orphan.header.prevHash = "11".repeat(32) as BlockHash;
    mine(orphan);
    await rejects(node.submitBlock(orphan), "prev-blk-not-found");

    // Reopen: the tip is unchanged and no rejected block is known.
    await node.close();
    node = await BtcNode.open({ datadir: tmp.dir, sync: false });
    expect(node.tip.hash).to.equal(tipBefore);
    expect(node.height).to.equal(heightBefore);
    for (const b of [badMerkle, greedy, orphan]) expect(node.blockIndex(b.header.hash())).to.equal(undefined);
    expect(await node.submitBlock(good)).to.equal("new-tip");
  });

  it("keeps the mempool across a clean restart", async () => {
    const [coin] = w.coins(node);
    const tx = w.pay(coin, other.trAddress, 1_0000_0000n, 2500n);
    await node.sendTransaction(tx);
    await node.close();
    node = await BtcNode.open({ datadir: tmp.dir, sync: false });
    expect(node.mempool.get(tx.txid())?.fee).to.equal(2500n);
    await node.generate(1, w.trScript);
    expect(node.mempool.size).to.equal(0);
  });

  it("evicts the lowest fee-rate packages when the mempool is full", async () => {
    const tmpC = tmpDir();
    const c = await BtcNode.open({ datadir: tmpC.dir, sync: false, policy: { maxMempoolBytes: 600 } });
    try {
      await c.generate(104, w.trScript);
      const coins = w.coins(c);
      const fees = [1000n, 5000n, 3000n, 8000n];
      const txs = fees.map((f, i) => w.pay(coins[i], other.trAddress, 1_0000_0000n, f));
      const size = txs[0].encode().length;
      expect(size * 4).to.be.greaterThan(600);
      const kept: string[] = [];
      for (const t of txs) {
        try {
          await c.sendTransaction(t);
          kept.push(t.txid());
        } catch (e) {
          expect((e as RejectError).reason).to.match(/mempool full|mempool min fee not met/);
        }
      }
      const left = [...c.mempool.entries.keys()];
      expect(c.mempool.usageBytes).to.be.at.most(600);
      // The highest-paying transaction survives, the cheapest does not.
      expect(left).to.include(txs[3].txid());
      expect(left).to.not.include(txs[0].txid());
      expect(c.mempool.minFeeRate > 1000n).to.equal(true);
    } finally {
      await c.close();
      tmpC.cleanup();
    }
  });
  it("honours the replacement policy: opt-in (BIP125 signalling) and off", async () => {
    for (const rbf of ["optin", "off"] as const) {
      const t = tmpDir();
      const n = await BtcNode.open({ datadir: t.dir, sync: false, policy: { rbf } });
      try {
        await n.generate(102, w.trScript);
        const [a, b] = w.coins(n);
        const final = w.pay(a, other.trAddress, 1_0000_0000n, 1000n, { sequence: 0xffffffff });
        const signalling = w.pay(b, other.trAddress, 1_0000_0000n, 1000n, { sequence: 0xfffffffd });
        await n.sendTransaction(final);
        await n.sendTransaction(signalling);
        await rejects(
          n.sendTransaction(w.pay(a, other.wpkhAddress, 1_0000_0000n, 9000n)),
          "txn-mempool-conflict",
        );
        const bump = n.sendTransaction(w.pay(b, other.wpkhAddress, 1_0000_0000n, 9000n));
        if (rbf === "optin") expect((await bump).replaced).to.deep.equal([signalling.txid()]);
        else await rejects(bump, "txn-mempool-conflict");
      } finally {
        await n.close();
        t.cleanup();
      }
    }
  });
});

function mine(b: Block): void {
  const t = bitsToTarget(b.header.bits);
  b.header.nonce = 0;
  while (BigInt("0x" + b.header.hash()) > t) b.header.nonce++;
}

function Transaction_withWitnessByteFlipped<T extends { inputs: { witness: Uint8Array[] }[] }>(tx: T): T {
  const sig = tx.inputs[0].witness[0];
  const flipped = Uint8Array.from(sig);
  flipped[10] ^= 1;
  const copy = structuredCloneTx(tx);
  copy.inputs[0].witness[0] = flipped;
  return copy;
}

function structuredCloneTx<T extends { inputs: { witness: Uint8Array[] }[] }>(tx: T): T {
  const anyTx = tx as unknown as { encode(): Uint8Array; constructor: { decode(b: Uint8Array): unknown } };
  return anyTx.constructor.decode(anyTx.encode()) as T;
}
