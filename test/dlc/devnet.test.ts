/**
 * The OP-DLC bridge as `npm start` runs it: the devnet deploys DlcChannels (Ignition module) and
 * runs the oracle federation's service and JSON-RPC; the `dlc:*` tasks find them through
 * `<root>/dlc.json`. A channel is opened, a withdrawal requested, the running oracle attests it
 * and the user's CET settles on L1 — with the bridge invariant checked over both bridges (a
 * BitVM deposit in the pool and the DLC channel's funding output) before and after.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { schnorr } from "@noble/curves/secp256k1.js";
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";

import { sats, txidFromHex } from "../../ts/bitcoin/index.js";
import { keyPathOutput, xOnlyKey, type FlowStore } from "../../ts/bridge/index.js";
import { bridgeInvariant, lvmBridge } from "../../ts/devnet/bridge.js";
import { readDlcEndpoints } from "../../ts/devnet/dlc.js";
import { l1DevKey } from "../../ts/devnet/l1.js";
import type { devnetServices } from "../../ts/devnet/services.js";
import {
  DlcChannel,
  MAX_COMMITTED_AMOUNT,
  decodeAnnouncement,
  decodeAttestation,
  fundingOutput,
  withdrawalIntervals,
} from "../../ts/dlc/index.js";
import { dlcChannels, dlcInvariant } from "../../ts/dlc/service.js";
import { devAccounts } from "../../ts/l2/index.js";
import { devnetL1Secret, open, status, withdraw } from "../../tasks/dlc-impl.js";
import { captured, testDepositor, testDevnet, until } from "../devnet/helpers.js";

describe("dlc on the devnet: DlcChannels deployed, the oracle service running, the tasks against them", function () {
  let dir: string;
  let devnet: ReturnType<typeof devnetServices>;
  let provider: JsonRpcProvider;
  let store: FlowStore | undefined;
  const lines: string[] = [];

  before(async function () {
    dir = mkdtempSync(path.join(os.tmpdir(), "dlc-devnet-"));
    devnet = await testDevnet({ operatorLog: (l) => lines.push(l) });
    for (const s of devnet.all) await s.start(dir);
    provider = new JsonRpcProvider(devnet.l2.url(), undefined, {
      staticNetwork: true,
      pollingInterval: 50,
      cacheTimeout: -1,
    });
  });
  after(async function () {
    await store?.close();
    provider?.destroy();
    for (const s of [...(devnet?.all ?? [])].reverse()) await s.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const rpc = async (method: string, params: unknown[]): Promise<unknown> => {
    const r = await fetch(devnet.dlc.endpoints().oracleUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
    const body = (await r.json()) as { result?: unknown; error?: unknown };
    if (body.error !== undefined) throw new Error(JSON.stringify(body.error));
    return body.result;
  };

  it("opens a channel, withdraws, the running oracle attests, the CET settles; invariant over both bridges", async function () {
    const backend = devnet.l1.backend();
    const endpoints = devnet.dlc.endpoints();
    // the endpoints the tasks and the dashboard read
    expect(readDlcEndpoints(dir)).to.deep.equal(endpoints);
    const contract = dlcChannels(endpoints.contract, provider);
    const bridge = lvmBridge(provider);
    const [lightClient, depth] = await bridge.config();
    expect(await contract.lightClient()).to.equal(lightClient);
    expect(await contract.confirmations()).to.equal(depth);
    expect(await contract.federation()).to.equal(endpoints.federation);

    // the BitVM bridge in use: a deposit credited on the L2 from the committee's pool
    const dev = l1DevKey();
    await backend.mine(1, dev.address);
    const d = await testDepositor(devnet, dir, provider);
    store = d.store;
    const pegIn = await d.depositor.start(await d.depositor.prepare(25_000_000n, devAccounts(3)[2]!.address));
    expect(pegIn.step).to.equal("credited");

    // dlc:open with no --contract: the devnet's, from <dir>/dlc.json
    const common = { contract: "", datadir: dir, l1url: devnet.l1.rpcUrl(), l2url: devnet.l2.url() };
    const opened = await captured(() =>
      open({ ...common, amount: "1.5", account: "4", fedaccount: "3", refundblocks: "50" }),
    );
    expect(opened.err).to.equal("");
    const { channel: id, refundFile } = JSON.parse(opened.out) as { channel: string; refundFile: string };
    const recorded = await contract.channels(id);
    expect(recorded.fundedSats).to.equal(150_000_000n);

    // both bridges: the L2's claims are backed by the pool and by the channel's funding output
    const bridgeBefore = await bridgeInvariant(backend, bridge);
    const dlcBefore = await dlcInvariant(backend, contract);
    expect(bridgeBefore).to.deep.equal({
      l2OutsideSats: pegIn.creditedSats,
      l1LockedSats: pegIn.creditedSats,
      holds: true,
    });
    expect(dlcBefore).to.deep.equal({
      l2ChannelSats: 150_000_000n,
      l1LockedSats: 150_000_000n,
      openChannels: 1,
      holds: true,
    });

    // dlc:withdraw: the owner's exact request; the running oracle attests it
    const w = 87_654_321n;
    const asked = await captured(() =>
      withdraw({ ...common, channel: id, amount: "0.87654321", account: "4" }),
    );
    expect(asked.err).to.equal("");
    let attHex: unknown = null;
    await until(
      async () => (attHex = await rpc("dlc_attestation", [id])) !== null,
      20_000,
      () => `no attestation for ${id}: ${lines.join("\n")}`,
    );
    const announcement = decodeAnnouncement(
      Uint8Array.from(Buffer.from(String(await rpc("dlc_announcement", [id])), "hex")),
    );
    const attestation = decodeAttestation(Uint8Array.from(Buffer.from(String(attHex), "hex")));
    expect(Buffer.from(announcement.oraclePublicKey).toString("hex")).to.equal(endpoints.oracleKey);
    const shown = JSON.parse((await captured(() => status(common))).out) as {
      contract: string;
      channels: Record<string, string>[];
    };
    expect(shown.contract).to.equal(endpoints.contract);
    expect(shown.channels[0]).to.deep.include({
      id,
      withdrawalSats: w.toString(),
      attestedSats: w.toString(),
    });

    // the parties' CETs (devnet test keys, as dlc:open used) over the running oracle's announcement
    const [, , , fedAcct, userAcct] = devAccounts();
    const userSecret = devnetL1Secret(userAcct!.privateKey);
    const fedSecret = devnetL1Secret(fedAcct!.privateKey);
    const script = (s: Uint8Array) => keyPathOutput(xOnlyKey(schnorr.getPublicKey(s))).script;
    const { refundLocktime } = JSON.parse(readFileSync(refundFile, "utf8")) as { refundLocktime: number };
    const terms = {
      userKey: schnorr.getPublicKey(userSecret),
      federationKey: schnorr.getPublicKey(fedSecret),
      userCollateral: sats(150_000_000n),
      federationCollateral: sats(0n),
      userScript: script(userSecret),
      federationScript: script(fedSecret),
      announcement,
      refundLocktime,
      feeRate: 2n,
    };
    const fundingTxid = Buffer.from(recorded.fundingTxid.slice(2), "hex").reverse().toString("hex");
    const funding = {
      txid: txidFromHex(fundingTxid),
      vout: Number(recorded.vout),
      amount: sats(recorded.fundedSats),
      script: fundingOutput(terms).script,
    };
    const channel = new DlcChannel(
      terms,
      funding,
      withdrawalIntervals(w, MAX_COMMITTED_AMOUNT, terms.userCollateral),
    );
    const fromFed = channel.sign(fedSecret);
    channel.verify(fromFed, "federation");
    const { tx } = channel.settle(attestation, userSecret, fromFed);
    expect(await backend.testMempoolAccept(tx.toTransaction())).to.deep.include({ allowed: true });
    await backend.sendTransaction(tx.toTransaction());
    await backend.mine(1, dev.address);
    expect((await backend.getTxOut({ txid: txidFromHex(tx.txid), vout: 0 }))?.value).to.equal(w);
    expect(tx.output(0).script).to.deep.equal(terms.userScript);

    // settled: the channel locks nothing on either side; the pool still backs the deposit
    expect(await dlcInvariant(backend, contract)).to.deep.equal({
      l2ChannelSats: 0n,
      l1LockedSats: 0n,
      openChannels: 0,
      holds: true,
    });
    expect((await bridgeInvariant(backend, bridge)).holds).to.equal(true);

    // bad input to the oracle's RPC (the hardened ts/jsonrpc server): a typed answer, service unchanged
    const raw = async (body: string) =>
      (await (
        await fetch(endpoints.oracleUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        })
      ).json()) as { error?: { code: number; data?: { code?: string } } };
    expect((await raw("{not json")).error?.code).to.equal(-32700);
    expect(
      (await raw(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "dlc_nope", params: [] }))).error?.code,
    ).to.equal(-32601);
    expect(
      (await raw(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "dlc_attestation", params: ["0x12"] })))
        .error,
    ).to.deep.include({ code: -32602, data: { code: "BAD_PARAMS" } });
    expect(await rpc("dlc_attestation", [id])).to.equal(attHex);

    // a restart of the DLC service redeploys nothing (Ignition's journal) and keeps the attestation
    await devnet.dlc.stop();
    await devnet.dlc.start(dir);
    expect(devnet.dlc.endpoints().contract).to.equal(endpoints.contract);
    expect(await rpc("dlc_attestation", [id])).to.equal(attHex);
  });
});
