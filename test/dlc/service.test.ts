import { schnorr } from "@noble/curves/secp256k1.js";
import * as bitcoin from "bitcoinjs-lib";
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as ecc from "tiny-secp256k1";
import { Transaction, sats, txidFromHex } from "../../ts/bitcoin/index.js";
import { spvProof, txid as bridgeTxid } from "../../ts/bridge/index.js";
import type { BitcoinBackend, RunningNode } from "../../ts/btcnode/index.js";
import {
  DlcChannel,
  StakedOracle,
  encodeAnnouncement,
  encodeAttestation,
  verifyAttestation,
  type DlcTx,
} from "../../ts/dlc/index.js";
import { stakeTermsToJson, utxoToJson } from "../../ts/dlc/persist.js";
import { serveOracleRpc } from "../../ts/dlc/rpc.js";
import { OracleService, withdrawalEventId } from "../../ts/dlc/service.js";
import { disprove, open, status, withdraw } from "../../tasks/dlc-impl.js";
import { devAccounts, type L2Node } from "../../ts/l2/index.js";
import { captured } from "../devnet/helpers.js";
import { DlcWorld, dlcKeys, taprootScript } from "./fixture.js";

// The oracle federation service against our L2 node (DlcChannels and the Bitcoin light client
// deployed on EDR, the relayer carrying our regtest node's headers) and our L1 regtest node: the
// L2 records a channel from an SPV proof of its funding output and its withdrawal request, the service attests exactly
// the requested amount and broadcasts its OP-DLC sign transaction; the user's settle-CET then pays
// that amount on L1. A restarted service resumes from its files: same attestation, no second
// broadcast, no second value for the event.

bitcoin.initEccLib(ecc);

/** Runs a task action and returns what it printed (a task prints one JSON document). */
describe("dlc: the oracle service (L2 requests → attestation → OracleSign on L1)", function () {
  let world: DlcWorld;
  let backend: BitcoinBackend;
  let l1: RunningNode;
  let devnet: string;
  let l2: L2Node;
  const keys = dlcKeys([
    schnorr.utils.randomSecretKey(),
    schnorr.utils.randomSecretKey(),
    schnorr.utils.randomSecretKey(),
  ]);
  const { userSecret, fedSecret, oracleSecret, userKey, fedKey } = keys;
  const script = taprootScript;

  before(async function () {
    world = await DlcWorld.start({ keys, blockTimeMs: 100, batchBlocks: 2 });
    ({ backend, l1, l2, dir: devnet } = world);
  });
  after(async () => {
    await world?.close();
  });

  async function confirm(tx: DlcTx): Promise<void> {
    expect(await backend.testMempoolAccept(tx.toTransaction()), tx.name).to.deep.include({ allowed: true });
    await world.mined(tx);
  }
  async function until<T>(f: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> {
    for (let i = 0; i < 200; i++) {
      const v = await f();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  it("attests the L2's request, broadcasts OracleSign once, resumes after a restart; the CET pays it", async () => {
    const { fed, user } = world;
    const { dlc, relayer: makeRelayer } = await world.deploy();
    const relayer = makeRelayer();

    // L1: the user and the federation fund the channel; the relayer carries the block to the L2
    const terms0 = { userKey, federationKey: fedKey };
    const userCollateral = sats(150_000_000n);
    const federationCollateral = sats(60_000_000n);
    const funding = await world.fund(userCollateral, federationCollateral);
    await confirm(funding);
    await relayer.syncOnce();
    const proof = await spvProof(backend, bridgeTxid(funding.txid));
    const outputKey = "0x" + Buffer.from(funding.output(0).script.subarray(2)).toString("hex");
    // the federation records it: SPV through the light client, the output's amount and key checked
    await (await dlc.connect(fed).openChannel(user.address, outputKey, userCollateral, 0, proof)).wait();
    await relayer.stop();
    const id = await dlc.channelIds(0);
    const recorded = await dlc.channels(id);
    expect(recorded.fundedSats).to.equal(210_000_000n);
    expect(recorded.owner).to.equal(user.address);
    expect(recorded.fundingTxid).to.equal("0x" + Buffer.from(funding.txid, "hex").reverse().toString("hex"));

    // L2: the user asks for exactly w sats (dlc:withdraw, from dev account #4, the owner)
    const w = 87_654_321n;
    const common = { contract: await dlc.getAddress(), datadir: devnet, l1url: l1.rpcUrl, l2url: l2.url };
    const notOwner = await captured(() =>
      withdraw({ ...common, channel: id, amount: "0.87654321", account: "5" }),
    );
    expect(notOwner.err).to.match(/^dlc:withdraw: NotOwner\(/); // account #5 does not own the channel
    expect(process.exitCode).to.equal(1);
    process.exitCode = 0;
    expect((await dlc.withdrawals(id)).sats).to.equal(0n);
    await captured(() => withdraw({ ...common, channel: id, amount: "0.87654321", account: "4" }));
    expect((await dlc.withdrawals(id)).sats).to.equal(w);

    const datadir = devnet;
    const opts = {
      backend,
      l2RpcUrl: l2.url,
      contract: await dlc.getAddress(),
      datadir,
      oracleSecret,
      pollMs: 100,
    };
    let svc = new OracleService(opts);
    await svc.start();
    const att = await until(() => svc.attestation(id), "the attestation");
    const announcement = svc.announcement(id);
    expect(announcement.event.eventId).to.equal(withdrawalEventId(id));
    expect(verifyAttestation(announcement, att)).to.equal(w);

    // OP-DLC: the oracle stakes, both parties presign, the user's presignatures go to the service
    const staked = await world.stake(id, w, userCollateral);
    const { intervals } = staked.terms;
    const stakeTerms = staked.terms;
    const terms = {
      ...terms0,
      userCollateral,
      federationCollateral,
      userScript: script(userKey),
      federationScript: script(fedKey),
      announcement,
      refundLocktime: (await backend.getBlockCount()) + 100,
      feeRate: 2n,
    };
    const channel = new DlcChannel(terms, funding.utxo(0), intervals, staked);
    const fromFed = channel.sign(fedSecret);
    channel.verify(fromFed, "federation");
    const signSigs = staked.presignUser(userSecret);
    // the service's JSON-RPC: what users and the devnet wiring talk to
    const server = await serveOracleRpc(svc, { port: 0 });
    const call = async (method: string, params: unknown[]) => {
      const r = await fetch(server.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      });
      return (await r.json()) as { result?: unknown; error?: { code: number; data?: { code?: string } } };
    };
    try {
      expect((await call("dlc_announcement", [id])).result).to.equal(
        Buffer.from(encodeAnnouncement(announcement)).toString("hex"),
      );
      expect((await call("dlc_attestation", [id])).result).to.equal(
        Buffer.from(encodeAttestation(att)).toString("hex"),
      );
      expect((await call("dlc_attestation", ["0x1234"])).error).to.deep.include({
        code: -32602,
        data: { code: "BAD_PARAMS" },
      });
      expect((await call("dlc_registerStake", [{ channelId: id, terms: {} }])).error).to.deep.include({
        code: -32602,
        data: { code: "BAD_PARAMS" },
      });
      // a stake for another amount than the L2 request is refused, and nothing is stored
      const wrong = new StakedOracle({ ...stakeTerms, requested: w + 1n }, staked.stakeUtxo);
      const stakeJson = (s: StakedOracle, sigs: Uint8Array[]) => ({
        channelId: id,
        terms: stakeTermsToJson(s.terms),
        stakeUtxo: utxoToJson(s.stakeUtxo),
        userSignSigs: sigs.map((x) => Buffer.from(x).toString("hex")),
      });
      expect(
        (await call("dlc_registerStake", [stakeJson(wrong, wrong.presignUser(userSecret))])).error,
      ).to.deep.include({
        code: -32000,
        data: { code: "BAD_AMOUNT" },
      });
      expect(svc.oracleSignTxid(id)).to.equal(undefined);
      expect((await call("dlc_registerStake", [stakeJson(staked, signSigs)])).result).to.equal(null);
    } finally {
      await server.close();
    }
    const signTxid = await until(() => svc.oracleSignTxid(id), "OracleSign");
    await until(
      async () => ((await backend.getTxStatus(txidFromHex(signTxid))) === undefined ? undefined : true),
      "broadcast",
    );
    await world.mine(1);
    await svc.stop();

    // restart: the same attestation, the event bound to w, and no second broadcast
    svc = new OracleService(opts);
    expect(svc.oracle.attested.get(withdrawalEventId(id))).to.equal(w);
    expect(Buffer.from(JSON.stringify(svc.attestation(id)))).to.deep.equal(Buffer.from(JSON.stringify(att)));
    await svc.tick();
    expect((await backend.getTxStatus(txidFromHex(signTxid)))?.confirmations).to.equal(1);
    await svc.stop();

    // the tasks: status shows the request, the attestation and the sign transaction; the
    // challenger's check finds the commitment honest and broadcasts nothing
    const printed = (await captured(() => status(common))).out;
    const shown = JSON.parse(printed) as { channels: Record<string, string>[] };
    expect(shown.channels[0]).to.deep.include({
      id,
      withdrawalSats: w.toString(),
      attestedSats: w.toString(),
      oracleSignTxid: signTxid,
      fundedSats: "210000000",
    });
    const challenger = bitcoin.address.fromOutputScript(
      Buffer.from(script(fedKey)),
      bitcoin.networks.regtest,
    );
    const checked = JSON.parse(
      (await captured(() => disprove({ ...common, channel: id, to: challenger }))).out,
    ) as {
      status: string;
      committed: string;
    };
    expect(checked).to.deep.include({ status: "honest", committed: w.toString() });

    // after the window the user's settle-CET pays exactly w
    await world.mine(2);
    const { tx } = channel.settle(att, userSecret, fromFed);
    await confirm(tx);
    expect((await backend.getTxOut({ txid: tx.txid, vout: 0 }))?.value).to.equal(w);
  });

  it("dlc:open funds a channel on L1, writes its refund first, and the federation records it by SPV", async () => {
    const [, , , , userAcct] = devAccounts();
    const { dlc, relayer: makeRelayer } = await world.deploy();
    const relayer = makeRelayer(200);
    relayer.start();
    try {
      const common = { contract: await dlc.getAddress(), datadir: devnet, l1url: l1.rpcUrl, l2url: l2.url };
      const args = { ...common, amount: "1.5", account: "4", fedaccount: "3", refundblocks: "5" };
      const wrongFed = await captured(() => open({ ...args, fedaccount: "2" }));
      expect(wrongFed.err).to.match(/is not the contract's federation/);
      process.exitCode = 0;

      const done = await captured(() => open(args));
      expect(done.err).to.equal("");
      const printed = JSON.parse(done.out) as { channel: string; funding: string; refundFile: string };
      const c = await dlc.channels(printed.channel);
      expect(c.owner).to.equal(userAcct!.address);
      expect(c.fundedSats).to.equal(150_000_000n);
      const [fundingTxid] = printed.funding.split(":") as [string];
      expect((await backend.getTxStatus(txidFromHex(fundingTxid)))?.confirmations).to.equal(1);
      // the refund was written before the funding went out; it is final only at its locktime
      const saved = JSON.parse(readFileSync(printed.refundFile, "utf8")) as {
        refundLocktime: number;
        raw: string;
      };
      const refund = Transaction.decode(Uint8Array.from(Buffer.from(saved.raw, "hex")));
      expect((await backend.testMempoolAccept(refund)).allowed).to.equal(false);
      while ((await backend.getBlockCount()) < saved.refundLocktime) await world.mine(1);
      expect(await backend.testMempoolAccept(refund)).to.deep.include({ allowed: true });
    } finally {
      await relayer.stop();
    }
  });
});
