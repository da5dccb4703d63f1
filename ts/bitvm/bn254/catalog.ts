/**
 * Catalog entries for the BN254 fragments: `npx hardhat bitvm:run --fragment fq_mul --input 3,5`.
 * Operands are comma-separated numbers (decimal or 0x hex); Fq2 operands are c0,c1 pairs.
 */
import type { CatalogEntry } from "../catalog.js";
import { BitvmBuildError } from "../fragment.js";

import { FQ, FR, type PrimeField } from "./field.js";
import { fq2Ops } from "./fq2.js";
import { g1Ops } from "./g1.js";
import { fieldOps, parseElement, type FieldOp } from "./ops.js";

const hex = (v: bigint): string => "0x" + v.toString(16);

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
  ];
}
