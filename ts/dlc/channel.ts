/**
 * A DLC channel between a user and the federation on Taproot: a 2-of-2 funding output, one CET per
 * digit prefix of the payout intervals (each encrypted with Schnorr adaptor signatures to the sum
 * of the oracle's digit points of that prefix) and a refund after an absolute timelock.
 *
 * Funding output: P2TR, internal key NUMS (no key path), one leaf
 * `<P_user> CHECKSIGVERIFY <P_federation> CHECKSIG`; witness `<sig_federation> <sig_user> <leaf> <control>`.
 */
import { normalizeZ } from "@noble/curves/abstract/curve.js";
import { schnorr } from "@noble/curves/secp256k1.js";
import { Script } from "@scure/btc-signer/script.js";
import { sats, type Sats } from "../bitcoin/index.js";
import { dustLimit, scriptOutput, type TapLeaf, type TapOutput } from "../bridge/index.js";
import {
  adaptorDecrypt,
  adaptorRecover,
  adaptorSign,
  adaptorVerify,
  bip340Sign,
  bip340Verify,
  bytesToNum,
  equal,
  modN,
  numTo32,
  signingKey,
  type AdaptorSignature,
  Point,
  type SigningKey,
} from "./adaptor.js";
import { DlcError } from "./errors.js";
import { coverInterval, prefixMatches } from "./numeric.js";
import { DigitPoints, attestationSecret, verifyAnnouncement, verifyAttestation } from "./oracle.js";
import type { OracleAnnouncement, OracleAttestation } from "./oracle.js";
import { DlcTx, SEQUENCE_LOCKTIME, withFee, type DlcUtxo } from "./tx.js";

export type Role = "user" | "federation";

export interface ChannelTerms {
  readonly userKey: Uint8Array;
  readonly federationKey: Uint8Array;
  /** What each party put into the funding output (the refund pays these back, less its fee). */
  readonly userCollateral: Sats;
  readonly federationCollateral: Sats;
  readonly userScript: Uint8Array;
  readonly federationScript: Uint8Array;
  readonly announcement: OracleAnnouncement;
  /** Absolute block height from which the refund is valid (nLockTime). */
  readonly refundLocktime: number;
  /** sat/vB of every presigned transaction. */
  readonly feeRate: bigint;
  /**
   * A t-of-N oracle federation: CETs complete when any `threshold` of these oracles attest the
   * same outcome. `announcement` must be one of them (it fixes the event's digits). Without it,
   * the one oracle of `announcement` decides.
   */
  readonly federation?: OracleFederation;
}

/** N oracles announcing the same event (same base and digits), any `threshold` of which settle. */
export interface OracleFederation {
  readonly announcements: readonly OracleAnnouncement[];
  readonly threshold: number;
}

/** Every `t`-subset of 0…n−1 in lexicographic order. */
export function subsets(n: number, t: number): number[][] {
  const out: number[][] = [];
  const pick = (from: number, acc: number[]): void => {
    if (acc.length === t) {
      out.push(acc);
      return;
    }
    for (let i = from; i <= n - (t - acc.length); i++) pick(i + 1, [...acc, i]);
  };
  pick(0, []);
  return out;
}

/** Outcomes [from, to] pay the user `user` sats; the federation gets the rest less the fee. */
export interface PayoutInterval {
  readonly from: bigint;
  readonly to: bigint;
  readonly user: Sats;
}

/** One adaptor-signed CET: a digit prefix, the payout it leads to and its adaptor point. */
export interface CetEntry {
  readonly prefix: readonly number[];
  readonly user: Sats;
  /** Index into `DlcChannel.txs` (CETs of equal payout are one transaction). */
  readonly tx: number;
  /** The oracles (indices into the federation; `[0]` without one) whose attestations open it. */
  readonly oracles: readonly number[];
  readonly point: Point;
}

/** What a party hands its counterparty: one adaptor signature per CET entry and the refund signature. */
export interface ChannelSignatures {
  readonly cets: readonly AdaptorSignature[];
  readonly refund: Uint8Array;
  /** Plain signatures of the CETs' extra (stake) inputs, `[tx][k]`; empty without a stake. */
  readonly stakeInputs: readonly (readonly Uint8Array[])[];
}

/** An extra input of a CET, spent through a `<P_user> CHECKSIGVERIFY <P_federation> CHECKSIG`-style leaf. */
export interface StakeInput {
  readonly utxo: DlcUtxo;
  readonly leaf: TapLeaf;
  readonly sequence: number;
}

/**
 * OP-DLC: every CET also spends the outputs of the oracle's sign transaction of its payout
 * interval (a timelocked output and the stake connector), so a CET can confirm only after the
 * challenge window and only while the connector is unspent. The stake (less the CET's fee) goes
 * back to `returnScript`; the user and the federation are then paid exactly.
 */
export interface CetStake {
  inputs(interval: number): readonly StakeInput[];
  readonly returnScript: Uint8Array;
}

export function multisigLeaf(userKey: Uint8Array, federationKey: Uint8Array): Uint8Array {
  return Script.encode([userKey, "CHECKSIGVERIFY", federationKey, "CHECKSIG"]);
}

export function fundingOutput(terms: Pick<ChannelTerms, "userKey" | "federationKey">): TapOutput<"multisig"> {
  return scriptOutput({ multisig: multisigLeaf(terms.userKey, terms.federationKey) });
}

/** The user receives exactly `amount` if the oracle attests `amount`; any other outcome is the refund split. */
export function withdrawalIntervals(amount: bigint, maxOutcome: bigint, refundUser: Sats): PayoutInterval[] {
  if (amount < 0n || amount > maxOutcome)
    throw new DlcError("BAD_AMOUNT", "withdrawal amount outside the outcome range", { value: amount });
  const out: PayoutInterval[] = [];
  if (amount > 0n) out.push({ from: 0n, to: amount - 1n, user: refundUser });
  out.push({ from: amount, to: amount, user: sats(amount) });
  if (amount < maxOutcome) out.push({ from: amount + 1n, to: maxOutcome, user: refundUser });
  return out;
}

const SIG = 64;

export class DlcChannel {
  readonly funding: TapOutput<"multisig">;
  readonly digits: DigitPoints;
  /** The announcements of the oracles (one without a federation) and how many must agree. */
  readonly announcements: readonly OracleAnnouncement[];
  readonly threshold: number;
  readonly entries: CetEntry[] = [];
  readonly txs: DlcTx[] = [];
  readonly refund: DlcTx;
  readonly total: Sats;
  readonly #sighashes: Uint8Array[] = [];
  /** The payout interval of each CET transaction. */
  readonly #txInterval: number[] = [];
  /** With one stake per oracle: the subset whose stakes each CET transaction spends. */
  readonly #txOracles: (readonly number[])[] = [];
  /** One stake shared by every CET, or (t-of-N) one stake per oracle of the federation. */
  readonly stake?: CetStake | readonly CetStake[];

  /**
   * `stake`: one `CetStake` (every CET spends it), or one per oracle of the federation (index
   * order): then each t-subset has its own CET transactions, spending the funding output and,
   * for every oracle of the subset, its sign transaction's timelocked output and connector A.
   */
  constructor(
    readonly terms: ChannelTerms,
    readonly fundingUtxo: DlcUtxo,
    readonly intervals: readonly PayoutInterval[],
    stake?: CetStake | readonly CetStake[],
  ) {
    if (stake !== undefined) this.stake = stake;
    verifyAnnouncement(terms.announcement);
    const fed = terms.federation;
    this.announcements = fed === undefined ? [terms.announcement] : fed.announcements;
    this.threshold = fed === undefined ? 1 : fed.threshold;
    checkFederation(terms.announcement, this.announcements, this.threshold);
    this.funding = fundingOutput(terms);
    if (!equal(fundingUtxo.script, this.funding.script))
      throw new DlcError("BAD_PARAMS", "funding output does not pay the channel's 2-of-2", {
        value: fundingUtxo,
      });
    this.total = sats(terms.userCollateral + terms.federationCollateral);
    if (fundingUtxo.amount !== this.total)
      throw new DlcError("BAD_AMOUNT", "funding amount is not the sum of the collaterals", {
        value: fundingUtxo.amount,
        details: { expected: this.total },
      });
    const { base, nbDigits } = terms.announcement.event.descriptor;
    checkCoverage(intervals, BigInt(base) ** BigInt(nbDigits) - 1n, this.total);
    this.digits = DigitPoints.of(terms.announcement);
    const oracleDigits = this.announcements.map((a) =>
      a === terms.announcement ? this.digits : DigitPoints.of(a),
    );
    const groups = subsets(this.announcements.length, this.threshold);
    const perOracle = isStakeList(stake);
    if (perOracle && stake.length !== this.announcements.length)
      throw new DlcError("BAD_PARAMS", "one stake per oracle of the federation is required", {
        details: { stakes: stake.length, oracles: this.announcements.length },
      });
    // Without a stake, CETs of equal payout are one transaction; with one, each interval has its
    // own; with one stake per oracle, each (interval, subset).
    const byKey = new Map<string, number>();
    const raw: Omit<CetEntry, "point">[] = [];
    const points: Point[] = [];
    intervals.forEach((iv, n) => {
      const txOf = (oracles: readonly number[], g: number): number => {
        const key = stake === undefined ? `u${iv.user}` : perOracle ? `${n}/${g}` : `${n}`;
        let tx = byKey.get(key);
        if (tx === undefined) {
          tx = this.txs.length;
          this.#txInterval.push(n);
          this.#txOracles.push(oracles);
          this.txs.push(this.#payoutTx("CET", iv.user, 0, tx));
          this.#sighashes.push(this.txs[tx]!.sighash(0, this.funding.leaves.multisig));
          byKey.set(key, tx);
        }
        return tx;
      };
      // dlcspecs multi-oracle: for each t-subset, the adaptor point of a prefix is the sum of
      // the subset's points of that prefix; without per-oracle stakes the CET transaction (and
      // its sighash) is shared by the subsets.
      for (const prefix of coverInterval(iv.from, iv.to, base, nbDigits))
        groups.forEach((oracles, g) => {
          const tx = txOf(oracles, g);
          let point = oracleDigits[oracles[0]!]!.prefixPoint(prefix);
          for (const o of oracles.slice(1)) point = point.add(oracleDigits[o]!.prefixPoint(prefix));
          raw.push({ prefix, user: iv.user, tx, oracles });
          points.push(point);
        });
    });
    // the sums are projective: one shared inversion brings them all to affine (cheap to encode)
    normalizeZ(Point, points).forEach((point, i) => this.entries.push({ ...raw[i]!, point }));
    this.refund = this.#payoutTx("Refund", terms.userCollateral, terms.refundLocktime);
  }

  /**
   * The stakes CET transaction `tx` spends, each with the inputs it adds and where its stake
   * returns: none without a stake, the one stake, or those of the transaction's subset.
   */
  #stakeGroups(tx: number): { inputs: readonly StakeInput[]; returnScript: Uint8Array }[] {
    const stake = this.stake;
    if (stake === undefined || tx < 0) return [];
    const j = this.#txInterval[tx]!;
    const list = isStakeList(stake) ? this.#txOracles[tx]!.map((o) => stake[o]!) : [stake];
    return list.map((st) => ({ inputs: st.inputs(j), returnScript: st.returnScript }));
  }

  /**
   * A transaction spending the funding output through the 2-of-2 leaf that pays the user `user`
   * (and, for CET `tx`, its stakes' inputs).
   */
  #payoutTx(name: "CET" | "Refund", user: Sats, lockTime: number, txIndex = -1): DlcTx {
    const leaf = this.funding.leaves.multisig;
    const groups = name === "CET" ? this.#stakeGroups(txIndex) : [];
    const extra = groups.flatMap((g) => g.inputs);
    const shape = [leaf, ...extra.map((x) => x.leaf)].map((l) => [
      SIG,
      SIG,
      l.script.length,
      l.controlBlock.length,
    ]);
    return withFee(
      (fee) => {
        const tx = new DlcTx(name, lockTime);
        tx.addInput(this.fundingUtxo, SEQUENCE_LOCKTIME);
        if (extra.length > 0) {
          const { userScript, federationScript } = this.terms;
          for (const x of extra) tx.addInput(x.utxo, x.sequence);
          // outputs below their dust limit are left out (their value goes to the fee), as in dlcspecs
          if (user > 0n && user >= dustLimit(userScript)) tx.addOutput(userScript, user);
          const fed = this.total - user;
          if (fed > 0n && fed >= dustLimit(federationScript)) tx.addOutput(federationScript, fed);
          // the fee comes from the returned stakes, split evenly (the first pays the remainder)
          const n = BigInt(groups.length);
          groups.forEach((g, i) => {
            const share = fee / n + (i === 0 ? fee % n : 0n);
            const back = g.inputs.reduce((a, x) => a + x.utxo.amount, 0n) - share;
            if (back < dustLimit(g.returnScript))
              throw new DlcError("BAD_AMOUNT", "the stake inputs do not cover the CET's fee", {
                value: back,
              });
            tx.addOutput(g.returnScript, back);
          });
          return tx;
        }
        plainOutputs(tx, this.terms, this.total, user, fee);
        return tx;
      },
      shape,
      this.terms.feeRate,
    );
  }

  #keyOf(role: Role): Uint8Array {
    return role === "user" ? this.terms.userKey : this.terms.federationKey;
  }

  #roleOf(secret: Uint8Array): Role {
    return this.#party(secret).role;
  }

  #party(secret: Uint8Array): { role: Role; key: SigningKey } {
    const key = signingKey(secret);
    if (equal(key.px, this.terms.userKey)) return { role: "user", key };
    if (equal(key.px, this.terms.federationKey)) return { role: "federation", key };
    throw new DlcError("BAD_PARAMS", "this key is not a party of the channel");
  }

  #refundSighash?: Uint8Array;
  readonly #stakeSighashes: Uint8Array[][] = [];

  /** The refund's sighash (computed once). */
  #refundMessage(): Uint8Array {
    return (this.#refundSighash ??= this.refund.sighash(0, this.funding.leaves.multisig));
  }

  /** The sighashes of CET `tx`'s stake inputs, in input order (computed once per transaction). */
  #stakeMessages(tx: number): Uint8Array[] {
    let out = this.#stakeSighashes[tx];
    if (out === undefined) {
      out = this.#stakeLeaves(tx).map((leaf, k) => this.txs[tx]!.sighash(k + 1, leaf));
      this.#stakeSighashes[tx] = out;
    }
    return out;
  }

  /** The signatures a party gives its counterparty: adaptor signatures of every CET, the refund's. */
  sign(secret: Uint8Array): ChannelSignatures {
    const { key } = this.#party(secret);
    return {
      cets: this.entries.map((e) => adaptorSign(key, this.#sighashes[e.tx]!, e.point)),
      refund: bip340Sign(this.#refundMessage(), key),
      stakeInputs: this.txs.map((_, t) => this.#stakeMessages(t).map((m) => bip340Sign(m, key))),
    };
  }

  #stakeLeaves(tx: number): TapLeaf[] {
    return this.#stakeGroups(tx).flatMap((g) => g.inputs.map((x) => x.leaf));
  }

  /** Checks a counterparty's signatures; `BAD_ADAPTOR_SIGNATURE` names the first CET that fails. */
  verify(sigs: ChannelSignatures, from: Role): void {
    const key = this.#keyOf(from);
    if (sigs.cets.length !== this.entries.length)
      throw new DlcError("BAD_ADAPTOR_SIGNATURE", "one adaptor signature per CET is required", {
        details: { got: sigs.cets.length, expected: this.entries.length },
      });
    this.entries.forEach((e, i) => {
      try {
        adaptorVerify(sigs.cets[i]!, key, this.#sighashes[e.tx]!, e.point);
      } catch (cause) {
        throw new DlcError("BAD_ADAPTOR_SIGNATURE", `adaptor signature of CET ${i} does not verify`, {
          details: { signature: "cet", cet: i, prefix: e.prefix, from },
          cause,
        });
      }
    });
    if (!bip340Verify(sigs.refund, this.#refundMessage(), key))
      throw new DlcError("BAD_SIGNATURE", "refund signature does not verify", {
        details: { signature: "refund", from },
      });
    this.txs.forEach((_, t) =>
      this.#stakeMessages(t).forEach((m, k) => {
        const sig = sigs.stakeInputs[t]?.[k];
        if (sig === undefined || !bip340Verify(sig, m, key))
          throw new DlcError(
            "BAD_SIGNATURE",
            `signature of CET ${t}'s stake input ${k + 1} does not verify`,
            {
              details: { signature: "stakeInput", tx: t, input: k + 1, from },
            },
          );
      }),
    );
  }

  /** The CET entry that pays out `value` (opened by `oracles`, by default the first t), or `UNKNOWN_OUTCOME`. */
  entryFor(
    value: bigint,
    oracles: readonly number[] = subsets(this.announcements.length, this.threshold)[0]!,
  ): number {
    const { base, nbDigits } = this.terms.announcement.event.descriptor;
    if (value < 0n || value >= BigInt(base) ** BigInt(nbDigits))
      throw new DlcError("UNKNOWN_OUTCOME", "outcome outside the event's range", { value });
    const i = this.entries.findIndex(
      (e) => equalSet(e.oracles, oracles) && prefixMatches(e.prefix, value, base, nbDigits),
    );
    if (i < 0) throw new DlcError("UNKNOWN_OUTCOME", "no CET for this outcome", { value });
    return i;
  }

  #witness(
    sigUser: Uint8Array,
    sigFed: Uint8Array,
    leaf: TapLeaf = this.funding.leaves.multisig,
  ): Uint8Array[] {
    return [sigFed, sigUser, leaf.script, leaf.controlBlock];
  }

  /**
   * Completes the CET of the attested outcome: checks the attestation, decrypts the counterparty's
   * adaptor signature with the attestation secret, adds this party's signature. Returns a new
   * transaction; the channel is unchanged.
   */
  settle(
    attestation: OracleAttestation | readonly OracleAttestation[],
    secret: Uint8Array,
    counterparty: ChannelSignatures,
  ): { tx: DlcTx; entry: number; value: bigint; oracles: readonly number[] } {
    const { value, oracles, byOracle } = this.#agreed(
      Array.isArray(attestation) ? attestation : [attestation],
    );
    const entry = this.entryFor(value, oracles);
    const e = this.entries[entry]!;
    const role = this.#roleOf(secret);
    const other: Role = role === "user" ? "federation" : "user";
    const m = this.#sighashes[e.tx]!;
    const adaptor = counterparty.cets[entry];
    if (adaptor === undefined)
      throw new DlcError("BAD_ADAPTOR_SIGNATURE", "no adaptor signature for this CET");
    adaptorVerify(adaptor, this.#keyOf(other), m, e.point);
    let t = 0n;
    for (const o of oracles) t = modN(t + bytesToNum(attestationSecret(byOracle.get(o)!, e.prefix.length)));
    if (t === 0n) throw new DlcError("BAD_ATTESTATION", "the attestations sum to a zero secret");
    const theirs = adaptorDecrypt(adaptor, numTo32(t));
    if (!schnorr.verify(theirs, m, this.#keyOf(other)))
      throw new DlcError("BAD_ATTESTATION", "attestation does not open this CET's adaptor point");
    const mine = schnorr.sign(m, secret);
    const tx = this.#payoutTx("CET", e.user, 0, e.tx);
    tx.setWitness(0, role === "user" ? this.#witness(mine, theirs) : this.#witness(theirs, mine));
    this.#stakeLeaves(e.tx).forEach((leaf, k) => {
      const own = schnorr.sign(tx.sighash(k + 1, leaf), secret);
      const other = counterparty.stakeInputs[e.tx]?.[k];
      if (
        other === undefined ||
        !schnorr.verify(other, tx.sighash(k + 1, leaf), this.#keyOf(role === "user" ? "federation" : "user"))
      )
        throw new DlcError(
          "BAD_SIGNATURE",
          `counterparty's signature of stake input ${k + 1} does not verify`,
        );
      tx.setWitness(
        k + 1,
        role === "user" ? this.#witness(own, other, leaf) : this.#witness(other, own, leaf),
      );
    });
    return { tx, entry, value, oracles };
  }

  /**
   * Checks each attestation against its oracle's announcement (`WRONG_EVENT` for an oracle outside
   * the federation, `WRONG_NONCE`/`BAD_ATTESTATION` as for one oracle) and finds an outcome that
   * `threshold` distinct oracles attest; `THRESHOLD_NOT_MET` when there is none. Returns the first
   * `threshold` of them (by index).
   */
  #agreed(atts: readonly OracleAttestation[]): {
    value: bigint;
    oracles: number[];
    byOracle: Map<number, OracleAttestation>;
  } {
    const byOracle = new Map<number, OracleAttestation>();
    const values = new Map<number, bigint>();
    for (const att of atts) {
      const o = this.announcements.findIndex((a) => equal(a.oraclePublicKey, att.oraclePublicKey));
      if (o < 0)
        throw new DlcError("WRONG_EVENT", "attestation by an oracle outside the federation", {
          value: att.oraclePublicKey,
        });
      const v = verifyAttestation(this.announcements[o]!, att);
      const before = values.get(o);
      if (before !== undefined && before !== v)
        throw new DlcError("BAD_ATTESTATION", "one oracle attested two outcomes of the event", {
          details: { oracle: o, outcomes: [before, v] },
        });
      values.set(o, v);
      byOracle.set(o, att);
    }
    const tally = new Map<bigint, number[]>();
    for (const [o, v] of [...values].sort((a, b) => a[0] - b[0])) tally.set(v, [...(tally.get(v) ?? []), o]);
    for (const [value, os] of tally)
      if (os.length >= this.threshold) return { value, oracles: os.slice(0, this.threshold), byOracle };
    throw new DlcError("THRESHOLD_NOT_MET", `no outcome is attested by ${this.threshold} oracles`, {
      details: {
        threshold: this.threshold,
        attested: [...tally].map(([v, os]) => ({ value: v, oracles: os })),
      },
    });
  }

  /** The refund, valid from `refundLocktime`, with the counterparty's refund signature. */
  completeRefund(secret: Uint8Array, counterparty: ChannelSignatures): DlcTx {
    const role = this.#roleOf(secret);
    const other: Role = role === "user" ? "federation" : "user";
    const m = this.refund.sighash(0, this.funding.leaves.multisig);
    if (!schnorr.verify(counterparty.refund, m, this.#keyOf(other)))
      throw new DlcError("BAD_SIGNATURE", "counterparty's refund signature does not verify");
    const mine = schnorr.sign(m, secret);
    const tx = this.#payoutTx("Refund", this.terms.userCollateral, this.terms.refundLocktime);
    tx.setWitness(
      0,
      role === "user" ? this.#witness(mine, counterparty.refund) : this.#witness(counterparty.refund, mine),
    );
    return tx;
  }

  /**
   * From a broadcast CET and the adaptor signature this party made for it, the oracle's attestation
   * secret of that CET's prefix (what a party learns when the other one settles).
   */
  recoverSecret(
    entry: number,
    mine: AdaptorSignature,
    role: Role,
    witness: readonly Uint8Array[],
  ): Uint8Array {
    const e = this.entries[entry];
    if (e === undefined) throw new DlcError("UNKNOWN_OUTCOME", "no such CET", { value: entry });
    const sig = role === "user" ? witness[1] : witness[0];
    if (sig === undefined) throw new DlcError("BAD_SIGNATURE", "witness has no signature for this party");
    return adaptorRecover(mine, sig, e.point);
  }
}

/** The user is paid exactly; the fee comes from the federation's share, then from the user's. */
function plainOutputs(tx: DlcTx, terms: RefundTerms, total: bigint, user: bigint, fee: bigint): void {
  let fed = total - user - fee;
  let usr = user;
  if (fed < 0n) {
    usr += fed;
    fed = 0n;
  }
  if (usr >= dustLimit(terms.userScript) && usr > 0n) tx.addOutput(terms.userScript, usr);
  if (fed >= dustLimit(terms.federationScript) && fed > 0n) tx.addOutput(terms.federationScript, fed);
}

/** What the refund depends on: neither the oracle nor the payouts. */
export type RefundTerms = Pick<
  ChannelTerms,
  | "userKey"
  | "federationKey"
  | "userCollateral"
  | "federationCollateral"
  | "userScript"
  | "federationScript"
  | "refundLocktime"
  | "feeRate"
>;

/**
 * The refund of a funding output, fully signed: the same transaction `DlcChannel` builds, so the
 * signatures exchanged before funding stay valid for the channel's whole life.
 */
export function signedRefund(
  terms: RefundTerms,
  fundingUtxo: DlcUtxo,
  userSecret: Uint8Array,
  federationSecret: Uint8Array,
): DlcTx {
  const funding = fundingOutput(terms);
  const leaf = funding.leaves.multisig;
  const total = terms.userCollateral + terms.federationCollateral;
  const tx = withFee(
    (fee) => {
      const t = new DlcTx("Refund", terms.refundLocktime);
      t.addInput(fundingUtxo, SEQUENCE_LOCKTIME);
      plainOutputs(t, terms, total, terms.userCollateral, fee);
      return t;
    },
    [[SIG, SIG, leaf.script.length, leaf.controlBlock.length]],
    terms.feeRate,
  );
  const m = tx.sighash(0, leaf);
  tx.setWitness(0, [
    schnorr.sign(m, federationSecret),
    schnorr.sign(m, userSecret),
    leaf.script,
    leaf.controlBlock,
  ]);
  return tx;
}

function isStakeList(s: CetStake | readonly CetStake[] | undefined): s is readonly CetStake[] {
  return Array.isArray(s);
}

function equalSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function checkFederation(main: OracleAnnouncement, all: readonly OracleAnnouncement[], t: number): void {
  if (!Number.isInteger(t) || t < 1 || t > all.length)
    throw new DlcError("BAD_PARAMS", "the threshold must be 1…N", { value: t, details: { n: all.length } });
  if (!all.includes(main))
    throw new DlcError("BAD_PARAMS", "the channel's announcement must be one of the federation's");
  const { base, nbDigits } = main.event.descriptor;
  const keys = new Set<string>();
  for (const a of all) {
    if (a !== main) verifyAnnouncement(a);
    if (a.event.descriptor.base !== base || a.event.descriptor.nbDigits !== nbDigits)
      throw new DlcError("BAD_ANNOUNCEMENT", "the federation's oracles must announce the same digits", {
        value: a.event.descriptor,
      });
    const k = Buffer.from(a.oraclePublicKey).toString("hex");
    if (keys.has(k)) throw new DlcError("BAD_ANNOUNCEMENT", "an oracle appears twice in the federation");
    keys.add(k);
  }
}

function checkCoverage(intervals: readonly PayoutInterval[], max: bigint, total: Sats): void {
  let next = 0n;
  for (const iv of intervals) {
    if (iv.from !== next || iv.to < iv.from)
      throw new DlcError(
        "BAD_INTERVAL",
        "payout intervals must cover the outcomes in order, without gaps or overlaps",
        {
          value: iv,
          details: { expectedFrom: next },
        },
      );
    if (iv.user < 0n || iv.user > total)
      throw new DlcError("BAD_AMOUNT", "payout exceeds the funding amount", { value: iv.user });
    next = iv.to + 1n;
  }
  if (next !== max + 1n)
    throw new DlcError("BAD_INTERVAL", "payout intervals must cover every outcome", {
      details: { coveredTo: next - 1n, max },
    });
}
