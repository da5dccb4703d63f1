import { schnorr } from "@noble/curves/secp256k1.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { Script } from "@scure/btc-signer/script.js";
import * as bitcoin from "bitcoinjs-lib";
import { expect } from "chai";
import {
  aggregateNonces,
  BridgeError,
  bridgeParams,
  combinePartials,
  spendSighash,
  taprootAddress,
  buildDepositPsbt,
  buildDisprove,
  buildPegInRefund,
  buildPegOutGraph,
  Committee,
  CommitteeSigner,
  completeAssert,
  completeKickOff,
  completePegInConfirm,
  completeTake1,
  completeTake2,
  committeeSpends,
  depositOutput,
  graphFingerprint,
  isConfirmable,
  keyPathOutput,
  NUMS_KEY,
  operatorChallengeSignature,
  PEGIN_TAG_MAGIC,
  PresignatureStore,
  presignGraph,
  runMusig,
  sats,
  txid,
  verifyPresignatures,
  xOnlyKey,
  type BridgeTx,
  type PegOutGraph,
  type Presignatures,
} from "../../ts/bridge/index.js";
import { makeWorld, RECIPIENT, testSecret, type World } from "./fixture.js";
import { checkStandard, executeWithBitcore, p2trScript, txidOf, verifyTaprootTx } from "./independent.js";
import { interpret } from "./interpreter.js";

function expectBridgeError(fn: () => unknown, code: string): BridgeError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(BridgeError);
    expect((e as BridgeError).code).to.equal(code);
    return e as BridgeError;
  }
  throw new Error(`expected BridgeError ${code}`);
}

/** Signed bytes of `tx`, its independent signature/commitment check, and standardness. */
function checkSigned(tx: BridgeTx, raw: Uint8Array): string[] {
  expect(txidOf(raw)).to.equal(tx.txid);
  const log = verifyTaprootTx(raw, tx.prevouts);
  expect(executeWithBitcore(raw, tx.prevouts)).to.deep.equal(tx.prevouts.map(() => "OK"));
  const { weight } = checkStandard(raw);
  expect(weight).to.equal(tx.weight);
  return log;
}

function expectInterpreterAccepts(raw: Uint8Array, tx: BridgeTx): void {
  expect(interpret(raw, tx.prevouts)).to.deep.equal([]);
}

describe("bridge: committee (MuSig2)", () => {
  it("aggregate key does not depend on member order; key-path and leaf signatures verify as BIP340", () => {
    const signers = [0, 1, 2].map(() => CommitteeSigner.random());
    const a = new Committee(signers.map((s) => s.publicKey));
    const b = new Committee([...signers].reverse().map((s) => s.publicKey));
    expect(Buffer.from(a.aggregateKey)).to.deep.equal(Buffer.from(b.aggregateKey));
    // The key-path output key is the BIP86 tweak of the aggregate, as bitcoinjs-lib computes it.
    expect(Buffer.from(keyPathOutput(a.aggregateKey).script)).to.deep.equal(
      Buffer.from(p2trScript(a.aggregateKey, [])),
    );
    const msg = sha256(Uint8Array.from([1, 2, 3]));
    const sigs = runMusig(a, signers, [
      { session: "t/keypath", msg, mode: "keypath" },
      { session: "t/script", msg, mode: "script" },
    ]);
    expect(schnorr.verify(sigs.get("t/keypath") as Uint8Array, msg, a.outputKey)).to.equal(true);
    expect(schnorr.verify(sigs.get("t/script") as Uint8Array, msg, a.aggregateKey)).to.equal(true);
    // …and not the other way round: the tweak matters.
    expect(schnorr.verify(sigs.get("t/keypath") as Uint8Array, msg, a.aggregateKey)).to.equal(false);
  });

  it("a signer never opens a session twice and consumes its nonce on signing", () => {
    const signers = [0, 1].map(() => CommitteeSigner.random());
    const c = new Committee(signers.map((s) => s.publicKey));
    const msg = sha256(Uint8Array.from([9]));
    runMusig(c, signers, [{ session: "s1", msg, mode: "script" }]);
    expect(signers[0].pendingSessions).to.equal(0);
    expectBridgeError(() => signers[0].nonce("s1", c.aggregateKey, msg), "NONCE_REUSE");
    expectBridgeError(
      () => signers[0].sign("never-opened", new Uint8Array(66), c.publicKeys, msg, "script"),
      "NONCE_MISSING",
    );
    expectBridgeError(() => runMusig(c, signers, [{ session: "s1", msg, mode: "script" }]), "NONCE_REUSE");
    // A round that aborts half-way leaves no secret nonce behind with any member.
    signers[1].nonce("s2", c.aggregateKey, msg);
    expectBridgeError(() => runMusig(c, signers, [{ session: "s2", msg, mode: "script" }]), "NONCE_REUSE");
    expect(signers.map((s) => s.pendingSessions)).to.deep.equal([0, 0]);
  });

  it("rejects duplicate members, strangers and missing members", () => {
    const s = CommitteeSigner.random();
    expectBridgeError(() => new Committee([s.publicKey, s.publicKey]), "INVALID_COMMITTEE");
    expectBridgeError(() => new Committee([]), "INVALID_COMMITTEE");
    expectBridgeError(() => new Committee([Uint8Array.from([2, ...new Uint8Array(32)])]), "INVALID_KEY");
    const others = [0, 1].map(() => CommitteeSigner.random());
    const c = new Committee(others.map((o) => o.publicKey));
    expectBridgeError(() => runMusig(c, [others[0], s], []), "UNKNOWN_SIGNER");
    expectBridgeError(() => runMusig(c, [others[0]], []), "INVALID_COMMITTEE");
    expectBridgeError(() => new CommitteeSigner(new Uint8Array(32)), "INVALID_KEY");
  });
});

describe("bridge: peg-in and presigned graph", () => {
  let w: World;
  let g: PegOutGraph;
  let p: Presignatures;

  before(() => {
    w = makeWorld();
    g = buildPegOutGraph(w.input);
    p = presignGraph(w.input, w.depositRaw, w.members);
  });

  it("deposit pays a NUMS-keyed taproot output with the confirm and refund leaves (bitcoinjs-lib agrees)", async () => {
    const out = depositOutput(w.committee, w.input.deposit, w.params);
    expect(Buffer.from(out.internalKey)).to.deep.equal(Buffer.from(NUMS_KEY));
    const expected = p2trScript(NUMS_KEY, [out.leaves.confirm.script, out.leaves.refund.script]);
    expect(Buffer.from(out.script)).to.deep.equal(Buffer.from(expected));
    // The recipient is inside the confirm leaf: another recipient gives another address.
    const other = depositOutput(
      w.committee,
      { ...w.input.deposit, recipient: RECIPIENT.map((b, i) => (i === 19 ? b ^ 1 : b)) as typeof RECIPIENT },
      w.params,
    );
    expect(Buffer.from(other.script)).to.not.deep.equal(Buffer.from(out.script));
    // Its address, as a wallet sees it, decodes to the same script in bitcoinjs-lib.
    for (const [net, params] of [
      ["mainnet", bitcoin.networks.bitcoin],
      ["regtest", bitcoin.networks.regtest],
    ] as const) {
      const addr = taprootAddress(out, net);
      expect(Buffer.from(bitcoin.address.toOutputScript(addr, params))).to.deep.equal(
        Buffer.from(out.script),
      );
    }
    expect(taprootAddress(out, "regtest")).to.match(/^bcrt1p/);
    // The wallet-signed deposit itself is valid.
    verifyTaprootTx(w.depositRaw, [w.depositorFunding]);
    checkStandard(w.depositRaw);
  });

  it("presigns every committee input; the store accepts only a complete, valid set", () => {
    expect(committeeSpends(g).map((s) => `${s.tx}/${s.vin}`)).to.deep.equal([
      "PegInConfirm/0",
      "Take1/0",
      "Take1/1",
      "Take1/3",
      "Take2/0",
      "Take2/1",
      "AssertTimeout/0",
    ]);
    const store = new PresignatureStore();
    expect(store.isConfirmable(g)).to.equal(false);
    store.put(g, p);
    expect(store.isConfirmable(g)).to.equal(true);

    const missing: Presignatures = { ...p, sigs: new Map(p.sigs) };
    missing.sigs.delete("Take2/1");
    expect(isConfirmable(g, missing)).to.equal(false);
    expectBridgeError(() => store.put(g, missing), "MISSING_PRESIGNATURE");

    const bad: Presignatures = { ...p, sigs: new Map(p.sigs) };
    const sig = Uint8Array.from(bad.sigs.get("Take1/0") as Uint8Array);
    sig[10] ^= 1;
    bad.sigs.set("Take1/0", sig);
    expect(isConfirmable(g, bad)).to.equal(false);
    expectBridgeError(() => verifyPresignatures(g, bad), "BAD_SIGNATURE");
    expectBridgeError(
      () => completePegInConfirm(buildPegOutGraph(w.input), bad, w.depositorSecret),
      "NOT_CONFIRMABLE",
    );
  });

  it("PegInConfirm: committee + depositor signatures valid, pays the pool and tags the recipient", async () => {
    const graph = buildPegOutGraph(w.input);
    const raw = completePegInConfirm(graph, p, w.depositorSecret);
    expect(checkSigned(graph.pegInConfirm, raw)).to.deep.equal(["0:leafsig", "0:leafsig", "0:leaf"]);
    expect(Buffer.from(graph.pegInConfirm.output(0).script)).to.deep.equal(
      Buffer.from(p2trScript(w.committee.aggregateKey, [])),
    );
    const tag = graph.pegInConfirm.output(1).script;
    expect(Buffer.from(tag)).to.deep.equal(
      Buffer.from(Script.encode(["RETURN", Uint8Array.from([...PEGIN_TAG_MAGIC, ...RECIPIENT])])),
    );
    expectInterpreterAccepts(raw, graph.pegInConfirm);
  });

  it("happy path: KickOff, then Take1 after the challenge timelock, all signatures valid", async () => {
    const graph = buildPegOutGraph(w.input);
    expectBridgeError(() => completeKickOff(graph, w.depositorSecret), "INVALID_KEY");
    expectBridgeError(() => completePegInConfirm(graph, p, w.operatorSecret), "INVALID_KEY");
    const ko = completeKickOff(graph, w.operatorSecret);
    expect(checkSigned(graph.kickOff, ko)).to.deep.equal(["0:keypath"]);
    const t1 = completeTake1(graph, p, w.operatorSecret);
    const log = checkSigned(graph.take1, t1);
    expect(log).to.include(`1:csv${w.params.challengeTimelock}`);
    // Pool and challenge connector by key path; the stake only through its committee-signed leaf.
    expect(log.filter((l) => l.endsWith("keypath"))).to.deep.equal(["0:keypath", "2:keypath"]);
    expect(log.filter((l) => l.startsWith("3:"))).to.deep.equal(["3:leafsig", "3:leaf"]);
    expect(graph.take1.sequence(1)).to.equal(w.params.challengeTimelock);
    // Take1 reimburses the operator with the whole pool plus its connectors and stake, minus fee.
    const pool = graph.pegInConfirm.output(0).amount;
    expect(graph.take1.output(0).amount + graph.take1.fee).to.equal(
      pool + 2n * w.params.connectorAmount + w.params.operatorStake,
    );
    expectInterpreterAccepts(ko, graph.kickOff);
    expectInterpreterAccepts(t1, graph.take1);
  });

  it("challenge branch: Challenge (crowdfunded), Assert, Take2 after the disprove timelock", async () => {
    const graph = buildPegOutGraph(w.input);
    // Challenge: the operator's SINGLE|ANYONECANPAY presignature stays valid when a challenger adds
    // its own input that pays the challenge fee.
    const opSig = operatorChallengeSignature(graph, w.operatorSecret);
    expect(opSig.length).to.equal(65);
    const chSecret = testSecret("challenger"); // fixed, as the worlds' keys are (fixture.ts says why)
    const chKey = xOnlyKey(schnorr.getPublicKey(chSecret));
    const chOut = keyPathOutput(chKey);
    const ch = graph.challenge;
    ch.addInput({ txid: txid("cc".repeat(32)), vout: 0, amount: sats(50_000), script: chOut.script });
    ch.addOutput(chOut.script, 50_000n + w.params.connectorAmount - w.params.challengeFee - 500n);
    ch.setWitness(0, [opSig]);
    const { taprootTweakPrivKey } = await import("@scure/btc-signer/utils.js");
    ch.setWitness(1, [schnorr.sign(ch.sighash(1), taprootTweakPrivKey(chSecret))]);
    expect(checkSigned(ch, ch.toBytes())).to.deep.equal(["0:keypath", "1:keypath"]);
    expectInterpreterAccepts(ch.toBytes(), ch);

    const as = completeAssert(graph, w.operatorSecret);
    expect(checkSigned(graph.assert, as)).to.deep.equal(["0:leafsig", "0:leaf"]);
    const t2 = completeTake2(graph, p);
    expect(checkSigned(graph.take2, t2)).to.deep.equal([
      "0:keypath",
      `1:csv${w.params.disproveTimelock}`,
      "1:leafsig",
      "1:leaf",
    ]);
    expectInterpreterAccepts(as, graph.assert);
    expectInterpreterAccepts(t2, graph.take2);
  });

  it("Disprove template: spends the Assert output through a disprove leaf of the tree", async () => {
    const secret = Uint8Array.from({ length: 32 }, (_, i) => i);
    const leaf = Script.encode(["SHA256", sha256(secret), "EQUAL"]);
    const w2 = makeWorld({ disproveLeaves: [leaf] });
    const graph = buildPegOutGraph(w2.input);
    expect(Object.keys(graph.connectors.disprove.leaves).sort()).to.deep.equal(["disprove0", "take2"]);
    const reward = keyPathOutput(NUMS_KEY).script;
    const d = buildDisprove(graph, 0, reward, [secret]);
    expect(checkSigned(d, d.toBytes())).to.deep.equal(["0:leaf"]);
    expect(d.output(0).amount + d.output(1).amount + d.fee).to.equal(graph.assert.output(0).amount);
    expectInterpreterAccepts(d.toBytes(), d);
    expectBridgeError(() => buildDisprove(graph, 1, reward, [secret]), "GRAPH_MISMATCH");
  });

  it("every graph transaction is standard under both profiles", () => {
    for (const profile of ["devnet", "mainnet"] as const) {
      const wp = makeWorld({ profile });
      const gp = buildPegOutGraph(wp.input);
      const pp = presignGraph(wp.input, wp.depositRaw, wp.members);
      const raws = [
        completePegInConfirm(gp, pp, wp.depositorSecret),
        completeKickOff(gp, wp.operatorSecret),
        completeTake1(gp, pp, wp.operatorSecret),
        completeAssert(gp, wp.operatorSecret),
        completeTake2(gp, pp),
      ];
      for (const r of raws) expect(checkStandard(r).weight).to.be.below(400_000);
      expect(gp.take1.sequence(1)).to.equal(wp.params.challengeTimelock);
    }
  });

  it("members refuse a graph that differs from the one they derive, and a deposit to the wrong script", () => {
    const proposed = graphFingerprint(g);
    expectBridgeError(
      () => w.members[1].review(w.input, { ...proposed, Take1: txid("00".repeat(32)) }, w.depositRaw),
      "GRAPH_MISMATCH",
    );
    // Same deposit transaction, but announced for a different recipient: its output pays another address.
    const wrong = {
      ...w.input,
      deposit: { ...w.input.deposit, recipient: RECIPIENT.map(() => 7) as typeof RECIPIENT },
    };
    expectBridgeError(() => presignGraph(wrong, w.depositRaw, w.members), "WRONG_DEPOSIT_SCRIPT");
    const wrongAmount = { ...w.input, deposit: { ...w.input.deposit, amount: sats(999_999) } };
    expectBridgeError(() => presignGraph(wrongAmount, w.depositRaw, w.members), "WRONG_DEPOSIT_SCRIPT");
    expectBridgeError(
      () =>
        presignGraph(
          { ...w.input, depositOutpoint: { ...w.input.depositOutpoint, vout: 5 } },
          w.depositRaw,
          w.members,
        ),
      "WRONG_DEPOSIT_SCRIPT",
    );
    // Nothing was signed: no member holds a pending nonce.
    for (const s of w.signers) expect(s.pendingSessions).to.equal(0);
  });

  it("deposit PSBT: change only above dust, and refused when the inputs cannot pay the fee", () => {
    const deposit = w.input.deposit;
    const psbtOutputs = (extra: bigint) => {
      const funding = { ...w.depositorFunding, amount: sats(deposit.amount + extra) };
      const { tx } = buildDepositPsbt({
        committee: w.committee,
        params: w.params,
        deposit,
        inputs: [funding],
        changeScript: funding.script,
      });
      return { outputs: tx.outputCount, fee: tx.fee };
    };
    const withChange = psbtOutputs(50_000n);
    expect(withChange.outputs).to.equal(2);
    expect(withChange.fee).to.be.above(0n).and.below(1_000n);
    // Leftover below the change output's dust limit: no change, the leftover is the fee.
    expect(psbtOutputs(500n)).to.deep.equal({ outputs: 1, fee: 500n });
    expectBridgeError(() => psbtOutputs(50n), "INSUFFICIENT_FUNDS");
  });

  it("presigning protocol: a bad partial signature is caught and its member named", () => {
    const ww = makeWorld();
    const graph = buildPegOutGraph(ww.input);
    const proposal = {
      round: "r1",
      input: ww.input,
      rawDepositTx: ww.depositRaw,
      graph: graphFingerprint(graph),
    };
    // Messages are combined in the committee's (sorted) key order.
    const members = [...ww.members].sort(
      (x, y) => ww.committee.indexOf(x.publicKey) - ww.committee.indexOf(y.publicKey),
    );
    const r1 = members.map((m) => m.round1(proposal));
    const spends = committeeSpends(graph);
    expect(r1.map((m) => m.nonces.length)).to.deep.equal([7, 7, 7]);
    const nonces = spends.map((_, i) => r1.map((m) => m.nonces[i]));
    const aggs = nonces.map((n, i) => aggregateNonces(n, `s${i}`));
    const r2 = members.map((m) => m.round2("r1", aggs));
    const req = { session: "s0", msg: spendSighash(graph, spends[0]), mode: spends[0].mode };
    const partials = r2.map((m) => m.partials[0]);
    const sig = combinePartials(ww.committee, req, aggs[0], nonces[0], partials);
    expect(schnorr.verify(sig, req.msg, ww.committee.verificationKey(req.mode))).to.equal(true);
    const forged = Uint8Array.from(partials[2]);
    forged[31] ^= 1;
    const err = expectBridgeError(
      () => combinePartials(ww.committee, req, aggs[0], nonces[0], [partials[0], partials[1], forged]),
      "BAD_PARTIAL_SIGNATURE",
    );
    expect((err.value as { member: number }).member).to.equal(2);
    // The round is closed for every member: a replay of round 2 is refused.
    expectBridgeError(() => ww.members[0].round2("r1", aggs), "UNKNOWN_ROUND");
  });

  it("presigning protocol: invalid nonces are named; a malformed round 2 closes the round", () => {
    const ww = makeWorld();
    const graph = buildPegOutGraph(ww.input);
    const proposal = {
      round: "r2",
      input: ww.input,
      rawDepositTx: ww.depositRaw,
      graph: graphFingerprint(graph),
    };
    const r1 = ww.members.map((m) => m.round1(proposal));
    const bad = Uint8Array.from(r1[1].nonces[0]);
    bad[0] = 4; // not a compressed point prefix
    const err = expectBridgeError(
      () => aggregateNonces([r1[0].nonces[0], bad, r1[2].nonces[0]], "x"),
      "BAD_NONCE",
    );
    expect((err.value as { member: number }).member).to.equal(1);
    expectBridgeError(() => ww.members[0].round2("r2", []), "BAD_NONCE");
    expectBridgeError(() => ww.members[0].round2("r2", []), "UNKNOWN_ROUND");
    expect(ww.signers[0].pendingSessions).to.equal(0);
    // Reopening the same round id (a coordinator replaying round 1) never yields a second nonce.
    expectBridgeError(() => ww.members[1].round1(proposal), "NONCE_REUSE");
  });

  it("a dust deposit, or one too small to pay the graph's fees, is refused", () => {
    expectBridgeError(() => makeWorld({ amount: 300n }), "INVALID_AMOUNT");
    const small = makeWorld({ amount: 500n });
    expectBridgeError(() => buildPegOutGraph(small.input), "INSUFFICIENT_FUNDS");
  });
});

describe("bridge: refund path", () => {
  it("depositor reclaims through the refund leaf once the CSV is met; rejected before", async () => {
    const w = makeWorld();
    const refund = (sequence?: number) =>
      buildPegInRefund({
        committee: w.committee,
        params: w.params,
        deposit: w.input.deposit,
        depositOutpoint: w.input.depositOutpoint,
        destination: keyPathOutput(w.input.deposit.depositor).script,
        sign: (m) => schnorr.sign(m, w.depositorSecret),
        sequence,
      });
    const ok = refund();
    expect(ok.sequence(0)).to.equal(w.params.refundTimelock);
    expect(checkSigned(ok, ok.toBytes())).to.deep.equal([
      `0:csv${w.params.refundTimelock}`,
      "0:leafsig",
      "0:leaf",
    ]);
    expectInterpreterAccepts(ok.toBytes(), ok);

    const early = refund(w.params.refundTimelock - 1);
    expect(() => verifyTaprootTx(early.toBytes(), early.prevouts)).to.throw(/does not satisfy CSV/);
    expect(executeWithBitcore(early.toBytes(), early.prevouts)).to.deep.equal([
      "SCRIPT_ERR_UNSATISFIED_LOCKTIME",
    ]);
    expect(interpret(early.toBytes(), early.prevouts)).to.deep.equal(["0:UNSATISFIED_LOCKTIME"]);
  });
});

describe("bridge: parameters", () => {
  it("timelocks outside BIP68's 16-bit block range are refused", () => {
    expectBridgeError(() => bridgeParams("devnet", { refundTimelock: 0 as never }), "INVALID_TIMELOCK");
    expectBridgeError(
      () => bridgeParams("mainnet", { challengeTimelock: 70_000 as never }),
      "INVALID_TIMELOCK",
    );
    expectBridgeError(() => bridgeParams("devnet", { feeRate: 0n }), "INVALID_FEE_RATE");
    expect(bridgeParams("mainnet").refundTimelock).to.equal(2016);
    expect(bridgeParams("devnet").challengeTimelock).to.be.below(10);
  });
});
