/**
 * The channel set-up the DLC tests share (no node): random keys for the user, the federation and
 * N oracles announcing one 31-digit binary event, terms of 1.5 + 0.5 BTC, a funding UTXO paying
 * the 2-of-2, and the withdrawal intervals of `w`.
 */
import { schnorr } from "@noble/curves/secp256k1.js";
import { sats, txidFromHex } from "../../ts/bitcoin/index.js";
import { keyPathOutput, xOnlyKey } from "../../ts/bridge/index.js";
import {
  DlcChannel,
  Oracle,
  fundingOutput,
  withdrawalIntervals,
  type CetStake,
  type ChannelTerms,
  type DlcUtxo,
  type OracleAnnouncement,
  type PayoutInterval,
} from "../../ts/dlc/index.js";

export const rand32 = (): Uint8Array => schnorr.utils.randomSecretKey();
export const DESCRIPTOR = { base: 2, nbDigits: 31, unit: "sats", precision: 0 } as const;
export const MAX_OUTCOME = 2n ** 31n - 1n;

export interface ChannelSetup {
  readonly userSecret: Uint8Array;
  readonly fedSecret: Uint8Array;
  readonly userKey: Uint8Array;
  readonly federationKey: Uint8Array;
  readonly oracleSecrets: readonly Uint8Array[];
  readonly oracles: readonly Oracle[];
  readonly announcements: readonly OracleAnnouncement[];
  readonly terms: ChannelTerms;
  readonly fundingUtxo: DlcUtxo;
  readonly intervals: PayoutInterval[];
  /** The channel of these terms (a new instance per call), optionally with a stake. */
  channel(stake?: CetStake): DlcChannel;
}

export function channelSetup(opts: {
  eventId: string;
  w: bigint;
  /** N oracles of which `threshold` settle; without it one oracle and no federation. */
  federation?: { n: number; threshold: number };
  txidByte?: string;
}): ChannelSetup {
  const userSecret = rand32();
  const fedSecret = rand32();
  const userKey = schnorr.getPublicKey(userSecret);
  const federationKey = schnorr.getPublicKey(fedSecret);
  const n = opts.federation?.n ?? 1;
  const oracleSecrets = Array.from({ length: n }, rand32);
  const oracles = oracleSecrets.map((s) => new Oracle(s));
  const announcements = oracles.map((o) => o.announce(opts.eventId, 0, DESCRIPTOR));
  const terms: ChannelTerms = {
    userKey,
    federationKey,
    userCollateral: sats(150_000_000n),
    federationCollateral: sats(50_000_000n),
    userScript: keyPathOutput(xOnlyKey(userKey)).script,
    federationScript: keyPathOutput(xOnlyKey(federationKey)).script,
    announcement: announcements[0]!,
    ...(opts.federation === undefined
      ? {}
      : { federation: { announcements, threshold: opts.federation.threshold } }),
    refundLocktime: 500,
    feeRate: 2n,
  };
  const fundingUtxo: DlcUtxo = {
    txid: txidFromHex((opts.txidByte ?? "11").repeat(32)),
    vout: 0,
    amount: sats(200_000_000n),
    script: fundingOutput(terms).script,
  };
  const intervals = withdrawalIntervals(opts.w, MAX_OUTCOME, terms.userCollateral);
  return {
    userSecret,
    fedSecret,
    userKey,
    federationKey,
    oracleSecrets,
    oracles,
    announcements,
    terms,
    fundingUtxo,
    intervals,
    channel: (stake) => new DlcChannel(terms, fundingUtxo, intervals, stake),
  };
}

/** Runs `f` and checks it throws an error with `code`; returns the error. */
export function expectCode(
  f: () => unknown,
  code: string,
): Error & { code: string; details: Record<string, unknown> } {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  if (!(err instanceof Error)) throw new Error(`expected ${code}, nothing was thrown`);
  if ((err as { code?: unknown }).code !== code)
    throw new Error(`expected ${code}, got ${String((err as { code?: unknown }).code)}: ${err.message}`);
  return err as Error & { code: string; details: Record<string, unknown> };
}

/** The async form of {@link expectCode}. */
export async function expectCodeAsync(
  f: () => Promise<unknown>,
  code: string,
): Promise<Error & { code: string; details: Record<string, unknown> }> {
  let err: unknown;
  try {
    await f();
  } catch (e) {
    err = e;
  }
  if (!(err instanceof Error)) throw new Error(`expected ${code}, nothing was thrown`);
  if ((err as { code?: unknown }).code !== code)
    throw new Error(`expected ${code}, got ${String((err as { code?: unknown }).code)}: ${err.message}`);
  return err as Error & { code: string; details: Record<string, unknown> };
}
