import { bn254 } from "@noble/curves/bn254.js";
import { expect } from "chai";

import { BitvmBuildError, StackTracker, runFragment, type StackValue } from "../../ts/bitvm/index.js";
import {
  FQ,
  FR,
  DIGITS,
  elementWitness,
  fieldOps,
  fieldPush,
  parseElement,
  toDigits,
  type FieldOp,
  type PrimeField,
} from "../../ts/bitvm/bn254/index.js";

/** More random cases per op with BN254_CASES=n (default 3). */
const RANDOM = Number(process.env.BN254_CASES ?? 3);

/** Deterministic bigints below `bound`. */
function rng(seed: number): (bound: bigint) => bigint {
  let s = BigInt(seed) | 1n;
  return (bound) => {
    let v = 0n;
    for (let i = 0; i < 5; i++) {
      s = (s * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
      v = (v << 64n) | s;
    }
    return v % bound;
  };
}

const noble = (f: PrimeField): typeof bn254.fields.Fp => (f === FQ ? bn254.fields.Fp : bn254.fields.Fr);

/** The independent model: @noble/curves' field arithmetic. */
function expected(f: PrimeField, op: string, x: readonly bigint[]): bigint[] {
  const F = noble(f);
  const [a, b] = [x[0] ?? 0n, x[1] ?? 0n];
  switch (op) {
    case "add":
      return [F.add(a, b)];
    case "sub":
      return [F.sub(a, b)];
    case "double":
      return [F.add(a, a)];
    case "neg":
      return [F.neg(a)];
    case "mul":
    case "mul_plain":
      return [F.mul(a, b)];
    case "square":
    case "square_plain":
      return [F.sqr(a)];
    case "inv":
      return [F.inv(a)];
    case "mul_by_9":
      return [F.mul(a, 9n)];
    case "equal":
      return [a === b ? 1n : 0n];
    case "is_zero":
      return [a === 0n ? 1n : 0n];
    default:
      return [a];
  }
}

const short = (op: FieldOp, f: PrimeField): string => op.name.slice(f.name.length + 1);

function run(frag: ReturnType<FieldOp["build"]>, w: readonly StackValue[]) {
  const r = runFragment(frag, w);
  expect(r.stats.maxStackDepth).to.be.at.most(1000);
  return r;
}

/** The digits of `a` with digit i lowered by one and digit i−1 raised by 128: same value, not canonical. */
function nonCanonical(a: bigint, i: number): number[] {
  const d = toDigits(a);
  d[i]! -= 1;
  d[i - 1]! += 128;
  return [...d].reverse();
}

for (const f of [FQ, FR]) {
  describe(`bitvm/bn254: ${f.name} in Script, executed against @noble/curves`, function () {
    const p = f.p;
    const next = rng(f === FQ ? 11 : 13);
    const edges = [0n, 1n, 2n, p - 1n, p - 2n, (p - 1n) / 2n, 1n << 253n];
    const ops = fieldOps(f);
    const built = new Map(ops.map((op) => [short(op, f), { op, frag: op.build() }]));
    const get = (name: string): { op: FieldOp; frag: ReturnType<FieldOp["build"]> } => built.get(name)!;

    it("every fragment stays within 1,000 stack items and reports its figures", function () {
      for (const { frag } of built.values()) {
        expect(frag.effect.maxDepth).to.be.at.most(1000);
        expect(frag.size).to.be.greaterThan(0);
      }
    });

    for (const name of [
      "add",
      "sub",
      "double",
      "neg",
      "mul",
      "square",
      "mul_plain",
      "square_plain",
      "mul_by_9",
      "equal",
      "is_zero",
      "check",
    ]) {
      it(`${name}: edge cases and random inputs`, function () {
        const { op, frag } = get(name);
        const cases: bigint[][] = [];
        for (const a of edges)
          for (const b of op.arity === 2 ? [0n, 1n, p - 1n, a] : [0n]) cases.push([a, b]);
        for (let k = 0; k < RANDOM; k++) cases.push([next(p), next(p)]);
        for (const x of cases) {
          const r = run(frag, op.witness(x));
          expect(r.ok, `${op.name}(${x.join(", ")}): ${r.ok ? "" : r.message}`).to.equal(true);
          expect(op.read(r.stack), `${op.name}(${x.join(", ")})`).to.deep.equal(expected(f, name, x));
        }
      });
    }

    it("plain mul/square: more random inputs, inputs with many 127 digits, and the unhinted core", function () {
      const mul = get("mul_plain");
      const sq = get("square_plain");
      const cases: bigint[][] = [
        [p - 1n, p - 2n],
        [(1n << 252n) - 1n, (1n << 252n) - 1n], // 36 digits of 127
        [p - 1n, (p - 1n) / 2n],
      ];
      for (let k = 0; k < RANDOM + 5; k++) cases.push([next(p), next(p)]);
      for (const x of cases) {
        const r = run(mul.frag, mul.op.witness(x));
        expect(r.ok, r.ok ? "" : r.message).to.equal(true);
        expect(mul.op.read(r.stack), `mul_plain(${x.join(", ")})`).to.deep.equal(expected(f, "mul", x));
        const s = run(sq.frag, sq.op.witness(x));
        expect(s.ok, s.ok ? "" : s.message).to.equal(true);
        expect(sq.op.read(s.stack), `square_plain(${x[0]})`).to.deep.equal(expected(f, "square", x));
        // the witness is the operands only: the result is not taken from anywhere
        expect(mul.op.witness(x)).to.have.length(2 * DIGITS);
      }
      // a·b and b·a agree; a wrong operand gives a different product
      const [a, b] = [next(p), next(p)];
      const ab = mul.op.read(run(mul.frag, mul.op.witness([a, b])).stack);
      expect(mul.op.read(run(mul.frag, mul.op.witness([b, a])).stack)).to.deep.equal(ab);
      expect(mul.op.read(run(mul.frag, mul.op.witness([a, (b + 1n) % p])).stack)).to.not.deep.equal(ab);
      // the core without operand checks is what larger fragments inline
      const core = fieldOps(f, { checkInputs: false }).find(
        (o) => o.name === `${f.name}_mul_plain_unchecked`,
      )!;
      const rc = run(core.build(), core.witness([a, b]));
      expect(core.read(rc.stack)).to.deep.equal(ab);
      expect(mul.frag.effect.maxDepth).to.be.at.most(1000);
    });

    it("equalverify passes on equal and fails on different elements", function () {
      const { op, frag } = get("equalverify");
      const a = next(p);
      expect(run(frag, op.witness([a, a])).ok).to.equal(true);
      expect(run(frag, op.witness([a, (a + 1n) % p])).ok).to.equal(false);
      expect(run(frag, op.witness([0n, 1n << 200n])).ok).to.equal(false);
    });

    it("inverse: a·a⁻¹ = 1 for edge and random a; 0 has no witness and a forged one fails", function () {
      const { op, frag } = get("inv");
      for (const a of [1n, 2n, p - 1n, next(p), next(p)]) {
        const r = run(frag, op.witness([a]));
        expect(r.ok, r.ok ? "" : r.message).to.equal(true);
        expect(op.read(r.stack)).to.deep.equal(expected(f, "inv", [a]));
      }
      expect(() => op.witness([0n])).to.throw(RangeError);
      // The witness for a = 1 with a replaced by 0 (its 37 digits on top).
      const w = op.witness([1n]);
      const forged = [...w.slice(0, w.length - DIGITS), ...elementWitness([0n])];
      expect(run(frag, forged).ok).to.equal(false);
    });

    it("push: a constant lands as its digits; a malformed constant is a typed build error", function () {
      const { op, frag } = get("push");
      const r = run(frag, []);
      expect(op.read(r.stack)).to.deep.equal(op.model([]));
      for (const bad of [p, -1n, p + 5n]) {
        const t = new StackTracker("bad_push");
        expect(() => fieldPush(t, f, bad, "c"))
          .to.throw(BitvmBuildError)
          .with.property("limit", "range");
      }
      expect(() => parseElement("fq_x", f, "zz"))
        .to.throw(BitvmBuildError)
        .with.property("fragment", "fq_x");
      expect(() => parseElement("fq_x", f, String(p)))
        .to.throw(BitvmBuildError)
        .with.property("limit", "range");
    });

    it("nibbles: to and from the u4 form, round trip, and a wrong nibble fails", function () {
      const to = get("to_nibbles");
      const from = get("from_nibbles");
      for (const a of [0n, 1n, p - 1n, next(p)]) {
        const r1 = run(to.frag, to.op.witness([a]));
        expect(r1.ok, r1.ok ? "" : r1.message).to.equal(true);
        expect(to.op.read(r1.stack)).to.deep.equal([a]);
        const r2 = run(from.frag, from.op.witness([a]));
        expect(r2.ok, r2.ok ? "" : r2.message).to.equal(true);
        expect(from.op.read(r2.stack)).to.deep.equal([a]);
      }
      const a = next(p);
      const w = to.op.witness([a]);
      for (const at of [0, 30, 63]) {
        const bad = [...w];
        bad[at] = ((bad[at] as number) + 1) % 16;
        expect(run(to.frag, bad).ok, `nibble ${at}`).to.equal(false);
        const big = [...w];
        big[at] = (big[at] as number) + 16; // out of range, even if a neighbour compensated
        expect(run(to.frag, big).ok).to.equal(false);
      }
      // from_nibbles refuses nibbles of a value ≥ p (its digits cannot be canonical)
      const wp = from.op.witness([p - 1n]);
      const nib = [...wp];
      nib[nib.length - 1] = (nib[nib.length - 1] as number) + 1; // p − 1 + 1 = p (p is odd)
      expect(run(from.frag, nib).ok).to.equal(false);
    });

    it("canonical range: a digit out of range or a value ≥ p fails every checked op", function () {
      const bad: number[][] = [
        elementWitness([p - 1n]).map((d, i) => (i === 0 ? d + 1 : d)), // p (top digit + 1 of p − 1 … ≥ p)
        [...toDigits(p)].reverse(), // exactly p
        [...toDigits((1n << 259n) - 1n)].reverse(), // every digit 127
        nonCanonical(5n, 1), // digit 0 = 133
        [...toDigits(5n)].reverse().map((d, i) => (i === DIGITS - 1 ? -1 : d)), // a negative digit
      ];
      for (const name of [
        "check",
        "add",
        "neg",
        "mul",
        "square",
        "mul_plain",
        "square_plain",
        "to_nibbles",
      ]) {
        const { op, frag } = get(name);
        const good = op.witness([3n, 4n]);
        // the operand a: the 37 items after the hints and r (for hinted ops), or the first 37
        const hinted = ["mul", "square"].includes(name);
        const aAt = hinted ? good.length - (op.arity === 2 ? 2 : 1) * DIGITS : name === "to_nibbles" ? 64 : 0;
        for (const digits of bad) {
          const w = [...good.slice(0, aAt), ...digits, ...good.slice(aAt + DIGITS)];
          expect(run(frag, w).ok, `${name} with a bad operand`).to.equal(false);
        }
      }
    });

    for (const name of ["mul", "square", "mul_by_9", "inv"]) {
      it(`${name}: a wrong hint, a wrong result, a non-canonical limb and swapped operands each fail`, function () {
        const { op, frag } = get(name);
        const a = next(p);
        const b = next(p);
        const w = op.witness([a, b]);
        expect(run(frag, w).ok).to.equal(true);
        const hintLen = w.length - (op.arity + 1) * DIGITS;
        // a wrong carry, a wrong quotient digit
        for (const at of [0, Math.floor(hintLen / 2), hintLen - 1]) {
          const bad = [...w];
          bad[at] = (bad[at] as number) + 1;
          expect(run(frag, bad).ok, `hint item ${at}`).to.equal(false);
        }
        // an operand p + 1 (≡ 1) with a hint honest for that integer: only the range check refuses it
        expect(run(frag, op.witness([p + 1n, b])).ok, "operand p + 1").to.equal(false);
        // a wrong result (r + 1), the honest hint kept
        const r = op.model([a, b])[0]!;
        const wr = [...w.slice(0, hintLen), ...elementWitness([(r + 1n) % p]), ...w.slice(hintLen + DIGITS)];
        expect(run(frag, wr).ok, "r + 1").to.equal(false);
        // the result written non-canonically (same value)
        if (r > 1n << 10n) {
          const wn = [...w.slice(0, hintLen), ...nonCanonical(r, 1), ...w.slice(hintLen + DIGITS)];
          expect(run(frag, wn).ok, "non-canonical r").to.equal(false);
        }
        // an operand written non-canonically (same value)
        const aAt = hintLen + DIGITS;
        const wa = [...w.slice(0, aAt), ...nonCanonical(a, 2), ...w.slice(aAt + DIGITS)];
        expect(run(frag, wa).ok, "non-canonical a").to.equal(false);
        // swapped operands: the result and an operand trade places; or the operands of another pair
        const ws = [
          ...w.slice(0, hintLen),
          ...w.slice(aAt, aAt + DIGITS),
          ...w.slice(hintLen, aAt),
          ...w.slice(aAt + DIGITS),
        ];
        // (for the inverse the swap is honest: a is the inverse of a⁻¹)
        if (r !== a && name !== "inv") expect(run(frag, ws).ok, "r and a swapped").to.equal(false);
        const other = op.witness([b, (a + 1n) % p]);
        const wo = [...w.slice(0, hintLen + DIGITS), ...other.slice(other.length - op.arity * DIGITS)];
        expect(run(frag, wo).ok, "another pair's operands").to.equal(false);
      });
    }
  });
}

describe("bitvm/bn254: sub is not commutative", function () {
  it("swapped operands give the other result", function () {
    const op = fieldOps(FQ).find((o) => o.name === "fq_sub")!;
    const frag = op.build();
    const r = runFragment(frag, op.witness([5n, 7n]));
    expect(op.read(r.stack)).to.deep.equal([FQ.p - 2n]);
    const s = runFragment(frag, op.witness([7n, 5n]));
    expect(op.read(s.stack)).to.deep.equal([2n]);
  });
});
