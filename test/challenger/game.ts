/**
 * Shared by the challenge-game tests: a graph input with a `ClaimProgram` (reimbursed sats = the
 * pool output, the PegInConfirm txid), rebuilt the same from a seed in any process.
 */
import { hexToBytes } from "../../ts/bitcoin/index.js";
import { buildPegOutGraph, ClaimProgram, type ClaimField, type GraphInput } from "../../ts/bridge/index.js";

export const u64 = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v);
  return b;
};

export function withClaimProgram(input: GraphInput, seed: Uint8Array) {
  const plain = buildPegOutGraph(input);
  const fields: ClaimField[] = [
    { name: "reimbursed", bytes: 8, expected: u64(plain.pegInConfirm.output(0).amount) },
    { name: "pegIn", bytes: 32, expected: hexToBytes(plain.pegInConfirm.txid) },
  ];
  const { program, secrets } = ClaimProgram.fromSeed(seed, fields);
  return {
    input: { ...input, program } as GraphInput,
    program,
    secrets,
    fields,
    /** The operator's commitment to `values` (default: the true ones). */
    commit: (values: readonly Uint8Array[] = fields.map((f) => f.expected)) =>
      ClaimProgram.commit(secrets, values),
  };
}

/** `b` with its last byte flipped: a false value of the same width. */
export const flipped = (b: Uint8Array): Uint8Array => {
  const c = b.slice();
  c[c.length - 1] ^= 1;
  return c;
};
