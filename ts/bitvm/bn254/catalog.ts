/**
 * Catalog entries for the BN254 fragments: `npx hardhat bitvm:run --fragment fq_mul --input 3,5`.
 * Operands are comma-separated numbers (decimal or 0x hex); Fq2 operands are c0,c1 pairs.
 */
import type { CatalogEntry } from "../catalog.js";
import { BitvmBuildError } from "../fragment.js";
import { stackNumber } from "../run.js";

import { FQ, FR, readElements, type PrimeField } from "./field.js";
import { fq2Ops } from "./fq2.js";
import { g1Ops, g1ScalarMulStep } from "./g1.js";
import { finalOps } from "./final.js";
import { g2Ops } from "./g2.js";
import { g2SubgroupOps } from "./subgroup.js";
import { fieldOps, parseElement, type FieldOp } from "./ops.js";

const hex = (v: bigint): string => "0x" + v.toString(16);

const G2_GEN =
  "0x1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed,0x198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2," +
  "0x12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa,0x90689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b";
const G2_DOUBLE =
  "0x27dc7234fd11d3e8c36c59277c3e6f149d5cd3cfa9a62aee49f8130962b4b3b9,0x203e205db4f19b37b60121b83a7333706db86431c6d835849957ed8c3928ad79," +
  "0x4bb53b8977e5f92a0bc372742c4830944a59b4fe6b1c0466e2a6dad122b5d2e,0x195e8aa5b7827463722b8c153931579d3505566b4edf48d498e185f0509de152";
const HALF = "0x183227397098d014dc2822db40c0ac2ecbc0b548b438e5469e10460b6c3e7ea4";
const G2_EXAMPLES: Record<string, string> = {
  g2_psi_x: G2_GEN.split(",").slice(0, 2).join(","),
  g2_psi_y: G2_GEN.split(",").slice(2, 4).join(","),
  g2_psi2_x: G2_GEN.split(",").slice(0, 2).join(","),
  g2_tangent: G2_GEN,
  g2_chord: `${G2_GEN},${G2_DOUBLE}`,
  g2_line_constant: `${G2_GEN},5,6`,
  g2_point_x: "1,2,3,4,5,6",
  g2_point_y: `${G2_GEN},5,6,7,8`,
  g2_line_fixed: `${HALF},${HALF}`,
  g1_normalize: "1,2",
  // T = the G2 generator, s = x_T² (what the fq2_square leaf before it commits)
  g2_on_twist: `${G2_GEN},0x3010f575ce4a684cc50cf0ee970804db4f648c358eca242228ef10bdd6158959,0x40fec49d9509ae2dfb8c2cffdd54ce8d4fbb77bb051b087926cbff20ae6911e`,
  g2_psi3_x: G2_GEN.split(",").slice(0, 2).join(","),
  g2_psi3_y: G2_GEN.split(",").slice(2, 4).join(","),
  g2_equalverify: `${G2_GEN},${G2_GEN}`,
};

/** 2·G1 generator, affine. */
const G2X = 0x030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3n;
const G2Y = 0x15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4n;

function entry(f: PrimeField, op: FieldOp, example: string): CatalogEntry {
  return {
    name: op.name,
    description: op.description,
    build: () => op.build(),
    input: (arg) => {
      const parts = arg.trim() === "" ? [] : arg.split(",");
      if (parts.length !== op.arity)
        throw new BitvmBuildError(
          op.name,
          "range",
          `expected ${op.arity} comma-separated operands, got "${arg}"`,
        );
      return op.witness(parts.map((s) => parseElement(op.name, f, s)));
    },
    output: (stack) => op.read(stack).map(hex).join(","),
    example,
  };
}

/** One step of k·C for C = 2G: input x_P, y_P, bit (R = P + bit·2G). */
function msmStepEntry(): CatalogEntry {
  const C = { x: G2X, y: G2Y };
  const name = "g1_msm_step";
  return {
    name,
    description: "one leaf of a fixed-base scalar multiplication: R = P + bit·C for the constant C = 2G",
    build: () => g1ScalarMulStep(name, C).fragment,
    input: (arg) => {
      const parts = arg.split(",");
      if (parts.length !== 3) throw new BitvmBuildError(name, "range", `expected x_P,y_P,bit, got "${arg}"`);
      const bit = Number(parts[2]);
      if (bit !== 0 && bit !== 1)
        throw new BitvmBuildError(name, "range", `bit must be 0 or 1, got "${parts[2]}"`);
      const P = { x: parseElement(name, FQ, parts[0]!), y: parseElement(name, FQ, parts[1]!) };
      return g1ScalarMulStep(name, C).witness(P, bit);
    },
    output: (stack) => readElements(stack.map(stackNumber), 2).map(hex).join(","),
    example: "1,2,1",
  };
}

/** The BN254 entries (checked variants: every operand is range-checked by the fragment). */
export function bn254Entries(): CatalogEntry[] {
  const ex = (f: PrimeField, op: FieldOp): string =>
    (op.name.endsWith("equalverify")
      ? ["0x1234567890abcdef", "0x1234567890abcdef"]
      : ["0x1234567890abcdef", hex(f.p - 2n), "7", "0x2a"]
    )
      .slice(0, op.arity)
      .join(",");
  return [
    ...fieldOps(FQ).map((op) => entry(FQ, op, ex(FQ, op))),
    ...fieldOps(FR).map((op) => entry(FR, op, ex(FR, op))),
    ...fq2Ops().map((op) => entry(FQ, op, ex(FQ, op))),
    // G1 examples: P = G = (1, 2) and Q = 2G
    ...g1Ops().map((op) => entry(FQ, op, ["1", "2", hex(G2X), hex(G2Y)].slice(0, op.arity).join(","))),
    // G2 examples: T = the G2 generator, Q = its double; P = (1, 2), P' = (1/2, 1/2)
    msmStepEntry(),
    ...g2Ops().map((op) => entry(FQ, op, G2_EXAMPLES[op.name] ?? "")),
    ...g2SubgroupOps().map((op) => entry(FQ, op, G2_EXAMPLES[op.name] ?? "")),
    // the final check passes on f ~ 1: a = 0, or f = 1
    ...finalOps().map((op) =>
      entry(
        FQ,
        op,
        ["1", ...Array<string>(11).fill("0")]
          .slice(op.arity === 6 ? 1 : 0, op.arity === 6 ? 7 : 12)
          .join(","),
      ),
    ),
  ];
}
