import { schnorr } from "@noble/curves/secp256k1.js";
import * as bitcoin from "bitcoinjs-lib";
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as ecc from "tiny-secp256k1";
import { Transaction } from "../../ts/bitcoin/index.js";
import {
  buildDisprove,
  buildPegOutGraph,
  ClaimProgram,
  BridgeError,
  broadcastOnce,
  BridgeTx,
  completeAssert,
  completeAssertTimeout,
  completeKickOff,
  completePegInConfirm,
  completeTake1,
  completeTake2,
  fundChallenge,
  keyPathOutput,
  leafSucceeds,
  operatorChallengeSignature,
  presignGraph,
  sats,
  tweakedSecret,
  txid,
  xOnlyKey,
  type ClaimField,
  type Txid,
  type Utxo,
} from "../../ts/bridge/index.js";
import { BtcNode, EmbeddedBackend, type BitcoinBackend } from "../../ts/btcnode/index.js";
import { makeWorld, testSecret } from "../bridge/fixture.js";

// The challenge branch on our regtest node (its policy and our interpreter judge every input):
// KickOff → Challenge (crowdfunded) → Assert with Winternitz commitments → Take2 after the
// disprove window, or Disprove through the leaf the false assertion contradicts.

bitcoin.initEccLib(ecc);

const u64 = (v: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v);
  return b;
};

describe("challenger: the claim program's leaves on our interpreter", () => {
  const fields: ClaimField[] = [
    { name: "reimbursed", bytes: 8, expected: u64(49_999_594n) },
    { name: "pegIn", bytes: 32, expected: Uint8Array.from({ length: 32 }, (_, i) => i) },
  ];
  const { program, secrets } = ClaimProgram.fromSeed(testSecret("claim-program"), fields);
  const honest = ClaimProgram.commit(secrets, [fields[0].expected, fields[1].expected]);

  it("an honest commitment disproves nothing; every leaf fails on it", () => {
    expect(program.findDisproof(honest)).to.equal(undefined);
    expect(leafSucceeds(program.disproveLeaves[0], honest.slice(0, 36))).to.equal(false);
  });

  it("a false field is disproved by its own leaf, and only by it", () => {
    const lie = ClaimProgram.commit(secrets, [u64(49_999_595n), fields[1].expected]);
    const d = program.findDisproof(lie);
    expect(d?.index).to.equal(0);
    expect(leafSucceeds(program.disproveLeaves[0], d!.witness)).to.equal(true);
    const lie2 = fields[1].expected.slice();
    lie2[31] ^= 1;
    expect(program.findDisproof(ClaimProgram.commit(secrets, [fields[0].expected, lie2]))?.index).to.equal(1);
  });

  it("a forged Winternitz signature makes the disprove leaf fail", () => {
    const lie = ClaimProgram.commit(secrets, [u64(1n), fields[1].expected]);
    for (const at of [0, 1, 17, 34]) {
      const forged = lie.slice(0, 36).map((x) => x.slice());
      if (forged[at].length === 0) forged[at] = Uint8Array.of(1);
      else forged[at][0] ^= 1;
      expect(leafSucceeds(program.disproveLeaves[0], forged), `element ${at}`).to.equal(false);
    }
    expect(() => program.findDisproof(lie.slice(1))).to.throw(/elements/);
  });
});

describe("challenger: Challenge → Assert → Take2 | Disprove on the embedded regtest node", function () {
  this.timeout(120_000);
  let backend: BitcoinBackend;
  let dir: string;
  const depositorSecret = testSecret("chal/depositor");
  const operatorSecret = testSecret("chal/operator");
  const challengerSecret = testSecret("chal/challenger");
  const script = (s: Uint8Array) => keyPathOutput(xOnlyKey(schnorr.getPublicKey(s))).script;
  const [depScript, opScript, chScript] = [depositorSecret, operatorSecret, challengerSecret].map(script);
  const addr = (s: Uint8Array) => bitcoin.address.fromOutputScript(s, bitcoin.networks.regtest);

  before(async function () {
    dir = mkdtempSync(path.join(os.tmpdir(), "challenge-node-"));
    backend = new EmbeddedBackend(await BtcNode.open({ datadir: dir, sync: false }), true);
    await backend.mine(8, addr(opScript));
    await backend.mine(8, addr(chScript));
    await backend.mine(101, addr(depScript));
  });
  after(async () => {
    if (backend !== undefined) await backend.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  async function coin(s: Uint8Array, index: number): Promise<Utxo> {
    const all = (await backend.scanUtxos(s)).filter((u) => u.coinbase).sort((a, b) => a.height - b.height);
    const u = all[index];
    return {
      txid: txid(u.outpoint.txid),
      vout: u.outpoint.vout,
      amount: sats(u.value),
      script: u.scriptPubKey,
    };
  }
  const send = (raw: Uint8Array) => backend.sendTransaction(Transaction.decode(raw));
  const mine = (n: number) => backend.mine(n, addr(depScript));
  const depth = async (id: Txid) => (await backend.getTxStatus(id))?.confirmations ?? -1;
  async function refused(raw: Uint8Array): Promise<string> {
    try {
      await send(raw);
    } catch (e) {
      return (e as Error).message;
    }
    return "accepted";
  }

  /** Every input standard and valid per our node's testmempoolaccept (≤ 400,000 WU is policy). */
  async function standard(raw: Uint8Array): Promise<void> {
    const r = await backend.testMempoolAccept(Transaction.decode(raw));
    expect(r.allowed, r.rejectReason).to.equal(true);
  }

  /** A peg-in whose graph's Assert commits to (reimbursed sats = pool amount, PegInConfirm txid). */
  async function kickedOff(i: number) {
    const base = makeWorld({
      depositorSecret,
      operatorSecret,
      fundingUtxo: await coin(depScript, 0),
      operatorFunding: await coin(opScript, 0),
    });
    const plain = buildPegOutGraph(base.input);
    const fields: ClaimField[] = [
      { name: "reimbursed", bytes: 8, expected: u64(plain.pegInConfirm.output(0).amount) },
      { name: "pegIn", bytes: 32, expected: Buffer.from(plain.pegInConfirm.txid, "hex") },
    ];
    const { program, secrets } = ClaimProgram.fromSeed(testSecret(`chal/wots/${i}`), fields);
    const input = { ...base.input, program };
    const g = buildPegOutGraph(input);
    const p = presignGraph(input, base.depositRaw, base.members);
    await send(base.depositRaw);
    await mine(1);
    const confirm = completePegInConfirm(g, p, depositorSecret);
    await standard(confirm);
    await send(confirm);
    const kickOff = completeKickOff(g, operatorSecret);
    await standard(kickOff);
    await send(kickOff);
    await mine(1);
    return { g, p, fields, program, secrets, base };
  }

  async function challengedGame(i: number) {
    const { g, p, fields, program, secrets, base } = await kickedOff(i);
    // Anyone funds the Challenge with the operator's SINGLE|ANYONECANPAY presignature.
    const opSig = operatorChallengeSignature(g, operatorSecret);
    const challenge = fundChallenge(g, opSig, await coin(chScript, 0), challengerSecret, chScript);
    await standard(challenge.toBytes());
    expect(await send(challenge.toBytes())).to.equal(challenge.txid);
    await mine(1);
    expect(await depth(challenge.txid)).to.equal(1);
    // Take1 now needs a spent connector: it can never confirm.
    await mine(base.params.challengeTimelock);
    expect(await refused(completeTake1(g, p, operatorSecret))).to.match(/missing|spent|conflict/i);
    return { g, p, fields, program, secrets };
  }

  it("honest operator challenged → Assert → no leaf disproves → Take2 after the window", async () => {
    const { g, p, fields, program, secrets } = await challengedGame(0);
    const commitment = ClaimProgram.commit(
      secrets,
      fields.map((f) => f.expected),
    );
    await standard(completeAssert(g, operatorSecret, commitment));
    expect(await send(completeAssert(g, operatorSecret, commitment))).to.equal(g.assert.txid);
    await mine(1);
    expect(program.findDisproof(g.assert.witness(0).slice(1, -2))).to.equal(undefined);
    const take2 = completeTake2(g, p);
    expect(await refused(take2)).to.match(/non-BIP68-final/);
    await mine(g.input.params.disproveTimelock - 1);
    await standard(take2);
    expect(await send(take2)).to.equal(g.take2.txid);
    await mine(1);
    expect((await backend.getTxOut({ txid: g.take2.txid, vout: 0 }))?.value).to.equal(
      g.take2.output(0).amount,
    );
  });

  it("operator asserts a false amount → Disprove through that leaf slashes it → Take2 impossible", async () => {
    const { g, p, fields, program, secrets } = await challengedGame(1);
    const lie = [u64(g.pegInConfirm.output(0).amount + 1n), fields[1].expected];
    // A forged commitment is refused by the Assert leaf itself.
    const forged = ClaimProgram.commit(secrets, lie).map((x) => x.slice());
    forged[0] = forged[0].length === 0 ? Uint8Array.of(1) : Uint8Array.of(forged[0][0] ^ 1);
    expect(await refused(completeAssert(buildPegOutGraph(g.input), operatorSecret, forged))).to.not.equal(
      "accepted",
    );
    await send(completeAssert(g, operatorSecret, ClaimProgram.commit(secrets, lie)));
    await mine(1);
    const d = program.findDisproof(g.assert.witness(0).slice(1, -2));
    expect(d?.index).to.equal(0);
    const disprove = buildDisprove(g, d!.index, chScript, d!.witness);
    await standard(disprove.toBytes());
    expect(await send(disprove.toBytes())).to.equal(disprove.txid);
    await mine(1);
    expect(await depth(disprove.txid)).to.equal(1);
    const stake = g.assert.output(0).amount;
    expect(disprove.output(0).amount + disprove.output(1).amount + disprove.fee).to.equal(stake);
    expect(disprove.output(1).script[0]).to.equal(0x6a); // the burned part
    await mine(g.input.params.disproveTimelock);
    expect(await refused(completeTake2(g, p))).to.match(/missing|spent|conflict/i);
  });

  it("challenged operator never asserts → AssertTimeout: stake to the challenger, half burned, no reimbursement", async () => {
    const { g, p, fields, secrets } = await challengedGame(2);
    const params = g.input.params;
    const timeout = completeAssertTimeout(g, p, chScript);
    // KickOff is challengeTimelock + 2 deep: the CSV of the timeout leaf is not yet satisfied.
    expect(await refused(timeout.toBytes())).to.match(/non-BIP68-final/);
    await mine(params.assertTimelock - params.challengeTimelock - 2);
    await standard(timeout.toBytes());
    expect(await send(timeout.toBytes())).to.equal(timeout.txid);
    await mine(1);
    expect(await depth(timeout.txid)).to.equal(1);
    const stake = g.kickOff.output(2).amount;
    expect(timeout.output(0).script[0]).to.equal(0x6a);
    expect(timeout.output(0).amount).to.equal(stake / 2n);
    expect(timeout.output(1).amount + timeout.output(0).amount + timeout.fee).to.equal(stake);
    expect((await backend.getTxOut({ txid: timeout.txid, vout: 1 }))?.value).to.equal(
      timeout.output(1).amount,
    );
    // The operator can no longer assert, so neither Take2 nor Take1 can ever pay it.
    const late = completeAssert(
      g,
      operatorSecret,
      ClaimProgram.commit(
        secrets,
        fields.map((f) => f.expected),
      ),
    );
    expect(await refused(late)).to.match(/missing|spent|conflict/i);
    const e = await broadcastOnce(backend, late).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).to.be.instanceOf(BridgeError);
    expect((e as BridgeError).code).to.equal("CONFLICTED");
    expect(await refused(completeTake1(g, p, operatorSecret))).to.match(/missing|spent|conflict/i);
  });

  it("stalled operator (KickOff, then neither Take1 nor Assert) → the same timeout slashes it", async () => {
    const { g, p } = await kickedOff(3);
    const params = g.input.params;
    const take1 = completeTake1(g, p, operatorSecret);
    const timeout = completeAssertTimeout(g, p, chScript);
    await mine(params.challengeTimelock - 1);
    // Take1 is possible from here on; the operator does not broadcast it.
    await standard(take1);
    expect(await refused(timeout.toBytes())).to.match(/non-BIP68-final/);
    await mine(params.assertTimelock - params.challengeTimelock);
    await standard(timeout.toBytes());
    expect(await send(timeout.toBytes())).to.equal(timeout.txid);
    await mine(1);
    expect(await depth(timeout.txid)).to.equal(1);
    expect(await refused(take1)).to.match(/missing|spent|conflict/i);
  });

  it("a challenged operator cannot sweep its stake by key path: only the committee's presigned Take1 can", async () => {
    const { g } = await challengedGame(5);
    // The stake output's key path is the committee's aggregate key: the operator's tweaked key fails.
    const stake = g.kickOff.utxo(2);
    const sweep = new BridgeTx("Sweep");
    sweep.addInput(stake);
    sweep.addOutput(opScript, stake.amount - 1_000n);
    const sig = schnorr.sign(sweep.sighash(0), tweakedSecret(operatorSecret, g.connectors.assert));
    sweep.setWitness(0, [sig]);
    expect(await refused(sweep.toBytes())).to.match(/signature|script|verify/i);
    expect(await backend.getTxOut({ txid: g.kickOff.txid, vout: 2 }, true)).to.not.equal(undefined);
  });

  it("bad input: wrong AssertTimeout presignature, Assert with a wrong signature, Challenge of a spent connector", async () => {
    const { g, p, fields, secrets } = await kickedOff(4);
    const bad = new Map(p.sigs);
    const sig = bad.get("AssertTimeout/0")!.slice();
    sig[5] ^= 1;
    bad.set("AssertTimeout/0", sig);
    expect(() => completeAssertTimeout(g, { ...p, sigs: bad }, chScript))
      .to.throw(BridgeError)
      .with.property("code", "BAD_SIGNATURE");
    // Assert signed with another key: a typed error before anything is built.
    expect(() => completeAssert(buildPegOutGraph(g.input), depositorSecret))
      .to.throw(BridgeError)
      .with.property("code", "INVALID_KEY");
    // Assert with a corrupted signature, or without the commitment: refused by the node, nothing spent.
    const g2 = buildPegOutGraph(g.input);
    completeAssert(
      g2,
      operatorSecret,
      ClaimProgram.commit(
        secrets,
        fields.map((f) => f.expected),
      ),
    );
    const w = g2.assert.witness(0).map((x) => x.slice());
    w[0][7] ^= 1;
    g2.assert.setWitness(0, w);
    expect(await refused(g2.assert.toBytes())).to.not.equal("accepted");
    expect(await refused(completeAssert(buildPegOutGraph(g.input), operatorSecret))).to.not.equal("accepted");
    expect(await backend.getTxOut({ txid: g.kickOff.txid, vout: 2 }, true)).to.not.equal(undefined);
    // A malformed KickOff never reaches the chain.
    const raw = completeKickOff(buildPegOutGraph(g.input), operatorSecret).slice(0, 40);
    expect(await refused(raw)).to.not.equal("accepted");
    // Challenge once; a second Challenge of the now spent connector is CONFLICTED, state unchanged.
    const opSig = operatorChallengeSignature(g, operatorSecret);
    const c1 = fundChallenge(g, opSig, await coin(chScript, 0), challengerSecret, chScript);
    await send(c1.toBytes());
    await mine(1);
    const c2 = fundChallenge(g, opSig, await coin(chScript, 0), challengerSecret, chScript);
    const e = await broadcastOnce(backend, c2.toBytes()).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect((e as BridgeError).code).to.equal("CONFLICTED");
    expect(await depth(c1.txid)).to.equal(1);
    expect(await depth(c2.txid)).to.equal(-1);
  });
});
