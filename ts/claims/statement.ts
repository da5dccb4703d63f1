/**
 * The statement one L2 claim commits on Bitcoin: the previous claim, the L2 block number and hash,
 * the state root, the withdrawal root and the payouts root. Each field is one Winternitz-signed
 * message under a one-time key of its own, so a BitVM script can read it from the witness and a
 * second, different value for the same key is a public equivocation.
 */
import { LvmError, bytesToHex, hexToBytes, isHex, type Hex } from "../core/index.js";
import { sha256 } from "../bitcoin/index.js";
import {
  winternitzKeygen,
  winternitzPublicKey,
  winternitzSign,
  type WinternitzPublicKey,
  type WinternitzSecretKey,
} from "../bitvm/index.js";

export type ClaimErrorCode = "BAD_FIELD" | "BAD_INDEX" | "BAD_SEED";

/** A malformed claim or claim input; names the field that was wrong. */
export class ClaimError extends LvmError<ClaimErrorCode> {
  override readonly name = "ClaimError";
}

/** The committed fields, in witness order. */
export const CLAIM_FIELDS = [
  "prevTxid",
  "l2BlockNumber",
  "l2BlockHash",
  "stateRoot",
  "withdrawalRoot",
  "payoutsRoot",
] as const;
export type ClaimField = (typeof CLAIM_FIELDS)[number];

/** Byte length of each field's message (the block number is a big-endian u64). */
export const CLAIM_FIELD_BYTES: Readonly<Record<ClaimField, number>> = {
  prevTxid: 32,
  l2BlockNumber: 8,
  l2BlockHash: 32,
  stateRoot: 32,
  withdrawalRoot: 32,
  payoutsRoot: 32,
};

/** 4-bit digits, as BitVM uses. */
export const CLAIM_DIGIT_BITS = 4;

/** What one claim states. 32-byte fields are 64 hex digits, no 0x. */
export interface ClaimStatement {
  readonly prevTxid: Hex;
  readonly l2BlockNumber: number;
  readonly l2BlockHash: Hex;
  readonly stateRoot: Hex;
  readonly withdrawalRoot: Hex;
  readonly payoutsRoot: Hex;
}

function hash32(field: ClaimField, v: unknown): Uint8Array {
  const s = typeof v === "string" ? v.replace(/^0x/, "") : "";
  if (s.length !== 64 || !isHex(s))
    throw new ClaimError("BAD_FIELD", `${field} must be 32 bytes of hex`, { value: v });
  return hexToBytes(s);
}

/** The message each field's key signs. */
export function claimMessages(st: ClaimStatement): Record<ClaimField, Uint8Array> {
  const n = st.l2BlockNumber;
  if (!Number.isSafeInteger(n) || n < 0)
    throw new ClaimError("BAD_FIELD", "l2BlockNumber must be a non-negative integer", { value: n });
  const num = new Uint8Array(8);
  new DataView(num.buffer).setBigUint64(0, BigInt(n));
  return {
    prevTxid: hash32("prevTxid", st.prevTxid),
    l2BlockNumber: num,
    l2BlockHash: hash32("l2BlockHash", st.l2BlockHash),
    stateRoot: hash32("stateRoot", st.stateRoot),
    withdrawalRoot: hash32("withdrawalRoot", st.withdrawalRoot),
    payoutsRoot: hash32("payoutsRoot", st.payoutsRoot),
  };
}

/** Reads a statement back from the six messages, checking each length. */
export function statementFromMessages(m: Readonly<Record<ClaimField, Uint8Array>>): ClaimStatement {
  for (const f of CLAIM_FIELDS)
    if (m[f]?.length !== CLAIM_FIELD_BYTES[f])
      throw new ClaimError("BAD_FIELD", `${f} must be ${CLAIM_FIELD_BYTES[f]} bytes`, { value: m[f] });
  const n = new DataView(m.l2BlockNumber.buffer, m.l2BlockNumber.byteOffset, 8).getBigUint64(0);
  if (n > BigInt(Number.MAX_SAFE_INTEGER))
    throw new ClaimError("BAD_FIELD", "l2BlockNumber too large", { value: n });
  return {
    prevTxid: bytesToHex(m.prevTxid),
    l2BlockNumber: Number(n),
    l2BlockHash: bytesToHex(m.l2BlockHash),
    stateRoot: bytesToHex(m.stateRoot),
    withdrawalRoot: bytesToHex(m.withdrawalRoot),
    payoutsRoot: bytesToHex(m.payoutsRoot),
  };
}

/** The one-time keys of claim `index`, derived from the poster's seed; one key per field. */
export function claimSecretKeys(seed: Uint8Array, index: number): Record<ClaimField, WinternitzSecretKey> {
  if (seed.length < 32) throw new ClaimError("BAD_SEED", "the claim seed must hold at least 32 bytes");
  if (!Number.isSafeInteger(index) || index < 0)
    throw new ClaimError("BAD_INDEX", "claim index must be a non-negative integer", { value: index });
  const out = {} as Record<ClaimField, WinternitzSecretKey>;
  for (const f of CLAIM_FIELDS) {
    const tag = new TextEncoder().encode(`lvm/claim/${index}/${f}`);
    const msg = new Uint8Array(seed.length + tag.length);
    msg.set(seed);
    msg.set(tag, seed.length);
    out[f] = winternitzKeygen(sha256(msg), {
      messageBytes: CLAIM_FIELD_BYTES[f],
      digitBits: CLAIM_DIGIT_BITS,
    });
  }
  return out;
}

export function claimPublicKeys(
  sk: Readonly<Record<ClaimField, WinternitzSecretKey>>,
): Record<ClaimField, WinternitzPublicKey> {
  const out = {} as Record<ClaimField, WinternitzPublicKey>;
  for (const f of CLAIM_FIELDS) out[f] = winternitzPublicKey(sk[f]);
  return out;
}

/** Per field, the witness the field's verify script accepts. */
export function signClaim(
  sk: Readonly<Record<ClaimField, WinternitzSecretKey>>,
  st: ClaimStatement,
): Record<ClaimField, Uint8Array[]> {
  const m = claimMessages(st);
  const out = {} as Record<ClaimField, Uint8Array[]>;
  for (const f of CLAIM_FIELDS) out[f] = winternitzSign(sk[f], m[f]);
  return out;
}
