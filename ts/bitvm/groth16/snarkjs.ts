/**
 * Reading snarkjs' BN254 Groth16 files (verifying key, proof, public inputs) for `bitvm:groth16`.
 * Every coordinate is checked canonical (< p) and every point on its curve; the proof's B and the
 * key's G2 points are checked to lie in the order-r subgroup (noble's point validity), public
 * inputs < r. Anything else is one `Groth16FileError` naming the file and the problem.
 */
import { bn254 } from "@noble/curves/bn254.js";
import { readFileSync } from "node:fs";

import { LvmError } from "../../core/index.js";

export type Groth16FileErrorCode =
  "FILE_NOT_FOUND" | "FILE_NOT_JSON" | "VKEY_INVALID" | "PROOF_INVALID" | "PUBLIC_INVALID";

/** A bad `--vkey`, `--proof` or `--public` file: `<file>: <problem>`. */
export class Groth16FileError extends LvmError<Groth16FileErrorCode> {
  override readonly name = "Groth16FileError";
  declare readonly value: string;
  constructor(code: Groth16FileErrorCode, file: string, problem: string, cause?: unknown) {
    super(code, `${file}: ${problem}`, { value: file, details: { problem }, cause });
  }
}

export interface G1Affine {
  x: bigint;
  y: bigint;
}
export interface G2Affine {
  x: readonly [bigint, bigint];
  y: readonly [bigint, bigint];
}

export interface VerifyingKey {
  nPublic: number;
  alpha: G1Affine;
  beta: G2Affine;
  gamma: G2Affine;
  delta: G2Affine;
  /** nPublic + 1 points: the input commitment's base. */
  ic: G1Affine[];
}

export interface Proof {
  a: G1Affine;
  b: G2Affine;
  c: G1Affine;
}

const P = bn254.fields.Fp.ORDER;
const R = bn254.fields.Fr.ORDER;

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new Groth16FileError("FILE_NOT_FOUND", file, "cannot be read", e);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new Groth16FileError("FILE_NOT_JSON", file, "is not JSON", e);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A decimal string below `bound`. */
function scalar(bad: (problem: string) => never, v: unknown, what: string, bound: bigint): bigint {
  if (typeof v !== "string" || !/^[0-9]{1,80}$/.test(v)) return bad(`${what} is not a decimal string`);
  const n = BigInt(v);
  if (n >= bound)
    return bad(`${what} is not below the ${bound === P ? "base field" : "scalar field"} modulus`);
  return n;
}

function g1(bad: (problem: string) => never, v: unknown, what: string): G1Affine {
  if (!Array.isArray(v) || v.length !== 3) return bad(`${what} is not a G1 point [x, y, "1"]`);
  const [x, y] = [scalar(bad, v[0], `${what}.x`, P), scalar(bad, v[1], `${what}.y`, P)];
  if (v[2] !== "1") return bad(`${what} is not affine (z must be "1"; infinity is not a valid element here)`);
  try {
    bn254.G1.Point.fromAffine({ x, y }).assertValidity();
  } catch {
    return bad(`${what} is not on BN254's G1 (y² = x³ + 3)`);
  }
  return { x, y };
}

function g2(bad: (problem: string) => never, v: unknown, what: string): G2Affine {
  const pair = (u: unknown, c: string): [bigint, bigint] => {
    if (!Array.isArray(u) || u.length !== 2) return bad(`${what}.${c} is not an Fq2 pair`);
    return [scalar(bad, u[0], `${what}.${c}[0]`, P), scalar(bad, u[1], `${what}.${c}[1]`, P)];
  };
  if (!Array.isArray(v) || v.length !== 3) return bad(`${what} is not a G2 point [x, y, ["1", "0"]]`);
  const [x, y] = [pair(v[0], "x"), pair(v[1], "y")];
  const z = v[2] as unknown;
  if (!Array.isArray(z) || z[0] !== "1" || z[1] !== "0")
    return bad(`${what} is not affine (z must be ["1", "0"])`);
  const { Fp2 } = bn254.fields;
  try {
    bn254.G2.Point.fromAffine({
      x: Fp2.create({ c0: x[0], c1: x[1] }),
      y: Fp2.create({ c0: y[0], c1: y[1] }),
    }).assertValidity();
  } catch {
    return bad(`${what} is not in BN254's G2 (off the twist or outside the order-r subgroup)`);
  }
  return { x, y };
}

/** A snarkjs `verification_key.json` for BN254 Groth16. */
export function readVerifyingKey(file: string): VerifyingKey {
  const j = readJson(file);
  const bad = (problem: string): never => {
    throw new Groth16FileError("VKEY_INVALID", file, problem);
  };
  if (!isObject(j)) return bad("is not a verifying key object");
  if (j.protocol !== "groth16") return bad(`protocol is ${JSON.stringify(j.protocol)}, not "groth16"`);
  if (j.curve !== "bn128") return bad(`curve is ${JSON.stringify(j.curve)}, not "bn128" (BN254)`);
  const n = j.nPublic;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 1024)
    return bad("nPublic is not an integer 0…1024");
  if (!Array.isArray(j.IC) || j.IC.length !== n + 1)
    return bad(
      `IC must hold nPublic + 1 = ${n + 1} points, it holds ${Array.isArray(j.IC) ? j.IC.length : "none"}`,
    );
  return {
    nPublic: n,
    alpha: g1(bad, j.vk_alpha_1, "vk_alpha_1"),
    beta: g2(bad, j.vk_beta_2, "vk_beta_2"),
    gamma: g2(bad, j.vk_gamma_2, "vk_gamma_2"),
    delta: g2(bad, j.vk_delta_2, "vk_delta_2"),
    ic: j.IC.map((p: unknown, i: number) => g1(bad, p, `IC[${i}]`)),
  };
}

/** A snarkjs `proof.json` for BN254 Groth16: A and C in G1, B in G2 (subgroup checked). */
export function readProof(file: string): Proof {
  const j = readJson(file);
  const bad = (problem: string): never => {
    throw new Groth16FileError("PROOF_INVALID", file, problem);
  };
  if (!isObject(j)) return bad("is not a proof object");
  if (j.protocol !== undefined && j.protocol !== "groth16")
    return bad(`protocol is ${JSON.stringify(j.protocol)}, not "groth16"`);
  if (j.curve !== undefined && j.curve !== "bn128")
    return bad(`curve is ${JSON.stringify(j.curve)}, not "bn128" (BN254)`);
  return { a: g1(bad, j.pi_a, "pi_a"), b: g2(bad, j.pi_b, "pi_b"), c: g1(bad, j.pi_c, "pi_c") };
}

/** A snarkjs `public.json`: `nPublic` decimal strings below r. */
export function readPublicInputs(file: string, nPublic: number): bigint[] {
  const j = readJson(file);
  const bad = (problem: string): never => {
    throw new Groth16FileError("PUBLIC_INVALID", file, problem);
  };
  if (!Array.isArray(j)) return bad("is not an array of public inputs");
  if (j.length !== nPublic) return bad(`holds ${j.length} public inputs, the verifying key takes ${nPublic}`);
  return j.map((v: unknown, i: number) => scalar(bad, v, `input ${i}`, R));
}

/**
 * The Groth16 equation off-chain (what the Disprove program refutes on-chain):
 * e(A, B) = e(α, β)·e(L, γ)·e(C, δ) with L = IC₀ + Σ xᵢ·ICᵢ₊₁.
 */
export function verifyOffChain(vk: VerifyingKey, proof: Proof, inputs: readonly bigint[]): boolean {
  const { Fp2 } = bn254.fields;
  const G1 = bn254.G1.Point;
  const G2 = bn254.G2.Point;
  const p1 = (p: G1Affine) => G1.fromAffine(p);
  const p2 = (p: G2Affine) =>
    G2.fromAffine({
      x: Fp2.create({ c0: p.x[0], c1: p.x[1] }),
      y: Fp2.create({ c0: p.y[0], c1: p.y[1] }),
    });
  let L = p1(vk.ic[0]!);
  inputs.forEach((x, i) => {
    if (x !== 0n) L = L.add(p1(vk.ic[i + 1]!).multiply(x));
  });
  const f = bn254.pairingBatch([
    { g1: p1(proof.a).negate(), g2: p2(proof.b) },
    { g1: p1(vk.alpha), g2: p2(vk.beta) },
    { g1: L, g2: p2(vk.gamma) },
    { g1: p1(proof.c), g2: p2(vk.delta) },
  ]);
  return bn254.fields.Fp12.eql(f, bn254.fields.Fp12.ONE);
}
