/**
 * The watchtower (challenger): follows L1 for the KickOffs of known peg-out graphs, checks each
 * claim against the L2's proven payouts and the L1 payout transactions, and challenges a claim
 * they do not cover (see docs/bridge.md, "Watchtower").
 */
export { ChallengerError, type ChallengerErrorCode } from "./errors.js";
export {
  Watchtower,
  lvmPayoutLedger,
  type AssertCheck,
  type KickOffRecord,
  type KickOffStep,
  type PayoutLedger,
  type ProvenPayout,
  type Verdict,
  type WatchedGraph,
  type WatchtowerEvent,
  type WatchtowerOptions,
} from "./watchtower.js";
