/**
 * The depositor's peg-in as a durable state machine. Each step is written to the depositor's
 * database before the effect it leads to, and every effect is idempotent, so a process killed at
 * any point resumes with `resume(id)` (the CLI's `bridge:resume`):
 *
 *   built ──► deposited ──► presigned ──► confirmSigned ──► confirmed ──► credited
 *   (both txs   (deposit     (committee's   (PegInConfirm     (at the       (L2 credit
 *    signed,     and KickOff   presigs kept)  signed, kept)     bridge's      done or seen)
 *    kept)       coin sent)                                      depth)
 *
 * Broadcasts re-send the recorded transaction unless the node already has it (a restarted node
 * forgets its mempool); the credit first asks the L2 whether it happened. A deposit whose inputs
 * were spent by something else before it reached a block ends `abandoned` (no BTC moved).
 */
import { schnorr } from "@noble/curves/secp256k1.js";
import { Transaction as ScureTx } from "@scure/btc-signer/transaction.js";

import { Transaction } from "../bitcoin/index.js";
import type { BitcoinBackend } from "../btcnode/index.js";
import {
  BridgeError,
  broadcastOnce,
  buildDepositPsbt,
  buildPegOutGraph,
  completePegInConfirm,
  creditPegIn,
  graphInputFromJson,
  graphInputToJson,
  keyPathOutput,
  l2Address,
  presignaturesFromJson,
  presignaturesToJson,
  sats,
  signPayment,
  spendableCoins,
  spentBy,
  txid,
  untilDepth,
  xOnlyKey,
  type BridgeParams,
  type Committee,
  type FlowStore,
  type GraphInput,
  type GraphInputJson,
  type LvmBridge,
  type Presignatures,
  type PresignaturesJson,
  type Txid,
  type XOnlyKey,
} from "../bridge/index.js";

export type DepositStep =
  "built" | "deposited" | "presigned" | "confirmSigned" | "confirmed" | "credited" | "abandoned";

/** What each step waits for, in words (shown by `bridge:status`). */
export const DEPOSIT_WAITS: Readonly<Record<DepositStep, string>> = {
  built: "deposit transaction to be broadcast and mined",
  deposited: "the committee to presign the peg-out graph",
  presigned: "the depositor to co-sign PegInConfirm",
  confirmSigned: "PegInConfirm to reach the bridge's depth on L1",
  confirmed: "the relayer to carry the block to the L2, then the credit",
  credited: "nothing (credited on the L2)",
  abandoned: "nothing (the deposit's inputs were spent elsewhere; no BTC moved)",
};

export interface DepositRecord {
  /** The deposit transaction's id: the flow's key. */
  readonly id: Txid;
  step: DepositStep;
  readonly amount: bigint;
  readonly recipient: string;
  /** The operator's KickOff coin (on the devnet the depositor pays it), signed, not yet sent. */
  readonly fundingRaw: Uint8Array;
  readonly depositRaw: Uint8Array;
  readonly input: GraphInputJson;
  readonly pegInConfirmTxid: Txid;
  /** What PegInConfirm locks in the pool and the L2 credits. */
  readonly creditedSats: bigint;
  readonly fees: {
    readonly deposit: bigint;
    readonly pegInConfirm: bigint;
    readonly operatorFunding: bigint;
  };
  presigned?: PresignaturesJson;
  confirmRaw?: Uint8Array;
  creditTx?: string;
  /** The last error a step hit (the flow retries it on resume). */
  error?: string;
  readonly createdAt: number;
  updatedAt: number;
}

export type Presigner = (input: GraphInput, depositRaw: Uint8Array) => Promise<Presignatures>;

/** Called after each durable step (`step:<name>`) and each effect (`sent:<what>`): logs, tests. */
export type FlowHook<R> = (event: string, record: R) => void | Promise<void>;

export interface DepositorOptions {
  readonly store: FlowStore;
  readonly l1: BitcoinBackend;
  /** The bridge, with a signer: the credit is a plain L2 transaction anyone may send. */
  readonly bridge: LvmBridge;
  /** The depositor's wallet key (BIP86 key path; also its refund key). */
  readonly secret: Uint8Array;
  readonly committee: Committee;
  readonly params: BridgeParams;
  /** The operator of the graph: its key and payout script; the depositor funds its KickOff coin. */
  readonly operator: {
    readonly key: XOnlyKey;
    readonly payoutScript: Uint8Array;
    readonly fundingSats: bigint;
  };
  readonly presign: Presigner;
  /** Regtest: mine the blocks a step waits for, paying this address. */
  readonly mineTo?: string;
  readonly hook?: FlowHook<DepositRecord>;
  /** How long the credit waits for the relayer (default 120 s). */
  readonly creditTimeoutMs?: number;
}

const KIND = "deposit";

export class Depositor {
  readonly key: XOnlyKey;
  readonly script: Uint8Array;

  constructor(private readonly o: DepositorOptions) {
    this.key = xOnlyKey(schnorr.getPublicKey(o.secret));
    this.script = keyPathOutput(this.key).script;
  }

  async get(id: Txid): Promise<DepositRecord | undefined> {
    return this.o.store.get<DepositRecord>(KIND, id);
  }

  async all(): Promise<DepositRecord[]> {
    return this.o.store.list<DepositRecord>(KIND);
  }

  async unfinished(): Promise<DepositRecord[]> {
    return (await this.all()).filter((r) => r.step !== "credited" && r.step !== "abandoned");
  }

  /**
   * Builds and signs (nothing sent, nothing stored) a peg-in of `amount` sats for `recipient`:
   * the record shows the fees before `start` commits to it. `INSUFFICIENT_FUNDS` without two
   * mature coins (one above the amount).
   */
  async prepare(amount: bigint, recipient: string): Promise<DepositRecord> {
    const { committee, params, operator } = this.o;
    const inFlight = new Set<string>();
    for (const r of await this.unfinished())
      for (const o of [...spentBy(r.fundingRaw), ...spentBy(r.depositRaw)]) inFlight.add(o);
    const coins = await spendableCoins(this.o.l1, this.script, inFlight);
    const funding = coins.find((c) => c.amount >= amount + 10_000n);
    const opSource = coins.find((c) => c !== funding && c.amount >= operator.fundingSats + 10_000n);
    if (funding === undefined || opSource === undefined)
      throw new BridgeError(
        "INSUFFICIENT_FUNDS",
        `the depositor needs two mature coins (one above ${amount} sats)`,
        amount,
        { details: { coins: coins.length } },
      );
    const opFunding = signPayment({
      coins: [opSource],
      secret: this.o.secret,
      key: this.key,
      script: operator.payoutScript,
      amount: operator.fundingSats,
      feeRate: params.feeRate,
    });
    const deposit = { depositor: this.key, recipient: l2Address(recipient), amount: sats(amount) };
    const { psbt } = buildDepositPsbt({
      committee,
      params,
      deposit,
      inputs: [{ ...funding, tapInternalKey: this.key }],
      changeScript: this.script,
    });
    const wallet = ScureTx.fromPSBT(psbt);
    wallet.sign(this.o.secret);
    wallet.finalize();
    const depositRaw = wallet.extract();
    const depositTx = Transaction.decode(depositRaw);
    const id = txid(depositTx.txid());
    const input: GraphInput = {
      committee,
      params,
      deposit,
      depositOutpoint: { txid: id, vout: 0 },
      operator: {
        key: operator.key,
        funding: {
          txid: opFunding.txid,
          vout: 0,
          amount: sats(operator.fundingSats),
          script: operator.payoutScript,
        },
        payoutScript: operator.payoutScript,
      },
    };
    const graph = buildPegOutGraph(input);
    const creditedSats = graph.pegInConfirm.output(0).amount;
    const outs = depositTx.outputs.reduce((a, o) => a + o.value, 0n);
    const now = Date.now();
    return {
      id,
      step: "built",
      amount,
      recipient,
      fundingRaw: opFunding.raw,
      depositRaw,
      input: graphInputToJson(input),
      pegInConfirmTxid: graph.pegInConfirm.txid,
      creditedSats,
      fees: {
        deposit: funding.amount - outs,
        pegInConfirm: amount - creditedSats,
        operatorFunding: opFunding.fee,
      },
      createdAt: now,
      updatedAt: now,
    };
  }

  /** Stores a prepared record (nothing is sent before this) and runs it to the credit. */
  async start(record: DepositRecord): Promise<DepositRecord> {
    await this.save(record);
    return this.resume(record.id);
  }

  /** Drives the flow `id` from its recorded step to `credited` (or `abandoned`). */
  async resume(id: Txid): Promise<DepositRecord> {
    const r = await this.get(id);
    if (r === undefined) throw new BridgeError("UNKNOWN_FLOW", `no deposit ${id} in ${this.o.store.dir}`, id);
    try {
      while (r.step !== "credited" && r.step !== "abandoned") await this.advance(r);
    } catch (e) {
      r.error = e instanceof Error ? e.message : String(e);
      await this.save(r, false);
      throw e;
    }
    return r;
  }

  private async save(r: DepositRecord, announce = true): Promise<void> {
    r.updatedAt = Date.now();
    if (announce) delete r.error;
    await this.o.store.put(KIND, r.id, r);
    if (announce) await this.o.hook?.(`step:${r.step}`, r);
  }

  private async send(r: DepositRecord, what: string, raw: Uint8Array): Promise<Txid> {
    const id = await broadcastOnce(this.o.l1, raw);
    await this.o.hook?.(`sent:${what}`, r);
    return id;
  }

  private async advance(r: DepositRecord): Promise<void> {
    const { l1, params, mineTo } = this.o;
    const at = mineTo === undefined ? {} : { mineTo };
    switch (r.step) {
      case "built": {
        try {
          await this.send(r, "funding", r.fundingRaw);
          await this.send(r, "deposit", r.depositRaw);
        } catch (e) {
          // Inputs spent by another transaction and the deposit in no block: it never happened.
          if (
            e instanceof BridgeError &&
            e.code === "CONFLICTED" &&
            (await l1.getTxStatus(r.id)) === undefined
          ) {
            r.step = "abandoned";
            await this.save(r);
            return;
          }
          throw e;
        }
        if (!(await untilDepth(l1, r.id, 1, at))) return; // dropped: re-sent next turn
        r.step = "deposited";
        return this.save(r);
      }
      case "deposited": {
        const presigned = await this.o.presign(graphInputFromJson(r.input), r.depositRaw);
        r.presigned = presignaturesToJson(presigned);
        r.step = "presigned";
        return this.save(r);
      }
      case "presigned": {
        const graph = buildPegOutGraph(graphInputFromJson(r.input));
        r.confirmRaw = completePegInConfirm(graph, presignaturesFromJson(r.presigned!), this.o.secret);
        r.step = "confirmSigned";
        return this.save(r);
      }
      case "confirmSigned": {
        // After a node restart its mempool is empty: the parents go first.
        await this.send(r, "funding", r.fundingRaw);
        await this.send(r, "deposit", r.depositRaw);
        await this.send(r, "pegInConfirm", r.confirmRaw!);
        if (!(await untilDepth(l1, r.pegInConfirmTxid, params.pegInConfirmations, at))) return;
        r.step = "confirmed";
        return this.save(r);
      }
      case "confirmed": {
        r.creditTx = await creditPegIn(this.o.l1, this.o.bridge, r.pegInConfirmTxid, this.o.creditTimeoutMs);
        r.step = "credited";
        await this.o.hook?.("sent:credit", r);
        return this.save(r);
      }
      default:
        return;
    }
  }
}
