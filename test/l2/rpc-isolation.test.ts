import { expect } from "chai";
import { Contract, JsonRpcProvider, Wallet, parseEther } from "ethers";

import { BRIDGE_ADDRESS, DEV_BALANCE_WEI, devAccounts, type L2Node } from "../../ts/l2/index.js";
import { startTestNode } from "./helpers.js";

interface Answer {
  jsonrpc: "2.0";
  id: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

describe("l2: RPC isolation and geth's limits and errors (issues 15 and 20)", function () {
  let node: L2Node;
  let cleanup: () => Promise<void>;
  let provider: JsonRpcProvider;
  let withdrawBlock: number;
  let firstBlock: number;
  const [, , carol] = devAccounts(3);
  const rejections: unknown[] = [];
  const onRejection = (e: unknown) => rejections.push(e);

  const post = async (body: string, headers: Record<string, string> = {}) => {
    const res = await fetch(node.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  const call = async (method: string, params: unknown[]): Promise<Answer> =>
    JSON.parse((await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }))).text) as Answer;
  const error = async (method: string, params: unknown[]) => (await call(method, params)).error;

  before(async function () {
    process.on("unhandledRejection", onRejection);
    ({ node, cleanup } = await startTestNode({
      rpc: { limits: { maxResponseBytes: 200_000 }, maxLogRange: 50, maxLogResults: 3 },
    }));
    provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const bridge = new Contract(
      BRIDGE_ADDRESS,
      ["function withdraw(bytes scriptPubKey) payable returns (uint256)"],
      new Wallet(carol.privateKey, provider),
    );
    // One withdrawal alone in its block, then four more.
    const withdraw = (nonce: number) =>
      bridge.getFunction("withdraw")("0x0014" + "ab".repeat(20), { value: parseEther("0.001"), nonce });
    const nonce = await provider.getTransactionCount(carol.address, "pending");
    firstBlock = (await (await withdraw(nonce)).wait()).blockNumber;
    const txs = [];
    for (let i = 1; i <= 4; i++) txs.push(await withdraw(nonce + i));
    const receipts = await Promise.all(txs.map((t) => t.wait()));
    withdrawBlock = Math.max(...receipts.map((r) => r.blockNumber));
  });
  after(async function () {
    process.off("unhandledRejection", onRejection);
    provider.destroy();
    await cleanup();
  });

  it("answers the issue's 559 KB batch of 5,000 eth_getLogs with geth's 'batch too large'", async function () {
    const calls = Array.from({ length: 5_000 }, (_, i) => ({
      jsonrpc: "2.0",
      id: i + 1,
      method: "eth_getLogs",
      params: [{ fromBlock: "0x0", toBlock: "latest", address: BRIDGE_ADDRESS }],
    }));
    const body = JSON.stringify(calls);
    expect(body.length).to.be.greaterThan(400_000);
    const r = await post(body);
    expect(r.status).to.equal(200);
    expect(JSON.parse(r.text)).to.deep.equal([
      { jsonrpc: "2.0", id: 1, error: { code: -32600, message: "batch too large" } },
    ]);
    // 1,000 is within the limit.
    const thousand = JSON.parse(
      (
        await post(
          JSON.stringify(calls.slice(0, 1_000).map((c) => ({ ...c, method: "eth_blockNumber", params: [] }))),
        )
      ).text,
    ) as Answer[];
    expect(thousand).to.have.length(1_000);
    expect(thousand.every((a) => typeof a.result === "string")).to.equal(true);
  });

  it("answers calls past the response budget with -32003 'response too large', keeping the ids", async function () {
    const filter = {
      fromBlock: `0x${firstBlock.toString(16)}`,
      toBlock: `0x${firstBlock.toString(16)}`,
      address: BRIDGE_ADDRESS,
    };
    const one = (await call("eth_getLogs", [filter])).result as unknown[];
    expect(one).to.have.length(1);
    const batch = Array.from({ length: 1_000 }, (_, i) => ({
      jsonrpc: "2.0",
      id: `q${i}`,
      method: "eth_getLogs",
      params: [filter],
    }));
    const answers = JSON.parse((await post(JSON.stringify(batch))).text) as Answer[];
    expect(answers.map((a) => a.id)).to.deep.equal(batch.map((c) => c.id));
    const served = answers.filter((a) => a.result !== undefined).length;
    expect(served).to.be.greaterThan(0).and.lessThan(1_000);
    for (const a of answers.slice(served))
      expect(a.error).to.deep.equal({ code: -32003, message: "response too large" });
    expect(JSON.stringify(answers.slice(0, served)).length).to.be.lessThan(200_000 + 5_000);
  });

  it("refuses ids that are not a string, number or null, however deep, and keeps serving", async function () {
    const deep = `{"jsonrpc":"2.0","id":${"[".repeat(200_000)}${"]".repeat(200_000)},"method":"eth_blockNumber"}`;
    expect(JSON.parse((await post(deep)).text)).to.deep.equal({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32700, message: "parse error" },
    });
    for (const id of ["[1]", '{"a":1}', "true"])
      expect(
        JSON.parse((await post(`{"jsonrpc":"2.0","id":${id},"method":"eth_blockNumber"}`)).text),
      ).to.deep.equal({
        jsonrpc: "2.0",
        id: null,
        error: { code: -32600, message: "invalid request" },
      });
    expect((await post("x".repeat(6 * 1024 * 1024))).status).to.equal(413);
    expect((await call("eth_blockNumber", [])).result).to.match(/^0x[0-9a-f]+$/);
    expect(rejections).to.deep.equal([]);
  });

  it("bounds eth_getLogs and words log and filter errors as geth", async function () {
    const to = `0x${withdrawBlock.toString(16)}`;
    expect(await error("eth_getLogs", [{ fromBlock: to, toBlock: "0x1" }])).to.deep.equal({
      code: -32602,
      message: "invalid block range params",
    });
    expect(await error("eth_getLogs", [{ topics: [null, null, null, null, null] }])).to.deep.equal({
      code: -32000,
      message: "exceed max topics",
    });
    expect(await error("eth_getLogs", [{ fromBlock: "0x0", toBlock: "0x3e8" }])).to.deep.equal({
      code: -32000,
      message: "exceed maximum block range: 50",
    });
    // Five withdrawal events against a limit of three.
    expect(
      await error("eth_getLogs", [
        { fromBlock: `0x${firstBlock.toString(16)}`, toBlock: to, address: BRIDGE_ADDRESS },
      ]),
    ).to.deep.equal({
      code: -32000,
      message: "query exceeds max results 3",
    });
    for (const m of ["eth_getFilterChanges", "eth_getFilterLogs"])
      expect(await error(m, ["0xdeadbeef"])).to.deep.equal({ code: -32000, message: "filter not found" });
    const id = (await call("eth_newBlockFilter", [])).result;
    expect((await call("eth_getFilterChanges", [id])).result).to.be.an("array");
  });

  it("words argument errors as geth, without the executor's texts or internal ids", async function () {
    const a = carol.address;
    expect(await error("eth_getBalance", [a, "foo"])).to.deep.equal({
      code: -32602,
      message: "invalid argument 1: hex string without 0x prefix",
    });
    expect(await error("eth_getBalance", ["0x01", "latest"])).to.deep.equal({
      code: -32602,
      message: "invalid argument 0: hex string has length 2, want 40 for common.Address",
    });
    expect(await error("eth_getBalance", [a, "0x1"])).to.equal(undefined);
    expect(await error("eth_getBalance", [a, "0x0001"])).to.deep.equal({
      code: -32602,
      message: "invalid argument 1: hex number with leading zero digits",
    });
    expect(await error("eth_getBalance", [a, "0xffffff"])).to.deep.equal({
      code: -32000,
      message: "header not found",
    });
    expect(await error("eth_getBlockByHash", ["0x12", false])).to.deep.equal({
      code: -32602,
      message: "invalid argument 0: hex string has length 2, want 64 for common.Hash",
    });
    expect(await error("eth_blockNumber", [1])).to.deep.equal({
      code: -32602,
      message: "too many arguments, want at most 0",
    });
    // Foundry sends the calldata twice, as `input` and `data`: fine when equal, geth's error if not.
    expect(await error("eth_estimateGas", [{ from: a, to: a, input: "0x", data: "0x" }])).to.equal(undefined);
    expect(await error("eth_call", [{ to: a, input: "0x01", data: "0x02" }, "latest"])).to.deep.equal({
      code: -32602,
      message:
        'invalid argument 0: both "data" and "input" are set and not equal. Please use "input" to pass transaction call data',
    });
    expect(await error("eth_call", [{ to: 5 }, "latest"])).to.deep.equal({
      code: -32602,
      message:
        "invalid argument 0: json: cannot unmarshal number into Go struct field TransactionArgs.to of type common.Address",
    });
    expect(await error("eth_call", [{ to: a, data: "zz" }, "latest"])).to.deep.equal({
      code: -32602,
      message:
        "invalid argument 0: json: cannot unmarshal hex string without 0x prefix into Go struct field TransactionArgs.data of type hexutil.Bytes",
    });
    expect(await error("eth_estimateGas", [{ to: a, value: "0xzz" }])).to.deep.equal({
      code: -32602,
      message:
        "invalid argument 0: json: cannot unmarshal invalid hex string into Go struct field TransactionArgs.value of type *hexutil.Big",
    });
    // What the executor still words itself loses its internal parts.
    const e = await error("eth_call", [{ to: a, accessList: 5 }, "latest"]);
    expect(e?.code).to.equal(-32602);
    expect(e).to.not.have.property("data");
    expect(e?.message).to.not.match(/line \d+ column/);
  });

  it("defines safe and finalized conservatively (genesis unless Bitcoin settlement is wired in)", async function () {
    const latest = (await call("eth_getBlockByNumber", ["latest", false])).result as { number: string };
    expect(Number(latest.number)).to.be.greaterThan(0);
    for (const tag of ["safe", "finalized"]) {
      const b = (await call("eth_getBlockByNumber", [tag, false])).result as { number: string };
      expect(b.number, tag).to.equal("0x0");
      expect((await call("eth_getBalance", [carol.address, tag])).result).to.equal(
        `0x${DEV_BALANCE_WEI.toString(16)}`,
      );
    }
  });

  it("serves browsers: CORS on POST and preflight, GET health check", async function () {
    const r = await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId" }), {
      origin: "http://localhost:5173",
    });
    expect(r.headers.get("access-control-allow-origin")).to.equal("*");
    const pre = await fetch(node.url, {
      method: "OPTIONS",
      headers: {
        origin: "http://localhost:5173",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(pre.status).to.equal(204);
    expect(pre.headers.get("access-control-allow-origin")).to.equal("*");
    expect(pre.headers.get("access-control-allow-headers")).to.equal("content-type");
    const health = await fetch(node.url);
    expect(health.status).to.equal(200);
    const body = (await health.json()) as { status: string; blockNumber: string };
    expect(body.status).to.equal("ok");
    expect(Number(body.blockNumber)).to.be.greaterThan(0);
  });
});
