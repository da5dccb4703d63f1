import { task } from "hardhat/config";
import type { NewTaskDefinition } from "hardhat/types/tasks";

/** Every command-line task of the project; each action is loaded lazily so `hardhat --help` stays fast. */
export const projectTasks: NewTaskDefinition[] = [
  task("devnet", "Run the local devnet (Bitcoin regtest L1 node + L2 LVM node) until Ctrl-C")
    .addOption({ name: "port", description: "L2 JSON-RPC port on 127.0.0.1", defaultValue: "8547" })
    .addOption({
      name: "l1port",
      description: "L1 (Bitcoin regtest) JSON-RPC port on 127.0.0.1",
      defaultValue: "18443",
    })
    .addOption({ name: "datadir", description: "Devnet state directory", defaultValue: ".devnet" })
    .addOption({
      name: "prover",
      description: "Prove each batch's withdrawals: groth16 | none",
      defaultValue: "groth16",
    })
    .addOption({
      name: "committeeport",
      description: "Devnet committee JSON-RPC port on 127.0.0.1",
      defaultValue: "18600",
    })
    .addOption({
      name: "dashboardport",
      description: "Bridge dashboard (web page) port on 127.0.0.1",
      defaultValue: "8550",
    })
    .addOption({
      name: "dlcport",
      description: "OP-DLC oracle federation JSON-RPC port on 127.0.0.1",
      defaultValue: "18610",
    })
    .setAction(() => import("./devnet.js"))
    .build(),
  task("btc:node", "Run the embedded Bitcoin regtest node (Bitcoin Core-compatible JSON-RPC) until Ctrl-C")
    .addOption({ name: "datadir", description: "Database directory", defaultValue: ".devnet/btc" })
    .addOption({ name: "port", description: "JSON-RPC port on 127.0.0.1", defaultValue: "18443" })
    .addOption({ name: "rpcuser", description: "RPC user (empty: cookie auth)", defaultValue: "" })
    .addOption({ name: "rpcpassword", description: "RPC password (empty: cookie auth)", defaultValue: "" })
    .setAction(() => import("./btcnode.js"))
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
  task(
    "bridge:deposit",
    "Peg in on a running devnet: deposit from the L1 dev key, credited as native BTC on the L2",
  )
    .addOption({ name: "amount", description: "BTC to deposit", defaultValue: "0.5" })
    .addOption({ name: "recipient", description: "L2 recipient (empty: dev account #0)", defaultValue: "" })
    .addOption({ name: "resume", description: "Resume the deposit with this txid instead", defaultValue: "" })
    .addFlag({ name: "dryRun", description: "Show the fees and what is credited, send nothing" })
    .addOption({ name: "datadir", description: "Devnet state directory", defaultValue: ".devnet" })
    .addOption({
      name: "l1url",
      description: "L1 JSON-RPC URL (empty: the running devnet's)",
      defaultValue: "",
    })
    .addOption({
      name: "l2url",
      description: "L2 JSON-RPC URL (empty: the running devnet's)",
      defaultValue: "",
    })
    .setAction(async () => ({ default: (await import("./bridge-devnet.js")).deposit }))
    .build(),
  task("bridge:withdraw", "Peg out on a running devnet: lock BTC in the L2 bridge for a Bitcoin address")
    .addOption({ name: "amount", description: "BTC to withdraw", defaultValue: "0.1" })
    .addOption({ name: "to", description: "Bitcoin address (empty: the L1 dev key's)", defaultValue: "" })
    .addOption({ name: "account", description: "L2 dev account paying (0-9)", defaultValue: "0" })
    .addFlag({ name: "dryRun", description: "Show the fee and what is paid, send nothing" })
    .addOption({ name: "datadir", description: "Devnet state directory", defaultValue: ".devnet" })
    .addOption({
      name: "l1url",
      description: "L1 JSON-RPC URL (empty: the running devnet's)",
      defaultValue: "",
    })
    .addOption({
      name: "l2url",
      description: "L2 JSON-RPC URL (empty: the running devnet's)",
      defaultValue: "",
    })
    .setAction(async () => ({ default: (await import("./bridge-devnet.js")).withdraw }))
    .build(),
  task("bridge:resume", "Resume every deposit a bridge:deposit left unfinished (a killed CLI, say)")
    .addOption({ name: "datadir", description: "Devnet state directory", defaultValue: ".devnet" })
    .addOption({
      name: "l1url",
      description: "L1 JSON-RPC URL (empty: the running devnet's)",
      defaultValue: "",
    })
    .addOption({
      name: "l2url",
      description: "L2 JSON-RPC URL (empty: the running devnet's)",
      defaultValue: "",
    })
    .setAction(async () => ({ default: (await import("./bridge-devnet.js")).resume }))
    .build(),
  task(
    "bridge:status",
    "The bridge on a running devnet: each deposit and withdrawal, its state and what it waits for",
  )
    .addFlag({ name: "json", description: "One JSON object, for scripts" })
    .addOption({ name: "datadir", description: "Devnet state directory", defaultValue: ".devnet" })
    .addOption({
      name: "l1url",
      description: "L1 JSON-RPC URL (empty: the running devnet's)",
      defaultValue: "",
    })
    .addOption({
      name: "l2url",
      description: "L2 JSON-RPC URL (empty: the running devnet's)",
      defaultValue: "",
    })
    .setAction(async () => ({ default: (await import("./bridge-devnet.js")).status }))
    .build(),
  task(
    "bridge:challenge",
    "Challenge an operator's KickOff on a running devnet (funded from the L1 dev key), if the L2 does not cover it",
  )
    .addOption({ name: "kickoff", description: "KickOff txid (64 hex digits)", defaultValue: "" })
    .addFlag({ name: "force", description: "Challenge even a claim the L2's proven payouts cover" })
    .addFlag({ name: "json", description: "One JSON object, for scripts" })
    .addOption({ name: "datadir", description: "Devnet state directory", defaultValue: ".devnet" })
    .addOption({
      name: "l1url",
      description: "L1 JSON-RPC URL (empty: the running devnet's)",
      defaultValue: "",
    })
    .addOption({
      name: "l2url",
      description: "L2 JSON-RPC URL (empty: the running devnet's)",
      defaultValue: "",
    })
    .setAction(() => import("./challenger.js"))
    .build(),
  task("dlc:open", "Open an OP-DLC channel on the devnet (plays both sides with public test keys)")
    .addOption({
      name: "contract",
      description: "DlcChannels address on the L2 (default: the devnet's, in <datadir>/dlc.json)",
      defaultValue: "",
    })
    .addOption({
      name: "amount",
      description: "BTC to lock in the channel (sat precision)",
      defaultValue: "1",
    })
    .addOption({ name: "account", description: "L2 dev account owning the channel (0-9)", defaultValue: "0" })
    .addOption({
      name: "fedaccount",
      description: "L2 dev account of the federation (0-9)",
      defaultValue: "3",
    })
    .addOption({ name: "refundblocks", description: "Blocks until the refund is valid", defaultValue: "144" })
    .addOption({ name: "datadir", description: "Devnet state directory", defaultValue: ".devnet" })
    .addOption({
      name: "l1url",
      description: "L1 JSON-RPC URL (empty: the running devnet's)",
      defaultValue: "",
    })
    .addOption({
      name: "l2url",
      description: "L2 JSON-RPC URL (empty: the running devnet's)",
      defaultValue: "",
    })
    .setAction(async () => ({ default: (await import("./dlc.js")).open }))
    .build(),
  task(
    "dlc:status",
    "OP-DLC channels on a running devnet: each channel, its withdrawal request, the oracle's progress",
  )
    .addOption({
      name: "contract",
      description: "DlcChannels address on the L2 (default: the devnet's, in <datadir>/dlc.json)",
      defaultValue: "",
    })
    .addOption({ name: "datadir", description: "Devnet state directory", defaultValue: ".devnet" })
    .addOption({
      name: "l1url",
      description: "L1 JSON-RPC URL (empty: the running devnet's)",
      defaultValue: "",
    })
    .addOption({
      name: "l2url",
      description: "L2 JSON-RPC URL (empty: the running devnet's)",
      defaultValue: "",
    })
    .setAction(async () => ({ default: (await import("./dlc.js")).status }))
    .build(),
  task(
    "dlc:withdraw",
    "Ask the L2 for an exact OP-DLC withdrawal from a channel (the oracle attests this amount)",
  )
    .addOption({
      name: "contract",
      description: "DlcChannels address on the L2 (default: the devnet's, in <datadir>/dlc.json)",
      defaultValue: "",
    })
    .addOption({ name: "channel", description: "Channel id (0x…32 bytes)", defaultValue: "" })
    .addOption({ name: "amount", description: "BTC to withdraw (sat precision)", defaultValue: "0.1" })
    .addOption({ name: "account", description: "L2 dev account owning the channel (0-9)", defaultValue: "0" })
    .addOption({ name: "datadir", description: "Devnet state directory", defaultValue: ".devnet" })
    .addOption({
      name: "l1url",
      description: "L1 JSON-RPC URL (empty: the running devnet's)",
      defaultValue: "",
    })
    .addOption({
      name: "l2url",
      description: "L2 JSON-RPC URL (empty: the running devnet's)",
      defaultValue: "",
    })
    .setAction(async () => ({ default: (await import("./dlc.js")).withdraw }))
    .build(),
  task(
    "dlc:disprove",
    "Check the oracle's sign transaction against the L2 request; broadcast the Disprove-CET if it lies",
  )
    .addOption({
      name: "contract",
      description: "DlcChannels address on the L2 (default: the devnet's, in <datadir>/dlc.json)",
      defaultValue: "",
    })
    .addOption({ name: "channel", description: "Channel id (0x…32 bytes)", defaultValue: "" })
    .addOption({
      name: "to",
      description: "Challenger's Bitcoin address (gets the unburned half)",
      defaultValue: "",
    })
    .addOption({ name: "datadir", description: "Devnet state directory", defaultValue: ".devnet" })
    .addOption({
      name: "l1url",
      description: "L1 JSON-RPC URL (empty: the running devnet's)",
      defaultValue: "",
    })
    .addOption({
      name: "l2url",
      description: "L2 JSON-RPC URL (empty: the running devnet's)",
      defaultValue: "",
    })
    .setAction(async () => ({ default: (await import("./dlc.js")).disprove }))
    .build(),
  task("relay", "Relay Bitcoin headers from a Core-compatible JSON-RPC to the L2 light client until Ctrl-C")
    .addOption({
      name: "lightclient",
      description: "BtcLightClient address (empty: deploy one)",
      defaultValue: "",
    })
    .addOption({
      name: "chain",
      description: "Bitcoin rules: regtest | testnet | mainnet",
      defaultValue: "regtest",
    })
    .addOption({
      name: "rpcurl",
      description: "Bitcoin JSON-RPC URL",
      defaultValue: "http://127.0.0.1:18443",
    })
    .addOption({ name: "rpcuser", description: "RPC user", defaultValue: "" })
    .addOption({ name: "rpcpassword", description: "RPC password", defaultValue: "" })
    .addOption({ name: "rpccookie", description: "Path of the node's .cookie file", defaultValue: "" })
    .addOption({ name: "batch", description: "Headers per L2 transaction", defaultValue: "100" })
    .addOption({ name: "poll", description: "Polling interval (ms)", defaultValue: "2000" })
    .setAction(() => import("./relay.js"))
    .build(),
  task("bitvm:compile", "Build a named BitVM Script fragment and print its size and stack figures")
    .addOption({ name: "fragment", description: "Fragment name (empty: list them)", defaultValue: "" })
    .addFlag({ name: "script", description: "Also print the script as hex and assembly" })
    .setAction(async () => ({ default: (await import("./bitvm.js")).compile }))
    .build(),
  task("bitvm:run", "Build a named BitVM Script fragment and execute it on our interpreter")
    .addOption({ name: "fragment", description: "Fragment name (empty: list them)", defaultValue: "" })
    .addOption({
      name: "input",
      description:
        "Input: two u32s 'a,b' for u32_*, message hex for hashes and Winternitz (empty: an example)",
      defaultValue: "",
    })
    .addFlag({ name: "trace", description: "Print every executed operation with the stack depth" })
    .setAction(async () => ({ default: (await import("./bitvm.js")).run }))
    .build(),
  task(
    "bitvm:groth16",
    "Compile a chunked BitVM2 program's Disprove leaves, check an assertion, print figures",
  )
    .addOption({ name: "program", description: "fq6-claim | g1-4p", defaultValue: "fq6-claim" })
    .addOption({ name: "out", description: "Leaf cache directory", defaultValue: "cache/groth16" })
    .addOption({ name: "vkey", description: "snarkjs BN254 Groth16 verifying key (JSON)", defaultValue: "" })
    .addOption({ name: "proof", description: "snarkjs proof (JSON), with --public", defaultValue: "" })
    .addOption({
      name: "public",
      description: "snarkjs public inputs (JSON), with --proof",
      defaultValue: "",
    })
    .setAction(() => import("./groth16.js"))
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
