/**
 * `npm run bench -- groth16-script`: the BitVM2 chunker end to end on the Fq6 product claim (the
 * Fq6 Karatsuba of the Miller loop as 26 chunks, its 9 committed Fq2 inputs and the final zero
 * test): leaves, script bytes, the largest leaf and the weight of its Disprove transaction, peak
 * stack over all leaves as executed, committed values, assertion witness bytes and Assert
 * transactions, generation time and RSS, time to check an assertion and find the leaf. The
 * Groth16 verifier itself is not compiled yet: `projected_*` scale the measured per-leaf figures by
 * the leaf counts of one Groth16 verification (see docs/bitvm.md, "The Groth16 program").
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import {
  assertTransactions,
  buildAssertion,
  checkAssertion,
  compileProgram,
  disproveTransaction,
  disproveTree,
  evaluate,
  fq6ProductClaim,
  leafWitness,
  openAssertion,
  operatorPublicKeys,
  runLeaf,
} from "../ts/bitvm/groth16/index.js";
import { FQ } from "../ts/bitvm/bn254/index.js";
import { outpoint } from "../ts/core/index.js";

export default async function bench(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { program: "fq6_product_claim" };
  const program = fq6ProductClaim();
  const seed = new Uint8Array(32).fill(0x42);
  const cache = mkdtempSync(path.join(os.tmpdir(), "g16-bench-"));
  try {
    let t = performance.now();
    const pks = operatorPublicKeys(program, seed);
    out.keygen_s = +((performance.now() - t) / 1000).toFixed(2);
    t = performance.now();
    const compiled = compileProgram(program, pks, { cacheDir: cache });
    out.generation_s = +((performance.now() - t) / 1000).toFixed(2);
    t = performance.now();
    compileProgram(program, pks, { cacheDir: cache });
    out.generation_cached_s = +((performance.now() - t) / 1000).toFixed(3);
    const sizes = Array.from({ length: compiled.leafCount }, (_, i) => compiled.leaf(i).length);
    out.leaves = compiled.leafCount;
    out.total_script_bytes = sizes.reduce((a, b) => a + b, 0);
    const largest = sizes.indexOf(Math.max(...sizes));
    out.largest_leaf_bytes = sizes[largest];
    out.largest_leaf = compiled.leaves[largest]!.name;

    const next = (
      (s: bigint) => () =>
        (s = (s * 6364136223846793005n + 1442695040888963407n) % FQ.p)
    )(7n);
    const inputs = program.inputs.map(() => [next(), next()]);
    const honestAll = evaluate(program, inputs);
    // Make the claim true: c := a·b as the program computes it (d = a·b − c = 0).
    // The last three chunks are the subtractions d = p − c.
    const subs = program.chunks.slice(-3);
    subs.forEach((c, k) => (inputs[6 + k] = honestAll[c.inputs[0]!]!));
    const honest = evaluate(program, inputs);
    const assertion = buildAssertion(program, honest, seed);
    const digits = openAssertion(program, pks, assertion);
    let peak = 0;
    let opcodes = 0;
    t = performance.now();
    for (const info of compiled.leaves) {
      const r = runLeaf(compiled.leaf(info.index), leafWitness(program, info, assertion, digits));
      if (r.succeeds) throw new Error(`honest assertion: leaf ${info.name} succeeds`);
      peak = Math.max(peak, r.maxStack);
      opcodes += r.opcodes;
    }
    out.all_leaves_run_s = +((performance.now() - t) / 1000).toFixed(2);
    out.peak_stack_items_executed = peak;
    out.opcodes_executed_all_leaves = opcodes;
    out.committed_values = program.values.length;
    out.committed_fq_elements = program.values.reduce((n, v) => n + v.elements, 0);
    out.assertion_signature_bytes = assertion.signatures.flat().reduce((n, x) => n + x.length + 1, 0);
    const txs = assertTransactions(program, pks, assertion);
    out.assert_txs = txs.length;
    out.assert_tx_weights = txs.map((x) => x.weight);
    out.assert_inputs = txs.reduce((n, x) => n + x.chunks.length, 0);

    // The largest leaf refuting a corrupted output: find it and build its Disprove transaction.
    const c = program.chunks[compiled.leaves[largest]!.ref]!;
    const bad = honest.map((v) => [...v]);
    bad[c.output] = [(bad[c.output]![0]! + 1n) % FQ.p, bad[c.output]![1]!];
    const badAssertion = buildAssertion(program, bad, seed);
    t = performance.now();
    const res = checkAssertion(program, pks, badAssertion);
    out.check_assertion_s = +((performance.now() - t) / 1000).toFixed(2);
    if (res.valid || res.leafIndex !== largest) throw new Error("checkAssertion missed the corrupted chunk");
    const tree = disproveTree(compiled);
    const tx = disproveTransaction(
      compiled,
      tree,
      largest,
      res.witness,
      { outpoint: outpoint("11".repeat(32), 0), value: 1_000_000n },
      tree.script,
      200_000n,
    );
    out.largest_disprove_tx_weight = tx.weight();
    out.largest_disprove_ok = runLeaf(compiled.leaf(largest), res.witness).succeeds;
    out.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);

    // Projection to one Groth16 verification (3 pairings: B with hinted lines, γ and δ fixed):
    // per Miller doubling f² (63 Fq2 leaves) + B's tangent step (6) + 3 line evaluations (4) +
    // 3 f·ℓ (81); per addition B's chord step (6) + 4 + 81; 64 doublings, 22 additions (6x+2 in
    // NAF), 2 Frobenius additions; the public-input MSM (255 leaves per input) and the final part.
    const perFq2Leaf = (out.total_script_bytes as number) / compiled.leafCount;
    const miller = 64 * (63 + 6 + 4 + 81) + 24 * (6 + 4 + 81);
    out.projected_groth16_leaves = miller + 255 * 2 + 200;
    out.projected_groth16_total_bytes = Math.round((out.projected_groth16_leaves as number) * perFq2Leaf);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
  return out;
}
