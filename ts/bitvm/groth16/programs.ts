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
