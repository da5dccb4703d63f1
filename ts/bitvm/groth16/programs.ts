/**
 * Programs built from `bn254`'s Fq2 leaves: the Fq6 arithmetic of the Miller loop, recorded on a
 * `ProgramBuilder` so that every intermediate Fq2 is a committed value.
 */
import { ProgramBuilder, type Program } from "./program.js";

export type Fq6Ids = readonly [number, number, number];

/** Fq6 = Fq2[v]/(v³ − ξ): Karatsuba, 6 products and 2 multiplications by ξ (as `bn254`'s LeafProgram). */
export function fq6Mul(b: ProgramBuilder, x: Fq6Ids, y: Fq6Ids): Fq6Ids {
  const mul = (p: number, q: number): number => b.call("fq2_mul", p, q);
  const add = (p: number, q: number): number => b.call("fq2_add", p, q);
  const sub = (p: number, q: number): number => b.call("fq2_sub", p, q);
  const xi = (p: number): number => b.call("fq2_mul_by_nonresidue", p);
  const v = [mul(x[0], y[0]), mul(x[1], y[1]), mul(x[2], y[2])] as const;
  const cross = (i: number, j: number): number => mul(add(x[i]!, x[j]!), add(y[i]!, y[j]!));
  const t12 = sub(sub(cross(1, 2), v[1]), v[2]);
  const t01 = sub(sub(cross(0, 1), v[0]), v[1]);
  const t02 = sub(sub(cross(0, 2), v[0]), v[2]);
  return [add(v[0], xi(t12)), add(t01, xi(v[2])), add(t02, v[1])];
}

export function fq6Sub(b: ProgramBuilder, x: Fq6Ids, y: Fq6Ids): Fq6Ids {
  return [b.call("fq2_sub", x[0], y[0]), b.call("fq2_sub", x[1], y[1]), b.call("fq2_sub", x[2], y[2])];
}

/**
 * The claim c = a·b in Fq6, verified as a BitVM2 program: inputs a, b, c (three Fq2 each), the
 * Karatsuba product, d = a·b − c, final check d = 0. The shape of the Groth16 verifier (committed
 * inputs, chunked arithmetic, a final zero test) at a size the tests run exhaustively.
 */
export function fq6ProductClaim(): Program {
  const b = new ProgramBuilder("fq6_product_claim");
  const in6 = (n: string): Fq6Ids => [b.input(`${n}0`, 2), b.input(`${n}1`, 2), b.input(`${n}2`, 2)];
  const [x, y, c] = [in6("a"), in6("b"), in6("c")];
  b.final(...fq6Sub(b, fq6Mul(b, x, y), c));
  return b.build();
}

/** A G1 point as one committed value of two elements (x, y). */
export type G1Id = number;
/** A G2 point as two committed Fq2 values (x, y). */
export type G2Ids = readonly [number, number];

/** P + Q (P ≠ ±Q): the slope leaf, then the point leaf, with λ committed between them. */
export function g1Add(b: ProgramBuilder, P: G1Id, Q: G1Id): G1Id {
  const l = b.call("g1_add_slope", P, Q);
  return b.call("g1_add_point", P, Q, l);
}

/** λ of the chord through T and Q: (y_Q − y_T)·(x_Q − x_T)⁻¹ (the inverse's leaf refuses x_T = x_Q). */
export function g2Chord(b: ProgramBuilder, T: G2Ids, Q: G2Ids): number {
  const dx = b.call("fq2_sub", Q[0], T[0]);
  const dy = b.call("fq2_sub", Q[1], T[1]);
  return b.call("fq2_mul", dy, b.call("fq2_inv", dx));
}

/** y_R = λ·(x_T − x_R) − y_T. */
export function g2PointY(b: ProgramBuilder, T: G2Ids, l: number, xR: number): number {
  return b.call("fq2_sub", b.call("fq2_mul", l, b.call("fq2_sub", T[0], xR)), T[1]);
}

/** T + Q in the Miller loop: λ, the line's μ, and the new point (6 + 1 + 1 + 3 leaves). */
export function g2AddStep(b: ProgramBuilder, T: G2Ids, Q: G2Ids): { R: G2Ids; lambda: number; mu: number } {
  const lambda = g2Chord(b, T, Q);
  const mu = b.call("g2_line_constant", T[0], T[1], lambda);
  const xR = b.call("g2_point_x", T[0], Q[0], lambda);
  return { R: [xR, g2PointY(b, T, lambda, xR)], lambda, mu };
}

/** The fixed (demonstration) line at P' = (x', y'): its sparse coefficients c1 and c3, one leaf each. */
export function g2LineFixed(b: ProgramBuilder, Pn: G1Id): [number, number] {
  return [b.call("g2_line_fixed_c1", Pn), b.call("g2_line_fixed_c3", Pn)];
}
