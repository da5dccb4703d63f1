/**
 * The last step of the pairing check. The verifier carries the Miller-loop value f ∈ Fq12 modulo
 * Fq6 scalars, as its Fq6 part a with f ~ 1 + a·w (the final exponentiation maps every element of
 * Fq6* to 1, so f and f·s agree for s in Fq6*, as in "On Proving Pairings"). f ~ 1 exactly when
 * a = 0: the check is that the six Fq coefficients of a are the zero element, digit by digit.
 *
 * For the uncompressed form there is `fq12IsOneVerify`: the twelve coefficients must be the
 * digits of 1, 0, …, 0. Both compare digits literally, so a non-canonical spelling of 0 or 1
 * (p, p + 1) is refused, as every canonical-form check here refuses it.
 */
import { OP } from "../../bitcoin/index.js";
import { stackNumber } from "../run.js";
import { StackTracker } from "../tracker.js";

import { DIGITS, digit, elementNames, elementWitness, readElements } from "./field.js";
import type { FieldOp } from "./ops.js";

/** Names of the n Fq coefficients of an extension element `a`, bottom first (a.0 deepest). */
export const coefficientNames = (a: string, n: number): string[] =>
  Array.from({ length: n }, (_, k) => `${a}.${k}`).flatMap((e) => elementNames(e));

/** Fails unless the Fq6 part of f is 0 (consumed). */
export function fq6IsZeroVerify(t: StackTracker, a: string): void {
  for (let k = 5; k >= 0; k--)
    for (let i = 0; i < DIGITS; i++) {
      t.move(digit(`${a}.${k}`, i));
      t.apply([OP.OP_NOT, OP.OP_VERIFY], 1, []);
    }
}

/** Fails unless the Fq12 element f (12 Fq coefficients, f.0 the constant one) is 1 (consumed). */
export function fq12IsOneVerify(t: StackTracker, f: string): void {
  for (let k = 11; k >= 0; k--)
    for (let i = 0; i < DIGITS; i++) {
      t.move(digit(`${f}.${k}`, i));
      t.apply(k === 0 && i === 0 ? [OP.OP_1, OP.OP_NUMEQUALVERIFY] : [OP.OP_NOT, OP.OP_VERIFY], 1, []);
    }
}

/** The standalone final-check fragments; their operands are the coefficients, f.0 first. */
export function finalOps(): FieldOp[] {
  const op = (name: string, description: string, n: number, gen: (t: StackTracker) => void): FieldOp => ({
    name,
    description,
    arity: n,
    build: () => {
      const t = new StackTracker(name, coefficientNames("f", n));
      gen(t);
      return t.finish();
    },
    witness: (x) => elementWitness(x.slice(0, n)),
    read: (s) => readElements(s.map(stackNumber), 0),
    model: () => [],
  });
  return [
    op(
      "fq6_final_is_zero",
      "final check, compressed: fail unless f's Fq6 part a (f ~ 1 + a·w) is 0",
      6,
      (t) => fq6IsZeroVerify(t, "f"),
    ),
    op("fq12_final_is_one", "final check, uncompressed: fail unless f = 1 in Fq12", 12, (t) =>
      fq12IsOneVerify(t, "f"),
    ),
  ];
}
