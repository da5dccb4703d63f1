import { expect } from "chai";

import { JsonRpcDispatcher, JsonRpcError, nestsDeeperThan, serveJsonRpc } from "../../ts/jsonrpc/index.js";

const call = (method: string, params: unknown = [], id: unknown = 1) =>
  JSON.stringify({ jsonrpc: "2.0", id, method, params });

describe("jsonrpc: hardened dispatch (geth's limits and messages)", function () {
  const failures: unknown[] = [];
  const d = new JsonRpcDispatcher({
    methods: {
      echo: (p) => p,
      big: (p) => "x".repeat(Number(p[0])),
      fail: () => {
        throw new Error("secret internal text");
      },
      reject: () => Promise.reject(new Error("secret internal text")),
      typed: () => {
        throw new JsonRpcError("SERVER_ERROR", "filter not found");
      },
      bigint: () => 1n,
    },
    limits: { maxBatch: 10, maxResponseBytes: 1_000, maxDepth: 20 },
    onError: (e) => failures.push(e),
  });
  const answer = async (text: string) => {
    const out = await d.handleText(text, undefined);
    return out === undefined ? undefined : (JSON.parse(out) as unknown);
  };

  it("answers calls, notifications and batches as geth", async function () {
    expect(await answer(call("echo", [1, "a"]))).to.deep.equal({ jsonrpc: "2.0", id: 1, result: [1, "a"] });
    expect(await answer(JSON.stringify({ jsonrpc: "2.0", method: "echo" }))).to.equal(undefined);
    expect(
      await answer(`[${call("echo", [1], "a")},${JSON.stringify({ jsonrpc: "2.0", method: "echo" })}]`),
    ).to.deep.equal([{ jsonrpc: "2.0", id: "a", result: [1] }]);
    expect(await answer("[]")).to.deep.equal({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32600, message: "empty batch" },
    });
    expect(await answer(call("nope"))).to.deep.equal({
      jsonrpc: "2.0",
      id: 1,
      error: { code: -32601, message: "the method nope does not exist/is not available" },
    });
    // Not an own method: no prototype lookups.
    expect(((await answer(call("constructor"))) as { error: { code: number } }).error.code).to.equal(-32601);
    expect(((await answer(call("echo", { a: 1 }))) as { error: unknown }).error).to.deep.equal({
      code: -32602,
      message: "non-array args",
    });
  });

  it("refuses ids that are not a string, number or null, and bad versions", async function () {
    for (const id of [[1], { a: 1 }, true])
      expect(await answer(call("echo", [], id))).to.deep.equal({
        jsonrpc: "2.0",
        id: null,
        error: { code: -32600, message: "invalid request" },
      });
    expect(await answer(call("echo", [], null))).to.deep.equal({ jsonrpc: "2.0", id: null, result: [] });
    expect(await answer(JSON.stringify({ jsonrpc: "1.0", id: 4, method: "echo" }))).to.deep.equal({
      jsonrpc: "2.0",
      id: 4,
      error: { code: -32600, message: "invalid request" },
    });
    expect(await answer("[1]")).to.deep.equal([
      { jsonrpc: "2.0", id: null, error: { code: -32600, message: "invalid request" } },
    ]);
  });

  it("bounds batches, answers and nesting", async function () {
    const eleven = `[${Array.from({ length: 11 }, (_, i) => call("echo", [], i + 5)).join(",")}]`;
    expect(await answer(eleven)).to.deep.equal([
      { jsonrpc: "2.0", id: 5, error: { code: -32600, message: "batch too large" } },
    ]);
    // 400 bytes each against a 1,000-byte budget: the calls past it are answered -32003.
    const batch = (await answer(
      `[${Array.from({ length: 10 }, (_, i) => call("big", [400], i)).join(",")}]`,
    )) as { id: number; result?: string; error?: { code: number; message: string } }[];
    expect(batch).to.have.length(10);
    expect(batch.map((a) => a.id)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const ok = batch.filter((a) => a.result !== undefined).length;
    expect(ok).to.be.within(2, 3);
    for (const a of batch.slice(ok))
      expect(a.error).to.deep.equal({ code: -32003, message: "response too large" });
    expect(((await answer(call("big", [2_000]))) as { error: unknown }).error).to.deep.equal({
      code: -32003,
      message: "response too large",
    });
    const deep = `{"jsonrpc":"2.0","id":1,"method":"echo","params":${"[".repeat(200_000)}${"]".repeat(200_000)}}`;
    expect(await answer(deep)).to.deep.equal({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32700, message: "parse error" },
    });
    expect(nestsDeeperThan('["[[[[[[", {"a": "]]]"}]', 2)).to.equal(false);
    expect(nestsDeeperThan('[[["\\"[["]]]', 2)).to.equal(true);
  });

  it("turns a throwing handler, a rejection and an unprintable result into errors without their texts", async function () {
    failures.length = 0;
    for (const m of ["fail", "reject", "bigint"])
      expect(await answer(call(m))).to.deep.equal({
        jsonrpc: "2.0",
        id: 1,
        error: { code: -32603, message: "internal error" },
      });
    expect(failures).to.have.length(3);
    expect(await answer(call("typed"))).to.deep.equal({
      jsonrpc: "2.0",
      id: 1,
      error: { code: -32000, message: "filter not found" },
    });
  });

  it("serves HTTP: 413 past the body limit, health, CORS, 405", async function () {
    const server = await serveJsonRpc({
      port: 0,
      methods: { echo: (p) => p },
      limits: { maxBodyBytes: 1_000 },
      cors: { origins: ["http://app.test"] },
    });
    try {
      const post = (body: string, headers: Record<string, string> = {}) =>
        fetch(server.url, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body,
        });
      expect(server.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await post("x".repeat(5_000))).status).to.equal(413);
      const ok = await post(call("echo", [1]), { origin: "http://app.test" });
      expect(ok.status).to.equal(200);
      expect(ok.headers.get("access-control-allow-origin")).to.equal("http://app.test");
      expect(await ok.json()).to.deep.equal({ jsonrpc: "2.0", id: 1, result: [1] });
      const other = await post(call("echo"), { origin: "http://evil.test" });
      expect(other.headers.get("access-control-allow-origin")).to.equal(null);
      const pre = await fetch(server.url, {
        method: "OPTIONS",
        headers: { origin: "http://app.test", "access-control-request-headers": "content-type" },
      });
      expect(pre.status).to.equal(204);
      expect(pre.headers.get("access-control-allow-methods")).to.contain("POST");
      const health = await fetch(server.url);
      expect(health.status).to.equal(200);
      expect(await health.json()).to.deep.equal({ status: "ok" });
      expect((await fetch(server.url, { method: "PUT" })).status).to.equal(405);
      expect((await post("{")).status).to.equal(200);
    } finally {
      await server.close();
    }
  });
});
