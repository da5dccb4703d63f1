/**
 * Differential tests of the presigning fast paths (ts/dlc/ec.ts, the cached digit and prefix
 * points, BIP340 with a derived key, the byte-level adaptor check) against the straightforward
 * computation with @noble/curves, on random inputs, under both curve implementations.
 */
import { schnorr } from "@noble/curves/secp256k1.js";
import { expect } from "chai";
import {
  adaptorSign,
  adaptorVerify,
  adaptorVerifyReference,
  bip340Sign,
  bip340Verify,
  signingKey,
  type AdaptorSignature,
} from "../../ts/dlc/adaptor.js";
import { curve, nativeCurveImpl, nobleCurve, useCurve, type DlcCurve } from "../../ts/dlc/ec.js";
import { DigitPoints, Oracle, Point, coverInterval, outcomePoint, toDigits } from "../../ts/dlc/index.js";
import { channelSetup, rand32 } from "./setup.js";

const N = Point.Fn.ORDER;
const G = Point.BASE;
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const scalarOf = (b: Uint8Array): bigint => BigInt("0x" + hex(b)) % N;
const randPoint = () => G.multiply(scalarOf(rand32()) || 1n);
const randInt = (n: number) => Math.floor(Math.random() * n);

/** Σ S_i(d_i) over a prefix, each S = R + e·P from `outcomePoint` (the straightforward way). */
function straightforward(o: Oracle, nonces: readonly Uint8Array[], prefix: readonly number[]) {
  let acc = Point.ZERO;
  prefix.forEach((d, i) => (acc = acc.add(outcomePoint(o.publicKey, nonces[i]!, String(d)))));
  return acc;
}

const curves: DlcCurve[] = [nobleCurve, ...(nativeCurveImpl === undefined ? [] : [nativeCurveImpl])];

describe("dlc: presigning fast paths equal the straightforward computation", () => {
  const before = curve();
  afterEach(() => useCurve(before));

  it("libsecp256k1's addon loads here (otherwise only the noble path is compared)", function () {
    if (process.env.LVM_SECP256K1 === "noble") this.skip();
    expect(nativeCurveImpl?.name).to.equal("native");
    expect(curve().name).to.equal("native");
  });

  for (const c of curves)
    it(`${c.name}: every curve operation on random inputs equals noble's projective arithmetic`, () => {
      for (let i = 0; i < 30; i++) {
        const k = scalarOf(rand32()) || 1n;
        const e = scalarOf(rand32()) || 1n;
        const T = randPoint();
        const R = randPoint();
        expect(hex(c.mulG(k))).to.equal(hex(G.multiply(k).toBytes(true)));
        expect(hex(c.mulGAdd(k, T.toBytes(true))!)).to.equal(hex(G.multiply(k).add(T).toBytes(true)));
        const P = schnorr.utils.lift_x(randPoint().toAffine().x); // the even-y point of an x
        const px = P.toBytes(true).subarray(1);
        expect(hex(c.mulGSubP(k, e, px)!)).to.equal(hex(G.multiply(k).subtract(P.multiply(e)).toBytes(true)));
        expect(hex(c.mulAdd(T.toBytes(true), e, R.toBytes(true))!)).to.equal(
          hex(T.multiply(e).add(R).toBytes(false)),
        );
        expect(hex(c.add(T.toBytes(true), R.toBytes(true))!)).to.equal(hex(T.add(R).toBytes(true)));
        expect(hex(c.add(T.toBytes(true), R.toBytes(true), true)!)).to.equal(
          hex(T.subtract(R).toBytes(true)),
        );
      }
      // the point at infinity and an x that is not on the curve are "no point", not a wrong one
      const T = randPoint();
      expect(c.add(T.toBytes(true), T.toBytes(true), true)).to.equal(undefined);
      expect(c.mulGAdd(1n, G.negate().toBytes(true))).to.equal(undefined);
      const offCurve = new Uint8Array(32).fill(0xff); // ≥ p
      expect(c.mulGSubP(1n, 1n, offCurve)).to.equal(undefined);
    });

  for (const c of curves)
    it(`${c.name}: cached digit points and prefix sums equal Σ (R_i + e·P) for random prefixes`, () => {
      useCurve(c);
      for (const [base, nbDigits] of [
        [2, 31],
        [10, 10],
        [3, 7],
      ] as const) {
        const o = new Oracle(rand32());
        const a = o.announce(`ec/${base}/${Math.random()}`, 0, {
          base,
          nbDigits,
          unit: "sats",
          precision: 0,
        });
        const dp = new DigitPoints(a); // not DigitPoints.of: fresh, under this curve
        for (let i = 0; i < nbDigits; i++)
          for (let d = 0; d < base; d++)
            expect(
              dp.points[i]![d]!.equals(outcomePoint(o.publicKey, a.event.nonces[i]!, String(d))),
            ).to.equal(true);
        // random prefixes, and the cover of random intervals (prefixes sharing ancestors: the cache)
        const max = BigInt(base) ** BigInt(nbDigits) - 1n;
        const prefixes: number[][] = [];
        for (let i = 0; i < 20; i++)
          prefixes.push(Array.from({ length: 1 + randInt(nbDigits) }, () => randInt(base)));
        const x = BigInt(Math.floor(Math.random() * Number(max)));
        prefixes.push(...coverInterval(x, max, base, nbDigits), ...coverInterval(0n, x, base, nbDigits));
        prefixes.push(toDigits(x, base, nbDigits));
        for (const p of prefixes)
          expect(hex(dp.prefixPoint(p).toBytes(true)), `prefix ${p.join("")}`).to.equal(
            hex(straightforward(o, a.event.nonces, p).toBytes(true)),
          );
      }
    });

  for (const c of curves)
    it(`${c.name}: a 2-of-3 channel's CET points are the subsets' sums of straightforward prefix points`, () => {
      useCurve(c);
      const w = BigInt(1 + randInt(150_000_000)); // up to the user collateral
      const setup = channelSetup({
        eventId: `ec/fed/${Math.random()}`,
        w,
        federation: { n: 3, threshold: 2 },
      });
      const ch = setup.channel();
      expect(ch.entries.length).to.equal(3 * 32); // 3 subsets × (1 + 31) prefixes
      for (const e of ch.entries) {
        let want = Point.ZERO;
        for (const o of e.oracles)
          want = want.add(straightforward(setup.oracles[o]!, setup.announcements[o]!.event.nonces, e.prefix));
        expect(hex(e.point.toBytes(true))).to.equal(hex(want.toBytes(true)));
      }
    });

  for (const c of curves)
    it(`${c.name}: BIP340 with a derived key is noble's schnorr.sign byte for byte; verify agrees`, () => {
      useCurve(c);
      for (let i = 0; i < 20; i++) {
        const secret = rand32();
        const m = rand32();
        const aux = rand32();
        const sig = bip340Sign(m, signingKey(secret), aux);
        expect(hex(sig)).to.equal(hex(schnorr.sign(m, secret, aux)));
        const px = schnorr.getPublicKey(secret);
        expect(bip340Verify(sig, m, px)).to.equal(true);
        const bad = sig.slice();
        bad[i % 64] = bad[i % 64]! ^ (1 << (i % 8));
        expect(bip340Verify(bad, m, px)).to.equal(schnorr.verify(bad, m, px));
        expect(bip340Verify(bad, m, px)).to.equal(false);
        expect(bip340Verify(sig, rand32(), px)).to.equal(false);
      }
    });

  for (const c of curves)
    it(`${c.name}: adaptor signing is the same bytes under both curves; the fast check agrees with the reference`, () => {
      for (let i = 0; i < 20; i++) {
        const secret = rand32();
        const px = schnorr.getPublicKey(secret);
        const m = rand32();
        const aux = rand32();
        const T = randPoint();
        useCurve(nobleCurve);
        const ref = adaptorSign(secret, m, T, aux);
        useCurve(c);
        const sig = adaptorSign(secret, m, T, aux);
        expect(hex(sig.R) + hex(sig.s)).to.equal(hex(ref.R) + hex(ref.s));
        adaptorVerify(sig, px, m, T);
        adaptorVerifyReference(sig, px, m, T);
        const tampered: AdaptorSignature[] = [
          { R: sig.R, s: sig.s.map((b, j) => (j === 31 ? b ^ 1 : b)) },
          { R: Uint8Array.of(sig.R[0]! ^ 1, ...sig.R.subarray(1)), s: sig.s },
          { R: sig.R, s: new Uint8Array(32).fill(0xff) },
        ];
        for (const bad of tampered) {
          expect(() => adaptorVerify(bad, px, m, T)).to.throw();
          expect(() => adaptorVerifyReference(bad, px, m, T)).to.throw();
        }
        expect(() => adaptorVerify(sig, px, m, randPoint())).to.throw();
      }
    });
});
