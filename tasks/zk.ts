import path from "node:path";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import {
  ZkError,
  compileCircuit,
  exportSolidityVerifier,
  groth16Calldata,
  proveGroth16,
  readProofFile,
  releaseZk,
  resolvePtau,
  setupGroth16,
  verifierContractName,
  verifyGroth16,
  writeProofFile,
  type Groth16Setup,
} from "../ts/zk/index.js";

interface ZkArgs {
  circuit: string;
  ptau: string;
  input?: string;
  out?: string;
  proof?: string;
}

const progress = (msg: string): void => console.error(`  ${msg}`);

async function prepare(args: ZkArgs): Promise<Groth16Setup> {
  const circuit = await compileCircuit(args.circuit);
  console.error(
    `${circuit.source}: ${circuit.constraints} constraints, ${circuit.publicInputs} public inputs`,
  );
  const ptau = await resolvePtau(circuit, args.ptau === "" ? undefined : path.resolve(args.ptau), progress);
  return setupGroth16(circuit, ptau, progress);
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  const { readFile } = await import("node:fs/promises");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new ZkError("INPUT_INVALID", file, "input file cannot be read");
  }
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not a JSON object");
    return v as Record<string, unknown>;
  } catch (err) {
    throw new ZkError("INPUT_INVALID", file, `not a JSON object of signals (${(err as Error).message})`);
  }
}

async function run(action: string, args: ZkArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  switch (action) {
    case "setup": {
      const setup = await prepare(args);
      console.log(`zkey:     ${setup.zkey}`);
      console.log(`vkey:     ${setup.vkeyPath}`);
      console.log(`verifier: ${await exportSolidityVerifier(setup)}`);
      return;
    }
    case "prove": {
      const setup = await prepare(args);
      const proof = await proveGroth16(setup, await readJson(args.input ?? "input.json"));
      const out =
        (args.out ?? "") === ""
          ? path.join("build", "zk", `${setup.circuit.name}.proof.json`)
          : (args.out as string);
      await writeProofFile(out, proof);
      console.log(`proof: ${out}\npublic: ${proof.publicSignals.join(" ")}`);
      return;
    }
    case "verify": {
      const proof = await readProofFile(args.proof ?? "");
      const setup = await prepare(args);
      const offChain = await verifyGroth16(setup.vkey, proof);
      const { ethers, networkName } = await hre.network.create();
      const verifier = await ethers.deployContract(verifierContractName(setup.circuit.name));
      const cd = groth16Calldata(proof);
      const onChain = (await verifier.getFunction("verifyProof")(cd.a, cd.b, cd.c, cd.pub)) as boolean;
      console.log(
        `js: ${offChain ? "valid" : "INVALID"}\non-chain (${networkName}): ${onChain ? "valid" : "INVALID"}`,
      );
      if (!offChain || !onChain) process.exitCode = 1;
      return;
    }
  }
}

function action(name: string) {
  return async function (args: ZkArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
    try {
      await run(name, args, hre);
    } catch (err) {
      if (!(err instanceof ZkError)) throw err;
      // One line, naming the file and the problem, and a failing exit status.
      console.error(`zk:${name}: ${err.message} [${err.code}]`);
      process.exitCode = 1;
    } finally {
      await releaseZk();
    }
  };
}

export const setup = action("setup");
export const prove = action("prove");
export const verify = action("verify");
