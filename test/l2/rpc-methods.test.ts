import { expect } from "chai";
import { Interface, JsonRpcProvider, Wallet, parseEther } from "ethers";

import { BRIDGE_ADDRESS, devAccounts, type L2Node } from "../../ts/l2/index.js";
import { rpc, startTestNode } from "./helpers.js";

describe("l2: the methods tools expect, answered as geth (issue 20)", function () {
  let node: L2Node;
  let cleanup: () => Promise<void>;
  let provider: JsonRpcProvider;
  const [alice, bob, carol, dave] = devAccounts(4);

  before(async function () {
    ({ node, cleanup } = await startTestNode());
    provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  });
  after(async function () {
    provider.destroy();
    await cleanup();
  });
  const result = async (method: string, params: unknown[]) => {
    const a = await rpc(node.url, method, params);
    if (a.error !== undefined) throw new Error(`${method}: ${JSON.stringify(a.error)}`);
    return a.result as unknown;
  };

  it("accepts and executes an EIP-7702 (type-4) transaction: the delegation is in the code", async function () {
    const wallet = new Wallet(carol.privateKey, provider);
    const nonce = await provider.getTransactionCount(carol.address, "pending");
    // Self-sponsored: the authorization's nonce is the one after the transaction's own.
    const auth = await wallet.authorize({ address: BRIDGE_ADDRESS, nonce: nonce + 1 });
    const tx = await wallet.sendTransaction({
      type: 4,
      to: bob.address,
      value: 1n,
      authorizationList: [auth],
      nonce,
    });
    const receipt = await tx.wait();
    expect(receipt?.status).to.equal(1);
    expect(receipt?.type).to.equal(4);
    expect(await provider.getCode(carol.address)).to.equal(
      "0xef0100" + BRIDGE_ADDRESS.slice(2).toLowerCase(),
    );
    const mined = (await result("eth_getTransactionByHash", [tx.hash])) as Record<string, unknown>;
    expect(mined.type).to.equal("0x4");
    expect(mined.yParity).to.be.oneOf(["0x0", "0x1"]);
  });

  it("answers yParity on typed transactions, eth_getBlockReceipts, txpool_status/content", async function () {
    const wallet = new Wallet(alice.privateKey, provider);
    const nonce = await provider.getTransactionCount(alice.address, "pending");
    // A gap: nonce + 1 waits (queued) until nonce arrives.
    const later = await wallet.sendTransaction({ to: dave.address, value: 2n, nonce: nonce + 1 });
    const status = (await result("txpool_status", [])) as { pending: string; queued: string };
    expect(Number(status.queued)).to.be.greaterThanOrEqual(1);
    const content = (await result("txpool_content", [])) as {
      queued: Record<string, Record<string, { hash: string }>>;
    };
    expect(content.queued[alice.address]?.[String(nonce + 1)]?.hash).to.equal(later.hash);
    const first = await wallet.sendTransaction({ to: dave.address, value: 1n, nonce });
    const [r1, r2] = await Promise.all([first.wait(), later.wait()]);
    const tx = (await result("eth_getTransactionByHash", [first.hash])) as Record<string, unknown>;
    expect(tx.type).to.equal("0x2");
    expect(tx.yParity).to.equal(tx.v);
    const block = (await result("eth_getBlockByNumber", [`0x${r1!.blockNumber.toString(16)}`, true])) as {
      transactions: Record<string, unknown>[];
    };
    for (const t of block.transactions) expect(t).to.have.property("yParity");
    const receipts = (await result("eth_getBlockReceipts", [`0x${r2!.blockNumber.toString(16)}`])) as {
      transactionHash: string;
    }[];
    expect(receipts.map((r) => r.transactionHash)).to.include(later.hash);
    expect(await result("eth_getBlockReceipts", ["0xffffff"])).to.equal(null);
    expect(await result("txpool_status", [])).to.deep.equal({ pending: "0x0", queued: "0x0" });
  });

  it("passes eth_getProof and debug_trace* (struct logger and callTracer) through, with checked arguments", async function () {
    const proof = (await result("eth_getProof", [bob.address, [], "latest"])) as {
      accountProof: string[];
      balance: string;
    };
    expect(proof.accountProof.length).to.be.greaterThan(0);
    expect(BigInt(proof.balance)).to.equal(await provider.getBalance(bob.address));
    const tx = await new Wallet(bob.privateKey, provider).sendTransaction({
      to: alice.address,
      value: parseEther("0.1"),
    });
    await tx.wait();
    const struct = (await result("debug_traceTransaction", [tx.hash])) as {
      gas: number;
      structLogs: unknown[];
    };
    expect(struct.gas).to.equal(21_000);
    const call = (await result("debug_traceTransaction", [tx.hash, { tracer: "callTracer" }])) as {
      type: string;
      to: string;
    };
    expect(call.type).to.equal("CALL");
    expect(call.to.toLowerCase()).to.equal(alice.address.toLowerCase());
    const traced = (await result("debug_traceCall", [
      { from: bob.address, to: alice.address, value: "0x1" },
      "latest",
      { tracer: "callTracer" },
    ])) as { type: string };
    expect(traced.type).to.equal("CALL");
    expect((await rpc(node.url, "debug_traceTransaction", ["0x12"])).error?.code).to.equal(-32602);
  });

  it("eth_createAccessList lists the storage a call reads, and the gas it then uses", async function () {
    // withdrawalCount() reads the bridge's storage; the bridge is the recipient, so warm already,
    // and a call through another contract is not available here: the list names its slots only
    // when the bridge is not the recipient. Called directly: no entries, gas as eth_estimateGas.
    const data = new Interface(["function withdrawalCount() view returns (uint256)"]).encodeFunctionData(
      "withdrawalCount",
    );
    const direct = (await result("eth_createAccessList", [
      { from: alice.address, to: BRIDGE_ADDRESS, data },
    ])) as {
      accessList: { address: string; storageKeys: string[] }[];
      gasUsed: string;
    };
    expect(direct.accessList).to.deep.equal([]);
    expect(Number(direct.gasUsed)).to.be.greaterThan(21_000);
    // Deployed code that calls the bridge: the bridge and its slots are on the list.
    const initcode = proxyInitcode(BRIDGE_ADDRESS);
    const created = await new Wallet(dave.privateKey, provider).sendTransaction({ data: initcode });
    const receipt = await created.wait();
    const proxy = receipt!.contractAddress!;
    const viaProxy = (await result("eth_createAccessList", [
      { from: alice.address, to: proxy, data },
      "latest",
    ])) as {
      accessList: { address: string; storageKeys: string[] }[];
      gasUsed: string;
    };
    expect(viaProxy.accessList.map((e) => e.address)).to.deep.equal([BRIDGE_ADDRESS.toLowerCase()]);
    expect(viaProxy.accessList[0]!.storageKeys.length).to.be.greaterThan(0);
    // With the list the call costs less than without it (EIP-2930's point).
    const without = BigInt(await provider.estimateGas({ from: alice.address, to: proxy, data }));
    expect(BigInt(viaProxy.gasUsed) < without).to.equal(true);
  });
});

/**
 * Init code of a contract whose runtime forwards its calldata to `target` with STATICCALL and
 * returns the answer (hand-assembled: no compiler needed for five opcodes).
 */
function proxyInitcode(target: string): string {
  const t = target.slice(2).toLowerCase();
  // CALLDATASIZE 0 0 CALLDATACOPY; 0x20 0 CALLDATASIZE 0 PUSH20 GAS STATICCALL; 0x20 0 RETURN
  const runtime = `365f5f37` + `60205f365f73${t}5afa50` + `60205ff3`;
  const len = (runtime.length / 2).toString(16).padStart(2, "0");
  // PUSH1 len DUP1 PUSH1 9 PUSH0 CODECOPY PUSH0 RETURN (9 bytes, then the runtime)
  return `0x60${len}8060095f395ff3${runtime}`;
}
