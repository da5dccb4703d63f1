import { bn254 } from "@noble/curves/bn254.js";
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import {
  Groth16FileError,
  readProof,
  readPublicInputs,
  readVerifyingKey,
  verifyOffChain,
} from "../../ts/bitvm/groth16/index.js";

const r = bn254.fields.Fr.ORDER;
const p = bn254.fields.Fp.ORDER;
const mod = (v: bigint) => ((v % r) + r) % r;
const inv = (a: bigint) => {
  let [x, n, e] = [1n, mod(a), r - 2n];
  for (; e > 0n; e >>= 1n, n = (n * n) % r) if (e & 1n) x = (x * n) % r;
  return x;
};
const g1 = (k: bigint) => {
  const a = bn254.G1.Point.BASE.multiply(k).toAffine();
  return [a.x.toString(), a.y.toString(), "1"];
};
const g2 = (k: bigint) => {
  const a = bn254.G2.Point.BASE.multiply(k).toAffine();
  return [
    [a.x.c0.toString(), a.x.c1.toString()],
    [a.y.c0.toString(), a.y.c1.toString()],
    ["1", "0"],
  ];
};

/** A Groth16 instance whose key and proof are known multiples of the generators: e(A,B) = … holds by construction. */
function instance(inputs: bigint[]) {
  const [al, be, ga, de, a, b] = [11n, 13n, 17n, 19n, 23n, 29n];
  const ic = [31n, ...inputs.map((_, i) => BigInt(37 + i))];
  const l = mod(ic[0]! + inputs.reduce((s, x, i) => s + x * ic[i + 1]!, 0n));
  const c = mod((a * b - al * be - l * ga) * inv(de));
  const vkey = {
    protocol: "groth16",
    curve: "bn128",
    nPublic: inputs.length,
    vk_alpha_1: g1(al),
    vk_beta_2: g2(be),
    vk_gamma_2: g2(ga),
    vk_delta_2: g2(de),
    IC: ic.map(g1),
  };
  const proof = { pi_a: g1(a), pi_b: g2(b), pi_c: g1(c), protocol: "groth16", curve: "bn128" };
  return { vkey, proof, pub: inputs.map(String) };
}

describe("bitvm/groth16: snarkjs files for bitvm:groth16 (--vkey/--proof/--public)", function () {
  this.timeout(120_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), "g16files-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const put = (name: string, v: unknown): string => {
    const f = path.join(dir, name);
    writeFileSync(f, typeof v === "string" ? v : JSON.stringify(v));
    return f;
  };
  const good = instance([5n, 7n]);
  const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

  it("reads a valid key, proof and inputs; the Groth16 equation holds, and fails for another input", () => {
    const vk = readVerifyingKey(put("vk.json", good.vkey));
    const proof = readProof(put("proof.json", good.proof));
    const pub = readPublicInputs(put("public.json", good.pub), vk.nPublic);
    expect(vk.nPublic).to.equal(2);
    expect(vk.ic).to.have.length(3);
    expect(verifyOffChain(vk, proof, pub)).to.equal(true);
    expect(verifyOffChain(vk, proof, [5n, 8n])).to.equal(false);
  });

  const expectError = (fn: () => unknown, code: string, file: string, problem: RegExp) => {
    try {
      fn();
    } catch (e) {
      expect(e).to.be.instanceOf(Groth16FileError);
      const err = e as Groth16FileError;
      expect(err.code).to.equal(code);
      expect(err.value).to.equal(file);
      expect(err.message.startsWith(`${file}: `)).to.equal(true);
      expect(err.message).to.match(problem);
      return;
    }
    expect.fail(`no error for ${file}`);
  };

  it("a missing or non-JSON file is a typed error naming it", () => {
    const missing = path.join(dir, "nope.json");
    expectError(() => readVerifyingKey(missing), "FILE_NOT_FOUND", missing, /cannot be read/);
    const junk = put("junk.json", "{not json");
    expectError(() => readProof(junk), "FILE_NOT_JSON", junk, /not JSON/);
  });

  const vkCases: [string, (v: Record<string, unknown>) => void, RegExp][] = [
    ["another curve", (v) => (v.curve = "bls12381"), /curve is "bls12381"/],
    ["another protocol", (v) => (v.protocol = "plonk"), /protocol is "plonk"/],
    [
      "IC of the wrong length",
      (v) => (v.IC = (v.IC as unknown[]).slice(1)),
      /IC must hold nPublic \+ 1 = 3 points, it holds 2/,
    ],
    ["nPublic not an integer", (v) => (v.nPublic = "2"), /nPublic/],
    ["alpha off the curve", (v) => ((v.vk_alpha_1 as string[])[1] = "5"), /vk_alpha_1 is not on BN254's G1/],
    ["a coordinate ≥ p", (v) => ((v.vk_alpha_1 as string[])[0] = p.toString()), /vk_alpha_1.x is not below/],
    ["a hex coordinate", (v) => ((v.IC as string[][])[1]![0] = "0x05"), /IC\[1\].x is not a decimal/],
    [
      "delta not in G2",
      (v) => ((v.vk_delta_2 as string[][])[1]![0] = "1"),
      /vk_delta_2 is not in BN254's G2/,
    ],
    ["gamma projective", (v) => ((v.vk_gamma_2 as string[][])[2] = ["2", "0"]), /vk_gamma_2 is not affine/],
  ];
  for (const [what, edit, msg] of vkCases)
    it(`verifying key with ${what}: VKEY_INVALID naming the problem`, () => {
      const v = clone(good.vkey) as unknown as Record<string, unknown>;
      edit(v);
      const f = put(`vk-${what.replace(/\W+/g, "_")}.json`, v);
      expectError(() => readVerifyingKey(f), "VKEY_INVALID", f, msg);
    });

  const proofCases: [string, (v: Record<string, unknown>) => void, RegExp][] = [
    ["A off the curve", (v) => ((v.pi_a as string[])[0] = "3"), /pi_a is not on/],
    ["B missing", (v) => delete v.pi_b, /pi_b is not a G2 point/],
    ["C at infinity", (v) => (v.pi_c = ["0", "1", "0"]), /pi_c is not affine/],
    ["another curve", (v) => (v.curve = "bls12381"), /curve is "bls12381"/],
  ];
  for (const [what, edit, msg] of proofCases)
    it(`proof with ${what}: PROOF_INVALID naming the problem`, () => {
      const v = clone(good.proof) as unknown as Record<string, unknown>;
      edit(v);
      const f = put(`proof-${what.replace(/\W+/g, "_")}.json`, v);
      expectError(() => readProof(f), "PROOF_INVALID", f, msg);
    });

  it("public inputs: wrong count, ≥ r, not a string — PUBLIC_INVALID", () => {
    const f1 = put("pub1.json", ["5"]);
    expectError(
      () => readPublicInputs(f1, 2),
      "PUBLIC_INVALID",
      f1,
      /holds 1 public inputs, the verifying key takes 2/,
    );
    const f2 = put("pub2.json", ["5", r.toString()]);
    expectError(() => readPublicInputs(f2, 2), "PUBLIC_INVALID", f2, /input 1 is not below the scalar field/);
    const f3 = put("pub3.json", ["5", 7]);
    expectError(() => readPublicInputs(f3, 2), "PUBLIC_INVALID", f3, /input 1 is not a decimal string/);
    const f4 = put("pub4.json", { x: 1 });
    expectError(() => readPublicInputs(f4, 2), "PUBLIC_INVALID", f4, /not an array/);
  });
});
