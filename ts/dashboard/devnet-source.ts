/**
 * A {@link DashboardSource} for the devnet (or any deployment of the same contracts), read only
 * through public surfaces: L1 over its Core-compatible JSON-RPC, the L2 over Ethereum JSON-RPC
 * with the contracts' typechain types, and the bridge's records — the committee's presigned graphs,
 * the operator's claims and payouts — handed in as a function (this file does not depend on how
 * they are stored or served).
 *
 * Deposits are found the way a block explorer finds them: every L1 block (and the mempool) is
 * scanned once for PegInConfirm transactions — output 0 pays the bridge pool, output 1 is the
 * `OP_RETURN "BLVM" 0x01 <recipient>` tag — and joined with the L2's `PegInCredited` events and
 * the records. Peg-out graphs are rebuilt from each record's graph input (deterministic) and
 * every transaction is looked up on L1.
 */
import { JsonRpcProvider } from "ethers";

import { bytesToHex, type Transaction } from "../bitcoin/index.js";
import {
  buildPegOutGraph,
  graphInputFromJson,
  presignaturesFromJson,
  type BridgeTx,
  type GraphInput,
  type GraphInputJson,
  type PegOutGraph,
  type Presignatures,
  type PresignaturesJson,
} from "../bridge/index.js";
import { BitcoindRpcBackend, REGTEST, scriptToAddress, type TxStatus } from "../btcnode/index.js";
import { BRIDGE_ADDRESS } from "../l2/index.js";
import type { BtcLightClient, LvmBridge } from "../../types/index.js";
import type { DlcEndpointsLike } from "./dlc-source.js";
import type {
  BridgeSnapshot,
  DashboardSource,
  DepositView,
  GraphTxState,
  GraphTxView,
  GraphView,
  Head,
  InvariantSample,
  OperatorView,
  RawTransaction,
  WithdrawalView,
} from "./source.js";

/** What the dashboard needs of a presigned graph (the committee's `GraphRecord` has this shape). */
export interface GraphRecordLike {
  readonly pegInConfirmTxid: string;
  readonly input: GraphInputJson;
  readonly presigned: PresignaturesJson;
}

/** What the dashboard needs of an operator's claim (ts/operator's `ClaimRecord`). */
export interface ClaimRecordLike {
  readonly pegInConfirmTxid: string;
  readonly covers: readonly bigint[];
  /** The operator's `ClaimStep`: "claiming" | "kickedOff" | "challenged" | "asserting" | "asserted" | "reimbursed" | "slashed". */
  readonly step: string;
}

/** What the dashboard needs of an operator's payout (ts/operator's `PayoutRecord`). */
export interface PayoutRecordLike {
  readonly id: bigint;
  /** "seen" | "signed" | "paid" | "proven" | "foreign". */
  readonly step: string;
  readonly payoutTxid?: string;
  readonly claim?: string;
  readonly waitsFor?: string;
}

/** The bridge's records as the committee and the operator keep them, read on every snapshot. */
export interface BridgeRecords {
  readonly graphs: readonly GraphRecordLike[];
  readonly claims: readonly ClaimRecordLike[];
  readonly payouts: readonly PayoutRecordLike[];
}

/** A presigned graph, decoded, with the operator's claim on it (if any). */
interface PegInRecord {
  readonly pegInConfirmTxid: string;
  readonly input: GraphInput;
  readonly presigned: Presignatures;
  readonly claim?: ClaimRecordLike;
}

export interface DevnetSourceOptions {
  /** The L1 node's Core-compatible JSON-RPC. */
  readonly l1: {
    readonly url: string;
    readonly cookieFile?: string;
    readonly user?: string;
    readonly password?: string;
  };
  readonly l2Url: string;
  /** The committee's graphs and the operator's claims and payouts; read on every snapshot. */
  readonly records: () => BridgeRecords | Promise<BridgeRecords>;
  /**
   * The OP-DLC bridge, when the devnet runs it: its endpoints (undefined until its service
   * started) and the devnet's state directory, where the oracle federation keeps its records.
   */
  readonly dlc?: { readonly endpoints: () => DlcEndpointsLike | undefined; readonly datadir: string };
  /** How many recent L1 blocks the first scan for PegInConfirm reads (default 5,000). */
  readonly scanDepth?: number;
}

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
const TAG = Uint8Array.of(0x6a, 0x19, 0x42, 0x4c, 0x56, 0x4d, 0x01); // OP_RETURN push(25) "BLVM" 0x01
const WEI_PER_SAT = 10n ** 10n;

/** Contract bytes32 txids are in internal order; Bitcoin shows them reversed. */
const reverseHex = (h: string): string =>
  (h.startsWith("0x") ? h.slice(2) : h).match(/../g)!.reverse().join("").toLowerCase();

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

interface FoundPegIn {
  readonly txid: string;
  readonly recipient: string;
  readonly sats: bigint;
  readonly depositTxid: string;
}

/** A PegInConfirm paying `pool`: its recipient and amount, or undefined for any other transaction. */
function asPegInConfirm(tx: Transaction, pool: Uint8Array): FoundPegIn | undefined {
  const [out0, out1] = tx.outputs;
  if (out0 === undefined || out1 === undefined || !equalBytes(out0.scriptPubKey, pool)) return undefined;
  const tag = out1.scriptPubKey;
  if (tag.length !== TAG.length + 20 || !equalBytes(tag.subarray(0, TAG.length), TAG)) return undefined;
  return {
    txid: tx.txid(),
    recipient: "0x" + bytesToHex(tag.subarray(TAG.length)),
    sats: out0.value,
    depositTxid: tx.inputs[0]?.prevout.txid ?? "",
  };
}

/** The fee of a template whose inputs are all known; "" when others add inputs (Challenge's crowdfunding). */
function feeOf(tx: BridgeTx | undefined): string {
  if (tx === undefined) return "";
  try {
    return tx.fee.toString();
  } catch {
    return "";
  }
}

interface GraphTxRecord {
  readonly name: string;
  readonly txid: string;
  readonly tx?: BridgeTx;
}

/** The graph's transactions in drawing order, with the deposit as its first node. */
function graphTxs(g: PegOutGraph): GraphTxRecord[] {
  return [
    { name: "Deposit", txid: g.input.depositOutpoint.txid },
    ...[g.pegInConfirm, g.kickOff, g.take1, g.challenge, g.assert, g.take2].map((tx) => ({
      name: tx.name,
      txid: tx.txid,
      tx,
    })),
  ];
}

export async function devnetSource(opts: DevnetSourceOptions): Promise<DashboardSource> {
  const l1 = await BitcoindRpcBackend.connect({ ...opts.l1, network: "regtest" });
  const l2 = new JsonRpcProvider(opts.l2Url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  // Typechain's factories live in types/ (generated by `hardhat build`, which npm start runs
  // first); only these two are loaded (all of types/ takes a second).
  const [{ LvmBridge__factory }, { BtcLightClient__factory }] = await Promise.all([
    import("../../types/factories/bridge/LvmBridge.sol/LvmBridge__factory.js"),
    import("../../types/factories/bitcoin/BtcLightClient__factory.js"),
  ]);
  const bridge: LvmBridge = LvmBridge__factory.connect(BRIDGE_ADDRESS, l2);
  // The DLC panel's reader binds DlcChannels' typechain type: loaded only when there is one.
  const readDlc =
    opts.dlc === undefined ? undefined : (await import("./dlc-source.js")).dlcReader({ l1, l2, ...opts.dlc });
  let lightClient: { address: string; contract: BtcLightClient } | undefined;

  // PegInConfirm scan state: the last scanned block, found transactions, mempool txids seen.
  let scanned: Head | undefined;
  const found = new Map<string, FoundPegIn>();
  const mempoolSeen = new Set<string>();
  const graphs = new Map<string, PegOutGraph>();
  // Graph records decoded once (they never change once presigned).
  const decoded = new Map<string, PegInRecord>();

  async function scan(pool: Uint8Array, tip: Head): Promise<void> {
    let from = Math.max(0, tip.height - (opts.scanDepth ?? 5_000) + 1);
    if (scanned !== undefined) {
      const still = scanned.height <= tip.height && (await l1.getBlockHash(scanned.height)) === scanned.hash;
      // A reorg: rescan the last blocks (what was found stays listed; its status says where it is).
      from = still ? scanned.height + 1 : Math.max(0, Math.min(scanned.height, tip.height) - 10);
    }
    for (let h = from; h <= tip.height; h++) {
      const block = await l1.getBlock(await l1.getBlockHash(h));
      for (const tx of block.txs) {
        const p = asPegInConfirm(tx, pool);
        if (p) found.set(p.txid, p);
      }
    }
    scanned = tip;
    const mempool = await l1.rpc.call<string[]>("getrawmempool");
    for (const id of mempool) {
      if (mempoolSeen.has(id)) continue;
      mempoolSeen.add(id);
      const tx = await l1.getTransaction(id as never);
      const p = tx && asPegInConfirm(tx, pool);
      if (p) found.set(p.txid, p);
    }
  }

  const status = (txid: string): Promise<TxStatus | undefined> => l1.getTxStatus(txid as never);
  const unspent = async (txid: string, vout: number): Promise<boolean> =>
    (await l1.getTxOut({ txid: txid as never, vout }, true)) !== undefined;

  // vsize of a broadcast transaction (a template without witnesses has none yet); immutable, cached.
  const vsizes = new Map<string, number>();
  async function vsizeOf(txid: string): Promise<number> {
    let v = vsizes.get(txid);
    if (v === undefined) {
      v = (await l1.getTransaction(txid as never))?.vsize() ?? 0;
      vsizes.set(txid, v);
    }
    return v;
  }

  function graphOf(r: PegInRecord): PegOutGraph {
    let g = graphs.get(r.pegInConfirmTxid);
    if (g === undefined) {
      g = buildPegOutGraph(r.input);
      graphs.set(r.pegInConfirmTxid, g);
    }
    return g;
  }

  async function graphView(r: PegInRecord): Promise<GraphView> {
    const g = graphOf(r);
    const records = graphTxs(g);
    const ids = new Set(records.map((t) => t.txid));
    // Which outputs of each graph transaction the graph itself spends.
    const consumed = new Map<string, Set<number>>();
    for (const t of records)
      for (const p of t.tx?.prevouts ?? [])
        if (ids.has(p.txid)) consumed.set(p.txid, (consumed.get(p.txid) ?? new Set()).add(p.vout));
    const presigned = new Set([...r.presigned.sigs.keys()].map((k) => k.split("/")[0]));
    const txs: GraphTxView[] = [];
    for (const t of records) {
      const st = await status(t.txid);
      let state: GraphTxState = presigned.has(t.name) || t.name === "Deposit" ? "presigned" : "built";
      if (st !== undefined) {
        state = st.confirmations > 0 ? "confirmed" : "broadcast";
        for (const vout of consumed.get(t.txid) ?? [])
          if (!(await unspent(t.txid, vout))) {
            state = "spent";
            break;
          }
      }
      txs.push({
        name: t.name,
        txid: t.txid,
        state,
        confirmations: st?.confirmations ?? 0,
        vsize: st === undefined ? 0 : await vsizeOf(t.txid),
        feeSats: feeOf(t.tx),
        spends: (t.tx?.prevouts ?? [])
          .filter((p) => ids.has(p.txid))
          .map((p) => ({ txid: p.txid, vout: p.vout })),
      });
    }
    const on = (name: string): boolean => {
      const s = txs.find((t) => t.name === name)?.state;
      return s === "confirmed" || s === "spent";
    };
    const state =
      on("Take1") || on("Take2")
        ? "taken"
        : on("Assert")
          ? "asserted"
          : on("Challenge")
            ? "challenged"
            : on("KickOff")
              ? "kicked-off"
              : on("PegInConfirm")
                ? "pegged-in"
                : "presigned";
    return { id: r.pegInConfirmTxid, operator: bytesToHex(r.input.operator.key), state, txs };
  }

  async function invariant(l1Height: number, poolScript: Uint8Array): Promise<InvariantSample> {
    const wei = await bridge.circulatingSupply();
    const locked = (await l1.scanUtxos(poolScript)).reduce((a, u) => a + BigInt(u.value), 0n);
    // Wei below a satoshi cannot be withdrawn; round up so dust never hides a shortfall.
    const outside = (wei + WEI_PER_SAT - 1n) / WEI_PER_SAT;
    return {
      l1Height,
      time: Date.now(),
      l2OutsideSats: outside.toString(),
      l1LockedSats: locked.toString(),
      holds: outside <= locked,
    };
  }

  async function l1Head(): Promise<Head> {
    const [height, hash] = await Promise.all([l1.getBlockCount(), l1.getBestBlockHash()]);
    return { height, hash };
  }

  async function snapshot(): Promise<BridgeSnapshot> {
    const tip = await l1Head();
    const block = await l2.getBlock("latest");
    const l2Head: Head = { height: block?.number ?? 0, hash: block?.hash ?? "" };
    const config = await bridge.config();
    const depth = Number(config.confirmations);
    const configured = config.lightClient !== ZERO_ADDRESS;
    const poolScript = Uint8Array.from(Buffer.from("5120" + config.poolKey.slice(2), "hex"));
    let lcTip: Head = { height: 0, hash: "" };
    if (configured) {
      if (lightClient?.address !== config.lightClient)
        lightClient = {
          address: config.lightClient,
          contract: BtcLightClient__factory.connect(config.lightClient, l2),
        };
      const best = await lightClient.contract.bestBlock();
      lcTip = { height: Number(best.height), hash: reverseHex(best.hash) };
      await scan(poolScript, tip);
    }

    const book = await opts.records();
    const claimOf = new Map(book.claims.map((c) => [c.pegInConfirmTxid, c]));
    const records = new Map<string, PegInRecord>();
    for (const g of book.graphs) {
      let r = decoded.get(g.pegInConfirmTxid);
      if (r === undefined) {
        r = {
          pegInConfirmTxid: g.pegInConfirmTxid,
          input: graphInputFromJson(g.input),
          presigned: presignaturesFromJson(g.presigned),
        };
        decoded.set(g.pegInConfirmTxid, r);
      }
      const claim = claimOf.get(g.pegInConfirmTxid);
      records.set(g.pegInConfirmTxid, claim === undefined ? r : { ...r, claim });
    }
    const payoutRecords = new Map(book.payouts.map((p) => [p.id, p]));
    const credited = new Map<string, { recipient: string; sats: bigint }>();
    for (const ev of await bridge.queryFilter(bridge.filters.PegInCredited()))
      credited.set(reverseHex(ev.args.txid), { recipient: ev.args.recipient, sats: ev.args.sats });
    const graphViews = new Map<string, GraphView>();
    for (const r of records.values()) graphViews.set(r.pegInConfirmTxid, await graphView(r));

    const payouts = new Map<bigint, { operator: string; txid: string }>();
    for (const ev of await bridge.queryFilter(bridge.filters.PayoutProven()))
      payouts.set(ev.args.id, { operator: ev.args.operator, txid: reverseHex(ev.args.txid) });
    const requested = await bridge.queryFilter(bridge.filters.WithdrawalInitiated());
    // Each withdrawal's reimbursing peg-in: the claim that covers its payout.
    const byWithdrawal = new Map<bigint, PegInRecord>();
    for (const r of records.values()) for (const w of r.claim?.covers ?? []) byWithdrawal.set(w, r);

    const deposits: DepositView[] = [];
    for (const id of new Set([...found.keys(), ...records.keys(), ...credited.keys()])) {
      const f = found.get(id);
      const r = records.get(id);
      const c = credited.get(id);
      const g = graphViews.get(id);
      const st = await status(id);
      const conf = st?.confirmations ?? 0;
      const sats = f?.sats ?? c?.sats ?? r?.input.deposit.amount ?? 0n;
      const base = {
        id,
        ...(f?.depositTxid || r ? { depositTxid: f?.depositTxid || r!.input.depositOutpoint.txid } : {}),
        recipient: c?.recipient ?? f?.recipient ?? (r ? "0x" + bytesToHex(r.input.deposit.recipient) : ""),
        sats: sats.toString(),
        l1Confirmations: conf,
        ...(r?.claim === undefined ? {} : { withdrawalIds: r.claim.covers.map(String) }),
        ...(g ? { graphId: id } : {}),
      };
      let view: DepositView;
      if (g?.state === "taken" || r?.claim?.step === "reimbursed")
        view = { ...base, state: "reimbursed", waitsFor: null };
      else if (r?.claim !== undefined) {
        const ws = r.claim.covers.map((w) => `#${w}`).join(", ");
        const graph = `(graph: ${g?.state ?? "unknown"})`;
        const waitsFor: Record<string, string> = {
          challenged: `the operator's Assert before AssertTimeout: its claim for withdrawal(s) ${ws} was challenged ${graph}`,
          asserting: `the operator's Assert to confirm: its claim for withdrawal(s) ${ws} was challenged ${graph}`,
          asserted: `Take2 after the disprove window, unless a Disprove lands first ${graph}`,
          slashed: `another operator's claim: this one was slashed and the pool is still locked ${graph}`,
        };
        view = {
          ...base,
          state: "paired",
          waitsFor: waitsFor[r.claim.step] ?? `Take1: the operator's claim for withdrawal(s) ${ws} ${graph}`,
        };
      } else if (c !== undefined)
        view = {
          ...base,
          state: "credited",
          waitsFor: `an operator's claim: proven payouts of withdrawals covering its ${sats} sats`,
        };
      else if (st === undefined || conf === 0)
        view = { ...base, state: "broadcast", waitsFor: "an L1 block including PegInConfirm" };
      else if (conf < depth)
        view = { ...base, state: "confirming", waitsFor: `${depth - conf} more L1 confirmation(s)` };
      else if (st.blockHeight !== undefined && lcTip.height < st.blockHeight + depth - 1)
        view = {
          ...base,
          state: "awaiting-relay",
          waitsFor: `the light client to reach L1 #${st.blockHeight + depth - 1} (it is at #${lcTip.height})`,
        };
      else
        view = {
          ...base,
          state: "awaiting-credit",
          waitsFor: "an L2 transaction with the SPV proof (bridge:deposit sends it; anyone may)",
        };
      deposits.push(view);
    }

    const withdrawals: WithdrawalView[] = requested.map((ev) => {
      const id = ev.args.id;
      const sats = ev.args.sats;
      const script = Uint8Array.from(Buffer.from(ev.args.scriptPubKey.slice(2), "hex"));
      const paid = payouts.get(id);
      const p = payoutRecords.get(id);
      const r = byWithdrawal.get(id) ?? (p?.claim === undefined ? undefined : records.get(p.claim));
      const g = r ? graphViews.get(r.pegInConfirmTxid) : undefined;
      const base = {
        id: id.toString(),
        sender: ev.args.sender,
        sats: sats.toString(),
        to: scriptToAddress(script, REGTEST) ?? bytesToHex(script),
        ...(paid
          ? { payoutTxid: paid.txid, operator: paid.operator }
          : p?.payoutTxid === undefined
            ? {}
            : { payoutTxid: p.payoutTxid }),
        ...(r ? { graphId: r.pegInConfirmTxid } : {}),
      };
      if (g?.state === "taken") return { ...base, state: "taken", waitsFor: null };
      if (g?.state === "challenged" || g?.state === "asserted")
        return {
          ...base,
          state: "challenged",
          waitsFor: "the challenge game: Assert, then Disprove or Take2",
        };
      if (g?.state === "kicked-off") {
        const kick = g.txs.find((t) => t.name === "KickOff")!;
        const left = Math.max(0, r!.input.params.challengeTimelock - kick.confirmations);
        return {
          ...base,
          state: "kicked-off",
          waitsFor: `the challenge window: Take1 after ${left} more L1 block(s) unless challenged`,
        };
      }
      if (paid)
        return {
          ...base,
          state: "paid",
          waitsFor:
            r === undefined
              ? "nothing for the user; the operator claims a peg-in once its proven payouts cover one"
              : `the operator's KickOff (its claim on peg-in ${r.pegInConfirmTxid} on L1)`,
        };
      return {
        ...base,
        state: "requested",
        waitsFor:
          p === undefined || p.step === "seen"
            ? `the operator's payout on L1 and its proof on the L2${p?.waitsFor ? ` (${p.waitsFor})` : ""}`
            : `the operator's payout ${p.payoutTxid ?? ""} to confirm on L1, then its proof on the L2`,
      };
    });

    const operators = new Map<string, { graphs: GraphView[]; accounts: Set<string> }>();
    for (const g of graphViews.values()) {
      const o = operators.get(g.operator) ?? { graphs: [], accounts: new Set<string>() };
      o.graphs.push(g);
      for (const w of records.get(g.id)!.claim?.covers ?? []) {
        const paid = payouts.get(w);
        if (paid) o.accounts.add(paid.operator);
      }
      operators.set(g.operator, o);
    }
    const dlc = await readDlc?.();
    const operatorViews: OperatorView[] = [];
    for (const [key, o] of operators) {
      let stake = 0n;
      let locked = 0n;
      let reimbursed = 0n;
      for (const g of o.graphs) {
        const graph = graphs.get(g.id)!;
        const s = graph.kickOff.output(2).amount;
        stake += s;
        const kick = g.txs.find((t) => t.name === "KickOff")!;
        if ((kick.state === "confirmed" || kick.state === "spent") && (await unspent(kick.txid, 2)))
          locked += s;
        for (const take of [graph.take1, graph.take2]) {
          const t = g.txs.find((x) => x.txid === take.txid);
          if (t?.state === "confirmed" || t?.state === "spent") reimbursed += take.output(0).amount;
        }
      }
      operatorViews.push({
        key,
        l2Accounts: [...o.accounts],
        graphs: o.graphs.length,
        stakeSats: stake.toString(),
        stakeLockedSats: locked.toString(),
        reimbursedSats: reimbursed.toString(),
      });
    }

    return {
      l1: tip,
      l2: l2Head,
      lightClient: {
        address: configured ? config.lightClient : "",
        tip: lcTip,
        lagBlocks: configured ? Math.max(0, tip.height - lcTip.height) : tip.height,
        confirmations: depth,
      },
      deposits,
      withdrawals,
      graphs: [...graphViews.values()],
      operators: operatorViews,
      invariant: await invariant(tip.height, poolScript),
      ...(dlc === undefined ? {} : { dlc }),
    };
  }

  async function rawTransaction(txid: string): Promise<RawTransaction | undefined> {
    const tx = await l1.getTransaction(txid as never);
    if (tx !== undefined) return { txid, hex: tx.toHex(), source: "l1", format: "tx" };
    // Not on L1: the graph's template, as an unsigned PSBT (its witnesses come when it is broadcast).
    for (const g of graphs.values())
      for (const t of graphTxs(g))
        if (t.txid === txid && t.tx)
          return { txid, hex: bytesToHex(t.tx.toPsbt()), source: "graph", format: "psbt" };
    return undefined;
  }

  return {
    l1Head,
    snapshot,
    rawTransaction,
    async close(): Promise<void> {
      l2.destroy();
      await l1.close();
    },
  };
}
