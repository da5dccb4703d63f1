/**
 * What the dashboard shows, as one narrow interface: a {@link DashboardSource} answers "what does
 * the bridge look like now" with a {@link BridgeSnapshot} of plain JSON values (amounts as decimal
 * strings, txids in display order), so the server and the page never depend on how the devnet
 * keeps its state. `devnetSource` (devnet-source.ts) fills it from public surfaces; a test fills it
 * by hand.
 */

/** A chain tip. */
export interface Head {
  readonly height: number;
  readonly hash: string;
}

/** The L2 light client: its best block and how far it is behind the L1 tip. */
export interface LightClientView {
  readonly address: string;
  readonly tip: Head;
  /** L1 height − light-client height (0 when in sync). */
  readonly lagBlocks: number;
  /** Confirmations the bridge requires before it credits a peg-in. */
  readonly confirmations: number;
}

/**
 * A deposit's life: PegInConfirm seen on L1 (mempool, then confirmations), carried to the L2 by
 * the relayer, credited by SPV, claimed by an operator whose proven payouts cover its pool output
 * ("paired": KickOff and the challenge window), and reimbursed (Take1 spent its pool output to the
 * operator).
 */
export const DEPOSIT_STATES = [
  "broadcast",
  "confirming",
  "awaiting-relay",
  "awaiting-credit",
  "credited",
  "paired",
  "reimbursed",
] as const;
export type DepositState = (typeof DEPOSIT_STATES)[number];

export interface DepositView {
  /** The PegInConfirm txid: what the L2 credits, and the graph's id. */
  readonly id: string;
  readonly depositTxid?: string;
  readonly recipient: string;
  /** Sats locked in the pool (what the L2 credits). */
  readonly sats: string;
  readonly state: DepositState;
  /** What the next step waits for, in words; null once nothing is left to do. */
  readonly waitsFor: string | null;
  readonly l1Confirmations: number;
  /** The withdrawals whose payouts the operator's claim on this deposit reimburses. */
  readonly withdrawalIds?: readonly string[];
  /** Set when a peg-out graph is known for this deposit (same id). */
  readonly graphId?: string;
}

/** A withdrawal's life: requested on the L2, paid on L1 by an operator and proven, claimed, taken. */
export const WITHDRAWAL_STATES = ["requested", "paid", "kicked-off", "challenged", "taken"] as const;
export type WithdrawalState = (typeof WITHDRAWAL_STATES)[number];

export interface WithdrawalView {
  readonly id: string;
  readonly sender: string;
  readonly sats: string;
  /** The Bitcoin address paid (or the script hex when it has no address). */
  readonly to: string;
  readonly state: WithdrawalState;
  readonly waitsFor: string | null;
  readonly payoutTxid?: string;
  /** The operator's L2 account that proved the payout. */
  readonly operator?: string;
  /** The deposit (and graph) it is reimbursed from. */
  readonly graphId?: string;
}

/** A transaction of a peg-out graph, from built to spent. */
export const GRAPH_TX_STATES = ["built", "presigned", "broadcast", "confirmed", "spent"] as const;
export type GraphTxState = (typeof GRAPH_TX_STATES)[number];

export interface GraphTxView {
  /** Deposit, PegInConfirm, KickOff, Take1, Challenge, Assert, Take2. */
  readonly name: string;
  readonly txid: string;
  readonly state: GraphTxState;
  readonly confirmations: number;
  /** Virtual size once broadcast (0 before: a template has no witnesses yet). */
  readonly vsize: number;
  readonly feeSats: string;
  /** Graph transactions this one spends an output of: the edges of the drawing. */
  readonly spends: readonly { readonly txid: string; readonly vout: number }[];
}

/** The whole graph: where the claim stands. */
export const GRAPH_STATES = [
  "presigned",
  "pegged-in",
  "kicked-off",
  "challenged",
  "asserted",
  "disproved",
  "taken",
] as const;
export type GraphState = (typeof GRAPH_STATES)[number];

export interface GraphView {
  /** The deposit's PegInConfirm txid. */
  readonly id: string;
  /** The operator's x-only key (hex). */
  readonly operator: string;
  readonly state: GraphState;
  readonly txs: readonly GraphTxView[];
}

export interface OperatorView {
  /** x-only key (hex). */
  readonly key: string;
  /** L2 accounts that proved payouts for this operator's graphs. */
  readonly l2Accounts: readonly string[];
  readonly graphs: number;
  /** Stake committed in its KickOffs (the assert connector), summed over its graphs. */
  readonly stakeSats: string;
  /** Of which locked on L1 now (KickOff confirmed, stake output unspent). */
  readonly stakeLockedSats: string;
  /** Paid back to it by Take1/Take2. */
  readonly reimbursedSats: string;
}

/** The bridge invariant at one L1 block: BTC outside the L2 bridge ≤ BTC locked on L1. */
export interface InvariantSample {
  readonly l1Height: number;
  /** Unix ms when sampled. */
  readonly time: number;
  readonly l2OutsideSats: string;
  readonly l1LockedSats: string;
  readonly holds: boolean;
}

/**
 * An OP-DLC channel's life: funded and recorded on the L2 (`open`), a withdrawal requested, the
 * oracle federation's attestation of the amount, its stake registered for that withdrawal, its
 * OracleSign on L1, and `closed` once the funding output is spent (a CET or the refund).
 */
export const DLC_CHANNEL_STATES = [
  "open",
  "withdrawal-requested",
  "attested",
  "staked",
  "oracle-signed",
  "closed",
] as const;
export type DlcChannelState = (typeof DLC_CHANNEL_STATES)[number];

export interface DlcChannelView {
  /** The channel id DlcChannels records (bytes32 hex). */
  readonly id: string;
  readonly owner: string;
  readonly fundedSats: string;
  readonly userCollateralSats: string;
  /** Funding outpoint `txid:vout`, txid in display order. */
  readonly funding: string;
  readonly state: DlcChannelState;
  readonly waitsFor: string | null;
  readonly withdrawalSats?: string;
  readonly attestedSats?: string;
  /** The oracle's stake for this channel's withdrawal: its L1 output and whether it is unspent. */
  readonly stake?: { readonly outpoint: string; readonly sats: string; readonly locked: boolean };
  readonly oracleSignTxid?: string;
}

/** The OP-DLC bridge, when the devnet runs it. */
export interface DlcView {
  /** DlcChannels on the L2. */
  readonly contract: string;
  /** The oracle federation's BIP340 key (x-only hex) and JSON-RPC. */
  readonly oracleKey: string;
  readonly oracleUrl: string;
  readonly channels: readonly DlcChannelView[];
  /** Σ the oracle's stakes locked on L1 now. */
  readonly stakeLockedSats: string;
}

export interface BridgeSnapshot {
  readonly l1: Head;
  readonly l2: Head;
  readonly lightClient: LightClientView;
  readonly deposits: readonly DepositView[];
  readonly withdrawals: readonly WithdrawalView[];
  readonly graphs: readonly GraphView[];
  readonly operators: readonly OperatorView[];
  readonly invariant: InvariantSample;
  /** Absent when the devnet runs no OP-DLC bridge. */
  readonly dlc?: DlcView;
}

/**
 * A raw transaction the dashboard links to: as on L1 (network serialization), or, when not
 * broadcast, the graph's template as an unsigned PSBT.
 */
export interface RawTransaction {
  readonly txid: string;
  readonly hex: string;
  readonly source: "l1" | "graph";
  readonly format: "tx" | "psbt";
}

export interface DashboardSource {
  /** The L1 tip; polled often, so it must be cheap. */
  l1Head(): Promise<Head>;
  /** Everything the page shows, read at one moment. */
  snapshot(): Promise<BridgeSnapshot>;
  /** A transaction by display txid; undefined when neither L1 nor a known graph has it. */
  rawTransaction(txid: string): Promise<RawTransaction | undefined>;
  close?(): Promise<void>;
}
