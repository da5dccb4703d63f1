/**
 * The native signature backend (libsecp256k1 addon; BIP340 through key recovery) against the
 * pure-JS reference (@noble/curves) and tiny-secp256k1 (libsecp256k1 as WASM), on the same
 * random and edge-case inputs; and the per-size hash dispatch against @noble/hashes.
 */
import { randomBytes } from "node:crypto";

import { schnorr, secp256k1 } from "@noble/curves/secp256k1.js";
import { expect } from "chai";
import * as ecc from "tiny-secp256k1";

import {
  hash160,
  nativeSecp256k1,
  nobleSecp256k1,
  ripemd160,
  secp256k1Backend,
  secp256k1BackendNamed,
  setSecp256k1Backend,
  sha256,
  sha256d,
  taggedHash,
  verifyEcdsa,
  wasmSecp256k1,
  type Secp256k1Backend,
} from "../../ts/bitcoin/index.js";
import { reference } from "../../ts/bitcoin/hash.js";

const N = secp256k1.Point.CURVE().n;
const P = secp256k1.Point.CURVE().p;
const rand = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const big32 = (v: bigint): Uint8Array =>
  Uint8Array.from(Buffer.from(v.toString(16).padStart(64, "0"), "hex"));
const hex = (b: Uint8Array | undefined): string =>
  b === undefined ? "none" : Buffer.from(b).toString("hex");

/** DER (no hash-type byte) of r, s. */
function der(r: bigint, s: bigint): Uint8Array {
  const int = (v: bigint): number[] => {
    let b = [...Buffer.from(v.toString(16).padStart(64, "0"), "hex")];
    while (b.length > 1 && b[0] === 0 && b[1]! < 0x80) b = b.slice(1);
    if (b[0]! >= 0x80) b = [0, ...b];
    return [0x02, b.length, ...b];
  };
  const body = [...int(r), ...int(s)];
  return Uint8Array.from([0x30, body.length, ...body]);
}

function withBackend<T>(b: Secp256k1Backend, f: () => T): T {
  const prev = setSecp256k1Backend(b);
  try {
    return f();
  } finally {
    setSecp256k1Backend(prev);
  }
}

/** A secret whose x-only public key starts with a zero byte (bitcore-lib mishandles these). */
function leadingZeroSecret(): Uint8Array {
  for (;;) {
    const sk = rand(32);
    if (ecc.isPrivate(sk) && ecc.xOnlyPointFromScalar(sk)[0] === 0) return sk;
  }
}

/**
 * A BIP340 "signature" with the right equation s·G = R + e·P but R of odd y: BIP340 signers
 * negate k to avoid it, and verifiers must reject it.
 */
function oddRSignature(): { sig: Uint8Array; msg: Uint8Array; key: Uint8Array } {
  const G = secp256k1.Point.BASE;
  for (;;) {
    const d0 = BigInt("0x" + hex(rand(32))) % N;
    const k = BigInt("0x" + hex(rand(32))) % N;
    if (d0 === 0n || k === 0n) continue;
    const Pt = G.multiply(d0);
    const d = Pt.toAffine().y % 2n === 0n ? d0 : N - d0;
    const R = G.multiply(k).toAffine();
    if (R.y % 2n === 0n) continue;
    const key = big32(Pt.toAffine().x);
    const msg = rand(32);
    const e = BigInt("0x" + hex(taggedHash("BIP0340/challenge", big32(R.x), key, msg))) % N;
    return { sig: Uint8Array.from([...big32(R.x), ...big32((k + e * d) % N)]), msg, key };
  }
}

/** x-only keys with x in [n, p) on the curve: the case native recovery cannot express. */
function keysAboveOrder(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let x = N; x < P && out.length < 2; x++) {
    try {
      schnorr.utils.lift_x(x);
      out.push(big32(x));
    } catch {
      // not on the curve
    }
  }
  return out;
}

describe("bitcoin: the secp256k1 backends by name", function () {
  it("loads the native backend and uses it by default; names resolve to their backends", function () {
    expect(nativeSecp256k1, "the secp256k1 addon must load on this platform").to.not.equal(undefined);
    expect(secp256k1Backend().name).to.equal("native");
    expect(secp256k1BackendNamed("native")).to.equal(nativeSecp256k1);
    expect(secp256k1BackendNamed("wasm")).to.equal(wasmSecp256k1);
    expect(secp256k1BackendNamed("noble")).to.equal(nobleSecp256k1);
  });
});

for (const [label, impl] of [
  ["native libsecp256k1", nativeSecp256k1],
  ["WASM libsecp256k1", wasmSecp256k1],
] as const)
  describe(`bitcoin: ${label} against the noble reference`, function () {
    const native = impl;

    it("agrees on BIP340 verification: valid, tampered, wrong key, random, leading-zero and edge keys", function () {
      const nat = native!;
      const cases: { sig: Uint8Array; msg: Uint8Array; key: Uint8Array }[] = [];
      const secrets = [
        ...Array.from({ length: 60 }, () => rand(32)),
        leadingZeroSecret(),
        leadingZeroSecret(),
      ];
      for (const sk of secrets) {
        const msg = rand(32);
        const key = schnorr.getPublicKey(sk);
        const sig = schnorr.sign(msg, sk);
        cases.push({ sig, msg, key });
        const flipped = sig.slice();
        flipped[randomBytes(1)[0]! % 64] ^= 1 << (randomBytes(1)[0]! % 8);
        cases.push({ sig: flipped, msg, key });
        cases.push({ sig, msg: rand(32), key });
        cases.push({ sig, msg, key: schnorr.getPublicKey(rand(32)) });
        cases.push({ sig: rand(64), msg, key });
        // s = n, s = n + small, r = p: out-of-range scalars must fail in both.
        cases.push({ sig: Uint8Array.from([...sig.subarray(0, 32), ...big32(N)]), msg, key });
        cases.push({ sig: Uint8Array.from([...big32(P), ...sig.subarray(32)]), msg, key });
        cases.push({ sig: new Uint8Array(64), msg, key });
      }
      for (let i = 0; i < 4; i++) cases.push(oddRSignature());
      for (const key of [...keysAboveOrder(), big32(P - 1n), new Uint8Array(32), rand(32)])
        cases.push({ sig: rand(64), msg: rand(32), key });
      let valid = 0;
      for (const c of cases) {
        const n = nat.schnorr(c.sig, c.msg, c.key);
        const r = nobleSecp256k1.schnorr(c.sig, c.msg, c.key);
        let t = false;
        try {
          t = ecc.verifySchnorr(c.msg, c.key, c.sig);
        } catch {
          t = false;
        }
        expect(n, `native vs noble on ${hex(c.sig)} ${hex(c.key)}`).to.equal(r);
        expect(n, `native vs tiny-secp256k1 on ${hex(c.sig)} ${hex(c.key)}`).to.equal(t);
        if (n) valid++;
      }
      expect(valid).to.equal(secrets.length); // exactly the untouched signatures
    });

    it("agrees on ECDSA with Core's rules: low and high S, compressed and uncompressed keys, lax DER", function () {
      const nat = native!;
      let valid = 0;
      for (let i = 0; i < 60; i++) {
        const sk = rand(32);
        const msg = rand(32);
        const sig = secp256k1.sign(msg, sk, { prehash: false, format: "compact", lowS: true });
        const r = BigInt("0x" + hex(sig.subarray(0, 32)));
        const s = BigInt("0x" + hex(sig.subarray(32)));
        const keys = [secp256k1.getPublicKey(sk, true), secp256k1.getPublicKey(sk, false)];
        const sigs = [
          der(r, s),
          der(r, N - s), // high S: libsecp256k1 normalizes first, as Core does
          der(r, s ^ 1n),
          der(N - r, s),
          Uint8Array.from([0x30, 0x80, ...der(r, s).subarray(2)]), // BER length: lax DER takes it (pre-BIP66 rules)
          rand(70),
        ];
        for (const key of keys)
          for (const d of sigs) {
            const a = withBackend(nat, () => verifyEcdsa(d, msg, key));
            const b = withBackend(nobleSecp256k1, () => verifyEcdsa(d, msg, key));
            expect(a, `native vs noble: sig ${hex(d)} key ${hex(key)}`).to.equal(b);
            if (a) valid++;
          }
        // keys and messages as views at odd offsets into larger buffers (how witness items arrive)
        const pool = new Uint8Array(200);
        pool.set(keys[0]!, 7);
        pool.set(msg, 101);
        expect(
          withBackend(nat, () => verifyEcdsa(der(r, s), pool.subarray(101, 133), pool.subarray(7, 40))),
        ).to.equal(true);
        const xpool = new Uint8Array(100);
        const bip340 = schnorr.sign(msg, sk);
        xpool.set(schnorr.getPublicKey(sk), 3);
        xpool.set(bip340, 35);
        expect(nat.schnorr(xpool.subarray(35, 99), msg, xpool.subarray(3, 35))).to.equal(true);
        // the raw curve check too, against tiny-secp256k1
        expect(nat.ecdsa(sig, msg, keys[0]!)).to.equal(ecc.verify(msg, keys[0]!, sig));
        const bad = sig.slice();
        bad[5] ^= 0x10;
        expect(nat.ecdsa(bad, msg, keys[0]!)).to.equal(ecc.verify(msg, keys[0]!, bad));
      }
      expect(valid).to.equal(60 * 2 * 3); // low S, high S and the BER form, each under both key encodings
    });

    it("agrees on BIP341 key tweaks, including invalid keys and tweaks at or above the order", function () {
      const nat = native!;
      const keys = [
        ...Array.from({ length: 40 }, () => schnorr.getPublicKey(rand(32))),
        ecc.xOnlyPointFromScalar(leadingZeroSecret()),
        new Uint8Array(32), // not on the curve
        big32(P - 1n),
      ];
      for (const key of keys)
        for (const t of [rand(32), big32(N), big32(N - 1n), new Uint8Array(32)]) {
          const a = nat.tweak(key, t);
          const b = nobleSecp256k1.tweak(key, t);
          expect(hex(a?.key), `tweak ${hex(key)} by ${hex(t)}`).to.equal(hex(b?.key));
          expect(a?.parity).to.equal(b?.parity);
          let tiny: { parity: 0 | 1; xOnlyPubkey: Uint8Array } | null = null;
          try {
            tiny = ecc.xOnlyPointAddTweak(key, t);
          } catch {
            tiny = null;
          }
          expect(hex(a?.key)).to.equal(hex(tiny?.xOnlyPubkey ?? undefined));
        }
    });
  });

describe("bitcoin: hash functions by input size", function () {
  it("equal @noble/hashes at every length around the native thresholds and on large inputs", function () {
    const lengths = [...Array.from({ length: 600 }, (_, i) => i), 1000, 4096, 65_537, 1_000_003];
    for (const len of lengths) {
      const b = rand(len);
      expect(hex(sha256(b)), `sha256 of ${len} bytes`).to.equal(hex(reference.sha256(b)));
      expect(hex(ripemd160(b)), `ripemd160 of ${len} bytes`).to.equal(hex(reference.ripemd160(b)));
      expect(hex(sha256d(b))).to.equal(hex(reference.sha256d(b)));
      expect(hex(hash160(b))).to.equal(hex(reference.hash160(b)));
    }
    // A view into a larger buffer hashes only its own bytes.
    const big = rand(1000);
    expect(hex(sha256(big.subarray(3, 700)))).to.equal(hex(reference.sha256(big.slice(3, 700))));
    expect(hex(sha256(big.subarray(1, 40)))).to.equal(hex(reference.sha256(big.slice(1, 40))));
    expect(hex(taggedHash("TapLeaf", big.subarray(0, 10), big.subarray(10, 300)))).to.equal(
      hex(
        reference.sha256(
          Uint8Array.from([
            ...reference.sha256(Buffer.from("TapLeaf")),
            ...reference.sha256(Buffer.from("TapLeaf")),
            ...big.subarray(0, 300),
          ]),
        ),
      ),
    );
  });

  it("returns plain Uint8Arrays (a Buffer's slice would share memory with stack items)", function () {
    for (const len of [10, 5000]) {
      expect(Buffer.isBuffer(sha256(rand(len)))).to.equal(false);
      expect(Buffer.isBuffer(ripemd160(rand(len)))).to.equal(false);
    }
  });
});
