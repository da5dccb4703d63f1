import { schnorr } from "@noble/curves/secp256k1.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { taprootTweakPrivKey } from "@scure/btc-signer/utils.js";
import { BridgeError } from "./errors.js";
import {
  buildPegOutGraph,
  dustLimit,
  graphTx,
  verifyDepositTx,
  spendSighash,
  type GraphInput,
  type PegOutGraph,
  type SpendSpec,
} from "./graph.js";
import { aggregateNonces, combinePartials, type CommitteeSigner, type SigningRequest } from "./musig.js";
import type { TapOutput } from "./taproot.js";
import { BridgeTx, measureVsize, SIGHASH_SINGLE_ANYONECANPAY, type TxName } from "./tx.js";
import type { Txid, Utxo } from "./types.js";

/** Key of one presignature: `<tx>/<vin>`. */
export type PresigKey = `${TxName}/${number}`;

/** The committee's aggregate presignatures for one deposit's graph. */
export interface Presignatures {
  depositTxid: Txid;
  depositVout: number;
  sigs: Map<PresigKey, Uint8Array>;
}

export function presigKey(s: Pick<SpendSpec, "tx" | "vin">): PresigKey {
  return `${s.tx}/${s.vin}`;
}

/** The inputs the committee must presign before PegInConfirm may be broadcast. */
export function committeeSpends(g: PegOutGraph): SpendSpec[] {
  return g.spends.filter((s) => s.signer === "committee");
}

/** Txids of the graph, in a fixed order: what members compare before they sign anything. */
export function graphFingerprint(g: PegOutGraph): Record<string, Txid> {
  return {
    PegInConfirm: g.pegInConfirm.txid,
    KickOff: g.kickOff.txid,
    Take1: g.take1.txid,
    Challenge: g.challenge.txid,
    Assert: g.assert.txid,
    Take2: g.take2.txid,
    AssertTimeout: g.assertTimeout.txid,
  };
}

/** What the coordinator sends to open presigning of one deposit's graph. */
export interface PresignProposal {
  /** Fresh per attempt: session ids embed it, so a retry never reopens a session. */
  round: string;
  input: GraphInput;
  rawDepositTx: Uint8Array;
  /** Txids of the coordinator's graph; members compare them with their own. */
  graph: Record<string, Txid>;
}

/** Round 1 reply: one public nonce per committee input, in `committeeSpends` order. */
export interface NonceMessage {
  member: Uint8Array;
  round: string;
  nonces: Uint8Array[];
}

/** Round 2 reply: one partial signature per committee input, in the same order. */
export interface PartialMessage {
  member: Uint8Array;
  round: string;
  partials: Uint8Array[];
}

interface OpenRound {
  graph: PegOutGraph;
  requests: SigningRequest[];
}

function requestsFor(graph: PegOutGraph, round: string): SigningRequest[] {
  const dep = `${graph.depositUtxo.txid}:${graph.depositUtxo.vout}`;
  return committeeSpends(graph).map((s) => ({
    session: `${dep}/${round}/${presigKey(s)}`,
    msg: spendSighash(graph, s),
    mode: s.mode,
  }));
}

/**
 * A committee member's side of presigning, as two messages. The member checks the deposit
 * transaction, rebuilds the graph from the deposit's parameters itself and refuses a proposal
 * whose graph differs; in round 2 it signs the sighashes *it* derived, never ones handed to it.
 */
export class CommitteeMember {
  readonly #rounds = new Map<string, OpenRound>();

  constructor(readonly signer: CommitteeSigner) {}

  get publicKey(): Uint8Array {
    return this.signer.publicKey;
  }

  /** Checks a proposal; returns the member's own graph. Throws `WRONG_DEPOSIT_SCRIPT` / `GRAPH_MISMATCH`. */
  review(input: GraphInput, proposed: Record<string, Txid>, rawDepositTx: Uint8Array): PegOutGraph {
    verifyDepositTx(input, rawDepositTx);
    const own = buildPegOutGraph(input);
    for (const [name, txid] of Object.entries(graphFingerprint(own))) {
      if (proposed[name] !== txid) {
        throw new BridgeError(
          "GRAPH_MISMATCH",
          `${name}: coordinator proposed ${proposed[name]}, member derived ${txid}`,
          {
            tx: name,
            proposed: proposed[name],
            derived: txid,
          },
        );
      }
    }
    return own;
  }

  /** Round 1: review, then one fresh nonce per committee input. */
  round1(p: PresignProposal): NonceMessage {
    const graph = this.review(p.input, p.graph, p.rawDepositTx);
    const requests = requestsFor(graph, p.round);
    const agg = p.input.committee.aggregateKey;
    const nonces = requests.map((r) => this.signer.nonce(r.session, agg, r.msg));
    this.#rounds.set(p.round, { graph, requests });
    return { member: this.publicKey, round: p.round, nonces };
  }

  /** Round 2: partial signatures over the member's own sighashes; the round is closed either way. */
  round2(round: string, aggNonces: Uint8Array[]): PartialMessage {
    const open = this.#rounds.get(round);
    if (open === undefined)
      throw new BridgeError("UNKNOWN_ROUND", `no open presigning round ${round}`, round);
    this.#rounds.delete(round);
    const keys = open.graph.input.committee.publicKeys;
    if (aggNonces.length !== open.requests.length) {
      this.abort(round, open.requests);
      throw new BridgeError(
        "BAD_NONCE",
        `expected ${open.requests.length} aggregate nonces, got ${aggNonces.length}`,
        round,
      );
    }
    try {
      const partials = open.requests.map((r, i) =>
        this.signer.sign(r.session, aggNonces[i], keys, r.msg, r.mode),
      );
      return { member: this.publicKey, round, partials };
    } catch (e) {
      this.abort(round, open.requests);
      if (e instanceof BridgeError) throw e;
      throw new BridgeError("BAD_NONCE", `cannot sign round ${round}: ${(e as Error).message}`, round);
    }
  }

  /** Forgets a round (coordinator gave up): its secret nonces are dropped, its sessions stay burned. */
  abort(round: string, requests: SigningRequest[] = this.#rounds.get(round)?.requests ?? []): void {
    this.#rounds.delete(round);
    for (const r of requests) this.signer.abandon(r.session);
  }
}

/**
 * The coordinator of the in-process presigning protocol for one deposit: proposal → round 1
 * (every member reviews and sends nonces) → aggregate nonces → round 2 (partial signatures) →
 * verify each partial, aggregate, verify each final signature. Nothing is returned unless the
 * whole graph is presigned.
 */
export function presignGraph(
  input: GraphInput,
  rawDepositTx: Uint8Array,
  members: CommitteeMember[],
): Presignatures {
  const committee = input.committee;
  if (members.length !== committee.size) {
    throw new BridgeError(
      "INVALID_COMMITTEE",
      `need all ${committee.size} members, got ${members.length}`,
      members.length,
    );
  }
  const ordered = new Array<CommitteeMember>(committee.size);
  for (const m of members) {
    const i = committee.indexOf(m.publicKey);
    if (i < 0)
      throw new BridgeError(
        "UNKNOWN_SIGNER",
        "not a committee member",
        Buffer.from(m.publicKey).toString("hex"),
      );
    ordered[i] = m;
  }
  const graph = buildPegOutGraph(input);
  const proposal: PresignProposal = {
    round: Buffer.from(randomBytes(16)).toString("hex"),
    input,
    rawDepositTx,
    graph: graphFingerprint(graph),
  };
  const requests = requestsFor(graph, proposal.round);
  try {
    const r1 = ordered.map((m) => m.round1(proposal));
    const nonces = requests.map((_, i) => r1.map((msg) => msg.nonces[i]));
    const aggNonces = requests.map((r, i) => aggregateNonces(nonces[i], r.session));
    const r2 = ordered.map((m) => m.round2(proposal.round, aggNonces));
    const sigs = new Map<PresigKey, Uint8Array>();
    committeeSpends(graph).forEach((s, i) => {
      const partials = r2.map((msg) => msg.partials[i]);
      sigs.set(presigKey(s), combinePartials(committee, requests[i], aggNonces[i], nonces[i], partials));
    });
    return { depositTxid: input.depositOutpoint.txid, depositVout: input.depositOutpoint.vout, sigs };
  } catch (e) {
    for (const m of ordered) m.abort(proposal.round, requests);
    throw e;
  }
}

/** Throws unless every committee input of the graph has a presignature that verifies. */
export function verifyPresignatures(g: PegOutGraph, p: Presignatures): void {
  if (p.depositTxid !== g.depositUtxo.txid || p.depositVout !== g.depositUtxo.vout) {
    throw new BridgeError(
      "GRAPH_MISMATCH",
      "presignatures belong to another deposit",
      `${p.depositTxid}:${p.depositVout}`,
    );
  }
  for (const s of committeeSpends(g)) {
    const sig = p.sigs.get(presigKey(s));
    if (sig === undefined)
      throw new BridgeError("MISSING_PRESIGNATURE", `no presignature for ${presigKey(s)}`, presigKey(s));
    const key = g.input.committee.verificationKey(s.mode);
    if (sig.length !== 64 || !schnorr.verify(sig, spendSighash(g, s), key)) {
      throw new BridgeError(
        "BAD_SIGNATURE",
        `presignature for ${presigKey(s)} does not verify`,
        presigKey(s),
      );
    }
  }
}

/** A deposit is confirmable only once the whole graph is presigned and every signature verifies. */
export function isConfirmable(g: PegOutGraph, p: Presignatures | undefined): boolean {
  if (p === undefined) return false;
  try {
    verifyPresignatures(g, p);
    return true;
  } catch (e) {
    if (e instanceof BridgeError) return false;
    throw e;
  }
}

/** Per-deposit store of presignatures; refuses to store a set that does not verify. */
export class PresignatureStore {
  readonly #byDeposit = new Map<string, Presignatures>();

  put(g: PegOutGraph, p: Presignatures): void {
    verifyPresignatures(g, p);
    this.#byDeposit.set(depositKey(p.depositTxid, p.depositVout), p);
  }

  get(depositTxid: Txid, vout: number): Presignatures | undefined {
    return this.#byDeposit.get(depositKey(depositTxid, vout));
  }

  isConfirmable(g: PegOutGraph): boolean {
    return isConfirmable(g, this.get(g.depositUtxo.txid, g.depositUtxo.vout));
  }
}

function depositKey(txid: Txid, vout: number): string {
  return `${txid}:${vout}`;
}

/**
 * Signs one input with a single key (depositor or operator; for key-path inputs the caller passes
 * the tweaked secret). The signature is checked against the key the input actually requires, so a
 * wrong secret is an `INVALID_KEY` error here rather than an invalid transaction later.
 */
export function signSpend(g: PegOutGraph, s: SpendSpec, secretKey: Uint8Array): Uint8Array {
  const msg = spendSighash(g, s);
  let sig: Uint8Array;
  try {
    sig = schnorr.sign(msg, secretKey, randomBytes(32));
  } catch {
    throw new BridgeError("INVALID_KEY", "not a valid secp256k1 secret key", s.tx);
  }
  if (!schnorr.verify(sig, msg, requiredKey(g, s))) {
    throw new BridgeError(
      "INVALID_KEY",
      `secret key does not match the key ${s.tx}/${s.vin} requires`,
      `${s.tx}/${s.vin}`,
    );
  }
  return s.hashType === 0 ? sig : Uint8Array.from([...sig, s.hashType]);
}

function requiredKey(g: PegOutGraph, s: SpendSpec): Uint8Array {
  if (s.mode === "keypath") return graphTx(g, s.tx).prevouts[s.vin].script.subarray(2, 34);
  return s.signer === "depositor" ? g.input.deposit.depositor : g.input.operator.key;
}

function spendOf(g: PegOutGraph, tx: TxName, vin: number, signer: SpendSpec["signer"]): SpendSpec {
  const s = g.spends.find((x) => x.tx === tx && x.vin === vin && x.signer === signer);
  if (s === undefined)
    throw new BridgeError("GRAPH_MISMATCH", `${tx}/${vin} has no ${signer} signature`, `${tx}/${vin}`);
  return s;
}

function presig(p: Presignatures, tx: TxName, vin: number): Uint8Array {
  const sig = p.sigs.get(`${tx}/${vin}`);
  if (sig === undefined)
    throw new BridgeError("MISSING_PRESIGNATURE", `no presignature for ${tx}/${vin}`, `${tx}/${vin}`);
  return sig;
}

/**
 * PegInConfirm, completed by the depositor: it adds its signature only after checking that the
 * graph is fully presigned, so its coins never reach the pool without a way out for the operator.
 */
export function completePegInConfirm(
  g: PegOutGraph,
  p: Presignatures,
  depositorSecret: Uint8Array,
): Uint8Array {
  if (!isConfirmable(g, p))
    throw new BridgeError("NOT_CONFIRMABLE", "graph is not fully presigned", g.depositUtxo.txid);
  const leaf = g.depositOutput.leaves.confirm;
  const depSig = signSpend(g, spendOf(g, "PegInConfirm", 0, "depositor"), depositorSecret);
  // Script order: the committee signature is checked first (top of stack), the depositor's second.
  g.pegInConfirm.setWitness(0, [depSig, presig(p, "PegInConfirm", 0), leaf.script, leaf.controlBlock]);
  return g.pegInConfirm.toBytes();
}

/** KickOff, signed by the operator from its funding UTXO. */
export function completeKickOff(g: PegOutGraph, operatorSecret: Uint8Array): Uint8Array {
  g.kickOff.setWitness(0, [
    signSpend(g, spendOf(g, "KickOff", 0, "operator"), tweakedSecret(operatorSecret)),
  ]);
  return g.kickOff.toBytes();
}

/**
 * Take1: committee presignatures on the pool, the timelock connector and the stake (the assert
 * connector's `take1` leaf), the operator on the challenge connector.
 */
export function completeTake1(g: PegOutGraph, p: Presignatures, operatorSecret: Uint8Array): Uint8Array {
  const leaf = g.connectors.timelock.leaves.take1;
  const op = tweakedSecret(operatorSecret);
  g.take1.setWitness(0, [presig(p, "Take1", 0)]);
  g.take1.setWitness(1, [presig(p, "Take1", 1), leaf.script, leaf.controlBlock]);
  g.take1.setWitness(2, [signSpend(g, spendOf(g, "Take1", 2, "operator"), op)]);
  const stakeLeaf = g.connectors.assert.leaves.take1;
  g.take1.setWitness(3, [presig(p, "Take1", 3), stakeLeaf.script, stakeLeaf.controlBlock]);
  return g.take1.toBytes();
}

/** The operator's SINGLE|ANYONECANPAY presignature that lets anyone fund a Challenge. */
export function operatorChallengeSignature(g: PegOutGraph, operatorSecret: Uint8Array): Uint8Array {
  return signSpend(g, spendOf(g, "Challenge", 0, "operator"), tweakedSecret(operatorSecret));
}

/**
 * Assert, signed by the operator through the assert leaf, carrying its `commitment` to the
 * program's values (e.g. `ClaimProgram.commit`; empty without a program).
 */
export function completeAssert(
  g: PegOutGraph,
  operatorSecret: Uint8Array,
  commitment: readonly Uint8Array[] = [],
): Uint8Array {
  const leaf = g.connectors.assert.leaves.assert;
  g.assert.setWitness(0, [
    signSpend(g, spendOf(g, "Assert", 0, "operator"), operatorSecret),
    ...commitment,
    leaf.script,
    leaf.controlBlock,
  ]);
  return g.assert.toBytes();
}

/** Take2: both inputs carry committee presignatures; anyone holding them may broadcast. */
export function completeTake2(g: PegOutGraph, p: Presignatures): Uint8Array {
  const leaf = g.connectors.disprove.leaves.take2;
  g.take2.setWitness(0, [presig(p, "Take2", 0)]);
  g.take2.setWitness(1, [presig(p, "Take2", 1), leaf.script, leaf.controlBlock]);
  return g.take2.toBytes();
}

/**
 * AssertTimeout, completed by whoever broadcasts it (the challenger): the committee's
 * SINGLE|ANYONECANPAY presignature fixes input 0 (the stake, through the timeout leaf) and output 0
 * (the burn); the broadcaster adds output 1 paying itself the rest less the fee. Valid only once
 * `assertTimelock` blocks have passed since KickOff and while the stake is unspent, i.e. the
 * operator neither took Take1 nor asserted: no reimbursement is possible afterwards.
 */
export function completeAssertTimeout(g: PegOutGraph, p: Presignatures, rewardScript: Uint8Array): BridgeTx {
  const sig = presig(p, "AssertTimeout", 0);
  const spec = spendOf(g, "AssertTimeout", 0, "committee");
  const leaf = g.connectors.assert.leaves.timeout;
  const stake = g.assertTimeout.prevouts[0];
  const burn = g.assertTimeout.output(0);
  const make = (fee: bigint): BridgeTx => {
    const t = new BridgeTx("AssertTimeout");
    t.addInput(stake, g.assertTimeout.sequence(0));
    t.addOutput(burn.script, burn.amount);
    const reward = stake.amount - burn.amount - fee;
    if (reward < dustLimit(rewardScript))
      throw new BridgeError("INSUFFICIENT_FUNDS", `AssertTimeout reward ${reward} sats is dust`, reward);
    t.addOutput(rewardScript, reward);
    return t;
  };
  const tx = make(
    BigInt(measureVsize(make(0n), [[65, leaf.script.length, leaf.controlBlock.length]])) *
      g.input.params.feeRate,
  );
  const msg = tx.sighash(0, leaf, SIGHASH_SINGLE_ANYONECANPAY);
  if (sig.length !== 64 || !schnorr.verify(sig, msg, g.input.committee.verificationKey(spec.mode)))
    throw new BridgeError("BAD_SIGNATURE", "AssertTimeout presignature does not verify", g.kickOff.txid);
  tx.setWitness(0, [Uint8Array.from([...sig, SIGHASH_SINGLE_ANYONECANPAY]), leaf.script, leaf.controlBlock]);
  return tx;
}

/** Secret key for a key-path spend of `output` (BIP341 tweak; BIP86 when there is no tree). */
export function tweakedSecret(secret: Uint8Array, output?: TapOutput<string>): Uint8Array {
  return taprootTweakPrivKey(secret, output?.merkleRoot ?? new Uint8Array(0));
}

/** Names of the transactions in presigning order (for status displays). */
export const GRAPH_TXS: readonly TxName[] = [
  "PegInConfirm",
  "KickOff",
  "Take1",
  "Challenge",
  "Assert",
  "Take2",
  "AssertTimeout",
];

/**
 * A funded Challenge: the operator's SINGLE|ANYONECANPAY signature covers only KickOff:1 and the
 * challenge-fee output, so any challenger adds its own coin (and change) and signs last. The
 * challenger's coin must be a BIP86 key-path output of `challengerSecret`.
 */
export function fundChallenge(
  g: PegOutGraph,
  operatorSig: Uint8Array,
  coin: Utxo,
  challengerSecret: Uint8Array,
  changeScript: Uint8Array,
): BridgeTx {
  const conn = g.kickOff.utxo(1);
  const fee0 = g.input.params.challengeFee;
  const make = (fee: bigint): BridgeTx => {
    const t = new BridgeTx("Challenge");
    t.addInput(conn);
    t.addInput(coin);
    t.addOutput(g.challenge.output(0).script, fee0);
    const change = coin.amount + conn.amount - fee0 - fee;
    if (change < 330n)
      throw new BridgeError("INSUFFICIENT_FUNDS", `challenger coin leaves ${change} sats of change`, change);
    t.addOutput(changeScript, change);
    return t;
  };
  const tx = make(BigInt(measureVsize(make(0n), [[65], [64]])) * g.input.params.feeRate);
  const opKey = conn.script.subarray(2, 34);
  if (
    operatorSig.length !== 65 ||
    operatorSig[64] !== SIGHASH_SINGLE_ANYONECANPAY ||
    !schnorr.verify(operatorSig.subarray(0, 64), tx.sighash(0, undefined, SIGHASH_SINGLE_ANYONECANPAY), opKey)
  )
    throw new BridgeError(
      "BAD_SIGNATURE",
      "operator's Challenge presignature does not verify",
      g.kickOff.txid,
    );
  tx.setWitness(0, [operatorSig]);
  const own = schnorr.sign(tx.sighash(1), tweakedSecret(challengerSecret), randomBytes(32));
  tx.setWitness(1, [own]);
  return tx;
}
