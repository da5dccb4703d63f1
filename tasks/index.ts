import { task } from "hardhat/config";
import type { NewTaskDefinition } from "hardhat/types/tasks";

/** Every command-line task of the project; each action is loaded lazily so `hardhat --help` stays fast. */
export const projectTasks: NewTaskDefinition[] = [
  task("devnet", "Run the local devnet (L2 EDR JSON-RPC node with the system contracts) until Ctrl-C")
    .addOption({ name: "port", description: "L2 JSON-RPC port on 127.0.0.1", defaultValue: "8547" })
    .addOption({ name: "datadir", description: "Devnet state directory", defaultValue: ".devnet" })
    .setAction(() => import("./devnet.js"))
    .build(),
  task("bridge:address", "Print the BitVM bridge deposit address for a committee, depositor and L2 recipient")
    .addOption({
      name: "committee",
      description: "Committee public keys (33-byte hex, comma-separated)",
      defaultValue: "",
    })
    .addOption({
      name: "depositor",
      description: "Depositor's x-only refund key (32-byte hex)",
      defaultValue: "",
    })
    .addOption({ name: "recipient", description: "L2 recipient (0x…20 bytes)", defaultValue: "" })
    .addOption({ name: "profile", description: "Timelock profile: devnet | mainnet", defaultValue: "devnet" })
    .addOption({
      name: "chain",
      description: "Address network: regtest | testnet | mainnet",
      defaultValue: "regtest",
    })
    .setAction(() => import("./bridge.js"))
    .build(),
  task("zk:setup", "Compile a circom circuit, run the Groth16 setup, export its vkey and Solidity verifier")
    .addOption({
      name: "circuit",
      description: "circom file",
      defaultValue: "circuits/merkle_inclusion.circom",
    })
    .addOption({
      name: "ptau",
      description: "Powers-of-tau file (empty: generate one locally)",
      defaultValue: "",
    })
    .setAction(async () => ({ default: (await import("./zk.js")).setup }))
    .build(),
  task("zk:prove", "Prove a circuit for a JSON input of signals (Groth16)")
    .addOption({
      name: "circuit",
      description: "circom file",
      defaultValue: "circuits/merkle_inclusion.circom",
    })
    .addOption({
      name: "ptau",
      description: "Powers-of-tau file (empty: generate one locally)",
      defaultValue: "",
    })
    .addOption({ name: "input", description: "JSON file of input signals", defaultValue: "input.json" })
    .addOption({
      name: "out",
      description: "Proof file (empty: build/zk/<circuit>.proof.json)",
      defaultValue: "",
    })
    .setAction(async () => ({ default: (await import("./zk.js")).prove }))
    .build(),
  task("zk:verify", "Verify a proof file in JS and with the Solidity verifier on the selected network")
    .addOption({
      name: "circuit",
      description: "circom file",
      defaultValue: "circuits/merkle_inclusion.circom",
    })
    .addOption({
      name: "ptau",
      description: "Powers-of-tau file (empty: generate one locally)",
      defaultValue: "",
    })
    .addOption({
      name: "proof",
      description: "Proof file",
      defaultValue: "build/zk/merkle_inclusion.proof.json",
    })
    .setAction(async () => ({ default: (await import("./zk.js")).verify }))
    .build(),
];
