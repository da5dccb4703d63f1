/**
 * Fq6 = Fq2[v]/(v³ − ξ) and Fq12 = Fq6[w]/(w² − v) (ξ = 9 + u) as *programs* of Fq2 leaves. With
 * 37 items per Fq an Fq6 element is 222 items and an Fq12 element 444, so no product of two of
 * them fits one leaf under the 1,000-item limit; a product is a sequence of `fq2_*` leaves whose
 * intermediate values are what the chunker will commit between leaves. `LeafProgram` runs the
 * leaves on our interpreter, each leaf's result feeding the next, and records every leaf's figures.
 */
import type { Fragment } from "../fragment.js";
import { runFragment } from "../run.js";

import { FQ } from "./field.js";
import { fq2, fq2MulConstChecks, fq2Ops, type Fq2Value } from "./fq2.js";
import { productChecks } from "./mulcheck.js";
import { hintedFieldOp, type FieldOp } from "./ops.js";

export type Fq6Value = readonly [Fq2Value, Fq2Value, Fq2Value];
export type Fq12Value = readonly [Fq6Value, Fq6Value];

export interface LeafFigures {
  name: string;
  bytes: number;
  opcodes: number;
  maxStack: number;
}

const p = FQ.p;

function fq2Pow(a: Fq2Value, e: bigint): Fq2Value {
  let r: Fq2Value = [1n, 0n];
  let b = a;
  for (let k = e; k > 0n; k >>= 1n) {
    if (k & 1n) r = fq2.mul(r, b);
    b = fq2.mul(b, b);
  }
  return r;
}

/** Frobenius coefficients: v^p = γ₁·v, (v²)^p = γ₂·v², w^p = γw·w, with γ = ξ^((p−1)/k). */
export const FROBENIUS = {
  v1: fq2Pow([9n, 1n], (p - 1n) / 3n),
  v2: fq2Pow([9n, 1n], (2n * (p - 1n)) / 3n),
  w: fq2Pow([9n, 1n], (p - 1n) / 6n),
};

/** An `fq2_mul_const` leaf for any constant (Frobenius coefficients, fixed line coefficients). */
export function fq2MulConstOp(name: string, c: Fq2Value): FieldOp {
  const checks = fq2MulConstChecks(name, "a", c, "r");
  const a = ["a.c0", "a.c1"];
  const r = ["r.c0", "r.c1"];
  return hintedFieldOp(FQ, {
    name,
    description: `a·c for the constant c = (${c[0]}, ${c[1]})`,
    operands: a,
    results: r,
    checks,
    compute: (v) => {
      const x = fq2.mul([v.get("a.c0")!, v.get("a.c1")!], c);
      return new Map([
        ["r.c0", x[0]],
        ["r.c1", x[1]],
      ]);
    },
    gen: (t) => productChecks(t, FQ, checks, { consume: new Set(a), trusted: new Set([...a, ...r]) }),
  });
}

/** Runs Fq2 leaves in sequence, caching their fragments, recording their figures. */
export class LeafProgram {
  readonly leaves: LeafFigures[] = [];
  readonly #ops = new Map<string, { op: FieldOp; frag?: Fragment }>();

  constructor() {
    for (const op of fq2Ops()) this.#ops.set(op.name, { op });
    for (const [k, c] of Object.entries(FROBENIUS))
      this.#ops.set(`fq2_mul_gamma_${k}`, { op: fq2MulConstOp(`fq2_mul_gamma_${k}`, c) });
  }

  /** Executes leaf `name` on Fq2 operands; throws if the leaf fails. */
  call(name: string, ...args: Fq2Value[]): Fq2Value {
    const e = this.#ops.get(name);
    if (e === undefined) throw new RangeError(`no leaf named ${name}`);
    e.frag ??= e.op.build();
    const r = runFragment(e.frag, e.op.witness(args.flat()));
    if (!r.ok) throw new RangeError(`leaf ${name} failed: ${r.message}`);
    this.leaves.push({ name, bytes: e.frag.size, opcodes: r.stats.opcodes, maxStack: r.stats.maxStackDepth });
    const out = e.op.read(r.stack);
    return [out[0]!, out[1]!];
  }

  get bytes(): number {
    return this.leaves.reduce((n, l) => n + l.bytes, 0);
  }

  get maxStack(): number {
    return Math.max(...this.leaves.map((l) => l.maxStack));
  }

  add2 = (a: Fq2Value, b: Fq2Value): Fq2Value => this.call("fq2_add", a, b);
  mul2 = (a: Fq2Value, b: Fq2Value): Fq2Value => this.call("fq2_mul", a, b);
  xi = (a: Fq2Value): Fq2Value => this.call("fq2_mul_by_nonresidue", a);

  sub2 = (a: Fq2Value, b: Fq2Value): Fq2Value => this.call("fq2_sub", a, b);

  fq6Add(a: Fq6Value, b: Fq6Value): Fq6Value {
    return [this.add2(a[0], b[0]), this.add2(a[1], b[1]), this.add2(a[2], b[2])];
  }

  fq6Sub(a: Fq6Value, b: Fq6Value): Fq6Value {
    return [this.sub2(a[0], b[0]), this.sub2(a[1], b[1]), this.sub2(a[2], b[2])];
  }

  /**
   * (a0 + a1v + a2v²)(b0 + b1v + b2v²) by Karatsuba: 6 Fq2 products (an Fq2 sum is a ~5 KB leaf, a
   * product ~144 KB), 2 multiplications by ξ.
   */
  fq6Mul(a: Fq6Value, b: Fq6Value): Fq6Value {
    const [v0, v1, v2] = [this.mul2(a[0], b[0]), this.mul2(a[1], b[1]), this.mul2(a[2], b[2])];
    const cross = (i: number, j: number): Fq2Value =>
      this.mul2(this.add2(a[i]!, a[j]!), this.add2(b[i]!, b[j]!));
    const t12 = this.sub2(this.sub2(cross(1, 2), v1), v2); // a1b2 + a2b1
    const t01 = this.sub2(this.sub2(cross(0, 1), v0), v1); // a0b1 + a1b0
    const t02 = this.sub2(this.sub2(cross(0, 2), v0), v2); // a0b2 + a2b0
    return [this.add2(v0, this.xi(t12)), this.add2(t01, this.xi(v2)), this.add2(t02, v1)];
  }

  /** a·(b0 + b1v), the sparse Fq6 product of the line: 6 products, 1 multiplication by ξ. */
  fq6MulBy01(a: Fq6Value, b0: Fq2Value, b1: Fq2Value): Fq6Value {
    const c0 = this.add2(this.mul2(a[0], b0), this.xi(this.mul2(a[2], b1)));
    const c1 = this.add2(this.mul2(a[0], b1), this.mul2(a[1], b0));
    const c2 = this.add2(this.mul2(a[1], b1), this.mul2(a[2], b0));
    return [c0, c1, c2];
  }

  /** v·a = (ξa2, a0, a1). */
  fq6MulByV(a: Fq6Value): Fq6Value {
    return [this.xi(a[2]), a[0], a[1]];
  }

  /** (f0 + f1w)(g0 + g1w) = f0g0 + v·f1g1 + (f0g1 + f1g0)w by Karatsuba: 3 Fq6 products. */
  fq12Mul(f: Fq12Value, g: Fq12Value): Fq12Value {
    const [v0, v1] = [this.fq6Mul(f[0], g[0]), this.fq6Mul(f[1], g[1])];
    const cross = this.fq6Mul(this.fq6Add(f[0], f[1]), this.fq6Add(g[0], g[1]));
    return [this.fq6Add(v0, this.fq6MulByV(v1)), this.fq6Sub(this.fq6Sub(cross, v0), v1)];
  }

  /**
   * f² for f = a + b·w, the complex squaring: ab and (a + b)(a + v·b) are 2 Fq6 products;
   * f² = (a + b)(a + v·b) − ab − v·ab + 2ab·w.
   */
  fq12Square(f: Fq12Value): Fq12Value {
    const [a, b] = f;
    const ab = this.fq6Mul(a, b);
    const t = this.fq6Mul(this.fq6Add(a, b), this.fq6Add(a, this.fq6MulByV(b)));
    const c0 = this.fq6Sub(this.fq6Sub(t, ab), this.fq6MulByV(ab));
    return [c0, this.fq6Add(ab, ab)];
  }

  /**
   * f·ℓ for the Miller loop's line ℓ = 1 + (c1 + c3·v)·w (the line 1 + c1·w + c3·w³ at P'):
   * f0 + v·f1·L + (f1 + f0·L)·w with L = c1 + c3·v, two sparse Fq6 products.
   */
  fq12MulByLine(f: Fq12Value, c1: Fq2Value, c3: Fq2Value): Fq12Value {
    const r0 = this.fq6Add(f[0], this.fq6MulByV(this.fq6MulBy01(f[1], c1, c3)));
    const r1 = this.fq6Add(f[1], this.fq6MulBy01(f[0], c1, c3));
    return [r0, r1];
  }

  /** a^p on Fq6: conjugate each coefficient, then c1·γ₁, c2·γ₂. */
  fq6Frobenius(a: Fq6Value): Fq6Value {
    const f = (x: Fq2Value): Fq2Value => this.call("fq2_frobenius", x);
    return [f(a[0]), this.call("fq2_mul_gamma_v1", f(a[1])), this.call("fq2_mul_gamma_v2", f(a[2]))];
  }

  /** f^p on Fq12: both halves' Frobenius, the w half times γw. */
  fq12Frobenius(f: Fq12Value): Fq12Value {
    const a = this.fq6Frobenius(f[0]);
    const b = this.fq6Frobenius(f[1]);
    return [
      a,
      [
        this.call("fq2_mul_gamma_w", b[0]),
        this.call("fq2_mul_gamma_w", b[1]),
        this.call("fq2_mul_gamma_w", b[2]),
      ],
    ];
  }
}
