/**
 * `npx hardhat bitvm:groth16 --vkey FILE [--proof FILE --public FILE]`: checks snarkjs files (below).
 * `npx hardhat bitvm:groth16 [--program fq6-claim|g1-4p] [--out DIR]`: compiles a chunked program's
 * Disprove leaves for a demo operator key (cached by content hash under DIR, progress on stderr),
 * runs an honest assertion and a corrupted one through `checkAssertion`, and prints the figures.
 * The Groth16 verifier itself is not a program yet (docs/bitvm.md, "The Groth16 program").
 */
import { BitvmBuildError, bn254, groth16 } from "../ts/bitvm/index.js";

interface Args {
  program: string;
  out: string;
  vkey: string;
  proof: string;
  public: string;
}

/**
 * `--vkey [--proof --public]`: reads and checks the snarkjs files (typed errors naming the file),
 * and with a proof evaluates the Groth16 equation off-chain. The verifier is not yet a chunked
 * program (docs/bitvm.md), so no leaves are written for a key: the output says so.
 */
function files(args: Args): void {
  if ((args.proof === "") !== (args.public === ""))
    throw new groth16.Groth16Error("--proof and --public go together", args.proof || args.public);
  const vk = groth16.readVerifyingKey(args.vkey);
  const out: Record<string, unknown> = {
    vkey: args.vkey,
    n_public: vk.nPublic,
    vkey_points_checked: 4 + vk.ic.length,
    disprove_program: "not built: the Groth16 verifier is not yet a chunked program (docs/bitvm.md)",
  };
  if (args.proof !== "") {
    const proof = groth16.readProof(args.proof);
    const inputs = groth16.readPublicInputs(args.public, vk.nPublic);
    const t = performance.now();
    out.proof = args.proof;
    out.proof_valid_offchain = groth16.verifyOffChain(vk, proof, inputs);
    out.offchain_check_s = +((performance.now() - t) / 1000).toFixed(3);
  }
  console.log(JSON.stringify(out));
}

function program(name: string): { program: groth16.Program; inputs: bigint[][] } {
  if (name === "fq6-claim") {
    const p = groth16.fq6ProductClaim();
    const inputs = p.inputs.map((_, i) => [BigInt(3 + i), BigInt(11 + 2 * i)]);
    const all = groth16.evaluate(p, inputs);
    p.chunks.slice(-3).forEach((c, k) => (inputs[6 + k] = all[c.inputs[0]!]!));
    return { program: p, inputs };
  }
  if (name === "g1-4p") {
    const b = new groth16.ProgramBuilder("g1_4p");
    b.call("g1_double", b.call("g1_double", b.input("P", 2)));
    return { program: b.build(), inputs: [[1n, 2n]] };
  }
  throw new groth16.Groth16Error(`unknown --program ${name}: fq6-claim | g1-4p`, name);
}

export default async function action(args: Args): Promise<void> {
  try {
    if (args.vkey !== "") return files(args);
    if (args.proof !== "" || args.public !== "")
      throw new groth16.Groth16Error("--proof and --public need --vkey", args.proof || args.public);
    const { program: p, inputs } = program(args.program);
    const seed = new Uint8Array(32).fill(0x42);
    const pks = groth16.operatorPublicKeys(p, seed);
    const t0 = performance.now();
    const compiled = groth16.compileProgram(p, pks, {
      cacheDir: args.out,
      onProgress: (d, n) => process.stderr.write(`\rleaves ${d}/${n}`),
    });
    process.stderr.write("\n");
    const generation = (performance.now() - t0) / 1000;
    const sizes = compiled.leaves.map((l) => compiled.leaf(l.index).length);
    const values = groth16.evaluate(p, inputs);
    const assertion = groth16.buildAssertion(p, values, seed);
    const honest = groth16.checkAssertion(p, pks, assertion);
    const bad = values.map((v) => [...v]);
    const last = p.chunks.at(-1)!.output;
    bad[last] = [(bad[last]![0]! + 1n) % bn254.FQ.p, ...bad[last]!.slice(1)];
    const t1 = performance.now();
    const refuted = groth16.checkAssertion(p, pks, groth16.buildAssertion(p, bad, seed));
    const asserts = groth16.assertTransactions(p, pks, assertion);
    const tree = groth16.disproveTree(compiled);
    console.log(
      JSON.stringify({
        program: p.name,
        cache: `${args.out}/${compiled.contentHash}`,
        leaves: compiled.leafCount,
        total_script_bytes: sizes.reduce((a, b) => a + b, 0),
        largest_leaf_bytes: Math.max(...sizes),
        taproot_merkle_root: Buffer.from(tree.merkleRoot).toString("hex"),
        committed_values: p.values.length,
        assert_tx_weights: asserts.map((a) => a.weight),
        generation_s: +generation.toFixed(2),
        honest_assertion_valid: honest.valid,
        corrupted_last_chunk_refuted_by: refuted.valid ? null : refuted.info.name,
        check_s: +((performance.now() - t1) / 1000).toFixed(2),
      }),
    );
  } catch (e) {
    if (!(
      e instanceof groth16.Groth16Error ||
      e instanceof groth16.Groth16FileError ||
      e instanceof BitvmBuildError
    ))
      throw e;
    console.error(`bitvm:groth16: ${e.message}`);
    process.exitCode = 2;
  }
}
