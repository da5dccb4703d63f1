/**
 * Issue 20: the L2 node with Foundry's `anvil` (npm @foundry-rs/anvil) as its EVM node, next to
 * `hardhat node` (rpc-executor.test.ts): our sequencer and RPC in front, anvil executing blocks.
 */
import type { ChildProcess } from "node:child_process";
import path from "node:path";

import { expect } from "chai";
import { Contract, JsonRpcProvider, Wallet, parseEther } from "ethers";

import {
  BRIDGE_ADDRESS,
  JsonRpcExecutor,
  LVM_DEVNET_CHAIN_ID,
  SEQUENCER_FEE_ADDRESS,
  TOTAL_SUPPLY_WEI,
  devAccounts,
  loadBridgeCode,
  type L2Node,
} from "../../ts/l2/index.js";
import { freePort, killChild, root, rpc, spawnUntil, startTestNode } from "./helpers.js";

describe("l2: JSON-RPC node over anvil (JsonRpcExecutor)", function () {
  let anvil: ChildProcess | undefined;
  let executorUrl: string;
  let node: L2Node;
  let cleanup: (() => Promise<void>) | undefined;
  let provider: JsonRpcProvider;
  const [alice, bob] = devAccounts(2);

  before(async function () {
    const port = await freePort();
    ({ child: anvil } = await spawnUntil(
      path.join(root, "node_modules", ".bin", "anvil"),
      [
        "--host",
        "127.0.0.1",
        "--port",
        `${port}`,
        "--chain-id",
        `${LVM_DEVNET_CHAIN_ID}`,
        "--hardfork",
        "prague",
      ],
      (l) => l.includes("Listening on"),
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
    if (anvil !== undefined) await killChild(anvil, "SIGTERM");
  });

  it("applies the genesis to anvil and carries transfers and bridge withdrawals into its blocks", async function () {
    expect((await rpc(node.url, "web3_clientVersion", [])).result).to.equal("LVM/v0.1.0/json-rpc");
    expect(await provider.getBalance(BRIDGE_ADDRESS)).to.equal(TOTAL_SUPPLY_WEI);
    expect(await provider.getCode(BRIDGE_ADDRESS)).to.equal(await loadBridgeCode(root));

    const to = Wallet.createRandom().address;
    const tx = await new Wallet(alice.privateKey, provider).sendTransaction({ to, value: parseEther("0.5") });
    const receipt = await tx.wait();
    expect(receipt?.status).to.equal(1);
    expect(await provider.getBalance(to)).to.equal(parseEther("0.5"));
    // anvil executed it: the same receipt when asked directly, in a block our sequencer sealed.
    // (anvil wants a JSON content type, which the shared rpc() helper does not send.)
    const res = await fetch(executorUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getTransactionReceipt", params: [tx.hash] }),
    });
    const direct = ((await res.json()) as { result: { blockHash: string } }).result;
    expect(direct.blockHash).to.equal(receipt!.blockHash);
    expect((await provider.getBlock(receipt!.blockNumber))?.miner).to.equal(SEQUENCER_FEE_ADDRESS);

    const bridge = new Contract(
      BRIDGE_ADDRESS,
      ["function withdraw(bytes scriptPubKey) payable returns (uint256)"],
      new Wallet(bob.privateKey, provider),
    );
    const w = await (
      await bridge.getFunction("withdraw")("0x0014" + "ab".repeat(20), { value: parseEther("0.001") })
    ).wait();
    const logs = await provider.getLogs({
      address: BRIDGE_ADDRESS,
      fromBlock: w.blockNumber,
      toBlock: w.blockNumber,
    });
    expect(logs).to.have.length(1);
    expect(logs[0]!.transactionHash).to.equal(w.hash);
  });
});
