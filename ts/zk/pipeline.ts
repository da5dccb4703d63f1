import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, existsSync, readFileSync } from "node:fs";
import { mkdir, open, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

import * as snarkjs from "snarkjs";
import type { SnarkLogger } from "snarkjs";

import type { Hex } from "../core/index.js";
import { ZkError } from "./errors.js";

const require = createRequire(import.meta.url);

/** The repository root: circom (WASI) sees only its working directory, so everything runs from here. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BUILD_DIR = path.join(REPO_ROOT, "build", "zk");
/** Where `generatePtau` caches the files it makes (`pot<power>.ptau`). */
export const PTAU_CACHE_DIR = path.join(BUILD_DIR, "ptau");
/**
 * Environment variable naming directories (path-delimiter separated) that hold ready `pot<N>.ptau`
 * files, searched before the cache: how tests, CI and users bring a ceremony's file.
 */
export const PTAU_DIR_ENV = "LVM_PTAU_DIR";

/** A fixed beacon makes setups byte-for-byte reproducible: right for tests, never a real ceremony. */
export const TEST_BEACON = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";

/** Lowercase hex without prefix (ts/core's one `Hex`): digests of files and constraint systems. */
export type { Hex };

export interface CompiledCircuit {
  readonly name: string;
  readonly source: string;
  readonly r1cs: string;
  readonly wasm: string;
  /** sha256 of the R1CS: the identity of the constraint system, the key of every cache entry. */
  readonly r1csHash: Hex;
  readonly constraints: number;
  readonly publicInputs: number;
}

export interface Groth16Setup {
  readonly circuit: CompiledCircuit;
  readonly zkey: string;
  readonly vkeyPath: string;
  readonly vkey: Record<string, unknown>;
  readonly ptauHash: Hex;
}

export interface Groth16Proof {
  readonly proof: snarkjs.Groth16ProofJson;
  readonly publicSignals: string[];
}

/** Progress sink; the default is silent so library callers and tests stay quiet. */
export type Progress = (msg: string) => void;
const silent: Progress = () => undefined;

function snarkLogger(progress: Progress): SnarkLogger {
  return { debug: () => undefined, info: progress, warn: progress, error: progress };
}

/**
 * Groth16 phase 2 (newZKey, then the beacon) as one percentage with a time estimate, instead of
 * snarkjs' raw lines. snarkjs reports "<step>: i/n" at debug level; each step has a share of the
 * whole (rough shares measured on 2 cores: the G2 points and the H points dominate), and the
 * estimate is elapsed × (rest / done). One line at most every 3 s or 10 %.
 */
const PHASE2_STEPS: readonly [RegExp, string, number][] = [
  [/processing constraints/, "constraints", 8],
  [/writing coeffs/, "coefficients", 2],
  [/points end IC:/, "IC points", 1],
  [/HashingHPoints/, "H points", 18],
  [/points end C:/, "C points", 14],
  [/points end A:/, "A points", 10],
  [/points end B1:/, "B1 points", 10],
  [/points end B2:/, "B2 points", 25],
  [/Applying key:? L Section/, "beacon L", 6],
  [/Applying key:? H Section/, "beacon H", 6],
];

export function phase2Logger(progress: Progress, label: string, now: () => number = Date.now): SnarkLogger {
  const total = PHASE2_STEPS.reduce((a, [, , w]) => a + w, 0);
  const started = now();
  let best = 0;
  let lastAt = started;
  let lastPct = 0;
  const debug = (msg: string): void => {
    const m = /(\d+)\/(\d+)\s*$/.exec(msg);
    const step = PHASE2_STEPS.findIndex(([re]) => re.test(msg));
    if (m === null || step < 0 || Number(m[2]) === 0) return;
    const before = PHASE2_STEPS.slice(0, step).reduce((a, [, , w]) => a + w, 0);
    const done = (before + PHASE2_STEPS[step]![2] * Math.min(1, Number(m[1]) / Number(m[2]))) / total;
    if (done <= best) return;
    best = done;
    const t = now();
    const pct = Math.floor(done * 100);
    if (t - lastAt < 3_000 && pct - lastPct < 10) return;
    lastAt = t;
    lastPct = pct;
    const left = ((t - started) / 1000) * ((1 - done) / done);
    progress(
      `groth16: phase 2 for ${label}: ${pct} % (${PHASE2_STEPS[step]![1]}), about ${Math.ceil(left)} s left`,
    );
  };
  return { debug, info: () => undefined, warn: progress, error: progress };
}

export async function sha256File(file: string): Promise<Hex> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest("hex") as Hex;
}

/** A sibling temp name: a rename onto the final name is atomic, so readers never see half a file. */
function tempName(final: string): string {
  return `${final}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the temp siblings of `final` left by a process that was killed mid-way (its pid is in
 * the name and no longer runs); a live writer's temp is left alone.
 */
export async function removeStaleTemps(final: string): Promise<string[]> {
  const dir = path.dirname(final);
  const prefix = `${path.basename(final)}.tmp-`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split("-")[0]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || alive(pid)) continue;
    await rm(path.join(dir, name), { recursive: true, force: true });
    removed.push(path.join(dir, name));
  }
  return removed;
}

/**
 * Runs `produce(tmp)` then renames tmp onto `final`; on failure tmp is removed and nothing is
 * left. Temps of an earlier writer that was killed (kill -9, Ctrl-C mid-setup) are removed first.
 */
export async function atomically<T>(final: string, produce: (tmp: string) => Promise<T>): Promise<T> {
  await mkdir(path.dirname(final), { recursive: true });
  await removeStaleTemps(final);
  const tmp = tempName(final);
  try {
    const out = await produce(tmp);
    await rename(tmp, final);
    return out;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

function runCircom(args: string[]): Promise<{ code: number; output: string }> {
  const cli = path.join(path.dirname(require.resolve("circom2/package.json")), "cli.js");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, "");

/** How `compileCircuit` runs circom; part of the cache key. */
const CIRCOM_ARGS = ["--r1cs", "--wasm", "--O2", "-l", "node_modules"] as const;
/** Written next to the outputs: what they were compiled from, and what `compileCircuit` returns. */
const COMPILE_MANIFEST = "compiled.json";

interface CompileManifest {
  readonly inputs: Hex;
  readonly r1csHash: Hex;
  readonly constraints: number;
  readonly publicInputs: number;
}

/**
 * sha256 over everything circom reads for `abs`: the file and every file it includes, transitively
 * (resolved as circom does: next to the including file, then under node_modules), plus the circom2
 * version and flags. Undefined when an include cannot be found: circom will say why.
 */
export async function circuitInputsDigest(abs: string): Promise<Hex | undefined> {
  const h = createHash("sha256");
  const version = (require("circom2/package.json") as { version: string }).version;
  h.update(`circom2 ${version} ${CIRCOM_ARGS.join(" ")}\n`);
  const seen = new Set<string>();
  const queue = [abs];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = await readFile(file, "utf8");
    h.update(`${path.relative(REPO_ROOT, file)}\0${text.length}\0${text}`);
    for (const m of text.matchAll(/^\s*include\s+"([^"]+)"/gm)) {
      const found = [
        path.resolve(path.dirname(file), m[1]!),
        path.join(REPO_ROOT, "node_modules", m[1]!),
      ].find((f) => existsSync(f));
      if (found === undefined) return undefined;
      queue.push(found);
    }
  }
  return h.digest("hex") as Hex;
}

async function readManifest(outDir: string, inputs: Hex | undefined): Promise<CompileManifest | undefined> {
  if (inputs === undefined) return undefined;
  try {
    const m = JSON.parse(await readFile(path.join(outDir, COMPILE_MANIFEST), "utf8")) as CompileManifest;
    return m.inputs === inputs && typeof m.r1csHash === "string" && Number.isInteger(m.constraints)
      ? m
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Compiles a circom file (path relative to the repo root or absolute inside it) to R1CS + witness
 * wasm under build/zk/circuits/<name>/. The output directory is replaced atomically, with a
 * manifest naming the digest of its inputs (`circuitInputsDigest`): when the circuit and its
 * includes are unchanged, the earlier outputs are returned without running circom (~15 s for the
 * batch circuit).
 */
export async function compileCircuit(source: string): Promise<CompiledCircuit> {
  await sharedCurve();
  const abs = path.resolve(REPO_ROOT, source);
  if (!existsSync(abs)) throw new ZkError("CIRCUIT_NOT_FOUND", source, "circuit file does not exist");
  const rel = path.relative(REPO_ROOT, abs);
  if (rel.startsWith("..")) {
    throw new ZkError(
      "CIRCUIT_NOT_FOUND",
      source,
      "circuit must live inside the repository (circom sees only it)",
    );
  }
  const name = path.basename(abs, ".circom");
  const outDir = path.join(BUILD_DIR, "circuits", name);
  const inputs = await circuitInputsDigest(abs);
  const r1cs = path.join(outDir, `${name}.r1cs`);
  const wasm = path.join(outDir, `${name}.wasm`);
  const cached = await readManifest(outDir, inputs);
  if (cached !== undefined && existsSync(r1cs) && existsSync(wasm))
    return {
      name,
      source: rel,
      r1cs,
      wasm,
      r1csHash: cached.r1csHash,
      constraints: cached.constraints,
      publicInputs: cached.publicInputs,
    };
  await removeStaleTemps(outDir);
  const work = tempName(outDir);
  let manifest: CompileManifest;
  try {
    await mkdir(work, { recursive: true });
    const { code, output } = await runCircom([rel, ...CIRCOM_ARGS, "-o", path.relative(REPO_ROOT, work)]);
    if (code !== 0 || !existsSync(path.join(work, `${name}.r1cs`))) {
      const lines = stripAnsi(output)
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l.length > 0);
      const first = lines.find((l) => /error/i.test(l)) ?? lines[0] ?? `circom exited with ${code}`;
      const where = lines.map((l) => /([\w./-]+\.circom)"?:(\d+):(\d+)/.exec(l)).find((m) => m !== null);
      throw new ZkError(
        "CIRCUIT_COMPILE_FAILED",
        source,
        where ? `${first} at ${where[1]}:${where[2]}:${where[3]}` : first,
      );
    }
    // circom writes <name>_js/<name>.wasm plus helper scripts we do not need.
    await rename(path.join(work, `${name}_js`, `${name}.wasm`), path.join(work, `${name}.wasm`));
    await rm(path.join(work, `${name}_js`), { recursive: true, force: true });
    const info = await snarkjs.r1cs.info(path.join(work, `${name}.r1cs`));
    manifest = {
      inputs: inputs ?? ("" as Hex),
      r1csHash: await sha256File(path.join(work, `${name}.r1cs`)),
      constraints: info.nConstraints,
      publicInputs: info.nPubInputs + info.nOutputs,
    };
    if (inputs !== undefined)
      await writeFile(path.join(work, COMPILE_MANIFEST), JSON.stringify(manifest, null, 2));
    // The old output is stale; a directory cannot be renamed over a non-empty one.
    await rm(outDir, { recursive: true, force: true });
    await rename(work, outDir);
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    throw err;
  }
  return {
    name,
    source: rel,
    r1cs,
    wasm,
    r1csHash: manifest.r1csHash,
    constraints: manifest.constraints,
    publicInputs: manifest.publicInputs,
  };
}

/** Reads a .ptau header: returns its power after checking the magic and the BN254 field. */
export async function ptauPower(file: string): Promise<number> {
  if (!existsSync(file)) throw new ZkError("PTAU_NOT_FOUND", file, "powers-of-tau file does not exist");
  const fh = await open(file, "r");
  try {
    const head = Buffer.alloc(4 + 4 + 4 + 4 + 8 + 4 + 32 + 4);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    if (bytesRead < head.length || head.subarray(0, 4).toString("latin1") !== "ptau") {
      throw new ZkError("PTAU_INVALID", file, "not a .ptau file (bad magic)");
    }
    // magic, version, nSections, then section 1 (header): type u32, size u64, n8 u32, prime, power u32.
    const n8 = head.readUInt32LE(24);
    if (n8 !== 32)
      throw new ZkError("PTAU_INVALID", file, `unsupported field size ${n8} bytes (BN254 expected)`);
    const power = head.readUInt32LE(28 + 32);
    if (power < 1 || power > 28) throw new ZkError("PTAU_INVALID", file, `implausible power ${power}`);
    const size = (await stat(file)).size;
    // A phase-2-prepared file holds at least 2^power G1 points in its Lagrange section: truncation shows.
    if (size < 64 * 2 ** power)
      throw new ZkError("PTAU_INVALID", file, `truncated (${size} bytes for power ${power})`);
    return power;
  } finally {
    await fh.close();
  }
}

/** The smallest power of tau whose domain holds the circuit (snarkjs Groth16 needs nConstraints + nPub + 1). */
export function requiredPower(circuit: CompiledCircuit): number {
  const needed = circuit.constraints + circuit.publicInputs + 1;
  return Math.max(8, Math.ceil(Math.log2(needed)));
}

/**
 * The powers of tau shipped in the repository: `pot14.ptau` (19 MB), made with `generatePtau(14)`
 * (fixed beacon, so anyone can regenerate it byte for byte), enough for the devnet's batch circuit.
 */
export const SHIPPED_PTAU_DIR = path.join(REPO_ROOT, "circuits", "ptau");

/** The directories `findPtau` searches: `$LVM_PTAU_DIR` (a list), the shipped file, then the local cache. */
export function ptauDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const given = (env[PTAU_DIR_ENV] ?? "").split(path.delimiter).filter((d) => d.length > 0);
  return [...given.map((d) => path.resolve(d)), SHIPPED_PTAU_DIR, PTAU_CACHE_DIR];
}

/**
 * A ready ptau that fits `power`: the smallest `pot<p>.ptau` (p ≥ power, up to 28) in the first
 * of `dirs` that has one. Undefined when none is found; nothing is read outside `dirs`.
 */
export function findPtau(power: number, dirs: readonly string[] = ptauDirs()): string | undefined {
  for (const dir of dirs)
    for (let p = power; p <= 28; p++) {
      const f = path.join(dir, `pot${p}.ptau`);
      if (existsSync(f)) return f;
    }
  return undefined;
}

/** Rough wall time of `generatePtau(power)` on 2 cores, in seconds (measured: see docs/zk.md). */
export function ptauGenerationEstimate(power: number): number {
  // Dominated by prepare-phase-2, about doubling per power. Power 14 took ~9 min of CPU (measured
  // on a loaded machine, where it took 70 min of wall time); the shared pot16 took 20 min.
  return Math.round(480 * 2 ** (power - 14));
}

/**
 * A ptau for `power`: a ready one (`findPtau`), else one generated here with a fixed beacon and
 * cached (`generatePtau`), with progress and the expected time reported first.
 */
export async function obtainPtau(power: number, progress: Progress = silent): Promise<string> {
  const ready = findPtau(power);
  if (ready !== undefined) return ready;
  const s = ptauGenerationEstimate(power);
  progress(
    `no powers-of-tau file of power ≥ ${power} in ${ptauDirs().join(", ")}; generating one ` +
      `(about ${s < 120 ? `${s} s` : `${Math.round(s / 60)} min`} on 2 cores, once: it is cached). ` +
      `Set ${PTAU_DIR_ENV} to a directory of pot<N>.ptau files to skip this.`,
  );
  return generatePtau(power, progress);
}

/**
 * Generates a local powers-of-tau file of the given power with a fixed beacon, cached as
 * build/zk/ptau/pot<power>.ptau. Power 16 takes ~20 minutes on 2 cores: progress is reported.
 */
export async function generatePtau(power: number, progress: Progress = silent): Promise<string> {
  await sharedCurve();
  const final = path.join(PTAU_CACHE_DIR, `pot${power}.ptau`);
  if (existsSync(final)) return final;
  const log = snarkLogger(progress);
  const curve = await snarkjs.curves.getCurveFromName("bn128");
  return atomically(final, async (tmp) => {
    const a = `${tmp}.0`;
    const b = `${tmp}.1`;
    try {
      progress(`ptau: new accumulator of power ${power}`);
      await snarkjs.powersOfTau.newAccumulator(curve, power, a, log);
      progress("ptau: beacon contribution");
      await snarkjs.powersOfTau.beacon(a, b, "lvm local beacon", TEST_BEACON, 10, log);
      progress("ptau: prepare phase 2 (the long step)");
      await snarkjs.powersOfTau.preparePhase2(b, tmp, log);
      return final;
    } finally {
      await rm(a, { force: true });
      await rm(b, { force: true });
    }
  });
}

/**
 * Resolves the ptau to use: the given path (checked), else one generated locally and cached under
 * build/ (sized to the circuit). Tests and CI pass their file explicitly.
 */
export async function resolvePtau(
  circuit: CompiledCircuit,
  given?: string,
  progress: Progress = silent,
): Promise<string> {
  const need = requiredPower(circuit);
  const file = given ?? (await generatePtau(need, progress));
  const power = await ptauPower(file);
  if (power < need) {
    throw new ZkError(
      "PTAU_TOO_SMALL",
      file,
      `power ${power} holds ${2 ** power} constraints, circuit ${circuit.name} needs power ${need}`,
    );
  }
  return file;
}

/**
 * Groth16 phase 2 for a compiled circuit: zkey (with a fixed beacon contribution), verification
 * key. Cached under build/zk/keys/<r1cs hash>-<ptau hash>/, written atomically.
 */
export async function setupGroth16(
  circuit: CompiledCircuit,
  ptau: string,
  progress: Progress = silent,
  cacheRoot: string = path.join(BUILD_DIR, "keys"),
): Promise<Groth16Setup> {
  await sharedCurve();
  const ptauHash = await sha256File(ptau);
  const dir = path.join(cacheRoot, `groth16-${circuit.r1csHash.slice(0, 16)}-${ptauHash.slice(0, 16)}`);
  const zkey = path.join(dir, `${circuit.name}.zkey`);
  const vkeyPath = path.join(dir, `${circuit.name}.vkey.json`);
  if (!existsSync(vkeyPath)) {
    const started = Date.now();
    const log = phase2Logger(progress, circuit.name);
    await atomically(dir, async (tmp) => {
      await mkdir(tmp, { recursive: true });
      const z0 = path.join(tmp, "phase2-0.zkey");
      try {
        progress(
          `groth16: phase 2 for ${circuit.name} (${circuit.constraints} constraints; cached after this run)`,
        );
        await snarkjs.zKey.newZKey(circuit.r1cs, ptau, z0, log);
        await snarkjs.zKey.beacon(
          z0,
          path.join(tmp, `${circuit.name}.zkey`),
          "lvm beacon",
          TEST_BEACON,
          10,
          log,
        );
      } catch (err) {
        if (err instanceof ZkError) throw err;
        throw new ZkError("SETUP_FAILED", ptau, `phase 2 setup failed: ${(err as Error).message}`, err);
      }
      await rm(z0, { force: true });
      const vk = await snarkjs.zKey.exportVerificationKey(path.join(tmp, `${circuit.name}.zkey`));
      await writeFile(path.join(tmp, `${circuit.name}.vkey.json`), JSON.stringify(vk, null, 2));
    });
    progress(`groth16: phase 2 for ${circuit.name} done in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  const vkey = JSON.parse(await readFile(vkeyPath, "utf8")) as Record<string, unknown>;
  return { circuit, zkey, vkeyPath, vkey, ptauHash };
}

/** Solidity contract name for a circuit: merkle_inclusion -> MerkleInclusionVerifier. */
export function verifierContractName(circuitName: string): string {
  return (
    circuitName
      .split(/[^A-Za-z0-9]+/)
      .filter(Boolean)
      .map((w) => w[0].toUpperCase() + w.slice(1))
      .join("") + "Verifier"
  );
}

function loadTemplates(): { groth16: string; plonk: string; fflonk: string } {
  // snarkjs exports no package.json subpath: find templates/ from its main entry (build/main.cjs).
  const dir = path.join(path.dirname(require.resolve("snarkjs")), "..", "templates");
  return {
    groth16: readFileSync(path.join(dir, "verifier_groth16.sol.ejs"), "utf8"),
    plonk: readFileSync(path.join(dir, "verifier_plonk.sol.ejs"), "utf8"),
    fflonk: readFileSync(path.join(dir, "verifier_fflonk.sol.ejs"), "utf8"),
  };
}

/**
 * snarkjs' PLONK template reads the proof from calldata at fixed offsets (`pA`, `pB`, … in its
 * assembly), never through the `_proof` parameter, so solc warns that it is unused. Naming it in
 * a no-op statement silences the warning and keeps the parameter's name in the ABI (and in the
 * typechain bindings); Groth16 and fflonk verifiers have no such parameter and are left alone.
 */
function silenceUnusedProof(src: string): string {
  const signature =
    /(function verifyProof\(\s*uint256\[24\] calldata _proof,[^)]*\) public view returns \(bool\) \{\n)/;
  return src.replace(
    signature,
    "$1        // Read by the assembly below at fixed calldata offsets, not through the name.\n        _proof;\n",
  );
}

/** Renders the snarkjs Solidity verifier for a zkey, renamed after the circuit, and returns the source. */
export async function renderSolidityVerifier(zkey: string, contractName: string): Promise<string> {
  await sharedCurve();
  const src = await snarkjs.zKey.exportSolidityVerifier(zkey, loadTemplates());
  const renamed = src.replace(
    /contract (Groth16Verifier|PlonkVerifier|FflonkVerifier)\b/,
    `contract ${contractName}`,
  );
  const silenced = silenceUnusedProof(renamed);
  // Formatted with the repository's own Prettier settings so committed verifiers pass the format
  // check and regenerate byte-for-byte.
  const prettier = await import("prettier");
  const options = (await prettier.resolveConfig(path.join(REPO_ROOT, "contracts", "zk", "X.sol"))) ?? {};
  return prettier.format(silenced, {
    ...options,
    filepath: path.join(REPO_ROOT, "contracts", "zk", `${contractName}.sol`),
    plugins: [require.resolve("prettier-plugin-solidity")],
  });
}

/** Writes contracts/zk/<Name>Verifier.sol (atomically) and returns its path. */
export async function exportSolidityVerifier(
  setup: Groth16Setup,
  outDir = path.join(REPO_ROOT, "contracts", "zk"),
): Promise<string> {
  const name = verifierContractName(setup.circuit.name);
  const file = path.join(outDir, `${name}.sol`);
  const src = await renderSolidityVerifier(setup.zkey, name);
  await atomically(file, (tmp) => writeFile(tmp, src));
  return file;
}

/** Computes the witness and a Groth16 proof. Witness failures (an unsatisfied constraint) become WITNESS_FAILED. */
export async function proveGroth16(setup: Groth16Setup, input: snarkjs.SignalInput): Promise<Groth16Proof> {
  await sharedCurve();
  try {
    const { proof, publicSignals } = await snarkjs.groth16.fullProve(input, setup.circuit.wasm, setup.zkey);
    return { proof, publicSignals };
  } catch (err) {
    const msg = (err as Error).message ?? String(err);
    if (/Too many values|Not enough values|Signal not found|Invalid number/i.test(msg)) {
      throw new ZkError("INPUT_INVALID", setup.circuit.name, `bad witness input: ${msg.split("\n")[0]}`, err);
    }
    throw new ZkError(
      "WITNESS_FAILED",
      setup.circuit.name,
      `witness does not satisfy the circuit: ${msg.split("\n")[0]}`,
      err,
    );
  }
}

/** Off-chain Groth16 verification against a verification key. */
export async function verifyGroth16(vkey: Record<string, unknown>, p: Groth16Proof): Promise<boolean> {
  await sharedCurve();
  const expected = Number(vkey.nPublic);
  if (p.publicSignals.length !== expected) {
    throw new ZkError(
      "PUBLIC_INPUT_COUNT",
      String(p.publicSignals.length),
      `verification key expects ${expected} public inputs`,
    );
  }
  return snarkjs.groth16.verify(vkey, p.publicSignals, p.proof);
}

const isDecimal = (v: unknown): v is string => typeof v === "string" && /^[0-9]{1,78}$/.test(v);

/** Parses and shape-checks a proof file ({proof, publicSignals}); errors name the file. */
export async function readProofFile(file: string): Promise<Groth16Proof> {
  if (!existsSync(file)) throw new ZkError("PROOF_FILE_INVALID", file, "proof file does not exist");
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    throw new ZkError("PROOF_FILE_INVALID", file, `not JSON (${(err as Error).message})`, err);
  }
  const o = parsed as { proof?: Record<string, unknown>; publicSignals?: unknown };
  const pr = o.proof;
  const ok =
    pr !== undefined &&
    Array.isArray(pr.pi_a) &&
    pr.pi_a.length === 3 &&
    pr.pi_a.every(isDecimal) &&
    Array.isArray(pr.pi_b) &&
    pr.pi_b.length === 3 &&
    pr.pi_b.every((x: unknown) => Array.isArray(x) && x.length === 2 && x.every(isDecimal)) &&
    Array.isArray(pr.pi_c) &&
    pr.pi_c.length === 3 &&
    pr.pi_c.every(isDecimal);
  if (!ok) throw new ZkError("PROOF_FILE_INVALID", file, "missing or malformed proof.pi_a / pi_b / pi_c");
  if (!Array.isArray(o.publicSignals) || !o.publicSignals.every(isDecimal)) {
    throw new ZkError("PROOF_FILE_INVALID", file, "publicSignals must be an array of decimal strings");
  }
  return { proof: pr as unknown as snarkjs.Groth16ProofJson, publicSignals: o.publicSignals as string[] };
}

/** Writes a proof file atomically. */
export async function writeProofFile(file: string, p: Groth16Proof): Promise<void> {
  await atomically(file, (tmp) => writeFile(tmp, JSON.stringify(p, null, 2)));
}

/** Arguments of the snarkjs verifier's `verifyProof(a, b, c, pubSignals)`; G2 coordinates are swapped for the EVM precompile. */
export function groth16Calldata(p: Groth16Proof): {
  a: [bigint, bigint];
  b: [[bigint, bigint], [bigint, bigint]];
  c: [bigint, bigint];
  pub: bigint[];
} {
  const B = (s: string): bigint => BigInt(s);
  const { pi_a, pi_b, pi_c } = p.proof;
  return {
    a: [B(pi_a[0]), B(pi_a[1])],
    b: [
      [B(pi_b[0][1]), B(pi_b[0][0])],
      [B(pi_b[1][1]), B(pi_b[1][0])],
    ],
    c: [B(pi_c[0]), B(pi_c[1])],
    pub: p.publicSignals.map(B),
  };
}

let curveReady: Promise<unknown> | undefined;

/**
 * snarkjs (ffjavascript) builds its bn128 worker pool on first use and keeps one in a global;
 * two first uses racing each build one and only the last is kept, so the other's threads are
 * never stopped and the process never exits. Every entry point builds it here first, once.
 */
export async function sharedCurve(): Promise<void> {
  curveReady ??= snarkjs.curves.getCurveFromName("bn128");
  await curveReady;
}

/** Stops snarkjs' worker threads; call once after the last proof or the process never exits. */
export async function releaseZk(): Promise<void> {
  const pending = curveReady;
  curveReady = undefined;
  await pending?.catch(() => undefined);
  const g = globalThis as { curve_bn128?: { terminate(): Promise<void> } | null };
  await g.curve_bn128?.terminate();
  delete g.curve_bn128;
}

/** Lists cache entries (for diagnostics). */
export async function listKeyCache(): Promise<string[]> {
  const dir = path.join(BUILD_DIR, "keys");
  return existsSync(dir) ? readdir(dir) : [];
}
