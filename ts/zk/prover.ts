import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";

import * as snarkjs from "snarkjs";

import { ZkError } from "./errors.js";
import {
  BUILD_DIR,
  atomically,
  compileCircuit,
  proveGroth16,
  renderSolidityVerifier,
  resolvePtau,
  setupGroth16,
  sharedCurve,
  sha256File,
  verifierContractName,
  verifyGroth16,
  type CompiledCircuit,
  type Groth16Proof,
  type Progress,
} from "./pipeline.js";

/** Proof systems the LVM prover can run; both are snarkjs back ends over BN254. */
export type ProverBackend = "groth16" | "plonk";
export const PROVER_BACKENDS: readonly ProverBackend[] = ["groth16", "plonk"];

/** Witness inputs: signal name to a field value or (nested) array of them. */
export type CircuitInputs = Record<string, unknown>;

export interface ProverConfig {
  /** circom file, relative to the repo root. */
  readonly circuit: string;
  readonly backend: ProverBackend;
  /** Powers-of-tau file; absent: generate one locally (slow, cached). */
  readonly ptau?: string;
  /** Root of the key and proof caches (default build/zk). */
  readonly cacheDir?: string;
  readonly progress?: Progress;
}

export interface ProverKeys {
  readonly backend: ProverBackend;
  readonly circuit: CompiledCircuit;
  readonly zkey: string;
  readonly vkey: Record<string, unknown>;
  /** Public inputs the verifier takes (outputs come first, as snarkjs orders them). */
  readonly publicInputs: number;
}

export interface Proof {
  readonly backend: ProverBackend;
  readonly proof: Record<string, unknown>;
  readonly publicSignals: string[];
}

/** What the L2 node calls per batch: set up once, then prove and verify statements. */
export interface Prover {
  readonly backend: ProverBackend;
  /** Compiles the circuit and derives (or loads from the cache) proving and verification keys. */
  setup(): Promise<ProverKeys>;
  /** Witness + proof; a cached proof for the same keys and inputs is returned without proving. */
  prove(inputs: CircuitInputs): Promise<Proof>;
  /** Off-chain verification; a proof of another back end or public input count is an error. */
  verify(proof: Proof): Promise<boolean>;
  /** The Solidity verifier for these keys. */
  solidityVerifier(contractName?: string): Promise<string>;
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));
}

function checkInputs(circuit: string, inputs: unknown): asserts inputs is CircuitInputs {
  if (typeof inputs !== "object" || inputs === null || Array.isArray(inputs)) {
    throw new ZkError("INPUT_INVALID", circuit, "inputs must be an object of signals");
  }
  const ok = (v: unknown): boolean =>
    Array.isArray(v)
      ? v.every(ok)
      : typeof v === "bigint" ||
        (typeof v === "number" && Number.isSafeInteger(v)) ||
        (typeof v === "string" && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(v));
  for (const [k, v] of Object.entries(inputs)) {
    if (!ok(v))
      throw new ZkError(
        "INPUT_INVALID",
        `${circuit}.${k}`,
        "signal values must be integers (bigint, safe number, decimal or 0x string)",
      );
  }
}

class SnarkjsProver implements Prover {
  private keys?: Promise<ProverKeys>;
  private readonly cacheDir: string;

  constructor(private readonly config: ProverConfig) {
    if (!PROVER_BACKENDS.includes(config.backend)) {
      throw new ZkError(
        "INPUT_INVALID",
        String(config.backend),
        `unknown prover back end (use ${PROVER_BACKENDS.join(" | ")})`,
      );
    }
    this.cacheDir = config.cacheDir ?? BUILD_DIR;
  }

  get backend(): ProverBackend {
    return this.config.backend;
  }

  setup(): Promise<ProverKeys> {
    // Concurrent callers share one setup; a failed one may be retried.
    this.keys ??= this.doSetup().catch((err: unknown) => {
      this.keys = undefined;
      throw err;
    });
    return this.keys;
  }

  private async doSetup(): Promise<ProverKeys> {
    const progress = this.config.progress ?? (() => undefined);
    const circuit = await compileCircuit(this.config.circuit);
    const ptau = await resolvePtau(circuit, this.config.ptau, progress);
    const keysDir = path.join(this.cacheDir, "keys");
    if (this.backend === "groth16") {
      const s = await setupGroth16(circuit, ptau, progress, keysDir);
      return { backend: "groth16", circuit, zkey: s.zkey, vkey: s.vkey, publicInputs: circuit.publicInputs };
    }
    const ptauHash = await sha256File(ptau);
    const dir = path.join(keysDir, `plonk-${circuit.r1csHash.slice(0, 16)}-${ptauHash.slice(0, 16)}`);
    const zkey = path.join(dir, `${circuit.name}.zkey`);
    const vkeyPath = path.join(dir, `${circuit.name}.vkey.json`);
    if (!existsSync(vkeyPath)) {
      await atomically(dir, async (tmp) => {
        await mkdir(tmp, { recursive: true });
        progress(`plonk: setup for ${circuit.name} (${circuit.constraints} constraints)`);
        // snarkjs.plonk.setup reports "circuit too big" through the logger and returns early,
        // leaving a truncated zkey: errors are collected and turned into a typed failure.
        const errors: string[] = [];
        const log = {
          debug: () => undefined,
          info: progress,
          warn: progress,
          error: (m: string) => errors.push(m),
        };
        try {
          await snarkjs.plonk.setup(circuit.r1cs, ptau, path.join(tmp, `${circuit.name}.zkey`), log);
        } catch (err) {
          throw new ZkError("SETUP_FAILED", ptau, `plonk setup failed: ${(err as Error).message}`, err);
        }
        if (errors.length > 0) {
          const tooBig = errors.find((e) => /too big/.test(e));
          throw tooBig
            ? new ZkError("PTAU_TOO_SMALL", ptau, `plonk setup of ${circuit.name}: ${tooBig}`)
            : new ZkError("SETUP_FAILED", ptau, `plonk setup of ${circuit.name}: ${errors[0]}`);
        }
        const vk = await snarkjs.zKey.exportVerificationKey(path.join(tmp, `${circuit.name}.zkey`));
        await writeFile(path.join(tmp, `${circuit.name}.vkey.json`), JSON.stringify(vk, null, 2));
      });
    }
    const vkey = JSON.parse(await readFile(vkeyPath, "utf8")) as Record<string, unknown>;
    return { backend: "plonk", circuit, zkey, vkey, publicInputs: circuit.publicInputs };
  }

  async prove(inputs: CircuitInputs): Promise<Proof> {
    await sharedCurve();
    const keys = await this.setup();
    checkInputs(keys.circuit.name, inputs);
    const id = createHash("sha256")
      .update(`${this.backend}\n${keys.zkey}\n${canonical(inputs)}`)
      .digest("hex");
    const file = path.join(this.cacheDir, "proofs", `${id}.json`);
    const cached = await this.readCached(file);
    if (cached) return cached;
    let proof: Proof;
    if (this.backend === "groth16") {
      const p = await proveGroth16(
        { circuit: keys.circuit, zkey: keys.zkey, vkey: keys.vkey, vkeyPath: "", ptauHash: "" as never },
        inputs,
      );
      proof = {
        backend: "groth16",
        proof: p.proof as unknown as Record<string, unknown>,
        publicSignals: p.publicSignals,
      };
    } else {
      try {
        const p = await snarkjs.plonk.fullProve(inputs, keys.circuit.wasm, keys.zkey);
        proof = { backend: "plonk", proof: p.proof, publicSignals: p.publicSignals };
      } catch (err) {
        throw new ZkError(
          "WITNESS_FAILED",
          keys.circuit.name,
          `witness does not satisfy the circuit: ${String((err as Error).message).split("\n")[0]}`,
          err,
        );
      }
    }
    await atomically(file, (tmp) => writeFile(tmp, JSON.stringify(proof)));
    return proof;
  }

  /** A cache entry is content-addressed and renamed into place whole; one that does not parse is dropped. */
  private async readCached(file: string): Promise<Proof | undefined> {
    if (!existsSync(file)) return undefined;
    try {
      const p = JSON.parse(await readFile(file, "utf8")) as Proof;
      if (p.backend === this.backend && Array.isArray(p.publicSignals) && typeof p.proof === "object")
        return p;
    } catch {
      // fall through: corrupted
    }
    await rm(file, { force: true });
    return undefined;
  }

  async verify(proof: Proof): Promise<boolean> {
    await sharedCurve();
    const keys = await this.setup();
    if (proof.backend !== this.backend) {
      throw new ZkError(
        "VKEY_MISMATCH",
        proof.backend,
        `proof is for another back end than this ${this.backend} prover`,
      );
    }
    if (proof.publicSignals.length !== keys.publicInputs) {
      throw new ZkError(
        "PUBLIC_INPUT_COUNT",
        String(proof.publicSignals.length),
        `${keys.circuit.name} has ${keys.publicInputs} public inputs`,
      );
    }
    if (this.backend === "groth16") {
      return verifyGroth16(keys.vkey, asGroth16(proof));
    }
    return snarkjs.plonk.verify(keys.vkey, proof.publicSignals, proof.proof);
  }

  async solidityVerifier(contractName?: string): Promise<string> {
    const keys = await this.setup();
    const suffix = this.backend === "plonk" ? "Plonk" : "";
    return renderSolidityVerifier(
      keys.zkey,
      contractName ?? verifierContractName(keys.circuit.name + suffix),
    );
  }
}

/** The factory the L2 node uses: the back end is a configuration value. */
export function createProver(config: ProverConfig): Prover {
  return new SnarkjsProver(config);
}

/** Calldata for the snarkjs PLONK verifier's `verifyProof(uint256[24], uint256[n])`. */
export async function plonkCalldata(proof: Proof): Promise<{ proof: bigint[]; pub: bigint[] }> {
  const text = await snarkjs.plonk.exportSolidityCallData(proof.proof, proof.publicSignals);
  // snarkjs prints two JS-ish array literals ("[…][…]"): read the quoted numbers in order.
  const words = [...text.matchAll(/"(0x[0-9a-fA-F]+|[0-9]+)"/g)].map((m) => BigInt(m[1]));
  if (words.length !== 24 + proof.publicSignals.length) {
    throw new ZkError(
      "PROOF_FILE_INVALID",
      proof.backend,
      `unexpected PLONK calldata (${words.length} words)`,
    );
  }
  return { proof: words.slice(0, 24), pub: words.slice(24) };
}

/** A prover's Groth16 proof in the pipeline's shape (for `groth16Calldata`); refuses other back ends. */
export function asGroth16(proof: Proof): Groth16Proof {
  if (proof.backend !== "groth16")
    throw new ZkError("PROOF_FILE_INVALID", proof.backend, "not a Groth16 proof");
  const p = proof.proof as { pi_a?: unknown; pi_b?: unknown; pi_c?: unknown };
  if (!Array.isArray(p.pi_a) || !Array.isArray(p.pi_b) || !Array.isArray(p.pi_c))
    throw new ZkError("PROOF_FILE_INVALID", proof.backend, "Groth16 proof without pi_a / pi_b / pi_c");
  return { proof: proof.proof as unknown as Groth16Proof["proof"], publicSignals: proof.publicSignals };
}
