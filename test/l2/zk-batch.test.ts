import path from "node:path";

import { readFileSync } from "node:fs";

import { expect } from "chai";
import { Contract, ContractFactory, JsonRpcProvider, Wallet, parseEther, type InterfaceAbi } from "ethers";

import { lvmBridge, setDevnetBatchVerifier, submitBatchProofs } from "../../ts/devnet/bridge.js";
import {
  BRIDGE_ADDRESS,
  devAccounts,
  loadBridgeCode,
  lvmChainSpec,
  type Batch,
  type BatchProof,
  type L2Node,
} from "../../ts/l2/index.js";
import { ZkBatchProver, circuitWithdrawal, type ChunkProof } from "../../ts/l2/zk-prover.js";
import { REPO_ROOT, WithdrawalTree, createProver, releaseZk } from "../../ts/zk/index.js";
import { root, startTestNode } from "./helpers.js";

const PTAU = path.resolve(REPO_ROOT, "..", "shared", "ptau", "pot16.ptau");

describe("l2 + zk: the node proves every batch's withdrawals with the batch circuit", function () {
  let node: L2Node;
  let cleanup: () => Promise<void>;
  let zk: ZkBatchProver;

  before(async function () {
    const prover = createProver({
      circuit: "circuits/withdrawal_batch_8.circom",
      backend: "groth16",
      ptau: PTAU,
    });
    await prover.setup();
    zk = new ZkBatchProver(prover, 8);
    const spec = lvmChainSpec({
      bridgeCode: await loadBridgeCode(root),
      devAccounts: devAccounts().map((a) => a.address),
      bridgeGovernor: devAccounts()[9]!.address,
    });
    ({ node, cleanup } = await startTestNode({ prover: zk, batchBlocks: 2, spec }));
  });

  after(async function () {
    await cleanup?.();
    await releaseZk();
  });

  it("each batch's proof has the commitment the TypeScript model computes, and verifies", async function () {
    const provider = new JsonRpcProvider(node.url, undefined, {
      staticNetwork: true,
      pollingInterval: 50,
      cacheTimeout: -1,
    });
    const [, , , dave] = devAccounts(4);
    const bridge = new Contract(
      BRIDGE_ADDRESS,
      ["function withdraw(bytes scriptPubKey) payable returns (uint256)"],
      new Wallet(dave!.privateKey, provider),
    );
    const proofs = new Map<number, { batch: Batch; proof: BatchProof }>();
    node.sequencer.on("proof", (batch: Batch, proof: BatchProof) =>
      proofs.set(batch.index, { batch, proof }),
    );
    // Two withdrawals, mined in (usually) different blocks and batches.
    for (const spk of ["0x0014" + "11".repeat(20), "0x5120" + "22".repeat(32)]) {
      const tx = await bridge.getFunction("withdraw")(spk, { value: parseEther("0.0001") });
      await tx.wait();
    }
    // Wait until batches covering both withdrawals are proven.
    const proven = (): number => [...proofs.values()].reduce((n, p) => n + p.batch.withdrawals.length, 0);
    for (let i = 0; i < 600 && proven() < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(proven()).to.equal(2);

    // The model: the same withdrawals appended to an independent tree, batch by batch.
    const model = new WithdrawalTree(8);
    for (const index of [...proofs.keys()].sort((a, b) => a - b)) {
      const { batch, proof } = proofs.get(index)!;
      expect(proof.system).to.equal("groth16");
      const chunks = proof.proof as ChunkProof[];
      expect(chunks).to.have.length(batch.withdrawals.length === 0 ? 0 : 1);
      if (batch.withdrawals.length === 0) continue;
      const witness = model.appendBatch(batch.withdrawals.map(circuitWithdrawal));
      expect(chunks[0]!.proof.publicSignals).to.deep.equal([String(witness.commitment)]);
      expect(await zk.prover.verify(chunks[0]!.proof)).to.equal(true);
    }
    expect(zk.root).to.equal(model.root);
    // A prover started after a restart catches up from the log before proving the next batch.
    const last = Math.max(...[...proofs.keys()].filter((i) => proofs.get(i)!.batch.withdrawals.length > 0));
    const fresh = new ZkBatchProver(zk.prover, 8);
    const again = await fresh.prove(
      proofs.get(last)!.batch,
      async (i) => (await node.sequencer.batch(i))?.batch,
    );
    expect(again.publicSignals).to.deep.equal(proofs.get(last)!.proof.publicSignals);
    expect(fresh.root).to.equal(model.root);
    // The L2 bridge verifies them on chain with the committed WithdrawalBatch8Verifier.
    const gov = new Wallet(devAccounts()[9]!.privateKey, provider);
    const verifierArtifact = JSON.parse(
      readFileSync(
        path.join(root, "artifacts/contracts/zk/WithdrawalBatch8Verifier.sol/WithdrawalBatch8Verifier.json"),
        "utf8",
      ),
    ) as { abi: InterfaceAbi; bytecode: string };
    const verifier = await new ContractFactory(verifierArtifact.abi, verifierArtifact.bytecode, gov).deploy();
    await verifier.waitForDeployment();
    const onChain = lvmBridge(gov);
    expect(await setDevnetBatchVerifier(onChain, await verifier.getAddress())).to.equal(true);
    for (const { proof } of proofs.values()) await submitBatchProofs(onChain, proof);
    for (const { batch, proof } of proofs.values())
      if (batch.withdrawals.length > 0)
        expect(await onChain.getFunction("provenBatches")(proof.publicSignals[0])).to.equal(true);
    // A commitment nobody proved is not recorded, and a proof cannot be replayed for another.
    expect(await onChain.getFunction("provenBatches")(12345n)).to.equal(false);
    // The stored batch carries the proof too.
    const stored = await node.sequencer.batch([...proofs.keys()][0]!);
    expect(stored?.proof?.publicSignals).to.have.length.greaterThan(0);
  });
});
