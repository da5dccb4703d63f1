import { bn254 } from "@noble/curves/bn254.js";
import { expect } from "chai";

import { runFragment } from "../../ts/bitvm/index.js";
import {
  DIGITS,
  FQ,
  FQ2_DEMO_CONSTANT,
  elementWitness,
  fq2Ops,
  type FieldOp,
} from "../../ts/bitvm/bn254/index.js";

const RANDOM = Number(process.env.BN254_CASES ?? 2);
const Fp2 = bn254.fields.Fp2;
type N2 = ReturnType<typeof Fp2.create>;
const p = FQ.p;

function rng(seed: number): () => bigint {
  let s = BigInt(seed) | 1n;
  return () => {
    let v = 0n;
    for (let i = 0; i < 5; i++) {
      s = (s * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
      v = (v << 64n) | s;
    }
    return v % p;
  };
}

const n2 = (c0: bigint, c1: bigint): N2 => Fp2.create({ c0, c1 });
const flat = (x: N2): bigint[] => [x.c0, x.c1];

/** @noble/curves' Fp2 as the model. */
function expected(name: string, x: readonly bigint[]): bigint[] {
  const a = n2(x[0]!, x[1]!);
  const b = n2(x[2] ?? 0n, x[3] ?? 0n);
  switch (name) {
    case "fq2_add":
      return flat(Fp2.add(a, b));
    case "fq2_sub":
      return flat(Fp2.sub(a, b));
    case "fq2_double":
      return flat(Fp2.add(a, a));
    case "fq2_neg":
      return flat(Fp2.neg(a));
    case "fq2_frobenius":
      return flat(Fp2.frobeniusMap(a, 1));
    case "fq2_mul":
      return flat(Fp2.mul(a, b));
    case "fq2_square":
      return flat(Fp2.sqr(a));
    case "fq2_mul_by_nonresidue":
      return flat(Fp2.mul(a, n2(9n, 1n)));
    case "fq2_mul_by_fq":
      return flat(Fp2.mul(a, n2(x[2]!, 0n)));
    case "fq2_mul_const":
      return flat(Fp2.mul(a, n2(FQ2_DEMO_CONSTANT[0], FQ2_DEMO_CONSTANT[1])));
    case "fq2_inv":
      return flat(Fp2.inv(a));
    default:
      throw new Error(name);
  }
}

describe("bitvm/bn254: Fq2 in Script, executed against @noble/curves", function () {
  const next = rng(29);
  const ops = fq2Ops();
  const built = new Map<string, { op: FieldOp; frag: ReturnType<FieldOp["build"]> }>(
    ops.map((op) => [op.name, { op, frag: op.build() }]),
  );

  for (const { op, frag } of built.values()) {
    it(`${op.name}: edge cases and random inputs`, function () {
      expect(frag.effect.maxDepth).to.be.at.most(1000);
      const edge = [0n, 1n, p - 1n];
      const cases: bigint[][] = [];
      for (const x0 of edge) for (const x1 of edge) cases.push([x0, x1, p - 1n, 1n, p - 1n]);
      for (let k = 0; k < RANDOM; k++) cases.push([next(), next(), next(), next()]);
      for (const x of cases) {
        if (op.name === "fq2_inv" && x[0] === 0n && x[1] === 0n) {
          expect(() => op.witness(x)).to.throw(RangeError);
          continue;
        }
        const r = runFragment(frag, op.witness(x));
        expect(r.ok, `${op.name}(${x.join(", ")}): ${r.ok ? "" : r.message}`).to.equal(true);
        expect(r.stats.maxStackDepth).to.be.at.most(1000);
        expect(op.read(r.stack), `${op.name}(${x.join(", ")})`).to.deep.equal(expected(op.name, x));
      }
    });
  }

  for (const name of ["fq2_mul", "fq2_square", "fq2_mul_by_nonresidue", "fq2_mul_by_fq", "fq2_inv"]) {
    it(`${name}: a wrong hint, a wrong result, an operand ≥ p, a non-canonical limb and swapped operands each fail`, function () {
      const { op, frag } = built.get(name)!;
      const x = [next(), next(), next(), next()];
      const w = op.witness(x);
      expect(runFragment(frag, w).ok).to.equal(true);
      const opsAt = w.length - op.arity * DIGITS;
      const resAt = opsAt - 2 * DIGITS;
      for (const at of [0, 17, resAt - 1]) {
        const bad = [...w];
        bad[at] = (bad[at] as number) - 1;
        expect(runFragment(frag, bad).ok, `hint item ${at}`).to.equal(false);
      }
      // result c1 + 1 (hint unchanged)
      const res = op.model(x);
      const wr = [...w.slice(0, resAt + DIGITS), ...elementWitness([(res[1]! + 1n) % p]), ...w.slice(opsAt)];
      expect(runFragment(frag, wr).ok, "wrong result").to.equal(false);
      // a non-canonical digit in operand a.c0 (same value)
      const wn = [...w];
      wn[opsAt + DIGITS - 2] = (wn[opsAt + DIGITS - 2] as number) - 1;
      wn[opsAt + DIGITS - 1] = (wn[opsAt + DIGITS - 1] as number) + 128;
      expect(runFragment(frag, wn).ok, "non-canonical operand").to.equal(false);
      // operand a.c0 = p + 1 (≡ 1) with a hint that is honest for that integer: only the range check refuses it
      const pw = op.witness([p + 1n, ...x.slice(1)]);
      expect(runFragment(frag, pw).ok, "operand = p + 1").to.equal(false);
      // swapped: c0 and c1 of a exchanged
      const ws = [
        ...w.slice(0, opsAt),
        ...w.slice(opsAt + DIGITS, opsAt + 2 * DIGITS),
        ...w.slice(opsAt, opsAt + DIGITS),
        ...w.slice(opsAt + 2 * DIGITS),
      ];
      if (x[0] !== x[1]) expect(runFragment(frag, ws).ok, "a.c0 and a.c1 swapped").to.equal(false);
    });
  }
});
