/**
 * Issue 15, test (2): a bounded fuzz of both RPC servers (the L1 node's and the L2 node's), on
 * 127.0.0.1. Random and malformed JSON, deep nesting, huge batches, wrong types and oversized
 * bodies: every request gets an HTTP answer (JSON where JSON-RPC answers), nothing reaches the
 * process as an unhandled rejection, a valid request is answered afterwards, and the durable state
 * (L1: tip and UTXO set hash, mempool; L2: block number, state root, pool), read again after a
 * restart from disk, is what it was before.
 */
import { expect } from "chai";
import fc from "fast-check";
import { JsonRpcProvider, Wallet, parseEther } from "ethers";
import WebSocket from "ws";

import { startRegtestNode, type RunningNode } from "../../ts/btcnode/index.js";
import { devAccounts } from "../../ts/l2/index.js";
import { TestWallet, tmpDir } from "../btcnode/wallet.js";
import { startTestNode } from "../l2/helpers.js";

/** Bounded in count and time: the machine is shared. */
const RUNS = 250;
const TIME_LIMIT_MS = 60_000;

const hexQuantity = fc.bigInt({ min: 0n, max: 2n ** 70n }).map((n) => `0x${n.toString(16)}`);
const hexBytes = (n: number) =>
  fc.uint8Array({ minLength: n, maxLength: n }).map((b) => `0x${Buffer.from(b).toString("hex")}`);
const hexData = fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString("hex"));

/** A parameter: any JSON, or something shaped like what methods take (to get past the first check). */
const param = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  hexQuantity,
  hexBytes(20),
  hexBytes(32),
  hexData,
  hexData.map((h) => `0x${h}`),
  fc.constantFrom("latest", "earliest", "pending", "safe", "finalized", "foo", "0x", "0x00", ""),
  fc.integer({ min: -10, max: 1_000_000 }),
  fc.record(
    {
      fromBlock: fc.oneof(
        hexQuantity,
        fc.constantFrom("latest", "earliest", "safe"),
        fc.jsonValue({ maxDepth: 1 }),
      ),
      toBlock: fc.oneof(hexQuantity, fc.constantFrom("latest", "pending"), fc.jsonValue({ maxDepth: 1 })),
      address: fc.oneof(
        hexBytes(20),
        fc.array(hexBytes(20), { maxLength: 3 }),
        fc.jsonValue({ maxDepth: 1 }),
      ),
      topics: fc.array(fc.oneof(fc.constant(null), hexBytes(32), fc.array(hexBytes(32), { maxLength: 2 })), {
        maxLength: 6,
      }),
      blockHash: hexBytes(32),
      to: hexBytes(20),
      data: hexData.map((h) => `0x${h}`),
    },
    { requiredKeys: [] },
  ),
);

function bodies(methods: readonly string[]): fc.Arbitrary<string | Uint8Array> {
  const method = fc.oneof(
    fc.constantFrom(...methods),
    fc.constantFrom("", "nope", "__proto__", "constructor"),
    fc.string(),
  );
  const request = fc.record(
    {
      jsonrpc: fc.oneof(fc.constantFrom("2.0", "1.0"), fc.jsonValue({ maxDepth: 1 })),
      id: fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.jsonValue({ maxDepth: 2 })),
      method: fc.oneof(method, fc.jsonValue({ maxDepth: 1 })),
      params: fc.oneof(
        fc.array(param, { maxLength: 4 }),
        fc.dictionary(fc.string(), param, { maxKeys: 3 }),
        param,
      ),
    },
    { requiredKeys: ["method"] },
  );
  const nest = (depth: number, where: "id" | "params" | "top", open: "[" | "{") => {
    const inner =
      open === "[" ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
    if (where === "top") return inner;
    return `{"jsonrpc":"2.0","id":${where === "id" ? inner : 1},"method":"${methods[0]}","params":${where === "params" ? `[${inner}]` : "[]"}}`;
  };
  return fc.oneof(
    { arbitrary: request.map((r) => JSON.stringify(r)), weight: 6 },
    { arbitrary: fc.array(request, { maxLength: 40 }).map((r) => JSON.stringify(r)), weight: 3 },
    { arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)), weight: 1 },
    { arbitrary: fc.string({ unit: "binary", maxLength: 500 }), weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 500 }), weight: 1 },
    {
      // Malformed: a valid request cut short or with one character changed.
      arbitrary: fc
        .tuple(
          request.map((r) => JSON.stringify(r)),
          fc.nat(),
          fc.string({ minLength: 1, maxLength: 1 }),
        )
        .map(([text, at, c]) =>
          at % 2 === 0
            ? text.slice(0, at % text.length)
            : text.slice(0, at % text.length) + c + text.slice((at % text.length) + 1),
        ),
      weight: 2,
    },
    {
      arbitrary: fc
        .tuple(
          fc.integer({ min: 1, max: 300_000 }),
          fc.constantFrom("id", "params", "top") as fc.Arbitrary<"id" | "params" | "top">,
          fc.constantFrom("[", "{") as fc.Arbitrary<"[" | "{">,
        )
        .map(([d, w, o]) => nest(d, w, o)),
      weight: 2,
    },
    {
      // Huge batches: past geth's 1,000 and within it.
      arbitrary: fc.integer({ min: 900, max: 3_000 }).map((n) =>
        JSON.stringify(
          Array.from({ length: n }, (_, i) => ({
            jsonrpc: "2.0",
            id: i,
            method: methods[i % methods.length],
            params: [],
          })),
        ),
      ),
      weight: 1,
    },
  );
}

async function send(
  url: string,
  body: string | Uint8Array | ReadableStream,
  headers: Record<string, string> = {},
) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
  return { status: res.status, text: await res.text() };
}

/** A body streamed in chunks without a Content-Length (the limit must hold while reading). */
function stream(totalBytes: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(1 << 20).fill(0x20);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= totalBytes) controller.close();
      else {
        controller.enqueue(chunk);
        sent += chunk.length;
      }
    },
  });
}

const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe("rpc fuzz: no request takes a node down or changes its state (issue 15, test 2)", function () {
  const rejections: unknown[] = [];
  const onRejection = (e: unknown) => rejections.push(e);
  before(() => process.on("unhandledRejection", onRejection));
  after(() => process.off("unhandledRejection", onRejection));

  it("the L1 node's RPC (Core's framing)", async function () {
    const tmp = tmpDir();
    const w = new TestWallet(7);
    const opts = { datadir: tmp.dir, rpcPort: 0, rpcUser: "u", rpcPassword: "p", sync: false } as const;
    let running: RunningNode = await startRegtestNode(opts);
    const auth = { authorization: `Basic ${Buffer.from("u:p").toString("base64")}` };
    const rpc = async (method: string, params: unknown[] = []) =>
      (
        JSON.parse((await send(running.rpcUrl, JSON.stringify({ id: 1, method, params }), auth)).text) as {
          result: unknown;
        }
      ).result;
    try {
      await rpc("generatetoaddress", [110, w.trAddress]);
      const state = async () => ({
        tip: await rpc("getbestblockhash"),
        height: await rpc("getblockcount"),
        utxos: ((await rpc("gettxoutsetinfo")) as { hash_serialized_3: string }).hash_serialized_3,
        mempool: await rpc("getrawmempool"),
      });
      const before = await state();
      // Methods that change state when given valid input are left out: the fuzz is about rejected input.
      const methods = [
        "getblockchaininfo",
        "getblockcount",
        "getbestblockhash",
        "getblockhash",
        "getblockheader",
        "getblock",
        "getchaintips",
        "getrawtransaction",
        "decoderawtransaction",
        "sendrawtransaction",
        "testmempoolaccept",
        "getmempoolentry",
        "getrawmempool",
        "gettxout",
        "gettxoutsetinfo",
        "scantxoutset",
        "estimatesmartfee",
        "validateaddress",
        "getdescriptorinfo",
        "getnetworkinfo",
        "getdifficulty",
        "getmempoolinfo",
        "uptime",
      ];
      const statuses = new Set<number>();
      await fc.assert(
        fc.asyncProperty(bodies(methods), fc.integer({ min: 0, max: 19 }), async (body, authCase) => {
          const headers =
            authCase === 0 ? {} : authCase === 1 ? { authorization: "Basic Z3Vlc3M6d3Jvbmc=" } : auth;
          const r = await send(running.rpcUrl, body, headers);
          statuses.add(r.status);
          expect([200, 204, 400, 401, 404, 500]).to.include(r.status);
          if (r.status !== 401 && r.status !== 204)
            expect(isJson(r.text), r.text.slice(0, 200)).to.equal(true);
        }),
        { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, seed: 15 },
      );
      expect(statuses.has(200) && statuses.has(500)).to.equal(true);
      // Oversized: declared, and streamed without a length.
      expect((await send(running.rpcUrl, "[" + " ".repeat(33 * 1024 * 1024) + "]", auth)).status).to.equal(
        413,
      );
      expect((await send(running.rpcUrl, stream(40 * 1024 * 1024), auth)).status).to.equal(413);
      expect(await rpc("getblockhash", [0])).to.be.a("string");
      expect(await state()).to.deep.equal(before);
      // What is on disk agrees.
      await running.stop();
      running = await startRegtestNode(opts);
      expect(await state()).to.deep.equal(before);
      expect(rejections).to.deep.equal([]);
    } finally {
      await running.stop();
      tmp.cleanup();
    }
  });

  it("the L2 node's RPC (geth's framing)", async function () {
    const [alice, bob] = devAccounts(2);
    // No timed blocks: the chain moves only when the test seals one.
    const first = await startTestNode({ blockTimeMs: 3_600_000 });
    const datadir = first.datadir;
    let { node, cleanup } = first;
    const provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const rpc = async (method: string, params: unknown[] = []) =>
      (
        JSON.parse(
          (await send(node.url, JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }))).text,
        ) as { result: unknown }
      ).result;
    try {
      await new Wallet(alice.privateKey, provider).sendTransaction({
        to: bob.address,
        value: parseEther("1"),
      });
      await node.sequencer.produceBlock();
      const state = async () => {
        const head = (await rpc("eth_getBlockByNumber", ["latest", false])) as {
          number: string;
          stateRoot: string;
          hash: string;
        };
        return {
          number: head.number,
          stateRoot: head.stateRoot,
          hash: head.hash,
          pool: node.sequencer.pool.size,
          bob: await rpc("eth_getBalance", [bob.address, "latest"]),
        };
      };
      const before = await state();
      expect(before.number).to.equal("0x1");
      const methods = [
        "eth_blockNumber",
        "eth_call",
        "eth_estimateGas",
        "eth_getBalance",
        "eth_getCode",
        "eth_getStorageAt",
        "eth_getTransactionCount",
        "eth_getTransactionReceipt",
        "eth_getTransactionByHash",
        "eth_getBlockByNumber",
        "eth_getBlockByHash",
        "eth_getBlockTransactionCountByNumber",
        "eth_getTransactionByBlockNumberAndIndex",
        "eth_getLogs",
        "eth_feeHistory",
        "eth_newFilter",
        "eth_getFilterChanges",
        "eth_getFilterLogs",
        "eth_uninstallFilter",
        "eth_sendRawTransaction",
        "eth_chainId",
        "eth_gasPrice",
        "lvm_getBatch",
      ];
      const statuses = new Set<number>();
      await fc.assert(
        fc.asyncProperty(bodies(methods), async (body) => {
          const r = await send(node.url, body);
          statuses.add(r.status);
          expect([200, 204]).to.include(r.status);
          if (r.status === 200) expect(isJson(r.text), r.text.slice(0, 200)).to.equal(true);
        }),
        { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, seed: 15 },
      );
      // The same inputs as WebSocket frames: each answered with JSON (or nothing, for
      // notifications) on one connection that stays open.
      const ws = new WebSocket(node.url.replace(/^http/, "ws"));
      await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
      const answers: string[] = [];
      ws.on("message", (d: Buffer) => answers.push(d.toString("utf8")));
      // More than the 64 calls a connection runs at once: the rest wait their turn.
      const frames = fc.sample(bodies(methods), { numRuns: 150, seed: 20 });
      for (const f of frames) ws.send(f);
      ws.send(JSON.stringify({ jsonrpc: "2.0", id: "last", method: "eth_chainId" }));
      const deadline = Date.now() + 60_000;
      while (!answers.some((a) => a.includes('"id":"last"')) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(ws.readyState).to.equal(WebSocket.OPEN);
      expect(answers.every(isJson)).to.equal(true);
      expect(answers.some((a) => a.includes('"id":"last"'))).to.equal(true);
      ws.close();
      expect((await send(node.url, "[" + " ".repeat(6 * 1024 * 1024) + "]")).status).to.equal(413);
      expect((await send(node.url, stream(12 * 1024 * 1024))).status).to.equal(413);
      expect(await rpc("eth_chainId")).to.match(/^0x[0-9a-f]+$/);
      expect(await state()).to.deep.equal(before);
      provider.destroy();
      // Restarted from its durable log: the same chain.
      await node.stop();
      ({ node, cleanup } = await startTestNode({ blockTimeMs: 3_600_000, datadir }));
      expect(await state()).to.deep.equal(before);
      expect(rejections).to.deep.equal([]);
    } finally {
      await cleanup();
    }
  });
});
