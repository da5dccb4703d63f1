/**
 * The watchtower: follows our L1 node for the KickOff of every known peg-out graph, checks each
 * claim against what the L2 says the operator paid, and challenges a claim the L2 does not cover
 * by broadcasting the graph's Challenge, funded with the watchtower's own coin on top of the
 * operator's SINGLE|ANYONECANPAY presignature (`fundChallenge`).
 *
 * The check (docs/bridge.md, "Watchtower"): a KickOff of operator K confirmed at height h is
 * honest iff the pool outputs of all of K's KickOffs confirmed at heights ≤ h total no more than
 * the withdrawals K fronted by then — withdrawals the L2 burned and records as paid out, each of
 * whose L1 payout transaction the watchtower reads itself from the L1 node: confirmed at a height
 * ≤ h, spending K's key-path coin, paying the withdrawal's script at least its amount, each L1
 * output counted once. This is the operator's own reimbursement rule, checked independently.
 *
 * Each KickOff is one record in the watchtower's database, written before the effect it leads to:
 *
 *   seen ──► honest                                   (covered: nothing to do)
 *     └───► challenging ──► challenged                 (Challenge at depth 1, or someone else's)
 *           (signed Challenge kept      └─► missed     (connector spent by Take1)
 *            before the broadcast)
 *
 *   challenged ──► asserted ──► upheld                 (the program's findDisproof: no leaf succeeds)
 *       │          (Assert     └─► disproving ──► disproved      (Disprove at depth 1)
 *       │           at depth 1)    (signed Disprove kept └─► missed (Assert output spent elsewhere)
 *       │                           before the broadcast)
 *       └─► timingOut ──► timedOut                     (no Assert `assertTimelock` blocks after KickOff:
 *           (signed AssertTimeout kept)                 AssertTimeout at depth 1)
 *
 * A restart re-sends the recorded transaction (never a second one); a refusal of one graph's step
 * is logged on its record and the other graphs go on.
 */
import { schnorr } from "@noble/curves/secp256k1.js";

import { bytesToHex, hexToBytes, Transaction } from "../bitcoin/index.js";
import type { BitcoinBackend } from "../btcnode/index.js";
import {
  BridgeError,
  asBridgeError,
  broadcastOnce,
  buildDisprove,
  buildPegOutGraph,
  completeAssertTimeout,
  fundChallenge,
  keyPathOutput,
  spendableCoins,
  spentBy,
  txDepth,
  txid as toTxid,
  xOnlyKey,
  type FlowStore,
  type GraphInput,
  type LvmBridge,
  type Disproof,
  type PegOutGraph,
  type Presignatures,
  type Txid,
  type XOnlyKey,
} from "../bridge/index.js";
import { ChallengerError } from "./errors.js";

/** A withdrawal the L2 burned and records as paid out on L1 (what an operator may be reimbursed for). */
export interface ProvenPayout {
  readonly id: bigint;
  readonly sats: bigint;
  /** The Bitcoin output script the withdrawal asked to be paid. */
  readonly scriptPubKey: Uint8Array;
  /** The L1 payout transaction the L2 accepted (display byte order). */
  readonly l1Txid: Txid;
  /** The L2 account that proved the payout. */
  readonly prover: string;
}

/** The L2 as the watchtower reads it. */
export interface PayoutLedger {
  provenPayouts(): Promise<readonly ProvenPayout[]>;
}

/** The L2 bridge predeploy's events as a `PayoutLedger`: WithdrawalInitiated joined with PayoutProven. */
export function lvmPayoutLedger(bridge: LvmBridge): PayoutLedger {
  return {
    async provenPayouts() {
      const burned = await bridge.queryFilter(bridge.filters.WithdrawalInitiated());
      const proven = await bridge.queryFilter(bridge.filters.PayoutProven());
      const byId = new Map(burned.map((e) => [e.args.id, e.args]));
      const out: ProvenPayout[] = [];
      for (const e of proven) {
        const w = byId.get(e.args.id);
        if (w === undefined) continue; // a payout of no burned withdrawal counts for nothing
        out.push({
          id: e.args.id,
          sats: w.sats,
          scriptPubKey: hexToBytes(w.scriptPubKey.slice(2)),
          l1Txid: toTxid(bytesToHex(hexToBytes(e.args.txid.slice(2)).reverse())),
          prover: e.args.operator,
        });
      }
      return out;
    },
  };
}

/** A peg-out graph the watchtower watches, with the operator's Challenge presignature (65 bytes). */
export interface WatchedGraph {
  /** With its `program` when the graph has one: the watchtower checks the Assert against it. */
  readonly input: GraphInput;
  readonly challengeSig: Uint8Array;
  /** The committee's presignatures (the AssertTimeout one is what the watchtower needs). */
  readonly presigned?: Presignatures;
}

export type KickOffStep =
  | "seen"
  | "honest"
  | "challenging"
  | "challenged"
  | "missed"
  | "asserted"
  | "upheld"
  | "disproving"
  | "disproved"
  | "timingOut"
  | "timedOut";

export interface KickOffRecord {
  readonly kickOffTxid: Txid;
  readonly pegInConfirmTxid: Txid;
  /** The operator's x-only key, hex. */
  readonly operator: string;
  readonly poolSats: bigint;
  /** Height of the block that confirmed the KickOff. */
  readonly height: number;
  step: KickOffStep;
  /** The check: K's KickOffs up to this one claim `claimedSats`; the L2 and L1 show `frontedSats`. */
  claimedSats?: bigint;
  frontedSats?: bigint;
  reason?: string;
  /** Challenged by hand (`challenge(…, { force: true })`) although the check found it covered. */
  forced?: boolean;
  /** The signed Challenge, written before it is broadcast. */
  challengeRaw?: Uint8Array;
  challengeTxid?: Txid;
  /** The operator's Assert, once confirmed. */
  assertTxid?: Txid;
  /** The disprove leaf that succeeds on the Assert's commitment. */
  disproveLeaf?: number;
  /** The Disprove (or AssertTimeout), written before it is broadcast. */
  disproveRaw?: Uint8Array;
  disproveTxid?: Txid;
  timeoutRaw?: Uint8Array;
  timeoutTxid?: Txid;
  error?: string;
  updatedAt: number;
}

/** What the program finds in an Assert (`inspectAssert`). */
export interface AssertCheck {
  readonly assertTxid: Txid;
  readonly kickOffTxid: Txid;
  /** The disprove leaf that succeeds and its witness; undefined when no leaf disproves. */
  readonly disproof: Disproof | undefined;
}

/** The check of one KickOff. */
export interface Verdict {
  readonly honest: boolean;
  readonly claimedSats: bigint;
  readonly frontedSats: bigint;
  readonly reason: string;
}

/**
 * `intent`/`broadcast`: the Challenge written / sent; `assert`: the Assert seen and recorded;
 * `disproveIntent`/`disproveBroadcast` and `timeoutIntent`/`timeoutBroadcast` likewise.
 */
export type WatchtowerEvent =
  | "seen"
  | "intent"
  | "broadcast"
  | "step"
  | "assert"
  | "disproveIntent"
  | "disproveBroadcast"
  | "timeoutIntent"
  | "timeoutBroadcast";

export interface WatchtowerOptions {
  readonly store: FlowStore;
  readonly l1: BitcoinBackend;
  readonly ledger: PayoutLedger;
  readonly graphs: () => Promise<readonly WatchedGraph[]>;
  /** The watchtower's L1 key: its BIP86 coins fund Challenges and take their change. */
  readonly secret: Uint8Array;
  /**
   * Regtest: mine the block a Challenge, Disprove or AssertTimeout waits for, paying this address;
   * while an AssertTimeout waits for `assertTimelock`, one block per round (the operator gets its
   * rounds to assert).
   */
  readonly mineTo?: string;
  /** Called after each durable step; `intent` after the Challenge is written, before it is sent. */
  readonly hook?: (event: WatchtowerEvent, record: KickOffRecord) => void | Promise<void>;
  readonly log?: (line: string) => void;
}

const KICKOFF = "kickoff";
const FINAL: readonly KickOffStep[] = ["honest", "missed", "upheld", "disproved", "timedOut"];
const TXID_RE = /^[0-9a-f]{64}$/;

export class Watchtower {
  readonly key: XOnlyKey;
  readonly script: Uint8Array;
  private readonly cache = new WeakMap<WatchedGraph, Built | null>();
  private running: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = true;
  private readonly log: (line: string) => void;

  constructor(private readonly o: WatchtowerOptions) {
    this.key = xOnlyKey(schnorr.getPublicKey(o.secret));
    this.script = keyPathOutput(this.key).script;
    this.log = o.log ?? ((l) => console.log(l));
  }

  /** Every KickOff record, by txid. */
  async records(): Promise<KickOffRecord[]> {
    return this.o.store.list<KickOffRecord>(KICKOFF);
  }

  async record(kickOffTxid: Txid): Promise<KickOffRecord | undefined> {
    return this.o.store.get<KickOffRecord>(KICKOFF, kickOffTxid);
  }

  /** Ticks every `intervalMs` until `stop`; a failed round is logged, never thrown. */
  start(intervalMs = 1_000): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = (): void => {
      if (this.stopped) return;
      this.tick()
        .catch((e: unknown) => this.log(`watchtower: round failed: ${asBridgeError(e, "round").message}`))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(loop, intervalMs);
        });
    };
    loop();
  }

  /** Stops ticking and waits for the round in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One round (never two at once): record new KickOffs, then advance every open record. */
  tick(): Promise<void> {
    this.running ??= this.round().finally(() => (this.running = undefined));
    return this.running;
  }

  private async round(): Promise<void> {
    const known = new Set((await this.records()).map((r) => r.kickOffTxid as string));
    for (const w of await this.o.graphs()) {
      const g = this.graphOf(w);
      if (g === undefined || known.has(g.graph.kickOff.txid)) continue;
      const status = await this.o.l1.getTxStatus(g.graph.kickOff.txid);
      if (status?.blockHeight === undefined || status.confirmations < 1) continue;
      const r: KickOffRecord = {
        kickOffTxid: g.graph.kickOff.txid,
        pegInConfirmTxid: g.graph.pegInConfirm.txid,
        operator: bytesToHex(g.graph.input.operator.key),
        poolSats: g.graph.pegInConfirm.output(0).amount,
        height: status.blockHeight,
        step: "seen",
        updatedAt: Date.now(),
      };
      await this.save(r, "seen");
    }
    for (const r of await this.records()) {
      if (FINAL.includes(r.step)) continue;
      try {
        for (let before = ""; before !== r.step && !FINAL.includes(r.step);) {
          before = r.step;
          await this.advance(r);
        }
      } catch (e) {
        const err = e instanceof ChallengerError ? e : asBridgeError(e, `KickOff ${r.kickOffTxid}`);
        r.error = `${err.code}: ${err.message}`;
        await this.o.store.put(KICKOFF, r.kickOffTxid, { ...r, updatedAt: Date.now() });
        this.log(`watchtower: KickOff ${r.kickOffTxid}: ${r.error}`);
      }
    }
  }

  /**
   * The built graph of `w`, or undefined (logged once) when its input does not build. Cached per
   * `WatchedGraph` object: a source that returns the same objects each round builds each graph once.
   */
  private graphOf(w: WatchedGraph): Built | undefined {
    if (!this.cache.has(w))
      try {
        this.cache.set(w, {
          graph: buildPegOutGraph(w.input),
          sig: w.challengeSig,
          ...(w.presigned === undefined ? {} : { presigned: w.presigned }),
        });
      } catch (e) {
        this.cache.set(w, null);
        const dep = `${String(w.input?.depositOutpoint?.txid)}:${String(w.input?.depositOutpoint?.vout)}`;
        this.log(`watchtower: graph of deposit ${dep} does not build: ${asBridgeError(e, "graph").message}`);
      }
    return this.cache.get(w) ?? undefined;
  }

  private async byKickOff(kickOffTxid: string): Promise<Built | undefined> {
    for (const w of await this.o.graphs()) {
      const g = this.graphOf(w);
      if (g?.graph.kickOff.txid === kickOffTxid) return g;
    }
    return undefined;
  }

  private async save(r: KickOffRecord, event: WatchtowerEvent = "step"): Promise<void> {
    r.updatedAt = Date.now();
    await this.o.store.put(KICKOFF, r.kickOffTxid, r);
    await this.o.hook?.(event, r);
  }

  private async advance(r: KickOffRecord): Promise<void> {
    const { l1 } = this.o;
    const g = await this.byKickOff(r.kickOffTxid);
    if (g === undefined)
      throw new ChallengerError(
        "UNKNOWN_GRAPH",
        `no known graph has KickOff ${r.kickOffTxid}`,
        r.kickOffTxid,
      );
    switch (r.step) {
      case "seen": {
        if (r.forced !== true) {
          const v = await this.judge(g.graph, r.height);
          r.claimedSats = v.claimedSats;
          r.frontedSats = v.frontedSats;
          r.reason = v.reason;
          if (v.honest) {
            r.step = "honest";
            delete r.error;
            return this.save(r);
          }
        }
        if ((await l1.getTxOut({ txid: r.kickOffTxid, vout: 1 }, true)) === undefined)
          return this.connectorSpent(r, g, "is already spent");
        const ch = await this.fund(g);
        r.challengeRaw = ch.raw;
        r.challengeTxid = ch.txid;
        r.step = "challenging";
        delete r.error;
        // Written before the broadcast: a restart re-sends this Challenge, never another.
        return this.save(r, "intent");
      }
      case "challenging": {
        try {
          await broadcastOnce(l1, r.challengeRaw!);
        } catch (e) {
          if (!(e instanceof BridgeError && e.code === "CONFLICTED")) throw e;
          if ((await l1.getTxOut({ txid: r.kickOffTxid, vout: 1 }, true)) === undefined) {
            delete r.challengeRaw;
            delete r.challengeTxid;
            return this.connectorSpent(r, g, "was spent by another transaction");
          }
          // Our funding coin went elsewhere: fund the Challenge again from another coin.
          delete r.challengeRaw;
          delete r.challengeTxid;
          r.step = "seen";
          return this.save(r);
        }
        await this.o.hook?.("broadcast", r);
        const d = await txDepth(l1, r.challengeTxid!);
        if (d === undefined) return;
        if (d < 1) {
          if (this.o.mineTo === undefined) return;
          await l1.mine(1, this.o.mineTo);
        }
        r.step = "challenged";
        this.log(`watchtower: challenged KickOff ${r.kickOffTxid} with ${r.challengeTxid} (${r.reason})`);
        return this.save(r);
      }
      case "challenged":
        return this.awaitAssert(r, g);
      case "asserted":
        return this.checkAssert(r, g);
      case "disproving":
        return this.sendRecorded(r, "disprove");
      case "timingOut":
        return this.sendRecorded(r, "timeout");
      default:
        return;
    }
  }

  /**
   * The challenge connector of a wrong KickOff is spent, not by our Challenge: by Take1 (`missed`:
   * nothing left to play), or by someone else's Challenge, whose game this watchtower then follows
   * like its own (one honest watcher suffices even if another challenged and went away).
   */
  private async connectorSpent(r: KickOffRecord, g: Built, how: string): Promise<void> {
    if ((await txDepth(this.o.l1, g.graph.take1.txid)) !== undefined) {
      r.step = "missed";
      r.reason = `${r.reason ?? ""}; the challenge connector ${how} (Take1)`;
      this.log(`watchtower: KickOff ${r.kickOffTxid} is wrong but Take1 spent its challenge connector`);
      return this.save(r);
    }
    r.step = "challenged";
    r.reason = `${r.reason ?? ""}; the challenge connector ${how}: challenged by someone else, the game is followed`;
    delete r.error;
    this.log(
      `watchtower: KickOff ${r.kickOffTxid} is wrong and challenged by someone else; following its game`,
    );
    return this.save(r);
  }

  /** After the Challenge: the Assert at depth 1, or the AssertTimeout once `assertTimelock` has passed. */
  private async awaitAssert(r: KickOffRecord, g: Built): Promise<void> {
    const { l1 } = this.o;
    const assertTxid = g.graph.assert.txid;
    const a = await txDepth(l1, assertTxid);
    if (a !== undefined && a >= 1) {
      r.assertTxid = assertTxid;
      r.step = "asserted";
      delete r.error;
      return this.save(r, "assert");
    }
    if (a !== undefined) return; // in the mempool: judged once it confirms
    if ((await l1.getTxOut({ txid: r.kickOffTxid, vout: 2 }, true)) === undefined) {
      r.step = "missed";
      r.reason = `${r.reason ?? ""}; the stake was spent by another transaction before any Assert`;
      return this.save(r);
    }
    const params = g.graph.input.params;
    // AssertTimeout spends KickOff:2 with nSequence = assertTimelock: relayable from that depth.
    const depth = (await txDepth(l1, r.kickOffTxid)) ?? 0;
    if (depth < params.assertTimelock) {
      if (this.o.mineTo !== undefined && g.presigned !== undefined) await l1.mine(1, this.o.mineTo);
      return;
    }
    if (g.presigned === undefined)
      throw new ChallengerError(
        "NO_PRESIGNATURE",
        `the operator never asserted, but the watchtower has no AssertTimeout presignature for KickOff ${r.kickOffTxid}`,
        r.kickOffTxid,
      );
    const tx = completeAssertTimeout(g.graph, g.presigned, this.script);
    r.timeoutRaw = tx.toBytes();
    r.timeoutTxid = tx.txid;
    r.step = "timingOut";
    delete r.error;
    // Written before the broadcast: a restart re-sends this AssertTimeout, never another.
    return this.save(r, "timeoutIntent");
  }

  /** The program's `findDisproof` on the confirmed Assert's commitment. */
  private async checkAssert(r: KickOffRecord, g: Built): Promise<void> {
    const { l1 } = this.o;
    const tx = await l1.getTransaction(r.assertTxid!);
    if (tx === undefined)
      throw new ChallengerError("NOT_ON_L1", `the Assert ${r.assertTxid} is not on L1`, r.assertTxid);
    const d = this.disproofOf(g.graph, tx.inputs[0]?.witness ?? [], r.assertTxid!);
    if (d === undefined) {
      r.step = "upheld";
      r.reason = `${r.reason ?? ""}; the Assert ${r.assertTxid} is not disproved by any leaf of ${g.graph.input.program?.name ?? "the graph (no program)"}`;
      delete r.error;
      this.log(`watchtower: KickOff ${r.kickOffTxid}: ${r.reason}`);
      return this.save(r);
    }
    if ((await l1.getTxOut({ txid: r.assertTxid!, vout: 0 }, true)) === undefined) {
      r.step = "missed";
      r.reason = `${r.reason ?? ""}; the Assert output was spent by another transaction (Take2 or another Disprove)`;
      return this.save(r);
    }
    const disprove = buildDisprove(g.graph, d.index, this.script, d.witness);
    r.disproveLeaf = d.index;
    r.disproveRaw = disprove.toBytes();
    r.disproveTxid = disprove.txid;
    r.step = "disproving";
    delete r.error;
    // Written before the broadcast: a restart re-sends this Disprove, never another.
    return this.save(r, "disproveIntent");
  }

  /**
   * The disproof of an Assert witness (signature, commitment…, leaf script, control block), or
   * undefined; `MALFORMED_ASSERT` when the witness does not have the program's shape.
   */
  private disproofOf(g: PegOutGraph, witness: readonly Uint8Array[], assertTxid: Txid): Disproof | undefined {
    const program = g.input.program;
    if (program === undefined) return undefined;
    if (witness.length < 3)
      throw new ChallengerError(
        "MALFORMED_ASSERT",
        `the Assert ${assertTxid} has ${witness.length} witness elements`,
        assertTxid,
      );
    try {
      return program.findDisproof(witness.slice(1, -2));
    } catch (e) {
      throw new ChallengerError(
        "MALFORMED_ASSERT",
        `the Assert ${assertTxid}'s commitment does not fit ${program.name}: ${(e as Error).message}`,
        assertTxid,
        { cause: e },
      );
    }
  }

  /** Sends the recorded Disprove or AssertTimeout, then waits for depth 1. */
  private async sendRecorded(r: KickOffRecord, what: "disprove" | "timeout"): Promise<void> {
    const { l1 } = this.o;
    const raw = what === "disprove" ? r.disproveRaw! : r.timeoutRaw!;
    const id = what === "disprove" ? r.disproveTxid! : r.timeoutTxid!;
    try {
      await broadcastOnce(l1, raw);
    } catch (e) {
      if (!(e instanceof BridgeError && e.code === "CONFLICTED")) throw e;
      if (
        what === "timeout" &&
        (await txDepth(l1, (await this.byKickOffOrThrow(r)).graph.assert.txid)) !== undefined
      ) {
        // The operator asserted first: judge its Assert instead.
        delete r.timeoutRaw;
        delete r.timeoutTxid;
        r.step = "challenged";
        return this.save(r);
      }
      r.step = "missed";
      r.reason = `${r.reason ?? ""}; ${what === "disprove" ? "the Assert output" : "the stake"} was spent by another transaction`;
      return this.save(r);
    }
    await this.o.hook?.(what === "disprove" ? "disproveBroadcast" : "timeoutBroadcast", r);
    const d = await txDepth(l1, id);
    if (d === undefined) return;
    if (d < 1) {
      if (this.o.mineTo === undefined) return;
      await l1.mine(1, this.o.mineTo);
    }
    r.step = what === "disprove" ? "disproved" : "timedOut";
    this.log(
      what === "disprove"
        ? `watchtower: disproved the Assert ${r.assertTxid} of KickOff ${r.kickOffTxid} through leaf ${r.disproveLeaf} with ${id}: the operator's stake is slashed`
        : `watchtower: the operator of KickOff ${r.kickOffTxid} never asserted; AssertTimeout ${id} slashes its stake`,
    );
    return this.save(r);
  }

  private async byKickOffOrThrow(r: KickOffRecord): Promise<Built> {
    const g = await this.byKickOff(r.kickOffTxid);
    if (g === undefined)
      throw new ChallengerError(
        "UNKNOWN_GRAPH",
        `no known graph has KickOff ${r.kickOffTxid}`,
        r.kickOffTxid,
      );
    return g;
  }

  /**
   * Checks the transaction `raw` as the Assert of a known graph and runs its program's
   * `findDisproof` (the `bridge:disprove` check; nothing is sent). Typed errors: `MALFORMED_TX`,
   * `NOT_AN_ASSERT`, `MALFORMED_ASSERT`.
   */
  async inspectAssert(raw: Uint8Array): Promise<AssertCheck> {
    let tx: Transaction;
    try {
      tx = Transaction.decode(raw);
    } catch (e) {
      throw new ChallengerError("MALFORMED_TX", "the bytes do not decode as a transaction", raw.length, {
        cause: e,
      });
    }
    const id = toTxid(tx.txid());
    for (const w of await this.o.graphs()) {
      const g = this.graphOf(w);
      if (g?.graph.assert.txid !== id) continue;
      return {
        assertTxid: id,
        kickOffTxid: g.graph.kickOff.txid,
        disproof: this.disproofOf(g.graph, tx.inputs[0]?.witness ?? [], id),
      };
    }
    throw new ChallengerError("NOT_AN_ASSERT", `${id} is no known graph's Assert`, id);
  }

  /** Outpoints already promised to a recorded Challenge that is not final yet. */
  private async inFlight(): Promise<Set<string>> {
    const out = new Set<string>();
    for (const r of await this.records())
      if (r.step === "challenging" && r.challengeRaw !== undefined)
        for (const o of spentBy(r.challengeRaw)) out.add(o);
    return out;
  }

  /** Funds the Challenge of `g` from the first coin large enough. */
  private async fund(g: Built): Promise<{ raw: Uint8Array; txid: Txid }> {
    const coins = await spendableCoins(this.o.l1, this.script, await this.inFlight());
    let last: unknown;
    for (const c of coins)
      try {
        const tx = fundChallenge(g.graph, g.sig, c, this.o.secret, this.script);
        return { raw: tx.toBytes(), txid: tx.txid };
      } catch (e) {
        if (!(e instanceof BridgeError && e.code === "INSUFFICIENT_FUNDS")) throw e;
        last = e;
      }
    throw new ChallengerError("NO_FUNDS", `no coin of the watchtower funds a Challenge`, coins.length, {
      cause: last,
    });
  }

  /** The check of the KickOff of `g` confirmed at `height` (see the file's comment). */
  async judge(g: PegOutGraph, height: number): Promise<Verdict> {
    const { l1 } = this.o;
    const operator = bytesToHex(g.input.operator.key);
    const opScript = hex(keyPathOutput(g.input.operator.key).script);
    let claimedSats = 0n;
    let kickOffs = 0;
    const counted = new Set<string>();
    for (const w of await this.o.graphs()) {
      const other = this.graphOf(w);
      if (other === undefined || bytesToHex(other.graph.input.operator.key) !== operator) continue;
      // Two graphs sharing a KickOff (the same funding coin) make one claim on L1, not two.
      if (counted.has(other.graph.kickOff.txid)) continue;
      counted.add(other.graph.kickOff.txid);
      const s = await l1.getTxStatus(other.graph.kickOff.txid);
      if (s?.blockHeight === undefined || s.confirmations < 1 || s.blockHeight > height) continue;
      claimedSats += other.graph.pegInConfirm.output(0).amount;
      kickOffs++;
    }
    let frontedSats = 0n;
    const used = new Set<string>();
    const rejected: string[] = [];
    for (const p of await this.o.ledger.provenPayouts()) {
      const s = await l1.getTxStatus(p.l1Txid);
      if (s?.blockHeight === undefined || s.confirmations < 1 || s.blockHeight > height) continue;
      const tx = await l1.getTransaction(p.l1Txid);
      const first = tx?.inputs[0];
      if (tx === undefined || first === undefined) continue;
      const prev = await l1.getTransaction(toTxid(first.prevout.txid));
      if (prev === undefined || hex(prev.outputs[first.prevout.vout]?.scriptPubKey) !== opScript) continue;
      const vout = tx.outputs.findIndex(
        (o, i) =>
          !used.has(`${p.l1Txid}:${i}`) && hex(o.scriptPubKey) === hex(p.scriptPubKey) && o.value >= p.sats,
      );
      if (vout < 0) {
        rejected.push(`#${p.id}`);
        continue;
      }
      used.add(`${p.l1Txid}:${vout}`);
      frontedSats += p.sats;
    }
    const honest = claimedSats <= frontedSats;
    const reason =
      `${kickOffs} KickOff(s) claim ${claimedSats} sats; payouts fronted on L1 and proven on L2: ${frontedSats} sats` +
      (rejected.length > 0 ? `; proven payouts not paying their script on L1: ${rejected.join(", ")}` : "");
    return { honest, claimedSats, frontedSats, reason };
  }

  /**
   * Checks the transaction `raw` as a KickOff: `MALFORMED_TX` if it does not decode,
   * `NOT_A_KICKOFF` if it is no known graph's KickOff, `NOT_ON_L1` if it is not confirmed.
   */
  async inspect(raw: Uint8Array): Promise<Verdict & { kickOffTxid: Txid }> {
    let tx: Transaction;
    try {
      tx = Transaction.decode(raw);
    } catch (e) {
      throw new ChallengerError("MALFORMED_TX", "the bytes do not decode as a transaction", raw.length, {
        cause: e,
      });
    }
    const id = toTxid(tx.txid());
    const g = await this.byKickOff(id);
    if (g === undefined) throw new ChallengerError("NOT_A_KICKOFF", `${id} is no known graph's KickOff`, id);
    return { ...(await this.judge(g.graph, await this.confirmedAt(id))), kickOffTxid: id };
  }

  private async confirmedAt(id: Txid): Promise<number> {
    const s = await this.o.l1.getTxStatus(id);
    if (s?.blockHeight === undefined || s.confirmations < 1)
      throw new ChallengerError("NOT_ON_L1", `KickOff ${id} is not confirmed on L1`, id);
    return s.blockHeight;
  }

  /**
   * Challenges the KickOff `kickOffTxid` now (the `bridge:challenge` task): checks it like a round
   * does and refuses a covered claim with `HONEST_CLAIM` unless `force`. Idempotent: a KickOff
   * already challenged returns its record. Typed errors: `INVALID_TXID`, `UNKNOWN_GRAPH`,
   * `NOT_ON_L1`, `CONNECTOR_SPENT`, `NO_FUNDS`.
   */
  async challenge(kickOffTxid: string, opts: { force?: boolean } = {}): Promise<KickOffRecord> {
    const lower = kickOffTxid.toLowerCase();
    if (!TXID_RE.test(lower))
      throw new ChallengerError("INVALID_TXID", "a txid is 64 hex digits", kickOffTxid);
    const id = toTxid(lower);
    const g = await this.byKickOff(id);
    if (g === undefined) throw new ChallengerError("UNKNOWN_GRAPH", `no known graph has KickOff ${id}`, id);
    const height = await this.confirmedAt(id);
    let r = await this.record(id);
    if (r === undefined || r.step === "honest") {
      const v = await this.judge(g.graph, height);
      if (v.honest && opts.force !== true)
        throw new ChallengerError("HONEST_CLAIM", `KickOff ${id} is covered: ${v.reason}`, id, {
          details: { claimedSats: v.claimedSats, frontedSats: v.frontedSats },
        });
      if ((await this.o.l1.getTxOut({ txid: id, vout: 1 }, true)) === undefined)
        throw new ChallengerError("CONNECTOR_SPENT", `KickOff ${id}'s challenge connector is spent`, id);
      r = {
        kickOffTxid: id,
        pegInConfirmTxid: g.graph.pegInConfirm.txid,
        operator: bytesToHex(g.graph.input.operator.key),
        poolSats: g.graph.pegInConfirm.output(0).amount,
        height,
        step: "seen",
        claimedSats: v.claimedSats,
        frontedSats: v.frontedSats,
        reason: v.reason,
        ...(v.honest ? { forced: true } : {}),
        updatedAt: Date.now(),
      };
      await this.save(r, "seen");
    }
    // Only the Challenge itself: the rest of the game is the rounds' business.
    for (let before = ""; before !== r.step && (r.step === "seen" || r.step === "challenging");) {
      before = r.step;
      await this.advance(r);
    }
    if (
      r.challengeTxid === undefined ||
      (r.step === "missed" && (await txDepth(this.o.l1, r.challengeTxid)) === undefined)
    )
      throw new ChallengerError("CONNECTOR_SPENT", `KickOff ${id}'s challenge connector is spent`, id);
    return r;
  }
}

interface Built {
  graph: PegOutGraph;
  sig: Uint8Array;
  presigned?: Presignatures;
}

const hex = (b: Uint8Array | undefined): string => (b === undefined ? "" : bytesToHex(b));
