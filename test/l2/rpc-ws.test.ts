import { expect } from "chai";
import { Contract, JsonRpcProvider, Wallet, id as topicOf, parseEther } from "ethers";
import { createPublicClient, webSocket } from "viem";
import WebSocket from "ws";

import { BRIDGE_ADDRESS, devAccounts, type L2Node } from "../../ts/l2/index.js";
import { startTestNode } from "./helpers.js";

interface Message {
  id?: number;
  result?: unknown;
  error?: { code: number; message: string };
  method?: string;
  params?: { subscription: string; result: Record<string, unknown> | string };
}

/** A raw WebSocket JSON-RPC client that keeps every message it receives. */
async function connect(url: string): Promise<{
  ws: WebSocket;
  call: (method: string, params?: unknown[]) => Promise<Message>;
  next: (sub: string, n?: number) => Promise<Message[]>;
}> {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  const seen: Message[] = [];
  const waiters: (() => void)[] = [];
  ws.on("message", (d) => {
    seen.push(JSON.parse(d.toString()) as Message);
    for (const w of waiters.splice(0)) w();
  });
  let n = 0;
  const until = async (pick: () => Message[] | undefined): Promise<Message[]> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const got = pick();
      if (got !== undefined) return got;
      if (Date.now() > deadline) throw new Error(`timed out; saw ${JSON.stringify(seen).slice(0, 500)}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
  };
  return {
    ws,
    call: async (method, params = []) => {
      const i = ++n;
      ws.send(JSON.stringify({ jsonrpc: "2.0", id: i, method, params }));
      return (
        await until(() => {
          const m = seen.find((x) => x.id === i);
          return m === undefined ? undefined : [m];
        })
      )[0]!;
    },
    next: (sub, count = 1) =>
      until(() => {
        const ms = seen.filter((m) => m.method === "eth_subscription" && m.params?.subscription === sub);
        return ms.length >= count ? ms : undefined;
      }),
  };
}

describe("l2: WebSocket endpoint and eth_subscribe (issue 20)", function () {
  let node: L2Node;
  let cleanup: () => Promise<void>;
  let provider: JsonRpcProvider;
  const [alice, bob] = devAccounts(2);

  before(async function () {
    ({ node, cleanup } = await startTestNode());
    provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  });
  after(async function () {
    provider.destroy();
    await cleanup();
  });

  it("answers calls and streams newHeads, logs and newPendingTransactions on the same port", async function () {
    const { ws, call, next } = await connect(node.rpc.wsUrl);
    try {
      expect((await call("eth_chainId")).result).to.equal((await provider.send("eth_chainId", [])) as string);
      const heads = (await call("eth_subscribe", ["newHeads"])).result as string;
      expect(heads).to.match(/^0x[0-9a-f]{32}$/);
      const bridgeLogs = (await call("eth_subscribe", ["logs", { address: BRIDGE_ADDRESS }]))
        .result as string;
      const otherTopic = (await call("eth_subscribe", ["logs", { topics: [topicOf("Nope()")] }]))
        .result as string;
      const pending = (await call("eth_subscribe", ["newPendingTransactions"])).result as string;
      const pendingFull = (await call("eth_subscribe", ["newPendingTransactions", true])).result as string;

      const [head] = await next(heads);
      const header = head!.params!.result as Record<string, unknown>;
      expect(header.number).to.match(/^0x[0-9a-f]+$/);
      expect(header.hash).to.match(/^0x[0-9a-f]{64}$/);
      expect(header).to.include.keys("parentHash", "stateRoot", "logsBloom", "baseFeePerGas", "timestamp");
      expect(header).to.not.have.property("transactions");

      const bridge = new Contract(
        BRIDGE_ADDRESS,
        ["function withdraw(bytes scriptPubKey) payable returns (uint256)"],
        new Wallet(alice.privateKey, provider),
      );
      const tx = await bridge.getFunction("withdraw")("0x0014" + "cd".repeat(20), {
        value: parseEther("0.001"),
      });
      const receipt = await tx.wait();
      const [log] = await next(bridgeLogs);
      const l = log!.params!.result as { address: string; transactionHash: string; blockNumber: string };
      expect(l.address.toLowerCase()).to.equal(BRIDGE_ADDRESS.toLowerCase());
      expect(l.transactionHash).to.equal(tx.hash);
      expect(Number(l.blockNumber)).to.equal(receipt.blockNumber);
      expect((await next(pending))[0]!.params!.result).to.equal(tx.hash);
      const full = (await next(pendingFull))[0]!.params!.result as { hash: string; from: string };
      expect(full.hash).to.equal(tx.hash);
      expect(full.from.toLowerCase()).to.equal(alice.address.toLowerCase());

      expect((await call("eth_unsubscribe", [otherTopic])).result).to.equal(true);
      expect((await call("eth_unsubscribe", [otherTopic])).error).to.deep.equal({
        code: -32000,
        message: "subscription not found",
      });
      expect((await call("eth_subscribe", ["nope"])).error).to.deep.equal({
        code: -32601,
        message: 'no "nope" subscription in eth namespace',
      });
      expect(
        (await call("eth_subscribe", ["logs", { topics: [null, null, null, null, null] }])).error,
      ).to.deep.equal({
        code: -32000,
        message: "exceed max topics",
      });
    } finally {
      ws.close();
    }
  });

  it("refuses subscriptions over HTTP as geth does, and survives an oversized frame", async function () {
    const res = await fetch(node.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["newHeads"] }),
    });
    expect(((await res.json()) as Message).error).to.deep.equal({
      code: -32001,
      message: "notifications not supported",
    });
    const { ws } = await connect(node.rpc.wsUrl);
    const code = await new Promise<number>((resolve) => {
      ws.once("close", (c) => resolve(c));
      ws.send("x".repeat(6 * 1024 * 1024));
    });
    expect(code).to.equal(1009);
    const again = await connect(node.rpc.wsUrl);
    expect((await again.call("eth_blockNumber")).result).to.match(/^0x/);
    // 300 calls at once on one connection: 64 run at a time, the rest wait; every one answered.
    const answers = await Promise.all(Array.from({ length: 300 }, () => again.call("eth_chainId")));
    expect(answers.every((a) => typeof a.result === "string")).to.equal(true);
    expect(again.ws.readyState).to.equal(WebSocket.OPEN);
    again.ws.close();
  });

  it("serves viem's WebSocket transport: reads and block watching by subscription", async function () {
    const client = createPublicClient({ transport: webSocket(node.rpc.wsUrl) });
    try {
      expect(await client.getBalance({ address: bob.address as `0x${string}` })).to.be.a("bigint");
      const numbers = await new Promise<bigint[]>((resolve, reject) => {
        const got: bigint[] = [];
        const stop = client.watchBlockNumber({
          onBlockNumber: (n) => {
            got.push(n);
            if (got.length === 2) {
              stop();
              resolve(got);
            }
          },
          onError: reject,
        });
      });
      expect(numbers[1]! > numbers[0]!).to.equal(true);
    } finally {
      await client.transport.getRpcClient().then((c) => c.close());
    }
  });
});
