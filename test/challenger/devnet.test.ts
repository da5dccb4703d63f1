/**
 * The devnet's watchtower (started with the other `npm start` services) against the real L2
 * bridge's events: the operator's honest claim (its payout proven on the L2) is left alone; a
 * KickOff no payout covers is challenged on L1 by the watchtower itself, and slashed by its
 * AssertTimeout when nobody asserts; `bridge:challenge` refuses bad input with typed errors.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { schnorr } from "@noble/curves/secp256k1.js";
import { expect } from "chai";
import { JsonRpcProvider, Wallet } from "ethers";

import { bytesToHex, Transaction } from "../../ts/bitcoin/index.js";
import {
  buildPegOutGraph,
  completeKickOff,
  graphInputFromJson,
  keyPathOutput,
  xOnlyKey,
  type FlowStore,
} from "../../ts/bridge/index.js";
import { ChallengerError } from "../../ts/challenger/index.js";
import { bridgeInvariant, devnetOperatorSecret, lvmBridge } from "../../ts/devnet/bridge.js";
import { l1DevKey } from "../../ts/devnet/l1.js";
import type { devnetServices } from "../../ts/devnet/services.js";
import { devAccounts } from "../../ts/l2/index.js";
import { challengeKickOff } from "../../tasks/challenger-impl.js";
import { testDepositor, testDevnet, until } from "../devnet/helpers.js";

describe("challenger: the devnet watchtower", function () {
  this.timeout(300_000);
  let dir: string;
  const dev = l1DevKey();
  const lines: string[] = [];
  let devnet: ReturnType<typeof devnetServices>;
  let provider: JsonRpcProvider;
  let store: FlowStore | undefined;

  before(async function () {
    dir = mkdtempSync(path.join(os.tmpdir(), "devnet-watchtower-"));
    devnet = await testDevnet({ operatorLog: (l) => lines.push(l) });
    for (const s of devnet.all) await s.start(dir);
    provider = new JsonRpcProvider(devnet.l2.url(), undefined, { staticNetwork: true, cacheTimeout: -1 });
  });

  after(async function () {
    provider?.destroy();
    await store?.close().catch(() => undefined);
    for (const s of [...(devnet?.all ?? [])].reverse()) await s.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("honest claim → no Challenge (Take1); a KickOff no payout covers → Challenge on L1; the task's typed errors", async function () {
    const backend = devnet.l1.backend();
    await backend.mine(4, dev.address);
    const user = devAccounts(2)[1]!;
    const userBridge = lvmBridge(new Wallet(user.privateKey, provider));
    const d = await testDepositor(devnet, dir, provider);
    store = d.store;
    const wt = devnet.watchtower.watchtower();
    const common = {
      datadir: dir,
      l1url: devnet.l1.rpcUrl(),
      l2url: devnet.l2.url(),
      force: false,
      json: true,
    };
    const code = (p: Promise<unknown>) =>
      p.then(
        () => "ok",
        (e: unknown) => (e instanceof ChallengerError ? e.code : String(e)),
      );

    // 1. The operator pays the whole pool of a peg-in, proves it on the L2 and claims: honest.
    const first = await d.depositor.start(await d.depositor.prepare(50_000_000n, user.address));
    expect(first.step).to.equal("credited");
    const payee = keyPathOutput(xOnlyKey(schnorr.getPublicKey(schnorr.utils.randomSecretKey()))).script;
    await (
      await userBridge.withdraw("0x" + bytesToHex(payee), { value: first.creditedSats * 10n ** 10n })
    ).wait();
    const op = devnet.operator;
    await until(
      async () => (await op.status()).claims.some((c) => c.step === "reimbursed"),
      90_000,
      () => lines.join("\n"),
    );
    const claim = (await op.status()).claims[0]!;
    await until(
      // Judged, not just seen: a record is written at "seen" before the check runs.
      async () => ![undefined, "seen"].includes((await wt.record(claim.kickOffTxid))?.step),
      30_000,
      () => lines.join("\n"),
    );
    const honest = await wt.record(claim.kickOffTxid);
    expect(honest?.step, lines.join("\n")).to.equal("honest");
    expect(honest?.frontedSats).to.equal(first.creditedSats);
    expect(honest?.challengeTxid).to.equal(undefined);
    expect(await code(challengeKickOff({ ...common, kickoff: claim.kickOffTxid }))).to.equal("HONEST_CLAIM");

    // 2. A second peg-in's KickOff broadcast with no payout behind it: the watchtower challenges.
    const second = await d.depositor.start(await d.depositor.prepare(30_000_000n, user.address));
    expect(second.step).to.equal("credited");
    const record = (await devnet.committee.graphs()).find(
      (g) => g.pegInConfirmTxid === second.pegInConfirmTxid,
    )!;
    const g = buildPegOutGraph(graphInputFromJson(record.input));
    await backend.sendTransaction(Transaction.decode(completeKickOff(g, devnetOperatorSecret())));
    await backend.mine(1, dev.address);
    await until(
      async () => (await wt.record(g.kickOff.txid))?.step === "challenged",
      60_000,
      () => lines.join("\n"),
    );
    const r = (await wt.record(g.kickOff.txid))!;
    expect(r.frontedSats).to.equal(first.creditedSats);
    expect(r.claimedSats).to.equal(first.creditedSats + second.creditedSats);
    const ch = await backend.getTransaction(r.challengeTxid!);
    expect(ch?.inputs[0]?.prevout).to.deep.equal({ txid: g.kickOff.txid, vout: 1 });
    expect((await backend.getTxStatus(r.challengeTxid!))?.confirmations).to.be.greaterThan(0);
    expect((await bridgeInvariant(backend, userBridge)).holds).to.equal(true);

    // 3. bridge:challenge: typed refusals, nothing sent.
    expect(await code(challengeKickOff({ ...common, kickoff: "nope" }))).to.equal("INVALID_TXID");
    expect(await code(challengeKickOff({ ...common, kickoff: "ab".repeat(32) }))).to.equal("UNKNOWN_GRAPH");
    expect(await code(challengeKickOff({ ...common, kickoff: g.kickOff.txid }))).to.equal("CONNECTOR_SPENT");

    // 4. Nobody asserts for that KickOff (it is no claim of the operator service): after
    // assertTimelock the devnet watchtower's AssertTimeout takes the stake, half of it burned.
    await until(
      async () => (await wt.record(g.kickOff.txid))?.step === "timedOut",
      60_000,
      () => lines.join("\n"),
    );
    const t = (await wt.record(g.kickOff.txid))!;
    const timeout = (await backend.getTransaction(t.timeoutTxid!))!;
    expect(timeout.inputs[0]?.prevout).to.deep.equal({ txid: g.kickOff.txid, vout: 2 });
    expect(timeout.outputs[0]?.scriptPubKey[0]).to.equal(0x6a);
    expect(timeout.outputs[0]?.value).to.equal(g.kickOff.output(2).amount / 2n);
    expect(timeout.outputs[1]?.scriptPubKey).to.deep.equal(wt.script);
    expect((await backend.getTxStatus(t.timeoutTxid!))?.confirmations).to.be.greaterThan(0);
    expect((await bridgeInvariant(backend, userBridge)).holds).to.equal(true);
  });
});
