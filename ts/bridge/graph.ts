import { Script } from "@scure/btc-signer/script.js";
import { Transaction } from "@scure/btc-signer/transaction.js";
import { BridgeError } from "./errors.js";
import type { Committee, KeyMode } from "./musig.js";
import type { BridgeParams } from "./params.js";
import type { AssertProgram } from "./program.js";
import {
  confirmLeaf,
  keyPathOutput,
  refundLeaf,
  scriptOutput,
  timelockedKeyLeaf,
  type TapLeaf,
  type TapOutput,
} from "./taproot.js";
import {
  BridgeTx,
  buildWithFee,
  measureVsize,
  SIGHASH_DEFAULT,
  SIGHASH_SINGLE_ANYONECANPAY,
  type TxName,
} from "./tx.js";
import type { Blocks, L2Address, Outpoint, Sats, Utxo, XOnlyKey } from "./types.js";

/** What a depositor chooses: its refund key, the L2 account to credit, and the amount. */
export interface DepositInfo {
  depositor: XOnlyKey;
  recipient: L2Address;
  amount: Sats;
}

/** The operator that fronts peg-outs for this deposit's graph. */
export interface OperatorInfo {
  /** Operator's x-only key; its funding UTXO is a BIP86 key-path output of this key. */
  key: XOnlyKey;
  /** UTXO that funds KickOff (connectors + stake + fee). Fixed now so KickOff's txid is fixed. */
  funding: Utxo;
  /** Where Take1 / Take2 / Challenge pay the operator. */
  payoutScript: Uint8Array;
}

/** Everything the peg-out graph of one deposit is a deterministic function of. */
export interface GraphInput {
  committee: Committee;
  params: BridgeParams;
  deposit: DepositInfo;
  /** The deposit output on L1 (from the confirmed PegInDeposit). */
  depositOutpoint: Outpoint;
  operator: OperatorInfo;
  /** Disprove leaves of the Assert output (BitVM chunk scripts; empty until the later issue). */
  disproveLeaves?: Uint8Array[];
  /**
   * The program the Assert commits to: its commit script guards the assert leaf and its disprove
   * leaves join the Assert output (`ClaimProgram` today, the Groth16 verifier of issue 17 later).
   */
  program?: AssertProgram;
}

/** OP_RETURN tag in PegInConfirm: magic "BLVM", version 1, then the 20-byte L2 recipient. */
export const PEGIN_TAG_MAGIC = Uint8Array.from([0x42, 0x4c, 0x56, 0x4d, 0x01]);

export function pegInTagScript(recipient: L2Address): Uint8Array {
  const data = new Uint8Array(PEGIN_TAG_MAGIC.length + recipient.length);
  data.set(PEGIN_TAG_MAGIC);
  data.set(recipient, PEGIN_TAG_MAGIC.length);
  return Script.encode(["RETURN", data]);
}

/** The deposit address: NUMS internal key, a confirm leaf and a refund leaf. */
export function depositOutput(
  committee: Committee,
  deposit: Pick<DepositInfo, "depositor" | "recipient">,
  params: Pick<BridgeParams, "refundTimelock">,
): TapOutput<"confirm" | "refund"> {
  return scriptOutput({
    confirm: confirmLeaf(deposit.recipient, committee.aggregateKey, deposit.depositor),
    refund: refundLeaf(params.refundTimelock, deposit.depositor),
  });
}

/** The committee's pool output: key-path only, MuSig2 aggregate with the BIP86 tweak. */
export function poolOutput(committee: Committee): TapOutput<never> {
  return keyPathOutput(committee.aggregateKey);
}

/**
 * Checks a broadcast PegInDeposit against what the depositor announced: the txid, and that output
 * `vout` pays exactly the deposit address of (committee, depositor, recipient, timelock) with the
 * announced amount. A deposit to any other script would leave the graph unspendable, so the
 * committee refuses to presign it.
 */
export function verifyDepositTx(input: GraphInput, rawDepositTx: Uint8Array): void {
  let tx: Transaction;
  try {
    tx = Transaction.fromRaw(rawDepositTx, {
      allowUnknownOutputs: true,
      allowUnknownInputs: true,
      disableScriptCheck: true,
    });
  } catch (e) {
    throw new BridgeError(
      "WRONG_DEPOSIT_SCRIPT",
      `deposit transaction does not decode: ${(e as Error).message}`,
      rawDepositTx,
    );
  }
  const { depositOutpoint: op } = input;
  if (tx.id !== op.txid)
    throw new BridgeError("WRONG_DEPOSIT_SCRIPT", `deposit txid ${tx.id} ≠ announced ${op.txid}`, tx.id);
  if (op.vout >= tx.outputsLength)
    throw new BridgeError("WRONG_DEPOSIT_SCRIPT", `deposit has no output ${op.vout}`, op.vout);
  const o = tx.getOutput(op.vout);
  const want = depositOutput(input.committee, input.deposit, input.params).script;
  if (o.script === undefined || !bytesEqual(o.script, want)) {
    throw new BridgeError("WRONG_DEPOSIT_SCRIPT", "deposit output does not pay this deposit's address", {
      got: o.script === undefined ? undefined : Buffer.from(o.script).toString("hex"),
      want: Buffer.from(want).toString("hex"),
    });
  }
  if (o.amount !== input.deposit.amount) {
    throw new BridgeError(
      "WRONG_DEPOSIT_SCRIPT",
      `deposit output holds ${o.amount} sats, announced ${input.deposit.amount}`,
      o.amount,
    );
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A UTXO the depositor's wallet spends: key-path P2TR inputs are what the fee estimate assumes. */
export interface WalletUtxo extends Utxo {
  tapInternalKey?: XOnlyKey;
}

/**
 * PegInDeposit as a PSBT for the depositor's wallet: pays `deposit.amount` to the deposit address,
 * change (if above dust) back to `changeScript`.
 */
export function buildDepositPsbt(args: {
  committee: Committee;
  params: BridgeParams;
  deposit: DepositInfo;
  inputs: WalletUtxo[];
  changeScript: Uint8Array;
}): { tx: BridgeTx; psbt: Uint8Array; depositVout: 0 } {
  const { committee, params, deposit, inputs, changeScript } = args;
  if (inputs.length === 0)
    throw new BridgeError("INSUFFICIENT_FUNDS", "deposit needs at least one input", inputs);
  const out = depositOutput(committee, deposit, params);
  if (deposit.amount < dustLimit(out.script)) {
    throw new BridgeError(
      "INVALID_AMOUNT",
      `deposit of ${deposit.amount} sats is below the dust limit`,
      deposit.amount,
    );
  }
  const total = inputs.reduce((a, u) => a + u.amount, 0n);
  const make = (change: bigint | undefined) => {
    const tx = new BridgeTx("PegInDeposit");
    for (const u of inputs) tx.addInput(u);
    tx.addOutput(out.script, deposit.amount);
    if (change !== undefined) tx.addOutput(changeScript, change);
    return tx;
  };
  const shapes = inputs.map(() => [64]);
  const change = total - deposit.amount - BigInt(measureVsize(make(0n), shapes)) * params.feeRate;
  let tx: BridgeTx;
  if (change >= dustLimit(changeScript)) {
    tx = make(change);
  } else {
    // No change output: whatever is left above the deposit goes to the fee, if it covers it.
    const fee = BigInt(measureVsize(make(undefined), shapes)) * params.feeRate;
    if (total - deposit.amount < fee) {
      throw new BridgeError(
        "INSUFFICIENT_FUNDS",
        `inputs ${total} sats do not cover ${deposit.amount} + fee ${fee}`,
        total,
      );
    }
    tx = make(undefined);
  }
  tx.prevouts.forEach((p, i) => {
    const key = inputs[i].tapInternalKey;
    if (key !== undefined) tx.setTapInternalKey(i, key);
  });
  return { tx, psbt: tx.toPsbt(), depositVout: 0 };
}

/**
 * Bitcoin Core's dust threshold at the default dust relay fee (3 sat/vB): 330 sats for P2TR,
 * 294 for P2WPKH; OP_RETURN outputs are never dust.
 */
export function dustLimit(script: Uint8Array): bigint {
  if (script[0] === 0x6a) return 0n;
  const outSize = 8 + 1 + script.length;
  const isWitness =
    script.length >= 4 &&
    script.length <= 42 &&
    (script[0] === 0 || (script[0] >= 0x51 && script[0] <= 0x60)) &&
    script[1] + 2 === script.length;
  const spendSize = isWitness ? 32 + 4 + 1 + Math.floor(107 / 4) + 4 : 32 + 4 + 1 + 107 + 4;
  return BigInt(outSize + spendSize) * 3n;
}

/**
 * PegInRefund: the depositor takes the deposit back through the refund leaf once `refundTimelock`
 * blocks have passed since the deposit confirmed. `sequence` defaults to exactly that timelock.
 */
export function buildPegInRefund(args: {
  committee: Committee;
  params: BridgeParams;
  deposit: DepositInfo;
  depositOutpoint: Outpoint;
  destination: Uint8Array;
  sign: (sighash: Uint8Array) => Uint8Array;
  sequence?: number;
}): BridgeTx {
  const { committee, params, deposit, depositOutpoint, destination } = args;
  const out = depositOutput(committee, deposit, params);
  const leaf = out.leaves.refund;
  const utxo: Utxo = { ...depositOutpoint, amount: deposit.amount, script: out.script };
  const tx = buildWithFee(
    (fee) => {
      const t = new BridgeTx("PegInRefund");
      t.addInput(utxo, args.sequence ?? params.refundTimelock);
      t.addOutput(destination, requireAtLeast(deposit.amount - fee, dustLimit(destination), "PegInRefund"));
      return t;
    },
    [[64, leaf.script.length, leaf.controlBlock.length]],
    params.feeRate,
  );
  tx.setWitness(0, [args.sign(tx.sighash(0, leaf)), leaf.script, leaf.controlBlock]);
  return tx;
}

/** How one input of a graph transaction is unlocked, and by whom. */
export interface SpendSpec {
  tx: TxName;
  vin: number;
  signer: "committee" | "operator" | "depositor" | "anyone";
  mode: KeyMode;
  leaf?: TapLeaf;
  hashType: number;
  /** Relative timelock this input waits for (its nSequence), if any. */
  timelock?: Blocks;
}

/** The presigned peg-out graph of one deposit. */
export interface PegOutGraph {
  input: GraphInput;
  depositOutput: TapOutput<"confirm" | "refund">;
  depositUtxo: Utxo;
  pegInConfirm: BridgeTx;
  kickOff: BridgeTx;
  take1: BridgeTx;
  challenge: BridgeTx;
  assert: BridgeTx;
  take2: BridgeTx;
  /**
   * AssertTimeout template: KickOff:2 (the stake) through its `timeout` leaf after
   * `assertTimelock`, output 0 burns half the stake. The committee presigns it
   * SINGLE|ANYONECANPAY, so whoever broadcasts it (the challenger) adds the reward output
   * (`completeAssertTimeout`).
   */
  assertTimeout: BridgeTx;
  connectors: {
    timelock: TapOutput<"take1">;
    challenge: TapOutput<never>;
    assert: TapOutput<"assert" | "timeout" | "take1">;
    disprove: TapOutput<string>;
  };
  /** Every input of the graph with who signs it; committee entries are the presigning set. */
  spends: SpendSpec[];
}

/** Builds every transaction of the graph for one deposit; pure and deterministic. */
export function buildPegOutGraph(input: GraphInput): PegOutGraph {
  const { committee, params, deposit, depositOutpoint, operator } = input;
  const agg = committee.aggregateKey;
  const depOut = depositOutput(committee, deposit, params);
  const depositUtxo: Utxo = { ...depositOutpoint, amount: deposit.amount, script: depOut.script };
  const pool = poolOutput(committee);

  // PegInConfirm: deposit → pool, tagged with the recipient for the L2's SPV check.
  const cfLeaf = depOut.leaves.confirm;
  const pegInConfirm = buildWithFee(
    (fee) => {
      const tx = new BridgeTx("PegInConfirm");
      tx.addInput(depositUtxo);
      tx.addOutput(pool.script, requirePositive(deposit.amount - fee, "PegInConfirm"));
      tx.addOutput(pegInTagScript(deposit.recipient), 0n);
      return tx;
    },
    [[64, 64, cfLeaf.script.length, cfLeaf.controlBlock.length]],
    params.feeRate,
  );
  const poolUtxo = pegInConfirm.utxo(0);

  // KickOff: the operator's claim; three connectors and change, funded by the operator.
  const timelockConn = scriptOutput({ take1: timelockedKeyLeaf(params.challengeTimelock, agg) });
  const challengeConn = keyPathOutput(operator.key);
  const program = input.program;
  const commit = program?.commitScript ?? new Uint8Array(0);
  const assertConn = scriptOutput(
    {
      assert: Uint8Array.from([...commit, ...Script.encode([operator.key, "CHECKSIG"])]),
      timeout: timelockedKeyLeaf(params.assertTimelock, agg),
      // Take1's way out, presigned by the committee over the whole Take1 (SIGHASH_DEFAULT).
      take1: Script.encode([agg, "CHECKSIG"]),
    },
    // NUMS, not the operator's key: with the operator's key as internal key a challenged
    // operator could sweep its stake by key path and escape AssertTimeout.
  );
  const kickOff = buildWithFee(
    (fee) => {
      const tx = new BridgeTx("KickOff");
      tx.addInput(operator.funding);
      tx.addOutput(timelockConn.script, params.connectorAmount);
      tx.addOutput(challengeConn.script, params.connectorAmount);
      tx.addOutput(assertConn.script, params.operatorStake);
      const change = operator.funding.amount - 2n * params.connectorAmount - params.operatorStake - fee;
      tx.addOutput(
        operator.funding.script,
        requireAtLeast(change, dustLimit(operator.funding.script), "KickOff change"),
      );
      return tx;
    },
    [[64]],
    params.feeRate,
  );

  // Take1: unchallenged for challengeTimelock blocks → pool + connectors to the operator.
  const take1 = buildWithFee(
    (fee) => {
      const tx = new BridgeTx("Take1");
      tx.addInput(poolUtxo);
      tx.addInput(kickOff.utxo(0), params.challengeTimelock);
      tx.addInput(kickOff.utxo(1));
      tx.addInput(kickOff.utxo(2));
      const total = poolUtxo.amount + 2n * params.connectorAmount + params.operatorStake;
      tx.addOutput(operator.payoutScript, requirePositive(total - fee, "Take1"));
      return tx;
    },
    [
      [64],
      [64, timelockConn.leaves.take1.script.length, timelockConn.leaves.take1.controlBlock.length],
      [64],
      [64, assertConn.leaves.take1.script.length, assertConn.leaves.take1.controlBlock.length],
    ],
    params.feeRate,
  );

  // Challenge: spends the connector Take1 needs. The operator presigns SINGLE|ANYONECANPAY so any
  // challenger can add inputs that pay the operator's challenge fee.
  const challenge = new BridgeTx("Challenge");
  challenge.addInput(kickOff.utxo(1));
  challenge.addOutput(operator.payoutScript, params.challengeFee);

  // Assert: the operator's answer to a challenge, into the disprove connector.
  const disproveLeaves: Record<string, Uint8Array> = {
    take2: timelockedKeyLeaf(params.disproveTimelock, agg),
  };
  [...(program?.disproveLeaves ?? input.disproveLeaves ?? [])].forEach(
    (s, i) => (disproveLeaves[`disprove${i}`] = s),
  );
  const disproveConn = scriptOutput(disproveLeaves);
  const aLeaf = assertConn.leaves.assert;
  const assert = buildWithFee(
    (fee) => {
      const tx = new BridgeTx("Assert");
      tx.addInput(kickOff.utxo(2));
      tx.addOutput(disproveConn.script, requireAtLeast(params.operatorStake - fee, 330n, "Assert"));
      return tx;
    },
    [[64, ...(program?.commitShape ?? []), aLeaf.script.length, aLeaf.controlBlock.length]],
    params.feeRate,
  );

  // Take2: assertion not disproved within disproveTimelock → pool + stake to the operator.
  const t2Leaf = disproveConn.leaves.take2;
  const take2 = buildWithFee(
    (fee) => {
      const tx = new BridgeTx("Take2");
      tx.addInput(poolUtxo);
      tx.addInput(assert.utxo(0), params.disproveTimelock);
      tx.addOutput(
        operator.payoutScript,
        requirePositive(poolUtxo.amount + assert.output(0).amount - fee, "Take2"),
      );
      return tx;
    },
    [[64], [64, t2Leaf.script.length, t2Leaf.controlBlock.length]],
    params.feeRate,
  );

  // AssertTimeout: the stake is still in KickOff:2 `assertTimelock` blocks after KickOff, so the
  // operator neither took Take1 nor asserted. Half is burned (fixed by the committee's
  // SINGLE|ANYONECANPAY presignature), the rest goes to whoever broadcasts it.
  const toLeaf = assertConn.leaves.timeout;
  const assertTimeout = new BridgeTx("AssertTimeout");
  assertTimeout.addInput(kickOff.utxo(2), params.assertTimelock);
  assertTimeout.addOutput(BURN_SCRIPT, assertTimeoutBurn(params.operatorStake));

  const D = SIGHASH_DEFAULT;
  const spends: SpendSpec[] = [
    { tx: "PegInConfirm", vin: 0, signer: "committee", mode: "script", leaf: cfLeaf, hashType: D },
    { tx: "PegInConfirm", vin: 0, signer: "depositor", mode: "script", leaf: cfLeaf, hashType: D },
    { tx: "KickOff", vin: 0, signer: "operator", mode: "keypath", hashType: D },
    { tx: "Take1", vin: 0, signer: "committee", mode: "keypath", hashType: D },
    {
      tx: "Take1",
      vin: 1,
      signer: "committee",
      mode: "script",
      leaf: timelockConn.leaves.take1,
      hashType: D,
      timelock: params.challengeTimelock,
    },
    { tx: "Take1", vin: 2, signer: "operator", mode: "keypath", hashType: D },
    {
      tx: "Take1",
      vin: 3,
      signer: "committee",
      mode: "script",
      leaf: assertConn.leaves.take1,
      hashType: D,
    },
    { tx: "Challenge", vin: 0, signer: "operator", mode: "keypath", hashType: SIGHASH_SINGLE_ANYONECANPAY },
    { tx: "Assert", vin: 0, signer: "operator", mode: "script", leaf: aLeaf, hashType: D },
    { tx: "Take2", vin: 0, signer: "committee", mode: "keypath", hashType: D },
    {
      tx: "Take2",
      vin: 1,
      signer: "committee",
      mode: "script",
      leaf: t2Leaf,
      hashType: D,
      timelock: params.disproveTimelock,
    },
    {
      tx: "AssertTimeout",
      vin: 0,
      signer: "committee",
      mode: "script",
      leaf: toLeaf,
      hashType: SIGHASH_SINGLE_ANYONECANPAY,
      timelock: params.assertTimelock,
    },
  ];

  return {
    input,
    depositOutput: depOut,
    depositUtxo,
    pegInConfirm,
    kickOff,
    take1,
    challenge,
    assert,
    take2,
    assertTimeout,
    connectors: {
      timelock: timelockConn,
      challenge: challengeConn,
      assert: assertConn,
      disprove: disproveConn,
    },
    spends,
  };
}

/** Unspendable output that burns the slashed part of a stake. */
export const BURN_SCRIPT: Uint8Array = Script.encode(["RETURN"]);

/** What an AssertTimeout burns of the stake: half; the rest (less the fee) rewards the broadcaster. */
export function assertTimeoutBurn(stake: bigint): bigint {
  return stake / 2n;
}

/** The graph transaction called `name`. */
export function graphTx(g: PegOutGraph, name: TxName): BridgeTx {
  const map: Partial<Record<TxName, BridgeTx>> = {
    PegInConfirm: g.pegInConfirm,
    KickOff: g.kickOff,
    Take1: g.take1,
    Challenge: g.challenge,
    Assert: g.assert,
    Take2: g.take2,
    AssertTimeout: g.assertTimeout,
  };
  const tx = map[name];
  if (tx === undefined)
    throw new BridgeError("GRAPH_MISMATCH", `${name} is not part of the presigned graph`, name);
  return tx;
}

/** Sighash of one spend of the graph. */
export function spendSighash(g: PegOutGraph, s: SpendSpec): Uint8Array {
  return graphTx(g, s.tx).sighash(s.vin, s.leaf, s.hashType);
}

/**
 * Disprove template: spends the Assert output through disprove leaf `index` with the witness
 * elements that leaf needs (supplied by the challenger), rewarding `rewardScript` and burning the
 * rest of the stake. Not presigned in this slice: the disprove leaves are BitVM chunk scripts.
 */
export function buildDisprove(
  g: PegOutGraph,
  index: number,
  rewardScript: Uint8Array,
  leafInputs: Uint8Array[],
): BridgeTx {
  const leaf = g.connectors.disprove.leaves[`disprove${index}`];
  if (leaf === undefined)
    throw new BridgeError("GRAPH_MISMATCH", `graph has no disprove leaf ${index}`, index);
  const stake = g.assert.output(0).amount;
  const shape = [...leafInputs.map((x) => x.length), leaf.script.length, leaf.controlBlock.length];
  const tx = buildWithFee(
    (fee) => {
      const t = new BridgeTx("Disprove");
      t.addInput(g.assert.utxo(0));
      const reward = (stake - fee) / 2n;
      t.addOutput(rewardScript, reward);
      t.addOutput(Script.encode(["RETURN"]), stake - fee - reward);
      return t;
    },
    [shape],
    g.input.params.feeRate,
  );
  tx.setWitness(0, [...leafInputs, leaf.script, leaf.controlBlock]);
  return tx;
}

function requirePositive(v: bigint, what: string): bigint {
  return requireAtLeast(v, 330n, what);
}

function requireAtLeast(v: bigint, min: bigint, what: string): bigint {
  if (v < min)
    throw new BridgeError(
      "INSUFFICIENT_FUNDS",
      `${what}: ${v} sats left after fees, need at least ${min}`,
      v,
    );
  return v;
}
