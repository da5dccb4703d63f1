/**
 * Oracle events, announcements and attestations as dlcspecs defines them (Oracle.md, version 0 TLVs),
 * for digit-decomposition events: the oracle commits to one nonce R_i per digit, then signs each
 * digit d_i of the outcome (the UTF-8 string "0"…"9", leading zeros included) with BIP340 under its
 * key P and nonce R_i, the message being the tagged hash "DLC/oracle/attestation/v0" of the digit.
 *
 * Before the attestation, anyone can compute the point S_i(d) = R_i + H(R_i, P, m(d))·P that the
 * attestation scalar s_i will open; CETs are encrypted to sums of such points.
 */
import { schnorr } from "@noble/curves/secp256k1.js";
import { DlcError } from "./errors.js";
import {
  Point,
  bip340Verify,
  bytesToNum,
  challenge,
  equal,
  hasEvenY,
  liftX,
  modN,
  numTo32,
  scalar,
  xOnly,
} from "./adaptor.js";
import { curve, pointFromSec } from "./ec.js";
import { Reader, Writer } from "./wire.js";
import { fromDigits, toDigits } from "./numeric.js";

export const TLV_DIGIT_DESCRIPTOR = 55306;
export const TLV_ORACLE_EVENT = 55330;
export const TLV_ANNOUNCEMENT = 55332;
export const TLV_ATTESTATION = 55400;

/** dlcspecs `digit_decomposition_event_descriptor` (unsigned outcomes only). */
export interface DigitDescriptor {
  readonly base: number;
  readonly nbDigits: number;
  readonly unit: string;
  readonly precision: number;
}

export interface OracleEvent {
  /** One x-only nonce per digit, the most significant digit first. */
  readonly nonces: readonly Uint8Array[];
  /** Earliest attestation time, epoch seconds. */
  readonly maturity: number;
  readonly descriptor: DigitDescriptor;
  readonly eventId: string;
}

export interface OracleAnnouncement {
  readonly signature: Uint8Array;
  readonly oraclePublicKey: Uint8Array;
  readonly event: OracleEvent;
}

export interface OracleAttestation {
  readonly eventId: string;
  readonly oraclePublicKey: Uint8Array;
  readonly signatures: readonly Uint8Array[];
  readonly outcomes: readonly string[];
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s.normalize("NFC"));

/** dlcspecs' Sign(sk, message, tag) message: tagged hash "DLC/oracle/<tag>" of the message. */
export function oracleMessage(tag: "attestation/v0" | "announcement/v0", message: Uint8Array): Uint8Array {
  return schnorr.utils.taggedHash(`DLC/oracle/${tag}`, message);
}

export function validateDescriptor(d: DigitDescriptor): void {
  if (!Number.isInteger(d.base) || d.base < 2 || d.base > 10)
    throw new DlcError("BAD_PARAMS", "digit base must be 2–10", { value: d.base });
  if (!Number.isInteger(d.nbDigits) || d.nbDigits < 1 || d.nbDigits > 64)
    throw new DlcError("BAD_PARAMS", "nbDigits must be 1–64", { value: d.nbDigits });
}

export function encodeOracleEvent(e: OracleEvent): Uint8Array {
  const desc = new Writer()
    .u16(e.descriptor.base) // dlcspecs text: bigsize; rust-dlc and node-dlc write u16
    .u8(0) // is_signed = false
    .string(e.descriptor.unit)
    .i32(e.descriptor.precision)
    .u16(e.descriptor.nbDigits)
    .finish();
  const w = new Writer().u16(e.nonces.length);
  for (const n of e.nonces) w.bytes(n);
  w.u32(e.maturity).tlv(TLV_DIGIT_DESCRIPTOR, desc).string(e.eventId);
  return new Writer().tlv(TLV_ORACLE_EVENT, w.finish()).finish();
}

export function encodeAnnouncement(a: OracleAnnouncement): Uint8Array {
  const body = new Writer()
    .bytes(a.signature)
    .bytes(a.oraclePublicKey)
    .bytes(encodeOracleEvent(a.event))
    .finish();
  return new Writer().tlv(TLV_ANNOUNCEMENT, body).finish();
}

function readEvent(r: Reader): OracleEvent {
  const e = r.tlv(TLV_ORACLE_EVENT);
  const count = e.u16();
  const nonces = Array.from({ length: count }, () => e.bytes(32));
  const maturity = e.u32();
  const d = e.tlv(TLV_DIGIT_DESCRIPTOR);
  const base = d.u16();
  if (d.u8() !== 0) throw new DlcError("BAD_ANNOUNCEMENT", "signed outcomes are not supported");
  const descriptor = { base, unit: d.string(), precision: d.i32(), nbDigits: d.u16() };
  d.end();
  const eventId = e.string();
  e.end();
  return { nonces, maturity, descriptor, eventId };
}

export function decodeAnnouncement(bytes: Uint8Array): OracleAnnouncement {
  const r = new Reader(bytes);
  const a = r.tlv(TLV_ANNOUNCEMENT);
  const out = { signature: a.bytes(64), oraclePublicKey: a.bytes(32), event: readEvent(a) };
  a.end();
  r.end();
  return out;
}

export function encodeAttestation(a: OracleAttestation): Uint8Array {
  const w = new Writer().string(a.eventId).bytes(a.oraclePublicKey).u16(a.signatures.length);
  for (const s of a.signatures) w.bytes(s);
  for (const o of a.outcomes) w.string(o);
  return new Writer().tlv(TLV_ATTESTATION, w.finish()).finish();
}

export function decodeAttestation(bytes: Uint8Array): OracleAttestation {
  const r = new Reader(bytes);
  const a = r.tlv(TLV_ATTESTATION);
  const eventId = a.string();
  const oraclePublicKey = a.bytes(32);
  const n = a.u16();
  const signatures = Array.from({ length: n }, () => a.bytes(64));
  const outcomes = Array.from({ length: n }, () => a.string());
  a.end();
  r.end();
  return { eventId, oraclePublicKey, signatures, outcomes };
}

/**
 * Checks an announcement: its signature over the serialized event (tag announcement/v0), valid
 * nonces (distinct, on the curve), one nonce per digit. Throws `BAD_ANNOUNCEMENT`.
 */
export function verifyAnnouncement(a: OracleAnnouncement): void {
  // Every party checks the same announcements again and again (each channel, each federation
  // member): the encodings that verified are remembered (a bounded set), the check is by content.
  validateDescriptor(a.event.descriptor);
  const id = Buffer.from(encodeAnnouncement(a)).toString("hex");
  if (verified.has(id)) return;
  verifyAnnouncementUncached(a);
  if (verified.size >= 256) verified.delete(verified.values().next().value!);
  verified.add(id);
}

const verified = new Set<string>();

function verifyAnnouncementUncached(a: OracleAnnouncement): void {
  validateDescriptor(a.event.descriptor);
  if (a.event.nonces.length !== a.event.descriptor.nbDigits)
    throw new DlcError("BAD_ANNOUNCEMENT", "one nonce per digit is required", {
      details: { nonces: a.event.nonces.length, digits: a.event.descriptor.nbDigits },
    });
  const seen = new Set<string>();
  for (const n of a.event.nonces) {
    liftX(n, "oracle nonce");
    const h = Buffer.from(n).toString("hex");
    if (seen.has(h)) throw new DlcError("BAD_ANNOUNCEMENT", "a nonce is repeated", { value: n });
    seen.add(h);
  }
  const m = oracleMessage("announcement/v0", encodeOracleEvent(a.event));
  if (!bip340Verify(a.signature, m, a.oraclePublicKey))
    throw new DlcError("BAD_ANNOUNCEMENT", "announcement signature does not verify", { value: a.signature });
}

/** S = R + H(R, P, m(outcome))·P: the point the attestation of `outcome` under nonce R opens. */
export function outcomePoint(oracleKey: Uint8Array, nonce: Uint8Array, outcome: string): Point {
  const R = liftX(nonce, "oracle nonce");
  const P = liftX(oracleKey, "oracle key");
  return R.add(P.multiplyUnsafe(challenge(nonce, oracleKey, oracleMessage("attestation/v0", utf8(outcome)))));
}

/**
 * The per-digit adaptor points of an announcement, S[i][d] = R_i + e_{i,d}·P for every digit
 * position i and value d, computed once per announcement (base × nbDigits multiplications of the
 * oracle key, `DigitPoints.of` keeps the last few), and the prefix sums Σ S[i][d_i], each the
 * sum of its parent prefix's (cached) and one digit point: a CET's point costs one addition.
 */
export class DigitPoints {
  readonly points: Point[][];
  /** Prefix sums in projective coordinates, keyed by the prefix's digits. */
  readonly #sums = new Map<string, Point>();

  constructor(readonly announcement: OracleAnnouncement) {
    const { base } = announcement.event.descriptor;
    const key = announcement.oraclePublicKey;
    liftX(key, "oracle key");
    const P33 = even33(key);
    this.points = announcement.event.nonces.map((nonce) => {
      liftX(nonce, "oracle nonce");
      const R33 = even33(nonce);
      return Array.from({ length: base }, (_, d) => {
        const e = challenge(nonce, key, oracleMessage("attestation/v0", utf8(String(d))));
        const S = curve().mulAdd(P33, e, R33);
        // S = ∞ would need e·P = −R: the oracle knowing its nonce's discrete log relation to P
        if (S === undefined) throw new DlcError("BAD_ANNOUNCEMENT", "a digit's adaptor point is infinity");
        return pointFromSec(S);
      });
    });
  }

  static readonly #cache = new Map<string, DigitPoints>();

  /** The digit points of an announcement, from a small cache keyed by the oracle's key, event and nonces. */
  static of(announcement: OracleAnnouncement): DigitPoints {
    const { event, oraclePublicKey } = announcement;
    const id = [
      Buffer.from(oraclePublicKey).toString("hex"),
      event.descriptor.base,
      ...event.nonces.map((n) => Buffer.from(n).toString("hex")),
    ].join(":");
    const hit = DigitPoints.#cache.get(id);
    if (hit !== undefined) return hit;
    const made = new DigitPoints(announcement);
    if (DigitPoints.#cache.size >= 32) DigitPoints.#cache.delete(DigitPoints.#cache.keys().next().value!);
    DigitPoints.#cache.set(id, made);
    return made;
  }

  /** Σ S[i][d_i] over a digit prefix: the adaptor point of a CET for that prefix (projective). */
  prefixPoint(prefix: readonly number[]): Point {
    if (prefix.length === 0 || prefix.length > this.points.length)
      throw new DlcError("BAD_OUTCOME", "prefix length must be 1…nbDigits", { value: prefix });
    prefix.forEach((d, i) => {
      if (this.points[i]![d] === undefined)
        throw new DlcError("BAD_OUTCOME", `digit ${d} is not below the base`, { value: prefix });
    });
    // the longest cached ancestor, then one addition per missing digit (each cached)
    let n = prefix.length;
    let acc: Point | undefined;
    while (n > 0 && (acc = this.#sums.get(prefix.slice(0, n).join(","))) === undefined) n--;
    for (; n < prefix.length; n++) {
      const p = this.points[n]![prefix[n]!]!;
      acc = acc === undefined ? p : acc.add(p);
      this.#sums.set(prefix.slice(0, n + 1).join(","), acc);
    }
    return acc!;
  }
}

/** The even-y point of an x-only key, compressed. */
const even33 = (x: Uint8Array): Uint8Array => {
  const out = new Uint8Array(33);
  out[0] = 2;
  out.set(x, 1);
  return out;
};

/**
 * Checks an attestation against its announcement and returns the attested value. Refuses
 * (`WRONG_EVENT`) another event or oracle, (`WRONG_NONCE`) a signature under another nonce than
 * announced, (`BAD_ATTESTATION`) a signature that does not verify or an outcome that is not a digit.
 */
export function verifyAttestation(a: OracleAnnouncement, att: OracleAttestation): bigint {
  if (att.eventId !== a.event.eventId || !equal(att.oraclePublicKey, a.oraclePublicKey))
    throw new DlcError("WRONG_EVENT", "attestation is for another event or oracle", {
      value: att.eventId,
      details: { expected: a.event.eventId },
    });
  const { base, nbDigits } = a.event.descriptor;
  if (att.signatures.length !== nbDigits || att.outcomes.length !== nbDigits)
    throw new DlcError("BAD_ATTESTATION", "one signature and outcome per digit is required", {
      details: { signatures: att.signatures.length, outcomes: att.outcomes.length, digits: nbDigits },
    });
  const digits: number[] = [];
  att.signatures.forEach((sig, i) => {
    const o = att.outcomes[i]!;
    if (!/^[0-9]$/.test(o) || Number(o) >= base)
      throw new DlcError("BAD_ATTESTATION", `outcome of digit ${i} is not a base-${base} digit`, {
        value: o,
      });
    if (sig.length !== 64 || !equal(sig.subarray(0, 32), a.event.nonces[i]!))
      throw new DlcError("WRONG_NONCE", `signature of digit ${i} does not use the announced nonce`, {
        value: sig,
        details: { digit: i },
      });
    if (!schnorr.verify(sig, oracleMessage("attestation/v0", utf8(o)), a.oraclePublicKey))
      throw new DlcError("BAD_ATTESTATION", `signature of digit ${i} does not verify`, {
        value: sig,
        details: { digit: i },
      });
    digits.push(Number(o));
  });
  return fromDigits(digits, base);
}

/** Σ s_i over the first `length` digits: the secret that opens the CET of that prefix. */
export function attestationSecret(att: OracleAttestation, length: number): Uint8Array {
  let s = 0n;
  for (let i = 0; i < length; i++) s = modN(s + bytesToNum(att.signatures[i]!.subarray(32)));
  return numTo32(s);
}

/**
 * An oracle: a BIP340 key, nonces derived per (event, digit) from the key, and a record of what it
 * attested, because attesting two outcomes of one event with the same nonces reveals its key.
 */
export class Oracle {
  readonly publicKey: Uint8Array;
  readonly #d: bigint;
  readonly #secret: Uint8Array;
  readonly #attested = new Map<string, bigint>();

  constructor(secret: Uint8Array, attested: Iterable<[string, bigint]> = []) {
    const x = scalar(secret, "oracle secret");
    const P = Point.BASE.multiply(x);
    this.#d = hasEvenY(P) ? x : Point.Fn.ORDER - x;
    this.#secret = secret;
    this.publicKey = xOnly(P);
    for (const [k, v] of attested) this.#attested.set(k, v);
  }

  #nonce(eventId: string, i: number): { k: bigint; rx: Uint8Array } {
    const idx = new Uint8Array(4);
    new DataView(idx.buffer).setUint32(0, i);
    const k0 = modN(
      bytesToNum(schnorr.utils.taggedHash("LVM/dlc/oracle/nonce", this.#secret, utf8(eventId), idx)),
    );
    if (k0 === 0n) throw new DlcError("BAD_SCALAR", "derived nonce is zero");
    const R = Point.BASE.multiply(k0);
    return { k: hasEvenY(R) ? k0 : Point.Fn.ORDER - k0, rx: xOnly(R) };
  }

  announce(eventId: string, maturity: number, descriptor: DigitDescriptor): OracleAnnouncement {
    validateDescriptor(descriptor);
    const nonces = Array.from({ length: descriptor.nbDigits }, (_, i) => this.#nonce(eventId, i).rx);
    const event: OracleEvent = { nonces, maturity, descriptor, eventId };
    // BIP340 with zero auxiliary randomness (allowed by BIP340): the same event always gives the
    // same announcement bytes, whoever asks and however often.
    const signature = schnorr.sign(
      oracleMessage("announcement/v0", encodeOracleEvent(event)),
      this.#secret,
      new Uint8Array(32),
    );
    return { signature, oraclePublicKey: this.publicKey, event };
  }

  /** Events attested so far (persist them: a restarted oracle must not attest an event twice). */
  get attested(): ReadonlyMap<string, bigint> {
    return this.#attested;
  }

  /** Attests `value` for an event this oracle announced; the same event cannot get another value. */
  attest(announcement: OracleAnnouncement, value: bigint): OracleAttestation {
    const { eventId, descriptor } = announcement.event;
    if (!equal(announcement.oraclePublicKey, this.publicKey))
      throw new DlcError("WRONG_EVENT", "announcement is from another oracle", { value: eventId });
    const before = this.#attested.get(eventId);
    if (before !== undefined && before !== value)
      throw new DlcError("NONCE_REUSE", "this event was attested with another value", {
        value,
        details: { eventId, attested: before },
      });
    const digits = toDigits(value, descriptor.base, descriptor.nbDigits);
    const outcomes = digits.map(String);
    const signatures = digits.map((d, i) => {
      const { k, rx } = this.#nonce(eventId, i);
      if (!equal(rx, announcement.event.nonces[i]!))
        throw new DlcError("WRONG_NONCE", "announcement nonces are not this oracle's", {
          details: { digit: i },
        });
      const e = challenge(rx, this.publicKey, oracleMessage("attestation/v0", utf8(String(d))));
      const sig = new Uint8Array(64);
      sig.set(rx, 0);
      sig.set(numTo32(modN(k + e * this.#d)), 32);
      return sig;
    });
    this.#attested.set(eventId, value);
    return { eventId, oraclePublicKey: this.publicKey, signatures, outcomes };
  }
}
