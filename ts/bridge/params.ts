import { BridgeError } from "./errors.js";
import type { Blocks, Sats } from "./types.js";

/**
 * Relative timelocks (BIP68 block-based, so at most 65,535 blocks) and amounts of the graph.
 * Every timelock is a parameter because the same graph runs on mainnet (days and weeks) and on
 * the devnet (a few blocks, so a test walks the whole graph in seconds).
 */
export interface BridgeParams {
  /** Deposit → PegInRefund: how long the committee has to presign and confirm the peg-in. */
  refundTimelock: Blocks;
  /** KickOff → Take1: the window in which anyone may Challenge the operator's claim. */
  challengeTimelock: Blocks;
  /** Assert → Take2: the window in which anyone may Disprove the operator's assertion. */
  disproveTimelock: Blocks;
  /**
   * KickOff → AssertTimeout: the stake is forfeit unless the operator has spent it by then, through
   * Take1 (unchallenged) or Assert (challenged). Covers both the challenged operator who never
   * asserts and the operator who stalls after KickOff. Must exceed `challengeTimelock`, so an
   * honest operator always has time for Take1 and, after the latest possible Challenge, to assert.
   */
  assertTimelock: Blocks;
  /** Confirmations the L2 bridge requires on PegInConfirm before it credits the recipient. */
  pegInConfirmations: number;
  /** Fee rate every presigned transaction pays, fixed at presigning time (sat/vB). */
  feeRate: bigint;
  /** Value of the KickOff connector outputs: the P2TR dust limit, so they are standard. */
  connectorAmount: Sats;
  /** Operator stake locked in KickOff's assert connector; what a Disprove slashes. */
  operatorStake: Sats;
  /** What a challenger pays the operator to force an Assert (crowdfunded by Challenge). */
  challengeFee: Sats;
}

const BLOCKS_PER_DAY = 144;

/**
 * Bitcoin-realistic windows (docs/bridge.md, "Timelocks"): one day to challenge, two days from
 * KickOff to assert, two days to disprove. Worst case of an honest, challenged operator: KickOff →
 * Take2 in at most assertTimelock + disproveTimelock = 576 blocks = 4 days, below Clementine's
 * ~5 days; a cheating operator that never asserts is slashed 2 days after KickOff.
 */
export const MAINNET_PARAMS: Readonly<BridgeParams> = Object.freeze({
  refundTimelock: (14 * BLOCKS_PER_DAY) as Blocks,
  challengeTimelock: BLOCKS_PER_DAY as Blocks,
  disproveTimelock: (2 * BLOCKS_PER_DAY) as Blocks,
  assertTimelock: (2 * BLOCKS_PER_DAY) as Blocks,
  pegInConfirmations: 6,
  feeRate: 10n,
  connectorAmount: 330n as Sats,
  operatorStake: 1_000_000n as Sats,
  challengeFee: 100_000n as Sats,
});

/** Devnet: every window a few blocks, so the whole graph can be walked in one test. */
export const DEVNET_PARAMS: Readonly<BridgeParams> = Object.freeze({
  refundTimelock: 6 as Blocks,
  challengeTimelock: 2 as Blocks,
  disproveTimelock: 3 as Blocks,
  assertTimelock: 5 as Blocks,
  pegInConfirmations: 1,
  feeRate: 2n,
  connectorAmount: 330n as Sats,
  operatorStake: 100_000n as Sats,
  challengeFee: 10_000n as Sats,
});

export type ParamsProfile = "mainnet" | "devnet";

export function bridgeParams(profile: ParamsProfile, overrides: Partial<BridgeParams> = {}): BridgeParams {
  const base = profile === "mainnet" ? MAINNET_PARAMS : DEVNET_PARAMS;
  const p = { ...base, ...overrides };
  validateParams(p);
  return p;
}

/** BIP68 encodes block-based relative locks in 16 bits; 0 would make CSV a no-op. */
export function validateParams(p: BridgeParams): void {
  for (const name of ["refundTimelock", "challengeTimelock", "disproveTimelock", "assertTimelock"] as const) {
    const v = p[name];
    if (!Number.isInteger(v) || v < 1 || v > 0xffff) {
      throw new BridgeError(
        "INVALID_TIMELOCK",
        `${name} must be an integer in [1, 65535] blocks, got ${v}`,
        v,
      );
    }
  }
  if (p.assertTimelock <= p.challengeTimelock) {
    throw new BridgeError(
      "INVALID_TIMELOCK",
      `assertTimelock (${p.assertTimelock}) must exceed challengeTimelock (${p.challengeTimelock})`,
      p.assertTimelock,
    );
  }
  if (!Number.isInteger(p.pegInConfirmations) || p.pegInConfirmations < 1) {
    throw new BridgeError(
      "INVALID_TIMELOCK",
      `pegInConfirmations must be ≥ 1, got ${p.pegInConfirmations}`,
      p.pegInConfirmations,
    );
  }
  if (p.feeRate < 1n || p.feeRate > 10_000n) {
    throw new BridgeError(
      "INVALID_FEE_RATE",
      `feeRate must be in [1, 10000] sat/vB, got ${p.feeRate}`,
      p.feeRate,
    );
  }
  if (p.connectorAmount < 330n) {
    throw new BridgeError(
      "INVALID_AMOUNT",
      `connectorAmount below the P2TR dust limit (330 sats)`,
      p.connectorAmount,
    );
  }
}
