import { schnorr } from "@noble/curves/secp256k1.js";
import * as bitcoin from "bitcoinjs-lib";
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as ecc from "tiny-secp256k1";
import { sats, txidFromHex } from "../../ts/bitcoin/index.js";
import { keyPathOutput, tweakedSecret, xOnlyKey } from "../../ts/bridge/index.js";
import { BtcNode, EmbeddedBackend, type BitcoinBackend } from "../../ts/btcnode/index.js";
import {
  DlcChannel,
  Oracle,
  buildFundingTx,
  fundingOutput,
  withdrawalIntervals,
  type DlcTx,
  type DlcUtxo,
} from "../../ts/dlc/index.js";
import { interpret } from "./checks.js";

// A DLC channel on our embedded regtest node (ts/btcnode: full validation, standardness policy):
// funding, the oracle's attestation, the CET paying the exact amount, and the refund when the
// oracle stays silent. Every transaction goes through testmempoolaccept before it is broadcast.

bitcoin.initEccLib(ecc);

describe("dlc: channel transactions on the embedded regtest node", function () {
  let backend: BitcoinBackend;
  let dir: string;
  const userSecret = schnorr.utils.randomSecretKey();
  const fedSecret = schnorr.utils.randomSecretKey();
  const userKey = schnorr.getPublicKey(userSecret);
  const fedKey = schnorr.getPublicKey(fedSecret);
  const userScript = keyPathOutput(xOnlyKey(userKey)).script;
  const fedScript = keyPathOutput(xOnlyKey(fedKey)).script;
  const addr = (s: Uint8Array) => bitcoin.address.fromOutputScript(Buffer.from(s), bitcoin.networks.regtest);
  const MAX = 2n ** 31n - 1n;

  before(async function () {
    dir = mkdtempSync(path.join(os.tmpdir(), "dlc-node-"));
    backend = new EmbeddedBackend(await BtcNode.open({ datadir: dir, sync: false }), true);
    await backend.mine(3, addr(fedScript));
    await backend.mine(101, addr(userScript));
  });
  after(async () => {
    if (backend !== undefined) await backend.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  async function coin(script: Uint8Array, index: number): Promise<DlcUtxo> {
    const all = (await backend.scanUtxos(script))
      .filter((u) => u.coinbase)
      .sort((a, b) => a.height - b.height);
    const u = all[index]!;
    return {
      txid: txidFromHex(u.outpoint.txid),
      vout: u.outpoint.vout,
      amount: sats(u.value),
      script: u.scriptPubKey,
    };
  }

  /** testmempoolaccept, then broadcast, then one block; returns the vsize the node measured. */
  async function confirm(tx: DlcTx): Promise<number> {
    expect(interpret(tx)).to.deep.equal([]);
    const t = tx.toTransaction();
    const test = await backend.testMempoolAccept(t);
    expect(test, tx.name).to.deep.include({ allowed: true });
    expect(tx.weight).to.be.at.most(400_000);
    expect(await backend.sendTransaction(t)).to.equal(tx.txid);
    await backend.mine(1, addr(fedScript));
    expect((await backend.getTxStatus(tx.txid))?.confirmations).to.equal(1);
    return test.vsize!;
  }

  async function open(index: number, eventId: string, refundLocktime: number) {
    const oracle = new Oracle(schnorr.utils.randomSecretKey());
    const announcement = oracle.announce(eventId, 0, { base: 2, nbDigits: 31, unit: "sats", precision: 0 });
    const terms = {
      userKey,
      federationKey: fedKey,
      userCollateral: sats(150_000_000n),
      federationCollateral: sats(60_000_000n),
      userScript,
      federationScript: fedScript,
      announcement,
      refundLocktime,
      feeRate: 2n,
    };
    const key = (secret: Uint8Array) => (h: Uint8Array) => schnorr.sign(h, tweakedSecret(secret));
    const funding = buildFundingTx(
      [
        {
          coins: [{ utxo: await coin(userScript, index), sign: key(userSecret) }],
          collateral: terms.userCollateral,
          changeScript: userScript,
        },
        {
          coins: [{ utxo: await coin(fedScript, index), sign: key(fedSecret) }],
          collateral: terms.federationCollateral,
          changeScript: fedScript,
        },
      ],
      fundingOutput(terms).script,
      2n,
    );
    const fundingVsize = await confirm(funding);
    return { oracle, announcement, terms, funding, fundingVsize };
  }

  it("fund → oracle attests w → the CET confirms paying the user exactly w sats", async () => {
    const { oracle, announcement, terms, funding } = await open(0, "lvm/node/1", 10_000);
    const w = 87_654_321n;
    const channel = new DlcChannel(terms, funding.utxo(0), withdrawalIntervals(w, MAX, terms.userCollateral));
    const fromFed = channel.sign(fedSecret);
    const fromUser = channel.sign(userSecret);
    channel.verify(fromFed, "federation");
    channel.verify(fromUser, "user");

    const { tx } = channel.settle(oracle.attest(announcement, w), userSecret, fromFed);
    const vsize = await confirm(tx);
    expect(vsize).to.equal(tx.vsize);
    const paid = await backend.getTxOut({ txid: tx.txid, vout: 0 });
    expect(paid?.value).to.equal(w);
    expect(Buffer.from(paid!.scriptPubKey)).to.deep.equal(Buffer.from(userScript));
    const rest = await backend.getTxOut({ txid: tx.txid, vout: 1 });
    expect(rest?.value).to.equal(210_000_000n - w - tx.fee);
    // the funding output is spent: the refund can never confirm now
    expect(await backend.getTxOut({ txid: funding.txid, vout: 0 })).to.equal(undefined);
  });

  it("silent oracle: the refund is non-final before refundLocktime and confirms after it", async () => {
    const height = await backend.getBlockCount();
    const locktime = height + 4;
    const { terms, funding } = await open(1, "lvm/node/2", locktime);
    const channel = new DlcChannel(
      terms,
      funding.utxo(0),
      withdrawalIntervals(5n, MAX, terms.userCollateral),
    );
    const refund = channel.completeRefund(userSecret, channel.sign(fedSecret));
    while ((await backend.getBlockCount()) < locktime - 1) {
      const early = await backend.testMempoolAccept(refund.toTransaction());
      expect(early.allowed).to.equal(false);
      expect(early.rejectReason).to.match(/non-final/);
      await backend.mine(1, addr(fedScript));
    }
    // tip = locktime − 1: the next block has height locktime, so nLockTime = locktime is final there
    // only from tip = locktime on (Core: nLockTime < height of the including block)
    const atEdge = await backend.testMempoolAccept(refund.toTransaction());
    expect(atEdge.allowed).to.equal(false);
    await backend.mine(1, addr(fedScript));
    await confirm(refund);
    expect((await backend.getTxOut({ txid: refund.txid, vout: 0 }))?.value).to.equal(terms.userCollateral);
    expect((await backend.getTxOut({ txid: refund.txid, vout: 1 }))?.value).to.equal(
      terms.federationCollateral - refund.fee,
    );
  });
});
