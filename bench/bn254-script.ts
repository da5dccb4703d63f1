/**
 * `npm run bench -- bn254-script`: every BN254 fragment (Fq, Fr, Fq2, G1, G2 lines) built and executed on our
 * interpreter with its catalog example: bytes, opcodes executed, peak stack (main + alt), build
 * and run time; the operations' cores without the operand range checks (`*_unchecked`, as they
 * run inside larger fragments whose values are already canonical); and BitVM's published sizes
 * beside ours where BitVM publishes one (../shared/notes/anchors.md, BitVM PRs cited below), and
 * the G2 side of one Miller-loop step (its Fq12 part is not implemented yet); the plain (unhinted)
 * Fq mul and square; ψ, ψ³, the on-twist check and the G2 subgroup check of B (288 leaves, run).
 */
import { bn254 } from "@noble/curves/bn254.js";

import { catalog, runFragment, type Fragment, type StackValue } from "../ts/bitvm/index.js";
import {
  FQ,
  G2Program,
  LeafProgram,
  fieldOps,
  type Fq2Value,
  type Fq6Value,
} from "../ts/bitvm/bn254/index.js";

/** BitVM's sizes in bytes: Fq::hinted_mul (PR #331, 2025-08), Fq2::hinted_mul (PR #116, 2024-10),
 *  G1Affine::hinted_check_add without the degenerate cases (PR #379, 2025-09). */
const BITVM: Record<string, number> = { fq_mul: 67604, fq2_mul: 190871, g1_add: 275192 };

export default async function bench(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const rows: { name: string; build: () => Fragment; input: () => StackValue[] }[] = [];
  for (const e of catalog())
    if (/^(fq|fr|fq2|g1|g2|fq6|fq12)_/.test(e.name))
      rows.push({ name: e.name, build: () => e.build(), input: () => e.input(e.example) });
  for (const op of fieldOps(FQ, { checkInputs: false }))
    if (
      ["add", "sub", "neg", "mul", "square", "inv", "mul_plain", "square_plain"].some(
        (n) => op.name === `fq_${n}_unchecked`,
      )
    )
      rows.push({
        name: op.name,
        build: () => op.build(),
        input: () => op.witness([0x1234567890abcdefn, FQ.p - 2n]),
      });
  for (const row of rows) {
    const t0 = performance.now();
    const f = row.build();
    const buildMs = performance.now() - t0;
    const input = row.input();
    const t1 = performance.now();
    const r = runFragment(f, input);
    const runMs = performance.now() - t1;
    if (!r.ok) throw new Error(`${row.name} failed on its example input: ${r.message}`);
    out[`${row.name}_bytes`] = f.size;
    out[`${row.name}_opcodes_executed`] = r.stats.opcodes;
    out[`${row.name}_max_stack_items`] = r.stats.maxStackDepth;
    out[`${row.name}_build_ms`] = Number(buildMs.toFixed(1));
    out[`${row.name}_run_ms`] = Number(runMs.toFixed(1));
    const anchor = BITVM[row.name];
    if (anchor !== undefined) {
      out[`${row.name}_bitvm_bytes`] = anchor;
      out[`${row.name}_vs_bitvm_pct`] = Number(((100 * f.size) / anchor).toFixed(1));
    }
  }
  // One Miller-loop step of the variable point, leaf by leaf, without its Fq12 part (f², f·ℓ are
  // not implemented): slope, line constant, new point, and the line's two coefficients at P'.
  const sum = (names: string[], unit: string): number =>
    names.reduce((n, k) => n + (out[`${k}_${unit}`] as number), 0);
  const rest = ["g2_line_constant", "g2_point_x", "g2_point_y", "fq2_mul_by_fq", "fq2_mul_by_fq"];
  for (const [step, first] of [
    ["double", "g2_tangent"],
    ["add", "g2_chord"],
  ] as const) {
    const leaves = [first, ...rest];
    out[`miller_${step}_step_g2_side_bytes`] = sum(leaves, "bytes");
    out[`miller_${step}_step_g2_side_leaves`] = leaves.length;
    out[`miller_${step}_step_g2_side_max_stack_items`] = Math.max(
      ...leaves.map((k) => out[`${k}_max_stack_items`] as number),
    );
  }
  // Fq6/Fq12 as programs of Fq2 leaves (no Fq6 product fits one leaf): summed leaf sizes.
  const rnd = (k: number): bigint => (0x9e3779b97f4a7c15n * BigInt(k + 1)) ** 3n % FQ.p;
  const e2 = (k: number): Fq2Value => [rnd(2 * k), rnd(2 * k + 1)];
  const e6 = (k: number): Fq6Value => [e2(3 * k), e2(3 * k + 1), e2(3 * k + 2)];
  const program = (name: string, go: (p: LeafProgram) => void): void => {
    const prog = new LeafProgram();
    const t0 = performance.now();
    go(prog);
    out[`${name}_leaves`] = prog.leaves.length;
    out[`${name}_bytes`] = prog.bytes;
    out[`${name}_opcodes_executed`] = prog.leaves.reduce((n, l) => n + l.opcodes, 0);
    out[`${name}_max_stack_items`] = prog.maxStack;
    out[`${name}_run_ms`] = Number((performance.now() - t0).toFixed(0));
  };
  program("fq6_mul_program", (p) => p.fq6Mul(e6(0), e6(1)));
  program("fq12_mul_program", (p) => p.fq12Mul([e6(0), e6(1)], [e6(2), e6(3)]));
  program("fq12_square_program", (p) => p.fq12Square([e6(0), e6(1)]));
  program("fq12_mul_by_line_program", (p) => p.fq12MulByLine([e6(0), e6(1)], e2(20), e2(21)));
  program("fq12_frobenius_program", (p) => p.fq12Frobenius([e6(0), e6(1)]));
  // A whole doubling step: f², the G2 side, and f·ℓ.
  out.miller_double_step_bytes =
    (out.fq12_square_program_bytes as number) +
    (out.miller_double_step_g2_side_bytes as number) +
    (out.fq12_mul_by_line_program_bytes as number);
  out.miller_add_step_bytes =
    (out.miller_add_step_g2_side_bytes as number) + (out.fq12_mul_by_line_program_bytes as number);
  out.final_check_bytes = out.fq6_final_is_zero_bytes;
  // k·C for a 254-bit public scalar: 254 conditional-add leaves and the offset's removal; every
  // leaf has the step's size within a few bytes (only its constant's digits differ).
  out.g1_fixed_base_mul_254_leaves = 255;
  out.g1_fixed_base_mul_254_bytes_estimated = 255 * (out.g1_msm_step_bytes as number);
  out.g1_fixed_base_mul_bitvm_bytes = 295982562; // scalar_mul_by_constant_g1, BitVM PR #88 (2024-09)
  // G2 subgroup check of the proof's B, measured leaf by leaf (on-twist, [x0]B by double-and-add,
  // ψ, ψ², ψ³ and the final equality): [x0+1]B + ψ([x0]B) + ψ²([x0]B) = ψ³([2x0]B).
  const dbl = sum(["g2_tangent", "g2_point_x", "g2_point_y"], "bytes");
  const add = sum(["g2_chord", "g2_point_x", "g2_point_y"], "bytes");
  out.g2_double_leaves_bytes = dbl;
  out.g2_add_leaves_bytes = add;
  out.g2_psi_bytes = sum(["g2_psi_x", "g2_psi_y"], "bytes");
  out.g2_psi3_bytes = sum(["g2_psi3_x", "g2_psi3_y"], "bytes");
  out.g2_on_twist_check_bytes = sum(["fq2_square", "g2_on_twist"], "bytes");
  {
    const g = bn254.G2.Point.BASE.multiply(0x2468acen).toAffine();
    const prog = new G2Program();
    const t0 = performance.now();
    prog.subgroupCheck({ x: [g.x.c0, g.x.c1], y: [g.y.c0, g.y.c1] });
    out.g2_subgroup_check_leaves = prog.leaves.length;
    out.g2_subgroup_check_bytes = prog.bytes;
    out.g2_subgroup_check_opcodes_executed = prog.leaves.reduce((n, l) => n + l.opcodes, 0);
    out.g2_subgroup_check_max_stack_items = prog.maxStack;
    out.g2_subgroup_check_largest_leaf = prog.largestLeaf.name;
    out.g2_subgroup_check_largest_leaf_bytes = prog.largestLeaf.bytes;
    out.g2_subgroup_check_run_ms = Number((performance.now() - t0).toFixed(0));
  }
  // the alternative ψ(B) = [6x0²]B (126 doublings, 69 additions, ψ), estimated from the same leaves
  out.g2_subgroup_check_psi_6x2_bytes_estimated = 126 * dbl + 69 * add + (out.g2_psi_bytes as number);
  return out;
}
