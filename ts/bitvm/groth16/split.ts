/**
 * Chunk ops for the `bn254` leaves whose Disprove leaf would pass 1,000 stack items once its
 * commitments are added (g1_add, g2_chord, g2_point_y, g2_line_fixed). Each is split into pieces
 * with a committed intermediate value between them: the op's identities are divided between two
 * leaves (g1_add: the slope, then the point; g2_line_fixed: c1, then c3), or the op is written
 * with smaller `bn254` ops that fit (g2_chord: λ = (y_Q − y_T)·(x_Q − x_T)⁻¹; g2_point_y:
 * y_R = λ·(x_T − x_R) − y_T), see `programs.ts`.
 */
import {
  FQ,
  c0,
  c1,
  fieldDrop,
  fieldNotEqualVerify,
  fq2,
  g1,
  g1AddChecks,
  g2LineFixedChecks,
  gx,
  gy,
  hintedFieldOp,
  productChecks,
  G2_DEMO_LINE,
  type Fq2Value,
  type FieldOp,
  type G1Value,
} from "../bn254/index.js";

const P = [gx("P"), gy("P")];
const Q = [gx("Q"), gy("Q")];
const R = [gx("R"), gy("R")];
const point = (v: ReadonlyMap<string, bigint>, n: string): G1Value => ({
  x: v.get(gx(n))!,
  y: v.get(gy(n))!,
});

/** g1_add in two leaves: `g1_add_slope` (P, Q → λ, with x_P ≠ x_Q) and `g1_add_point` (P, Q, λ → R). */
export function g1AddSplitOps(): FieldOp[] {
  const [slope, x, y] = g1AddChecks("P", "Q", "R", "l");
  return [
    hintedFieldOp(FQ, {
      name: "g1_add_slope",
      description: "λ of P + Q: λ(x_Q − x_P) = y_Q − y_P, x_P ≠ x_Q (λ from the witness, checked)",
      operands: [...P, ...Q],
      results: ["l"],
      checks: [slope!],
      compute: (v) => new Map([["l", g1.addSlope(point(v, "P"), point(v, "Q"))]]),
      gen: (t) => {
        // x_P ≠ x_Q: otherwise the slope identity holds for any λ (P = Q) or none (P = −Q)
        fieldNotEqualVerify(t, gx("P"), gx("Q"));
        productChecks(t, FQ, [slope!], {
          consume: new Set([...P, ...Q]),
          trusted: new Set([...P, ...Q, "l"]),
        });
      },
    }),
    hintedFieldOp(FQ, {
      name: "g1_add_point",
      description: "R = P + Q from the committed slope λ: x_R = λ² − x_P − x_Q, y_R = λ(x_P − x_R) − y_P",
      operands: [...P, ...Q, "l"],
      results: R,
      checks: [x!, y!],
      compute: (v) => {
        const r = g1.apply(point(v, "P"), point(v, "Q"), v.get("l")!);
        return new Map([
          [gx("R"), r.x],
          [gy("R"), r.y],
        ]);
      },
      gen: (t) => {
        fieldDrop(t, gy("Q")); // checked canonical, not used by these two identities
        productChecks(t, FQ, [x!, y!], {
          consume: new Set([...P, gx("Q"), "l"]),
          trusted: new Set([...P, gx("Q"), "l", ...R]),
        });
      },
    }),
  ];
}

const F2 = (a: string): string[] => [c0(a), c1(a)];

/**
 * A fixed line (constants λ, μ of a verifying-key G2 point) at P' in two leaves:
 * `<name>_c1` (P' → −λ·x') and `<name>_c3` (P' → −μ·y').
 */
export function g2LineFixedSplitOps(name: string, line: { lambda: Fq2Value; mu: Fq2Value }): FieldOp[] {
  const checks = g2LineFixedChecks(name, line, "P", "c");
  const half = (k: "c1" | "c3", coef: Fq2Value, coord: string): FieldOp => {
    const mine = checks.filter((c) => c.r === c0(k) || c.r === c1(k));
    return hintedFieldOp(FQ, {
      name: `${name}_${k}`,
      description: `a fixed line at P' = (x', y'): ${k === "c1" ? "−λ·x'" : "−μ·y'"}`,
      operands: P,
      results: F2(k),
      checks: mine,
      compute: (v) => {
        const r = fq2.mul(fq2.sub([0n, 0n], coef), [v.get(coord)!, 0n]);
        return new Map([
          [c0(k), r[0]],
          [c1(k), r[1]],
        ]);
      },
      gen: (t) => {
        fieldDrop(t, coord === gx("P") ? gy("P") : gx("P")); // the coordinate this half does not use
        productChecks(t, FQ, mine, { consume: new Set([coord]), trusted: new Set([coord, ...F2(k)]) });
      },
    });
  };
  return [half("c1", line.lambda, gx("P")), half("c3", line.mu, gy("P"))];
}

/** The split ops `programOps()` offers (the fixed line of `bn254`'s demonstration constants). */
export function splitOps(): FieldOp[] {
  return [...g1AddSplitOps(), ...g2LineFixedSplitOps("g2_line_fixed", G2_DEMO_LINE)];
}
