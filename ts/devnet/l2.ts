/** The L2 node as a devnet service: EDR executor, dev accounts funded, state in `<root>/l2`. */
import path from "node:path";

import { JsonRpcProvider, Wallet, formatEther } from "ethers";

import {
  BRIDGE_ADDRESS,
  DEV_BALANCE_WEI,
  L2Node,
  ZkBatchProver,
  devAccounts,
  lvmChainSpec,
  type Hex,
  type Sequencer,
} from "../l2/index.js";
import type { Batch, BatchProof } from "../l2/index.js";
import type * as Zk from "../zk/index.js";
// ts/zk (snarkjs) is loaded only with the Groth16 prover: `--prover none` starts without it.
let zkModule: typeof Zk | undefined;
import { lvmBridge, submitBatchProofs } from "./bridge.js";
import { notStarted, type DevnetService, type ServiceInfo } from "./index.js";

export interface L2ServiceOptions {
  readonly port: number;
  readonly bridgeCode: Hex;
  readonly blockTimeMs?: number;
  /** Prove each batch's withdrawals (Groth16, 8 per proof), or not. */
  readonly prover?: "groth16" | "none";
  /** What Bitcoin has settled: the RPC's `safe` and `finalized` (docs/l2.md). */
  readonly finality?: () => Promise<{ safe: number; finalized: number }>;
}

/** Withdrawals per batch-circuit proof. */
const PROOF_BATCH = 8;

async function batchProver(): Promise<{ prover?: ZkBatchProver; line: string }> {
  const { createProver, obtainPtau } = (zkModule ??= await import("../zk/index.js"));
  const ptau = await obtainPtau(14, (msg) => console.log(`  zk: ${msg}`));
  const prover = createProver({
    circuit: `circuits/withdrawal_batch_${PROOF_BATCH}.circom`,
    backend: "groth16",
    ptau,
    progress: (msg) => console.log(`  zk: ${msg}`),
  });
  console.log("Setting up the batch prover in the background (keys cached after the first run)…");
  // The node serves RPC at once; batches are stored before they are proven and each proof waits
  // for this setup (a failed one is retried by the next batch, unproven batches on restart).
  const started = performance.now();
  prover.setup().then(
    () => console.log(`l2: batch prover ready (${((performance.now() - started) / 1000).toFixed(1)} s)`),
    (e: unknown) =>
      console.error(`l2: batch prover setup failed (retried with the next batch): ${String(e)}`),
  );
  return {
    prover: new ZkBatchProver(prover, PROOF_BATCH),
    line: `prover:   Groth16, withdrawal_batch_${PROOF_BATCH}, one proof per ${PROOF_BATCH} withdrawals of a batch (set up in the background)`,
  };
}

export function l2Service(opts: L2ServiceOptions): DevnetService & { url(): string; sequencer(): Sequencer } {
  let node: L2Node | undefined;
  let submitterProvider: JsonRpcProvider | undefined;
  return {
    name: "l2",
    url(): string {
      if (!node) throw notStarted("l2");
      return node.url;
    },
    sequencer(): Sequencer {
      if (!node) throw notStarted("l2");
      return node.sequencer;
    },
    async start(root: string): Promise<ServiceInfo> {
      const accounts = devAccounts();
      // Dev account #9 (the relayer's) governs the bridge: it configures it once the light client
      // is deployed and the committee's pool key is known.
      const spec = lvmChainSpec({
        bridgeCode: opts.bridgeCode,
        devAccounts: accounts.map((a) => a.address),
        bridgeGovernor: accounts[9]!.address,
      });
      const zk = opts.prover === "none" ? { line: "prover:   off (--prover none)" } : await batchProver();
      node = await L2Node.start({
        datadir: path.join(root, "l2"),
        spec,
        port: opts.port,
        blockTimeMs: opts.blockTimeMs ?? 1_000,
        ...(zk.prover === undefined ? {} : { prover: zk.prover }),
        ...(opts.finality === undefined ? {} : { rpc: { finality: opts.finality } }),
      });
      node.sequencer.on("error", (e: unknown) => console.error(`l2 sequencer: ${String(e)}`));
      // Dev account #7 carries each batch's proofs to the L2 bridge, which verifies them on chain.
      submitterProvider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
      const submitter = lvmBridge(new Wallet(accounts[7]!.privateKey, submitterProvider));
      node.sequencer.on("proof", (batch: Batch, proof: BatchProof) => {
        if (batch.withdrawals.length === 0) return;
        console.log(`l2: batch ${batch.index} proven (${batch.withdrawals.length} withdrawals)`);
        submitBatchProofs(submitter, proof).then(
          (n) => console.log(`l2: batch ${batch.index}: ${n} proof(s) verified by the L2 bridge`),
          (e: unknown) =>
            console.error(`l2: batch ${batch.index}: proof not recorded on the L2: ${String(e)}`),
        );
      });
      return {
        name: "L2 node (LVM, EDR executor)",
        lines: [
          `RPC:      ${node.url}   (Hardhat network "lvm")`,
          `chain id: ${spec.chainId}   head: #${node.sequencer.head.number}`,
          `bridge:   ${BRIDGE_ADDRESS}`,
          zk.line,
          `dev accounts (${formatEther(DEV_BALANCE_WEI)} BTC each, test mnemonic, never use with real funds):`,
          ...accounts.map((a, i) => `  #${i} ${a.address}  ${a.privateKey}`),
        ],
      };
    },
    async stop(): Promise<void> {
      submitterProvider?.destroy();
      await node?.stop();
      node = undefined;
      await zkModule?.releaseZk();
    },
  };
}
