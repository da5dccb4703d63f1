/**
 * OP-DLC's staked oracle: the oracle's sign transaction commits the attested amount with a
 * Winternitz one-time signature and moves the oracle's stake into connector A; every settle-CET
 * spends connector A after the challenge window; a Disprove-CET spends connector A at once if the
 * committed amount differs from the amount the L2 recorded, burning part of the stake and paying
 * the rest to the challenger — and then no settle-CET can ever confirm.
 *
 * Per payout interval j of the channel there is one sign transaction OracleSign_j:
 *
 *   stake UTXO (oracle) ── leaf sign_j:  WOTS_verify(pk) ; x ∈ [lo_j, hi_j] ; <P_user> CHECKSIGVERIFY <P_oracle> CHECKSIG
 *                       └─ leaf reclaim: <T_reclaim> CSV DROP <P_oracle> CHECKSIG           (a silent oracle's way back)
 *   OracleSign_j  out0 timelocked output: <lo_j> <hi_j> 2DROP <T_window> CSV DROP <P_user> CHECKSIGVERIFY <P_fed> CHECKSIG
 *                 out1 connector A: leaf settle:   <P_user> CHECKSIGVERIFY <P_fed> CHECKSIG
 *                                   leaf disprove: WOTS_verify(pk) ; x ≠ w
 *
 * The user presigns OracleSign_j through leaf sign_j only, so OracleSign_j can exist on chain
 * only with a Winternitz commitment to an amount in interval j; the settle-CETs of interval j are
 * encrypted to the oracle's BIP340 attestation of an amount in the same interval and spend
 * OracleSign_j's outputs (whose txid differs per j). A wrong attestation that a CET can use thus
 * needs a commitment x ≠ w on chain, which anyone can disprove during the window.
 */
import { schnorr } from "@noble/curves/secp256k1.js";
import { OP, type Sats } from "../bitcoin/index.js";
import { dustLimit, scriptOutput, type TapLeaf, type TapOutput } from "../bridge/index.js";
import {
  fragment,
  num,
  winternitzKeygen,
  winternitzPublicKey,
  winternitzSign,
  winternitzVerifyScript,
  type Fragment,
  type Op,
  type WinternitzPublicKey,
  type WinternitzSecretKey,
} from "../bitvm/index.js";
import { bip340Sign, bip340Verify, equal, signingKey } from "./adaptor.js";
import type { CetStake, PayoutInterval, StakeInput } from "./channel.js";
import { DlcError } from "./errors.js";
import { DlcTx, SEQUENCE_LOCKTIME, withFee, type DlcUtxo } from "./tx.js";

/** The committed amount: 4 bytes big-endian, 4-bit digits (8 digits + 2 checksum digits). */
export const AMOUNT_WINTERNITZ = { messageBytes: 4, digitBits: 4 } as const;
/** Largest amount the Script check handles: a 4-byte script number. */
export const MAX_COMMITTED_AMOUNT = 0x7fffffffn;

export function amountMessage(x: bigint): Uint8Array {
  if (x < 0n || x > MAX_COMMITTED_AMOUNT)
    throw new DlcError("BAD_AMOUNT", "committed amount must fit a 4-byte script number", { value: x });
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, Number(x));
  return out;
}

/** The oracle's one-time key of one event, derived from its secret. Sign one amount with it, never two. */
export function oracleWinternitzKey(oracleSecret: Uint8Array, eventId: string): WinternitzSecretKey {
  const seed = schnorr.utils.taggedHash(
    "LVM/dlc/oracle/winternitz",
    oracleSecret,
    new TextEncoder().encode(eventId),
  );
  return winternitzKeygen(seed, AMOUNT_WINTERNITZ);
}

/**
 * Verifies the Winternitz commitment and leaves the amount as one script number: the eight digits
 * (first deepest) go to the altstack and come back most significant first, x = x·16 + d.
 */
export function committedAmount(pk: WinternitzPublicKey): Fragment {
  const ops: Op[] = [];
  for (let i = 0; i < 8; i++) ops.push(OP.OP_TOALTSTACK);
  ops.push(OP.OP_FROMALTSTACK);
  for (let i = 1; i < 8; i++) {
    for (let b = 0; b < 4; b++) ops.push(OP.OP_DUP, OP.OP_ADD);
    ops.push(OP.OP_FROMALTSTACK, OP.OP_ADD);
  }
  return fragment("dlc_committed_amount", winternitzVerifyScript(pk), ops);
}

const n32 = (v: bigint) => num(Number(v));

export function signLeaf(
  pk: WinternitzPublicKey,
  iv: PayoutInterval,
  userKey: Uint8Array,
  oracleKey: Uint8Array,
) {
  return fragment(
    "dlc_oracle_sign",
    committedAmount(pk),
    [
      OP.OP_DUP,
      n32(iv.from),
      OP.OP_GREATERTHANOREQUAL,
      OP.OP_VERIFY,
      n32(iv.to),
      OP.OP_LESSTHANOREQUAL,
      OP.OP_VERIFY,
    ],
    [userKey, OP.OP_CHECKSIGVERIFY, oracleKey, OP.OP_CHECKSIG],
  ).bytes;
}

/** The disprove leaf: a valid commitment by the oracle's one-time key to an amount other than `requested`. */
export function disproveLeaf(pk: WinternitzPublicKey, requested: bigint): Uint8Array {
  return fragment("dlc_disprove", committedAmount(pk), [n32(requested), OP.OP_NUMNOTEQUAL]).bytes;
}

const twoOfTwo = (u: Uint8Array, f: Uint8Array) =>
  fragment("dlc_2of2", [u, OP.OP_CHECKSIGVERIFY, f, OP.OP_CHECKSIG]).bytes;

export interface StakeTerms {
  readonly userKey: Uint8Array;
  readonly federationKey: Uint8Array;
  /** The oracle's BIP340 key that signs its sign transactions and reclaims a stake. */
  readonly oracleKey: Uint8Array;
  readonly winternitz: WinternitzPublicKey;
  /** The amount the L2 recorded for this withdrawal. */
  readonly requested: bigint;
  readonly intervals: readonly PayoutInterval[];
  /** BIP68 blocks between OracleSign and any settle-CET (the challenge window). */
  readonly window: number;
  /** BIP68 blocks after which an unused stake returns to the oracle. */
  readonly reclaim: number;
  /** Value of OracleSign's timelocked output; the rest of the stake, less the fee, is connector A. */
  readonly timelockValue: Sats;
  readonly feeRate: bigint;
  /** Where the settle-CET returns the stake (the oracle's script). */
  readonly returnScript: Uint8Array;
}

export function stakeOutput(t: StakeTerms): TapOutput<string> {
  const leaves: Record<string, Uint8Array> = {};
  t.intervals.forEach((iv, j) => (leaves[`sign${j}`] = signLeaf(t.winternitz, iv, t.userKey, t.oracleKey)));
  leaves.reclaim = fragment("dlc_reclaim", [
    num(t.reclaim),
    OP.OP_CHECKSEQUENCEVERIFY,
    OP.OP_DROP,
    t.oracleKey,
    OP.OP_CHECKSIG,
  ]).bytes;
  return scriptOutput(leaves);
}

export function timelockOutput(t: StakeTerms, j: number): TapOutput<"settle"> {
  const iv = t.intervals[j]!;
  const leaf = fragment(
    "dlc_oracle_timelock",
    [n32(iv.from), n32(iv.to), OP.OP_2DROP, num(t.window), OP.OP_CHECKSEQUENCEVERIFY, OP.OP_DROP],
    [t.userKey, OP.OP_CHECKSIGVERIFY, t.federationKey, OP.OP_CHECKSIG],
  ).bytes;
  return scriptOutput({ settle: leaf });
}

export function connectorOutput(t: StakeTerms): TapOutput<"settle" | "disprove"> {
  return scriptOutput({
    settle: twoOfTwo(t.userKey, t.federationKey),
    disprove: disproveLeaf(t.winternitz, t.requested),
  });
}

const SIG = 64;

/**
 * The oracle's sign transactions (one per payout interval), the stake attachment of the channel's
 * CETs, and the Disprove-CET. Built identically by every party from the same terms.
 */
export class StakedOracle implements CetStake {
  readonly stake: TapOutput<string>;
  readonly connector: TapOutput<"settle" | "disprove">;
  readonly signTxs: DlcTx[];
  readonly returnScript: Uint8Array;
  /** `inputs(j)` and the sighash of OracleSign_j through sign_j, built once (CETs ask for them often). */
  readonly #inputs: (readonly StakeInput[])[];
  readonly #signSighashes: Uint8Array[];

  constructor(
    readonly terms: StakeTerms,
    readonly stakeUtxo: DlcUtxo,
  ) {
    if (terms.requested < 0n || terms.requested > MAX_COMMITTED_AMOUNT)
      throw new DlcError("BAD_AMOUNT", "requested amount outside the committable range", {
        value: terms.requested,
      });
    this.stake = stakeOutput(terms);
    if (!equal(stakeUtxo.script, this.stake.script))
      throw new DlcError("BAD_PARAMS", "stake UTXO does not pay this withdrawal's stake script", {
        value: stakeUtxo,
      });
    this.connector = connectorOutput(terms);
    this.returnScript = terms.returnScript;
    // Per digit a 20-byte chain value and the digit (at most one byte): the largest witness.
    const { messageDigits, checksumDigits } = terms.winternitz.layout;
    const wotsWitness = Array.from({ length: messageDigits + checksumDigits }, () => [1, 20]).flat();
    this.signTxs = terms.intervals.map((_, j) => {
      const leaf = this.stake.leaves[`sign${j}`]!;
      const tl = timelockOutput(terms, j);
      return withFee(
        (fee) => {
          const tx = new DlcTx("OracleSign");
          tx.addInput(stakeUtxo, SEQUENCE_LOCKTIME);
          tx.addOutput(tl.script, terms.timelockValue);
          const connector = stakeUtxo.amount - terms.timelockValue - fee;
          if (connector < dustLimit(this.connector.script))
            throw new DlcError("BAD_AMOUNT", "the stake does not cover the sign transaction", {
              value: stakeUtxo.amount,
            });
          tx.addOutput(this.connector.script, connector);
          return tx;
        },
        [[SIG, SIG, ...wotsWitness, leaf.script.length, leaf.controlBlock.length]],
        terms.feeRate,
      );
    });
    this.#inputs = this.signTxs.map((tx, j) => [
      { utxo: tx.utxo(0), leaf: timelockOutput(terms, j).leaves.settle, sequence: terms.window },
      { utxo: tx.utxo(1), leaf: this.connector.leaves.settle, sequence: SEQUENCE_LOCKTIME },
    ]);
    this.#signSighashes = this.signTxs.map((tx, j) => tx.sighash(0, this.#signLeaf(j)));
  }

  /** The CET inputs of interval j: OracleSign_j's timelocked output (after the window) and connector A. */
  inputs(j: number): readonly StakeInput[] {
    const got = this.#inputs[j];
    if (got === undefined)
      throw new DlcError("UNKNOWN_OUTCOME", "no sign transaction for this interval", { value: j });
    return got;
  }

  #signLeaf(j: number): TapLeaf {
    const leaf = this.stake.leaves[`sign${j}`];
    if (leaf === undefined)
      throw new DlcError("UNKNOWN_OUTCOME", "no sign transaction for this interval", { value: j });
    return leaf;
  }

  /** The user's presignatures of every OracleSign_j, each valid only through leaf sign_j. */
  presignUser(userSecret: Uint8Array): Uint8Array[] {
    const key = signingKey(userSecret);
    return this.#signSighashes.map((m) => bip340Sign(m, key));
  }

  verifyUser(sigs: readonly Uint8Array[]): void {
    this.#signSighashes.forEach((m, j) => {
      const s = sigs[j];
      if (s === undefined || !bip340Verify(s, m, this.terms.userKey))
        throw new DlcError("BAD_SIGNATURE", `user's presignature of OracleSign ${j} does not verify`, {
          details: { interval: j },
        });
    });
  }

  /** The interval an amount falls in. */
  intervalOf(x: bigint): number {
    const j = this.terms.intervals.findIndex((iv) => x >= iv.from && x <= iv.to);
    if (j < 0) throw new DlcError("UNKNOWN_OUTCOME", "no interval contains this amount", { value: x });
    return j;
  }

  /**
   * The oracle's sign transaction for amount `x`: commits x with its one-time key, signs with its
   * key, adds the user's presignature. Returns a new transaction.
   */
  completeSign(
    x: bigint,
    wots: WinternitzSecretKey,
    oracleSecret: Uint8Array,
    userSigs: readonly Uint8Array[],
  ): DlcTx {
    const pk = winternitzPublicKey(wots).hashes;
    if (
      pk.length !== this.terms.winternitz.hashes.length ||
      pk.some((h, i) => !equal(h, this.terms.winternitz.hashes[i]!))
    )
      throw new DlcError("BAD_PARAMS", "this one-time key is not the stake's");
    const j = this.intervalOf(x);
    this.verifyUser(userSigs);
    const tx = this.#fresh(j);
    const leaf = this.#signLeaf(j);
    const m = tx.sighash(0, leaf);
    tx.setWitness(0, [
      schnorr.sign(m, oracleSecret),
      userSigs[j]!,
      ...winternitzSign(wots, amountMessage(x)),
      leaf.script,
      leaf.controlBlock,
    ]);
    return tx;
  }

  #fresh(j: number): DlcTx {
    // The templates are kept unsigned; a signed copy is rebuilt from the same inputs and outputs.
    const t = this.signTxs[j]!;
    const tx = new DlcTx("OracleSign");
    tx.addInput(this.stakeUtxo, SEQUENCE_LOCKTIME);
    for (let v = 0; v < t.outputCount; v++) tx.addOutput(t.output(v).script, t.output(v).amount);
    return tx;
  }

  /** The Winternitz commitment of a broadcast sign transaction (its stake input's witness). */
  static commitment(witness: readonly Uint8Array[]): Uint8Array[] {
    // [oracle sig, user sig, …winternitz…, leaf, control block]
    return witness.slice(2, witness.length - 2).map((x) => Uint8Array.from(x));
  }

  /**
   * Disprove-CET: spends connector A of OracleSign_j with the oracle's own commitment, which the
   * disprove leaf refuses unless the committed amount differs from the requested one. Half of the
   * connector is burned (OP_RETURN), the rest, less the fee, pays the challenger.
   */
  disprove(j: number, commitment: readonly Uint8Array[], challengerScript: Uint8Array): DlcTx {
    const sign = this.signTxs[j];
    if (sign === undefined)
      throw new DlcError("UNKNOWN_OUTCOME", "no sign transaction for this interval", { value: j });
    const leaf = this.connector.leaves.disprove;
    const a = sign.utxo(1);
    const burn = a.amount / 2n;
    const tx = withFee(
      (fee) => {
        const t = new DlcTx("DisproveCET");
        t.addInput(a, SEQUENCE_LOCKTIME);
        t.addOutput(Uint8Array.of(0x6a), burn);
        t.addOutput(challengerScript, a.amount - burn - fee);
        return t;
      },
      [[...commitment.map((c) => c.length), leaf.script.length, leaf.controlBlock.length]],
      this.terms.feeRate,
    );
    tx.setWitness(0, [...commitment, leaf.script, leaf.controlBlock]);
    return tx;
  }

  /** A silent oracle takes its stake back after `reclaim` blocks. */
  reclaimTx(oracleSecret: Uint8Array, destination: Uint8Array): DlcTx {
    const leaf = this.stake.leaves.reclaim!;
    const tx = withFee(
      (fee) => {
        const t = new DlcTx("StakeReclaim");
        t.addInput(this.stakeUtxo, this.terms.reclaim);
        t.addOutput(destination, this.stakeUtxo.amount - fee);
        return t;
      },
      [[SIG, leaf.script.length, leaf.controlBlock.length]],
      this.terms.feeRate,
    );
    tx.setWitness(0, [schnorr.sign(tx.sighash(0, leaf), oracleSecret), leaf.script, leaf.controlBlock]);
    return tx;
  }
}
