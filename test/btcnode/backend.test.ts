import { expect } from "chai";

import { sha256d } from "../../ts/bitcoin/index.js";

import {
  BackendRejectError,
  BitcoindRpcBackend,
  EmbeddedBackend,
  startRegtestNode,
  type BitcoinBackend,
  type RunningNode,
} from "../../ts/btcnode/index.js";
import { TestWallet, tmpDir } from "./wallet.js";

describe("btcnode: BitcoinBackend — embedded and bitcoind-RPC give the same answers", function () {
  const tmp = tmpDir();
  const w = new TestWallet(6);
  const other = new TestWallet(7);
  let running: RunningNode;
  let embedded: BitcoinBackend;
  let rpc: BitcoinBackend;

  before(async () => {
    running = await startRegtestNode({ datadir: tmp.dir, rpcPort: 0, sync: false });
    embedded = new EmbeddedBackend(running.node);
    rpc = await BitcoindRpcBackend.connect({
      url: running.rpcUrl,
      cookieFile: running.cookieFile,
      network: "regtest",
    });
  });
  after(async () => {
    await running.stop();
    tmp.cleanup();
  });

  it("mines through the RPC backend and reads the same chain through both", async () => {
    const hashes = await rpc.mine(101, w.trAddress);
    expect(hashes).to.have.length(101);
    for (const b of [embedded, rpc]) {
      const info = await b.chainInfo();
      expect(info).to.include({ chain: "regtest", height: 101, bestBlockHash: hashes[100] });
      expect(await b.getBlockHash(50)).to.equal(hashes[49]);
    }
    const [a, r] = await Promise.all([embedded.getBlock(hashes[10]), rpc.getBlock(hashes[10])]);
    expect(Buffer.from(r.encode()).equals(Buffer.from(a.encode()))).to.equal(true);
    const [ha, hr] = await Promise.all([embedded.getBlockHeader(hashes[3]), rpc.getBlockHeader(hashes[3])]);
    expect(hr.hash()).to.equal(ha.hash());
    const [ua, ur] = await Promise.all([embedded.scanUtxos(w.trAddress), rpc.scanUtxos(w.trAddress)]);
    expect(ur.length).to.equal(101);
    expect(ur.map((u) => [u.outpoint.txid, u.outpoint.vout, u.value, u.height])).to.deep.equal(
      ua.map((u) => [u.outpoint.txid, u.outpoint.vout, u.value, u.height]),
    );
  });

  it("broadcasts, tracks confirmations and reports rejections with bitcoind's codes", async () => {
    const coins = w.coins(running.node);
    const tx = w.pay(coins[0], other.trAddress, 1_0000_0000n, 1500n);
    expect((await rpc.testMempoolAccept(tx)).allowed).to.equal(true);
    expect(await rpc.sendTransaction(tx)).to.equal(tx.txid());
    for (const b of [embedded, rpc])
      expect(await b.getTxStatus(tx.txid())).to.deep.equal({ confirmations: 0 });
    await embedded.mine(2, w.trAddress);
    for (const b of [embedded, rpc]) {
      const s = await b.getTxStatus(tx.txid());
      expect(s?.confirmations).to.equal(2);
      expect(s?.blockHeight).to.equal(102);
      const out = await b.getTxOut({ txid: tx.txid(), vout: 0 });
      expect(out?.value).to.equal(1_0000_0000n);
      expect(out?.confirmations).to.equal(2);
      expect((await b.getTransaction(tx.txid()))?.txid()).to.equal(tx.txid());
      expect(await b.getTransaction("00".repeat(32) as never)).to.equal(undefined);
      const proof = await b.getTxProof(tx.txid());
      expect(proof?.blockHeight).to.equal(102);
      let h = tx.hashBytes();
      let pos = proof?.index ?? -1;
      for (const sib of proof?.branch ?? []) {
        h = sha256d(Uint8Array.from(pos & 1 ? [...sib, ...h] : [...h, ...sib]));
        pos >>= 1;
      }
      expect(Buffer.from(h).equals(Buffer.from(proof?.header.merkleRoot ?? []))).to.equal(true);
    }
    const dust = w.pay(coins[1], other.trAddress, 5n);
    const errs: BackendRejectError[] = [];
    for (const b of [embedded, rpc]) {
      try {
        await b.sendTransaction(dust);
      } catch (e) {
        errs.push(e as BackendRejectError);
      }
    }
    expect(errs).to.have.length(2);
    expect(errs[0]).to.be.instanceOf(BackendRejectError);
    expect(errs[1]).to.be.instanceOf(BackendRejectError);
    expect([errs[0].code, errs[0].reason]).to.deep.equal([-26, "dust"]);
    expect([errs[1].code, errs[1].reason]).to.deep.equal([-26, "dust"]);
    const spent: BackendRejectError[] = [];
    for (const b of [embedded, rpc]) {
      try {
        await b.sendTransaction(w.pay(coins[0], other.trAddress, 1_0000_0000n, 9000n));
      } catch (e) {
        spent.push(e as BackendRejectError);
      }
    }
    expect(spent.map((e) => e.code)).to.deep.equal([-25, -25]);
    for (const b of [embedded, rpc]) {
      const e = await b.sendRawTransaction("00ff").catch((x: unknown) => x);
      expect(e).to.be.instanceOf(BackendRejectError);
      expect((e as BackendRejectError).code).to.equal(-22);
    }
  });

  it("reorgs out a block through invalidateBlock on either backend", async () => {
    const tip = await rpc.getBestBlockHash();
    const prev = await rpc.getBlockHash((await rpc.getBlockCount()) - 1);
    await rpc.invalidateBlock(tip);
    expect(await embedded.getBestBlockHash()).to.equal(prev);
  });
});
