/**
 * The operator as a durable state machine: it follows the L2 bridge's withdrawals, pays each on
 * Bitcoin from its own coins, proves the payout on the L2, and claims its reimbursement from the
 * pool with a presigned graph (KickOff → challenge window → Take1). Runnable against any
 * `BitcoinBackend` and any L2 JSON-RPC; on regtest it mines the blocks it waits for.
 *
 * Each withdrawal (by id) and each claim (by PegInConfirm txid) is one record in the operator's
 * database, written before the effect it leads to:
 *
 *   withdrawal:  seen ──► signed ──► paid ──► proven        (or foreign: another operator paid it)
 *                 (payout tx kept     (at depth)  (L2 payouts(id) says us)
 *                  before broadcast)
 *   claim:       claiming ──► kickedOff ──► reimbursed                     (Take1)
 *                (covers its payouts,  (challenge window
 *                 written atomically)   passed)
 *                   └──────┬──────┘ KickOff's challenge connector spent by a Challenge
 *                          ▼
 *                      challenged ──► asserting ──► asserted ──► reimbursed   (Take2)
 *                          │          (signed Assert   │  (disprove window passed, Assert unspent)
 *                          │           kept before     └─► slashed            (Disprove)
 *                          └─► slashed  broadcast)
 *                             (AssertTimeout took the stake first)
 *
 * A withdrawal is paid at most once: its payout transaction is recorded before it is sent, and a
 * restart re-sends that same transaction (never a second one) unless it provably can never
 * confirm (an input spent by another transaction, the L2 showing no payout). A payout is claimed
 * exactly once: a claim record names the payouts it covers, written in the same batch that marks
 * them covered.
 *
 * Reimbursement rule (docs/bridge.md, "Any amount"): the operator may claim a peg-in whose pool
 * output is `p` sats only while its proven, not yet reimbursed payouts total at least `p`
 * (what it fronted above `p` carries to its next claim), and it pays a withdrawal only while
 * everything it has fronted stays within the pool it can still claim. So BTC taken from the pool
 * never exceeds BTC paid to withdrawals, and the bridge invariant holds at every block.
 */
import { schnorr } from "@noble/curves/secp256k1.js";

import { bytesToHex, hexToBytes } from "../bitcoin/index.js";
import type { BitcoinBackend } from "../btcnode/index.js";
import {
  BridgeError,
  NOT_RELAYED_YET,
  asBridgeError,
  broadcastOnce,
  buildPegOutGraph,
  completeAssert,
  completeKickOff,
  completeTake1,
  completeTake2,
  creditPegIn,
  decodeRevert,
  graphInputFromJson,
  keyPathOutput,
  presignaturesFromJson,
  signPayment,
  spendableCoins,
  spentBy,
  spvProof,
  txDepth,
  xOnlyKey,
  type AssertProgram,
  type BridgeParams,
  type FlowStore,
  type GraphInput,
  type LvmBridge,
  type PegOutGraph,
  type Txid,
  type XOnlyKey,
} from "../bridge/index.js";
import type { GraphRecord } from "../committee/index.js";

export type PayoutStep = "seen" | "signed" | "paid" | "proven" | "foreign";
export type ClaimStep =
  "claiming" | "kickedOff" | "challenged" | "asserting" | "asserted" | "reimbursed" | "slashed";

export interface PayoutRecord {
  /** The withdrawal id on the L2. */
  readonly id: bigint;
  readonly sender: string;
  readonly sats: bigint;
  /** 0x-hex Bitcoin output script to pay. */
  readonly scriptPubKey: string;
  step: PayoutStep;
  /** The signed payout, written before it is broadcast. */
  raw?: Uint8Array;
  payoutTxid?: Txid;
  /** The claim (PegInConfirm txid) that reimburses this payout, once covered. */
  claim?: Txid;
  /** Why a `seen` withdrawal is not paid yet. */
  waitsFor?: string;
  error?: string;
  updatedAt: number;
}

export interface ClaimRecord {
  readonly pegInConfirmTxid: Txid;
  readonly poolSats: bigint;
  /** Withdrawal ids whose payouts this claim reimburses. */
  readonly covers: readonly bigint[];
  readonly kickOffTxid: Txid;
  readonly take1Txid: Txid;
  step: ClaimStep;
  /** The signed Assert (the operator's commitment to the claim's values), written before it is sent. */
  assertRaw?: Uint8Array;
  assertTxid?: Txid;
  /** Take2's txid, once the claim is challenged (Take1 can no longer confirm). */
  take2Txid?: Txid;
  /** How the claim ended when it did not end with Take1: challenged and reimbursed, or slashed. */
  reason?: string;
  error?: string;
  updatedAt: number;
}

/**
 * The operator's side of a graph's `AssertProgram`: the program the committee presigned the graph
 * with, and the operator's honest commitment to its values (e.g. `ClaimProgram.commit` with its
 * Winternitz secrets and the fields' expected values). The JSON graph record does not carry the
 * program, so the operator is given it here.
 */
export interface OperatorProgram {
  readonly program: AssertProgram;
  /** The Assert's commitment part (bottom first) for `graph`. */
  commit(graph: PegOutGraph): readonly Uint8Array[];
}

export interface OperatorOptions {
  readonly store: FlowStore;
  readonly l1: BitcoinBackend;
  /** The bridge with the operator's L2 signer (it proves payouts). */
  readonly bridge: LvmBridge;
  /** The operator's L1 key: it pays withdrawals, signs KickOff and Take1, receives Take1. */
  readonly secret: Uint8Array;
  /** The presigned graphs (from the committee). */
  readonly graphs: () => Promise<readonly GraphRecord[]>;
  readonly params: BridgeParams;
  /** Regtest: mine the blocks a step waits for, paying this address. */
  readonly mineTo?: string;
  /** How long a round waits for the relayer before a payout proof (default 15 s). */
  readonly relayWaitMs?: number;
  /** Also credit peg-ins the depositor left uncredited (anyone may; default true). */
  readonly creditPegIns?: boolean;
  /**
   * The AssertProgram of a graph and the operator's commitment to it; without one (or undefined for
   * a graph) the graph has no program and the Assert carries only the operator's signature.
   */
  readonly program?: (input: GraphInput, record: GraphRecord) => OperatorProgram | undefined;
  readonly hook?: (event: string, record: PayoutRecord | ClaimRecord) => void | Promise<void>;
  readonly log?: (line: string) => void;
}

const PAYOUT = "payout";
const CLAIM = "claim";
const META = "meta";
const ZERO = "0x0000000000000000000000000000000000000000";
const idKey = (id: bigint): string => id.toString().padStart(20, "0");
const internal = (id: Txid): string => "0x" + bytesToHex(hexToBytes(id).reverse());

/** One pool output the operator may claim, as `status` shows it. */
export interface PegInView {
  readonly pegInConfirmTxid: Txid;
  readonly poolSats: bigint;
  readonly credited: boolean;
  readonly claim?: ClaimStep;
}

export interface OperatorStatus {
  readonly withdrawals: readonly (PayoutRecord & { readonly waitsFor: string })[];
  readonly claims: readonly ClaimRecord[];
  readonly pegIns: readonly PegInView[];
  /** Proven payouts not reimbursed yet, minus nothing: what the next claim draws on. */
  readonly unreimbursedSats: bigint;
  /** Pool outputs credited on the L2 and not claimed. */
  readonly claimableSats: bigint;
}

export class Operator {
  readonly key: XOnlyKey;
  readonly script: Uint8Array;
  private address: string | undefined;
  private readonly graphCache = new Map<string, { graph: PegOutGraph; program?: OperatorProgram }>();
  private readonly creditedCache = new Set<string>();
  private running: Promise<void> | undefined;
  private readonly log: (line: string) => void;

  constructor(private readonly o: OperatorOptions) {
    this.key = xOnlyKey(schnorr.getPublicKey(o.secret));
    this.script = keyPathOutput(this.key).script;
    this.log = o.log ?? ((l) => console.log(l));
  }

  /** One round (never two at once): follow withdrawals, credit, pay, prove, claim. */
  tick(): Promise<void> {
    this.running ??= this.round().finally(() => (this.running = undefined));
    return this.running;
  }

  async payouts(): Promise<PayoutRecord[]> {
    return this.o.store.list<PayoutRecord>(PAYOUT);
  }

  async claims(): Promise<ClaimRecord[]> {
    return this.o.store.list<ClaimRecord>(CLAIM);
  }

  private graph(r: GraphRecord): PegOutGraph {
    return this.built(r).graph;
  }

  private built(r: GraphRecord): { graph: PegOutGraph; program?: OperatorProgram } {
    let g = this.graphCache.get(r.pegInConfirmTxid);
    if (g === undefined) {
      const input = graphInputFromJson(r.input);
      const program = this.o.program?.(input, r);
      g =
        program === undefined
          ? { graph: buildPegOutGraph(input) }
          : { graph: buildPegOutGraph({ ...input, program: program.program }), program };
      this.graphCache.set(r.pegInConfirmTxid, g);
    }
    return g;
  }

  /** The graphs naming this operator, oldest first. */
  private async ownGraphs(): Promise<GraphRecord[]> {
    const mine = bytesToHex(this.key);
    return [...(await this.o.graphs())]
      .filter((g) => g.input.operator.key === mine)
      .sort((a, b) => a.presignedAt - b.presignedAt || (a.pegInConfirmTxid < b.pegInConfirmTxid ? -1 : 1));
  }

  private async credited(id: Txid): Promise<boolean> {
    if (this.creditedCache.has(id)) return true;
    const yes = await this.o.bridge.credited(internal(id));
    if (yes) this.creditedCache.add(id);
    return yes;
  }

  private async savePayout(r: PayoutRecord, event = true): Promise<void> {
    r.updatedAt = Date.now();
    await this.o.store.put(PAYOUT, idKey(r.id), r);
    if (event) await this.o.hook?.(`step:payout:${r.step}`, r);
  }

  private async saveClaim(r: ClaimRecord): Promise<void> {
    r.updatedAt = Date.now();
    await this.o.store.put(CLAIM, r.pegInConfirmTxid, r);
    await this.o.hook?.(`step:claim:${r.step}`, r);
  }

  private async round(): Promise<void> {
    await this.follow();
    const graphs = await this.ownGraphs();
    if (this.o.creditPegIns !== false) await this.creditLeftovers(graphs);
    for (const r of await this.payouts()) {
      if (r.step === "proven" || r.step === "foreign") continue;
      try {
        // As far as it goes this round: each step is durable before the next one starts.
        for (let before = ""; before !== r.step;) {
          before = r.step;
          await this.advancePayout(r, graphs);
        }
      } catch (e) {
        const err = asBridgeError(e, `withdrawal #${r.id}`);
        r.error = err.message;
        await this.savePayout(r, false);
        this.log(`operator: withdrawal #${r.id}: ${err.code}: ${err.message}`);
      }
    }
    await this.claimAll(graphs);
  }

  /** Records every withdrawal the L2 has that the store does not, with the cursor, atomically. */
  private async follow(): Promise<void> {
    const count = await this.o.bridge.withdrawalCount();
    let next = (await this.o.store.get<bigint>(META, "nextWithdrawal")) ?? 0n;
    if (next >= count) return;
    const events = await this.o.bridge.queryFilter(this.o.bridge.filters.WithdrawalInitiated());
    const byId = new Map(events.map((e) => [e.args.id, e.args]));
    const puts: { kind: string; key: string; value: unknown }[] = [];
    for (; next < count; next++) {
      const a = byId.get(next);
      if (a === undefined) break; // not indexed yet: next round
      const r: PayoutRecord = {
        id: next,
        sender: a.sender,
        sats: a.sats,
        scriptPubKey: a.scriptPubKey,
        step: "seen",
        updatedAt: Date.now(),
      };
      puts.push({ kind: PAYOUT, key: idKey(next), value: r });
    }
    puts.push({ kind: META, key: "nextWithdrawal", value: next });
    await this.o.store.batch(puts);
  }

  /** Credits PegInConfirms at depth that nobody credited (a depositor that died, say). */
  private async creditLeftovers(graphs: readonly GraphRecord[]): Promise<void> {
    for (const g of graphs) {
      if (await this.credited(g.pegInConfirmTxid)) continue;
      const depth = await txDepth(this.o.l1, g.pegInConfirmTxid);
      if (depth === undefined || depth < this.o.params.pegInConfirmations) continue;
      try {
        const hash = await creditPegIn(this.o.l1, this.o.bridge, g.pegInConfirmTxid, 0);
        if (hash !== "") this.log(`operator: credited peg-in ${g.pegInConfirmTxid} on the L2 (${hash})`);
      } catch (e) {
        const err = asBridgeError(e, `credit of ${g.pegInConfirmTxid}`);
        if (err.details.error === undefined || !NOT_RELAYED_YET.has(String(err.details.error)))
          this.log(`operator: ${err.code}: ${err.message}`);
      }
    }
  }

  /** Sums for the reimbursement rule. */
  private async ledger(graphs: readonly GraphRecord[]): Promise<{
    fronted: bigint;
    unreimbursed: bigint;
    claimable: bigint;
    claims: ClaimRecord[];
    payouts: PayoutRecord[];
  }> {
    const payouts = await this.payouts();
    const claims = await this.claims();
    const claimed = new Set(claims.map((c) => c.pegInConfirmTxid as string));
    const taken = claims.reduce((a, c) => a + c.poolSats, 0n);
    const sum = (steps: PayoutStep[]) =>
      payouts.filter((p) => steps.includes(p.step)).reduce((a, p) => a + p.sats, 0n);
    let claimable = 0n;
    for (const g of graphs)
      if (!claimed.has(g.pegInConfirmTxid) && (await this.credited(g.pegInConfirmTxid)))
        claimable += g.poolSats;
    return {
      fronted: sum(["signed", "paid", "proven"]) - taken,
      unreimbursed: sum(["proven"]) - taken,
      claimable,
      claims,
      payouts,
    };
  }

  private async coins(): Promise<ReturnType<typeof spendableCoins>> {
    // Spend only coins the operator made or earned: coinbases, its payouts' change, Take1s.
    // (KickOff funding coins pay the same key but belong to their graphs.)
    const own = new Set<string>();
    const inFlight = new Set<string>();
    for (const p of await this.payouts()) {
      if (p.payoutTxid !== undefined) own.add(p.payoutTxid);
      if (p.step === "signed" && p.raw !== undefined) for (const o of spentBy(p.raw)) inFlight.add(o);
    }
    for (const c of await this.claims()) {
      own.add(c.take1Txid);
      if (c.take2Txid !== undefined) own.add(c.take2Txid);
    }
    return spendableCoins(this.o.l1, this.script, inFlight, (u) => u.coinbase || own.has(u.txid));
  }

  private async advancePayout(r: PayoutRecord, graphs: readonly GraphRecord[]): Promise<void> {
    const { l1, bridge, params } = this.o;
    switch (r.step) {
      case "seen": {
        const [paidBy] = await bridge.payouts(r.id);
        if (paidBy !== ZERO) {
          r.step = "foreign";
          r.waitsFor = `nothing (paid by ${paidBy})`;
          return this.savePayout(r);
        }
        const { fronted, claimable } = await this.ledger(graphs);
        if (fronted + r.sats > claimable) {
          const why = `pool: ${claimable} sats claimable, ${fronted} already fronted, ${r.sats} asked`;
          if (r.waitsFor !== why) {
            r.waitsFor = why;
            await this.savePayout(r, false);
            this.log(`operator: withdrawal #${r.id} (${r.sats} sats) waits: ${why}`);
          }
          return;
        }
        let pay: ReturnType<typeof signPayment>;
        try {
          pay = signPayment({
            coins: await this.coins(),
            secret: this.o.secret,
            key: this.key,
            script: hexToBytes(r.scriptPubKey.slice(2)),
            amount: r.sats,
            feeRate: params.feeRate,
          });
        } catch (e) {
          if (!(e instanceof BridgeError && e.code === "INSUFFICIENT_FUNDS")) throw e;
          const why = `operator liquidity: ${e.message}`;
          if (r.waitsFor !== why) {
            r.waitsFor = why;
            await this.savePayout(r, false);
            this.log(`operator: withdrawal #${r.id} waits: ${why}`);
          }
          return;
        }
        r.raw = pay.raw;
        r.payoutTxid = pay.txid;
        r.step = "signed";
        delete r.waitsFor;
        delete r.error;
        // Written before the broadcast: a restart re-sends this transaction, never another.
        return this.savePayout(r);
      }
      case "signed": {
        try {
          await broadcastOnce(l1, r.raw!);
        } catch (e) {
          if (e instanceof BridgeError && e.code === "CONFLICTED") {
            const [paidBy] = await bridge.payouts(r.id);
            if (paidBy === ZERO && (await txDepth(l1, r.payoutTxid!)) === undefined) {
              // It can never confirm and nobody paid: sign a new one.
              this.log(
                `operator: payout ${r.payoutTxid} of #${r.id} conflicted; paying again from other coins`,
              );
              delete r.raw;
              delete r.payoutTxid;
              r.step = "seen";
              return this.savePayout(r);
            }
          }
          throw e;
        }
        await this.o.hook?.("sent:payout", r);
        if (!(await this.deep(r.payoutTxid!, params.pegInConfirmations))) return;
        r.step = "paid";
        this.log(`operator: paid withdrawal #${r.id} (${r.sats} sats) on L1 in ${r.payoutTxid}`);
        return this.savePayout(r);
      }
      case "paid": {
        const [paidBy] = await bridge.payouts(r.id);
        if (paidBy !== ZERO) {
          if (paidBy.toLowerCase() !== (await this.l2Address()).toLowerCase())
            this.log(
              `operator: withdrawal #${r.id} was proven by ${paidBy}; our payout ${r.payoutTxid} is not reimbursable`,
            );
          r.step = paidBy.toLowerCase() === (await this.l2Address()).toLowerCase() ? "proven" : "foreign";
          return this.savePayout(r);
        }
        if ((await txDepth(l1, r.payoutTxid!)) === undefined) {
          await broadcastOnce(l1, r.raw!); // a restarted node lost it from its mempool
          await this.deep(r.payoutTxid!, params.pegInConfirmations);
          return;
        }
        // The relayer carries the payout's block within a few seconds: wait for it here (up to
        // `relayWaitMs`), then leave it to the next round.
        const deadline = Date.now() + (this.o.relayWaitMs ?? 15_000);
        for (;;) {
          try {
            const p = await spvProof(l1, r.payoutTxid!);
            const tx = await bridge.provePayout(r.id, r.sender, r.sats, r.scriptPubKey, p, 0);
            await tx.wait();
            await this.o.hook?.("sent:provePayout", r);
          } catch (e) {
            const revert = decodeRevert(e);
            if (revert !== undefined && NOT_RELAYED_YET.has(revert.name)) {
              if (Date.now() > deadline) return; // next round
              await new Promise((res) => setTimeout(res, 250));
              continue;
            }
            // AlreadyPaidOut, or a mined revert without a reason: payouts(id) says what happened.
            if (revert?.name !== "AlreadyPaidOut" && (await bridge.payouts(r.id))[0] === ZERO) throw e;
          }
          break;
        }
        const [by] = await bridge.payouts(r.id);
        if (by === ZERO) return;
        r.step = by.toLowerCase() === (await this.l2Address()).toLowerCase() ? "proven" : "foreign";
        return this.savePayout(r);
      }
      default:
        return;
    }
  }

  private async l2Address(): Promise<string> {
    this.address ??= await (
      this.o.bridge.runner as unknown as { getAddress(): Promise<string> }
    ).getAddress();
    return this.address;
  }

  /** `id` at `depth` now (mining on regtest); false if not yet (or not in the mempool). */
  private async deep(id: Txid, depth: number): Promise<boolean> {
    const d = await txDepth(this.o.l1, id);
    if (d === undefined) return false;
    if (d >= depth) return true;
    if (this.o.mineTo === undefined) return false;
    await this.o.l1.mine(depth - d, this.o.mineTo);
    return true;
  }

  private async claimAll(graphs: readonly GraphRecord[]): Promise<void> {
    const byId = new Map(graphs.map((g) => [g.pegInConfirmTxid as string, g]));
    for (;;) {
      const { unreimbursed, claims, payouts } = await this.ledger(graphs);
      for (const c of claims) {
        if (c.step === "reimbursed" || c.step === "slashed") continue;
        try {
          await this.advanceClaim(c, byId.get(c.pegInConfirmTxid)!);
        } catch (e) {
          const err = asBridgeError(e, `claim on ${c.pegInConfirmTxid}`);
          this.log(`operator: ${err.code}: ${err.message}`);
        }
        // One claim in flight at a time.
        if ((c.step as ClaimStep) !== "reimbursed" && (c.step as ClaimStep) !== "slashed") return;
      }
      const claimed = new Set(claims.map((c) => c.pegInConfirmTxid as string));
      let next: GraphRecord | undefined;
      for (const g of graphs)
        if (
          !claimed.has(g.pegInConfirmTxid) &&
          g.poolSats <= unreimbursed &&
          (await this.credited(g.pegInConfirmTxid))
        ) {
          next = g;
          break;
        }
      if (next === undefined) return;
      const graph = this.graph(next);
      const covered = payouts.filter((p) => p.step === "proven" && p.claim === undefined);
      const claim: ClaimRecord = {
        pegInConfirmTxid: next.pegInConfirmTxid,
        poolSats: next.poolSats,
        covers: covered.map((p) => p.id),
        kickOffTxid: graph.kickOff.txid,
        take1Txid: graph.take1.txid,
        step: "claiming",
        updatedAt: Date.now(),
      };
      // The claim and the payouts it covers, in one atomic write.
      await this.o.store.batch([
        { kind: CLAIM, key: claim.pegInConfirmTxid, value: claim },
        ...covered.map((p) => ({
          kind: PAYOUT,
          key: idKey(p.id),
          value: { ...p, claim: claim.pegInConfirmTxid },
        })),
      ]);
      await this.o.hook?.("step:claim:claiming", claim);
      this.log(
        `operator: claiming peg-in ${claim.pegInConfirmTxid} (${claim.poolSats} sats) for withdrawal(s) ${claim.covers.map((i) => `#${i}`).join(", ")}`,
      );
    }
  }

  private async advanceClaim(c: ClaimRecord, g: GraphRecord): Promise<void> {
    const { l1, params } = this.o;
    const { graph, program } = this.built(g);
    if (c.step === "claiming") {
      await broadcastOnce(l1, completeKickOff(graph, this.o.secret));
      await this.o.hook?.("sent:kickOff", c);
      if (await this.challengedNow(graph)) {
        c.step = "challenged";
        await this.saveClaim(c);
      } else {
        if (!(await this.deep(c.kickOffTxid, params.challengeTimelock))) return;
        c.step = "kickedOff";
        await this.saveClaim(c);
      }
    }
    if (c.step === "kickedOff") {
      if ((await txDepth(l1, c.kickOffTxid)) === undefined) {
        await broadcastOnce(l1, completeKickOff(graph, this.o.secret)); // lost with a mempool
        return;
      }
      if (!(await this.challengedNow(graph))) {
        try {
          await broadcastOnce(l1, completeTake1(graph, presignaturesFromJson(g.presigned), this.o.secret));
        } catch (e) {
          // A Challenge got in first: KickOff's connector is gone, so is Take1.
          if (!(e instanceof BridgeError && e.code === "CONFLICTED" && (await this.challengedNow(graph))))
            throw e;
        }
      }
      if (await this.challengedNow(graph)) {
        c.step = "challenged";
        await this.saveClaim(c);
      } else {
        await this.o.hook?.("sent:take1", c);
        if (!(await this.deep(c.take1Txid, 1))) return;
        c.step = "reimbursed";
        await this.saveClaim(c);
        this.log(
          `operator: Take1 ${c.take1Txid}: reimbursed ${c.poolSats} sats from peg-in ${c.pegInConfirmTxid}`,
        );
        return;
      }
    }
    if (c.step === "challenged") {
      if (
        (await l1.getTxOut({ txid: c.kickOffTxid, vout: 2 }, true)) === undefined &&
        (await txDepth(l1, graph.assert.txid)) === undefined
      ) {
        c.step = "slashed";
        c.reason = "challenged; the stake was spent before the Assert (AssertTimeout)";
        this.log(`operator: claim on ${c.pegInConfirmTxid}: ${c.reason}`);
        return this.saveClaim(c);
      }
      const depth = (await txDepth(l1, c.kickOffTxid)) ?? 0;
      if (depth >= params.assertTimelock)
        this.log(
          `operator: claim on ${c.pegInConfirmTxid}: asserting ${depth} blocks after KickOff, AssertTimeout is possible since ${params.assertTimelock}`,
        );
      c.assertRaw = completeAssert(graph, this.o.secret, program?.commit(graph) ?? []);
      c.assertTxid = graph.assert.txid;
      c.take2Txid = graph.take2.txid;
      c.step = "asserting";
      delete c.error;
      // Written before the broadcast: a restart re-sends this Assert, never another.
      await this.saveClaim(c);
      this.log(`operator: claim on ${c.pegInConfirmTxid} challenged; asserting with ${c.assertTxid}`);
    }
    if (c.step === "asserting") {
      try {
        await broadcastOnce(l1, c.assertRaw!);
      } catch (e) {
        if (!(e instanceof BridgeError && e.code === "CONFLICTED")) throw e;
        c.step = "slashed";
        c.reason = "challenged; the stake was spent before the Assert confirmed (AssertTimeout)";
        this.log(`operator: claim on ${c.pegInConfirmTxid}: ${c.reason}`);
        return this.saveClaim(c);
      }
      await this.o.hook?.("sent:assert", c);
      if (!(await this.deep(c.assertTxid!, 1))) return;
      c.step = "asserted";
      await this.saveClaim(c);
    }
    if (c.step === "asserted") {
      const d = await txDepth(l1, c.assertTxid!);
      if (d === undefined) {
        await broadcastOnce(l1, c.assertRaw!); // lost with a mempool
        return;
      }
      if (await this.disproved(c)) return this.slashedByDisprove(c);
      // Take2 spends the Assert output with nSequence = disproveTimelock: relayable from that depth.
      if (d < params.disproveTimelock) {
        // Regtest: one block per round, so watchers get their rounds inside the disprove window.
        if (this.o.mineTo !== undefined) await l1.mine(1, this.o.mineTo);
        return;
      }
      try {
        await broadcastOnce(l1, completeTake2(graph, presignaturesFromJson(g.presigned)));
      } catch (e) {
        if (e instanceof BridgeError && e.code === "CONFLICTED" && (await this.disproved(c)))
          return this.slashedByDisprove(c);
        throw e;
      }
      await this.o.hook?.("sent:take2", c);
      if (!(await this.deep(c.take2Txid!, 1))) return;
      c.step = "reimbursed";
      c.reason = `challenged; asserted in ${c.assertTxid}, not disproved; Take2 ${c.take2Txid}`;
      await this.saveClaim(c);
      this.log(
        `operator: Take2 ${c.take2Txid}: reimbursed ${c.poolSats} sats from peg-in ${c.pegInConfirmTxid} after a Challenge`,
      );
    }
  }

  /** KickOff is known and its challenge connector is spent, not by our Take1: a Challenge. */
  private async challengedNow(graph: PegOutGraph): Promise<boolean> {
    const { l1 } = this.o;
    if ((await txDepth(l1, graph.kickOff.txid)) === undefined) return false;
    if ((await l1.getTxOut({ txid: graph.kickOff.txid, vout: 1 }, true)) !== undefined) return false;
    return (await txDepth(l1, graph.take1.txid)) === undefined;
  }

  /** The Assert output is spent, not by our Take2: a Disprove. */
  private async disproved(c: ClaimRecord): Promise<boolean> {
    const { l1 } = this.o;
    if ((await l1.getTxOut({ txid: c.assertTxid!, vout: 0 }, true)) !== undefined) return false;
    return (await txDepth(l1, c.take2Txid!)) === undefined;
  }

  private async slashedByDisprove(c: ClaimRecord): Promise<void> {
    c.step = "slashed";
    c.reason = `challenged; the Assert ${c.assertTxid} was disproved`;
    this.log(`operator: claim on ${c.pegInConfirmTxid}: ${c.reason}`);
    return this.saveClaim(c);
  }

  /** Each withdrawal with its state and what it waits for, each claim, each claimable peg-in. */
  async status(): Promise<OperatorStatus> {
    const graphs = await this.ownGraphs();
    const { unreimbursed, claimable, claims, payouts } = await this.ledger(graphs);
    const claimStep = new Map(claims.map((c) => [c.pegInConfirmTxid as string, c.step]));
    const waits = (p: PayoutRecord): string => {
      switch (p.step) {
        case "seen":
          return p.waitsFor ?? "the operator's next round";
        case "signed":
          return `payout ${p.payoutTxid} to reach depth ${this.o.params.pegInConfirmations} on L1`;
        case "paid":
          return "the relayer to carry the payout's block, then the payout proof on the L2";
        case "proven":
          return p.claim === undefined
            ? `nothing for the user; the operator's reimbursement waits until its unreimbursed payouts (${unreimbursed} sats) cover a peg-in`
            : `nothing (reimbursed by the claim on ${p.claim}: ${claimStep.get(p.claim) ?? "?"})`;
        case "foreign":
          return p.waitsFor ?? "nothing (another operator paid it)";
      }
    };
    const pegIns: PegInView[] = [];
    for (const g of graphs) {
      const step = claimStep.get(g.pegInConfirmTxid);
      pegIns.push({
        pegInConfirmTxid: g.pegInConfirmTxid,
        poolSats: g.poolSats,
        credited: await this.credited(g.pegInConfirmTxid),
        ...(step === undefined ? {} : { claim: step }),
      });
    }
    return {
      withdrawals: payouts.map((p) => ({ ...p, waitsFor: waits(p) })),
      claims,
      pegIns,
      unreimbursedSats: unreimbursed,
      claimableSats: claimable,
    };
  }
}
