/**
 * kill -9 of the watchtower process: after the Challenge is written (before its broadcast) and
 * after its broadcast (before the record says so). Restarted, the watchtower sends exactly the
 * recorded Challenge, which confirms on L1. Then during the game: after the Assert is seen, after
 * the Disprove is written and after its broadcast; restarted a block later, the watchtower still
 * disproves inside the disprove window, with exactly one Disprove.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { schnorr } from "@noble/curves/secp256k1.js";
import * as bitcoin from "bitcoinjs-lib";
import { expect } from "chai";
import * as ecc from "tiny-secp256k1";

import { Transaction } from "../../ts/bitcoin/index.js";
import {
  FlowStore,
  buildPegOutGraph,
  completeAssert,
  completeKickOff,
  completeTake2,
  completePegInConfirm,
  encodeRecord,
  graphInputToJson,
  keyPathOutput,
  operatorChallengeSignature,
  presignGraph,
  presignaturesToJson,
  spendableCoins,
  xOnlyKey,
  type Utxo,
} from "../../ts/bridge/index.js";
import { BtcNode, EmbeddedBackend, type BitcoinBackend } from "../../ts/btcnode/index.js";
import { Watchtower } from "../../ts/challenger/index.js";
import { root } from "../l2/helpers.js";
import { makeWorld, testSecret } from "../bridge/fixture.js";
import { flipped, withClaimProgram } from "./game.js";

bitcoin.initEccLib(ecc);

describe("challenger: kill -9 of the watchtower mid-challenge", function () {
  this.timeout(180_000);
  const depositorSecret = testSecret("wtk/depositor");
  const operatorSecret = testSecret("wtk/operator");
  const watcherSecret = testSecret("wtk/watcher");
  const script = (s: Uint8Array) => keyPathOutput(xOnlyKey(schnorr.getPublicKey(s))).script;
  const [depScript, opScript, wtScript] = [depositorSecret, operatorSecret, watcherSecret].map(script);
  const addr = (s: Uint8Array) => bitcoin.address.fromOutputScript(s, bitcoin.networks.regtest);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "watchtower-kill-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const openNode = async (): Promise<BitcoinBackend> =>
    new EmbeddedBackend(await BtcNode.open({ datadir: path.join(dir, "l1"), sync: false }), true);
  const coin = async (b: BitcoinBackend, s: Uint8Array): Promise<Utxo> =>
    (await spendableCoins(b, s)).filter((u) => u.amount >= 1_000_000_000n)[0]!;

  for (const killAt of ["intent", "broadcast"])
    it(`killed right after '${killAt}': restarted, exactly the recorded Challenge confirms`, async () => {
      // A wrong KickOff on a fresh chain, the graph handed to the child in graphs.json.
      let backend = await openNode();
      await backend.mine(3, addr(opScript));
      await backend.mine(3, addr(wtScript));
      await backend.mine(101, addr(depScript));
      const w = makeWorld({
        depositorSecret,
        operatorSecret,
        fundingUtxo: await coin(backend, depScript),
        operatorFunding: await coin(backend, opScript),
      });
      const g = buildPegOutGraph(w.input);
      const p = presignGraph(w.input, w.depositRaw, w.members);
      await backend.sendTransaction(Transaction.decode(w.depositRaw));
      await backend.mine(1, addr(depScript));
      await backend.sendTransaction(Transaction.decode(completePegInConfirm(g, p, depositorSecret)));
      await backend.sendTransaction(Transaction.decode(completeKickOff(g, operatorSecret)));
      await backend.mine(1, addr(depScript));
      const sig = operatorChallengeSignature(g, operatorSecret);
      writeFileSync(
        path.join(dir, "graphs.json"),
        encodeRecord([
          { input: graphInputToJson(w.input), sig, secret: watcherSecret, mineTo: addr(depScript) },
        ]),
      );
      await backend.close();

      const child = spawn(
        process.execPath,
        ["--import", "tsx", path.join(root, "test/challenger/crash-watchtower.ts"), dir, killAt],
        { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (out += d.toString()));
      const signal = await new Promise<NodeJS.Signals | null>((r) => child.once("exit", (_c, s) => r(s)));
      expect(signal, out).to.equal("SIGKILL");

      backend = await openNode();
      const store = await FlowStore.open(path.join(dir, "watchtower"));
      try {
        const wt = new Watchtower({
          store,
          l1: backend,
          ledger: { provenPayouts: () => Promise.resolve([]) },
          graphs: () => Promise.resolve([{ input: w.input, challengeSig: sig }]),
          secret: watcherSecret,
          mineTo: addr(depScript),
          log: () => undefined,
        });
        const before = await wt.record(g.kickOff.txid);
        expect(before?.step).to.equal("challenging");
        // Nothing confirmed; the killed node's mempool is gone with it.
        expect((await backend.getTxStatus(before!.challengeTxid!))?.confirmations ?? 0).to.equal(0);
        expect(await backend.getTxOut({ txid: g.kickOff.txid, vout: 1 }, false)).to.not.equal(undefined);
        await wt.tick();
        const after = await wt.record(g.kickOff.txid);
        expect(after?.step).to.equal("challenged");
        expect(after?.challengeTxid).to.equal(before!.challengeTxid);
        expect((await backend.getTxStatus(after!.challengeTxid!))?.confirmations).to.equal(1);
        const ch = await backend.getTransaction(after!.challengeTxid!);
        expect(ch?.inputs.map((i) => i.prevout)).to.deep.equal(
          Transaction.decode(before!.challengeRaw!).inputs.map((i) => i.prevout),
        );
        expect(await backend.getTxOut({ txid: g.kickOff.txid, vout: 1 }, true)).to.equal(undefined);
      } finally {
        await store.close();
        await backend.close();
      }
    });
});

describe("challenger: kill -9 of the watchtower during the game (after its Challenge)", function () {
  this.timeout(180_000);
  const depositorSecret = testSecret("wtg/depositor");
  const operatorSecret = testSecret("wtg/operator");
  const watcherSecret = testSecret("wtg/watcher");
  const script = (s: Uint8Array) => keyPathOutput(xOnlyKey(schnorr.getPublicKey(s))).script;
  const [depScript, opScript, wtScript] = [depositorSecret, operatorSecret, watcherSecret].map(script);
  const addr = (s: Uint8Array) => bitcoin.address.fromOutputScript(s, bitcoin.networks.regtest);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "watchtower-game-kill-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const openNode = async (): Promise<BitcoinBackend> =>
    new EmbeddedBackend(await BtcNode.open({ datadir: path.join(dir, "l1"), sync: false }), true);
  const coin = async (b: BitcoinBackend, s: Uint8Array): Promise<Utxo> =>
    (await spendableCoins(b, s)).filter((u) => u.amount >= 1_000_000_000n)[0]!;

  for (const [killAt, left] of [
    ["assert", "asserted"],
    ["disproveIntent", "disproving"],
    ["disproveBroadcast", "disproving"],
  ] as const)
    it(`killed right after '${killAt}': restarted, it still disproves in time, exactly one Disprove confirms`, async () => {
      let backend = await openNode();
      await backend.mine(3, addr(opScript));
      await backend.mine(3, addr(wtScript));
      await backend.mine(101, addr(depScript));
      const w = makeWorld({
        depositorSecret,
        operatorSecret,
        fundingUtxo: await coin(backend, depScript),
        operatorFunding: await coin(backend, opScript),
      });
      const programSeed = testSecret("wtg/wots");
      const game = withClaimProgram(w.input, programSeed);
      const g = buildPegOutGraph(game.input);
      const p = presignGraph(game.input, w.depositRaw, w.members);
      const send = (raw: Uint8Array) => backend.sendTransaction(Transaction.decode(raw));
      await send(w.depositRaw);
      await backend.mine(1, addr(depScript));
      await send(completePegInConfirm(g, p, depositorSecret));
      await send(completeKickOff(g, operatorSecret));
      await backend.mine(1, addr(depScript));
      const sig = operatorChallengeSignature(g, operatorSecret);
      const watched = [{ input: game.input, challengeSig: sig, presigned: p }];
      const watchtower = (store: FlowStore) =>
        new Watchtower({
          store,
          l1: backend,
          ledger: { provenPayouts: () => Promise.resolve([]) },
          graphs: () => Promise.resolve(watched),
          secret: watcherSecret,
          mineTo: addr(depScript),
          log: () => undefined,
        });
      // The watchtower challenges the uncovered KickOff; the cheating operator asserts a false amount.
      let store = await FlowStore.open(path.join(dir, "watchtower"));
      await watchtower(store).tick();
      expect((await watchtower(store).record(g.kickOff.txid))?.step).to.equal("challenged");
      await store.close();
      await send(
        completeAssert(
          g,
          operatorSecret,
          game.commit([flipped(game.fields[0].expected), game.fields[1].expected]),
        ),
      );
      await backend.mine(1, addr(depScript));
      const assertHeight = (await backend.getTxStatus(g.assert.txid))!.blockHeight!;
      writeFileSync(
        path.join(dir, "graphs.json"),
        encodeRecord([
          {
            input: graphInputToJson(w.input),
            sig,
            secret: watcherSecret,
            mineTo: addr(depScript),
            programSeed,
            presigned: presignaturesToJson(p),
          },
        ]),
      );
      await backend.close();

      const child = spawn(
        process.execPath,
        ["--import", "tsx", path.join(root, "test/challenger/crash-watchtower.ts"), dir, killAt],
        { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (out += d.toString()));
      const signal = await new Promise<NodeJS.Signals | null>((r) => child.once("exit", (_c, s) => r(s)));
      expect(signal, out).to.equal("SIGKILL");

      backend = await openNode();
      store = await FlowStore.open(path.join(dir, "watchtower"));
      try {
        const wt = watchtower(store);
        const before = (await wt.record(g.kickOff.txid))!;
        expect(before.step).to.equal(left);
        // Nothing confirmed and the killed node's mempool is gone: the Assert output is unspent.
        expect(await backend.getTxOut({ txid: g.assert.txid, vout: 0 }, true)).to.not.equal(undefined);
        // The watchtower stays down for a block, then resumes.
        await backend.mine(1, addr(depScript));
        await wt.tick();
        const after = (await wt.record(g.kickOff.txid))!;
        expect(after.step).to.equal("disproved");
        expect(after.disproveLeaf).to.equal(0);
        if (before.disproveRaw !== undefined) expect(after.disproveTxid).to.equal(before.disproveTxid);
        const d = (await backend.getTransaction(after.disproveTxid!))!;
        expect(d.wtxid()).to.equal(Transaction.decode(after.disproveRaw!).wtxid());
        expect(d.inputs[0]!.prevout).to.deep.equal({ txid: g.assert.txid, vout: 0 });
        expect(d.outputs[0]!.scriptPubKey).to.deep.equal(wtScript);
        const h = (await backend.getTxStatus(after.disproveTxid!))!.blockHeight!;
        expect(h - assertHeight).to.be.lessThan(g.input.params.disproveTimelock);
        // Exactly one: the Assert output is spent, by this Disprove; Take2 is refused after the window.
        expect(await backend.getTxOut({ txid: g.assert.txid, vout: 0 }, true)).to.equal(undefined);
        await backend.mine(g.input.params.disproveTimelock, addr(depScript));
        const t2 = await backend.testMempoolAccept(Transaction.decode(completeTake2(g, p)));
        expect(t2.allowed).to.equal(false);
        await wt.tick();
        expect((await wt.record(g.kickOff.txid))?.disproveTxid).to.equal(after.disproveTxid);
      } finally {
        await store.close();
        await backend.close();
      }
    });
});
