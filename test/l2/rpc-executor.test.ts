/**
 * The L2 node driving a separate `hardhat node` over HTTP (JsonRpcExecutor) instead of EDR in
 * process: clients talk to our JSON-RPC, blocks are executed by the child.
 */
import type { ChildProcess } from "node:child_process";

import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseEther } from "ethers";

import {
  BRIDGE_ADDRESS,
  JsonRpcExecutor,
  L2Error,
  LVM_DEVNET_CHAIN_ID,
  SEQUENCER_FEE_ADDRESS,
  TOTAL_SUPPLY_WEI,
  devAccounts,
  loadBridgeCode,
  lvmChainSpec,
  type L2Node,
} from "../../ts/l2/index.js";
import { freePort, killChild, root, rpc, spawnUntil, startTestNode } from "./helpers.js";

describe("l2: JSON-RPC node over a hardhat node (JsonRpcExecutor)", function () {
  let hardhat: ChildProcess | undefined;
  let executorUrl: string;
  let node: L2Node;
  let cleanup: (() => Promise<void>) | undefined;
  let provider: JsonRpcProvider;
  const [alice, bob] = devAccounts(2);

  before(async function () {
    const port = await freePort();
    // Spawned through node directly (not npx) so the pid we kill is the server itself.
    ({ child: hardhat } = await spawnUntil(
      "node_modules/.bin/node",
      ["node_modules/.bin/hardhat", "node", "--port", `${port}`, "--chain-id", `${LVM_DEVNET_CHAIN_ID}`],
      (l) => l.includes("JSON-RPC server at"),
    ));
    executorUrl = `http://127.0.0.1:${port}`;
    ({ node, cleanup } = await startTestNode({ executor: new JsonRpcExecutor(executorUrl) }));
    provider = new JsonRpcProvider(node.url, undefined, {
      staticNetwork: true,
      pollingInterval: 50,
      cacheTimeout: -1,
    });
  });
  after(async function () {
    provider?.destroy();
    await cleanup?.();
    if (hardhat !== undefined) await killChild(hardhat, "SIGTERM");
  });

  it("refuses a node whose chain id differs from the spec", async function () {
    const spec = lvmChainSpec({ bridgeCode: await loadBridgeCode(root), chainId: 1n });
    const err = await new JsonRpcExecutor(executorUrl).start(spec).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(L2Error);
    expect((err as L2Error).message).to.match(/has chain id 5002829, expected 1$/);
  });

  it("applies the genesis allocation and the spec's rules to the node", async function () {
    expect(node.sequencer.executor.kind).to.equal("json-rpc");
    expect((await rpc(node.url, "web3_clientVersion", [])).result).to.equal("LVM/v0.1.0/json-rpc");
    expect(await provider.getBalance(BRIDGE_ADDRESS)).to.equal(TOTAL_SUPPLY_WEI);
    expect(await provider.getCode(BRIDGE_ADDRESS)).to.equal(await loadBridgeCode(root));
  });

  it("carries a transfer through our RPC into the node's blocks", async function () {
    const wallet = new Wallet(alice.privateKey, provider);
    const to = Wallet.createRandom().address;
    const aliceBefore = await provider.getBalance(alice.address);
    const feesBefore = await provider.getBalance(SEQUENCER_FEE_ADDRESS);
    const tx = await wallet.sendTransaction({
      to,
      value: parseEther("0.25"),
      maxPriorityFeePerGas: 1_000_000n,
    });
    const receipt = await tx.wait();
    expect(receipt?.status).to.equal(1);
    expect(await provider.getBalance(to)).to.equal(parseEther("0.25"));
    const fee = receipt!.gasUsed * receipt!.gasPrice;
    expect(await provider.getBalance(alice.address)).to.equal(aliceBefore - parseEther("0.25") - fee);
    // The node executed it: the same receipt is there when asked directly.
    const direct = (await rpc(executorUrl, "eth_getTransactionReceipt", [tx.hash])).result as {
      blockHash: string;
    };
    expect(direct.blockHash).to.equal(receipt!.blockHash);
    const block = await provider.getBlock(receipt!.blockNumber);
    expect(block?.miner).to.equal(SEQUENCER_FEE_ADDRESS);
    expect(block?.gasLimit).to.equal(30_000_000n);
    expect(await provider.getBalance(SEQUENCER_FEE_ADDRESS)).to.equal(feesBefore + 21_000n * 1_000_000n);
    expect(await provider.getTransactionCount(alice.address, "pending")).to.equal(tx.nonce + 1);
  });

  it("rejects bad transactions with geth's errors before they reach the node", async function () {
    const wallet = new Wallet(bob.privateKey);
    const nonce = await provider.getTransactionCount(bob.address, "pending");
    const base = {
      to: alice.address,
      value: 1n,
      gasLimit: 21_000n,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 1n,
      chainId: LVM_DEVNET_CHAIN_ID,
      nonce,
      type: 2,
    };
    const tooMuch = await rpc(node.url, "eth_sendRawTransaction", [
      await wallet.signTransaction({ ...base, value: parseEther("20000") }),
    ]);
    expect(tooMuch.error?.code).to.equal(-32000);
    expect(tooMuch.error?.message).to.match(/^insufficient funds for gas \* price \+ value: address 0x/);
    const wrongChain = await rpc(node.url, "eth_sendRawTransaction", [
      await wallet.signTransaction({ ...base, chainId: 31337n }),
    ]);
    expect(wrongChain.error?.message).to.equal("invalid chain id for signer");
    const good = await wallet.signTransaction(base);
    const hash = (await rpc(node.url, "eth_sendRawTransaction", [good])).result as string;
    expect(await provider.waitForTransaction(hash, 1, 30_000)).to.not.equal(null);
    const replay = await rpc(node.url, "eth_sendRawTransaction", [good]);
    expect(replay.error?.code).to.equal(-32000);
    expect(replay.error?.message).to.equal(
      `nonce too low: address ${bob.address}, tx: ${nonce} state: ${nonce + 1}`,
    );
  });
});
