import { readFileSync } from "node:fs";

import Client from "bitcoin-core";
import { expect } from "chai";

import { startRegtestNode, type RunningNode } from "../../ts/btcnode/index.js";
import { hexOf, TestWallet, tmpDir } from "./wallet.js";

const GENESIS = "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206";

interface CoreError {
  code: number;
  message: string;
}

async function rpcError(p: Promise<unknown>): Promise<CoreError> {
  try {
    await p;
  } catch (e) {
    return e as CoreError;
  }
  return expect.fail("expected an RPC error");
}

async function raw(url: string, body: string, auth?: string): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (auth !== undefined) headers.Authorization = `Basic ${Buffer.from(auth).toString("base64")}`;
  const res = await fetch(url, { method: "POST", headers, body });
  return { status: res.status, text: await res.text() };
}

describe("btcnode: Bitcoin Core JSON-RPC, driven by the npm bitcoin-core client", function () {
  const tmp = tmpDir();
  const w = new TestWallet(3);
  const other = new TestWallet(4);
  let running: RunningNode;
  let client: Client;

  before(async () => {
    running = await startRegtestNode({
      datadir: tmp.dir,
      rpcPort: 0,
      rpcUser: "lvm",
      rpcPassword: "secret",
      sync: false,
    });
    client = new Client({ host: running.rpcUrl, username: "lvm", password: "secret" });
  });
  after(async () => {
    await running.stop();
    tmp.cleanup();
  });

  it("answers chain queries with Core's shapes", async () => {
    expect(await client.command("getblockcount")).to.equal(0);
    expect(await client.command("getblockhash", 0)).to.equal(GENESIS);
    expect(await client.command("getbestblockhash")).to.equal(GENESIS);
    const info = await client.command("getblockchaininfo");
    expect(info).to.include({
      chain: "regtest",
      blocks: 0,
      headers: 0,
      bestblockhash: GENESIS,
      pruned: false,
    });
    expect(info.chainwork).to.equal("0000000000000000000000000000000000000000000000000000000000000002");
    const header = await client.command("getblockheader", GENESIS);
    expect(header).to.include({
      hash: GENESIS,
      height: 0,
      confirmations: 1,
      bits: "207fffff",
      nonce: 2,
      nTx: 1,
    });
    expect(header.merkleroot).to.equal("4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
    expect(await client.command("getblockheader", GENESIS, false)).to.have.length(160);
    const hex = await client.command("getblock", GENESIS, 0);
    expect(hex.startsWith("01000000" + "00".repeat(32))).to.equal(true);
    const b2 = await client.command("getblock", GENESIS, 2);
    expect(b2.tx[0].vin[0].coinbase).to.match(/^04ffff001d/);
    expect(b2.tx[0].vout[0].value).to.equal(50);
  });

  it("returns Core's error codes and messages for bad parameters", async () => {
    expect(await rpcError(client.command("getblockhash", 5))).to.include({
      code: -8,
      message: "Block height out of range",
    });
    expect(await rpcError(client.command("getblock", "00".repeat(32)))).to.include({
      code: -5,
      message: "Block not found",
    });
    expect(await rpcError(client.command("getblock", "xyz"))).to.include({
      code: -8,
      message: "blockhash must be of length 64 (not 3, for 'xyz')",
    });
    expect(await rpcError(client.command("getblockhash", "one"))).to.include({ code: -3 });
    expect(await rpcError(client.command("nosuchmethod"))).to.include({
      code: -32601,
      message: "Method not found",
    });
    expect(await rpcError(client.command("generatetoaddress", 1, "bc1notanaddress"))).to.include({
      code: -5,
      message: "Error: Invalid address",
    });
    expect(await rpcError(client.command("sendrawtransaction", "zz"))).to.include({ code: -22 });
    expect(await rpcError(client.command("submitblock", "00"))).to.include({
      code: -22,
      message: "Block decode failed",
    });
    expect(await rpcError(client.command("getmempoolentry", "11".repeat(32)))).to.include({
      code: -5,
      message: "Transaction not in mempool",
    });
    expect(await rpcError(client.command("estimatesmartfee", 0))).to.include({ code: -8 });
  });

  it("mines, relays, confirms and looks up transactions", async () => {
    const hashes: string[] = await client.command("generatetoaddress", 101, w.trAddress);
    expect(hashes).to.have.length(101);
    expect(await client.command("getblockcount")).to.equal(101);
    const scan = await client.command("scantxoutset", "start", [`addr(${w.trAddress})`]);
    expect(scan.success).to.equal(true);
    expect(scan.unspents).to.have.length(101);
    expect(scan.total_amount).to.equal(5050);
    const first = scan.unspents[0];
    expect(first).to.include({ height: 1, coinbase: true, amount: 50, confirmations: 101 });

    const [coin, coin2] = w.coins(running.node);
    const tx = w.pay(coin, other.wpkhAddress, 1_0000_0000n, 1410n);
    const txHex = hexOf(tx.encode());
    const [accept] = await client.command("testmempoolaccept", [txHex]);
    expect(accept).to.include({ txid: tx.txid(), allowed: true });
    expect(accept.fees.base).to.equal(0.0000141);
    expect(await client.command("sendrawtransaction", txHex)).to.equal(tx.txid());
    expect(await client.command("sendrawtransaction", txHex)).to.equal(tx.txid());
    expect(await client.command("getrawmempool")).to.deep.equal([tx.txid()]);
    const entry = await client.command("getmempoolentry", tx.txid());
    expect(entry).to.include({ vsize: tx.vsize(), ancestorcount: 1, "bip125-replaceable": true });
    expect(entry.fees.base).to.equal(0.0000141);
    expect(await client.command("gettxout", coin.outpoint.txid, coin.outpoint.vout)).to.equal(null);
    const memOut = await client.command("gettxout", tx.txid(), 0);
    expect(memOut).to.include({ confirmations: 0, value: 1, coinbase: false });
    expect(memOut.scriptPubKey).to.include({ type: "witness_v0_keyhash", address: other.wpkhAddress });

    // Double spend, dust, missing inputs: Core's codes.
    const conflict = w.pay(coin, other.trAddress, 1_0000_0000n, 1000n);
    const [rej] = await client.command("testmempoolaccept", [hexOf(conflict.encode())]);
    expect(rej).to.include({ allowed: false, "reject-reason": "insufficient fee" });
    const dust = w.pay(coin2, other.trAddress, 10n);
    expect(await rpcError(client.command("sendrawtransaction", hexOf(dust.encode())))).to.include({
      code: -26,
      message: "dust",
    });
    const missing = w.pay(
      { ...coin, outpoint: { txid: "ab".repeat(32) as never, vout: 0 } },
      other.trAddress,
      1000_0000n,
    );
    expect(await rpcError(client.command("sendrawtransaction", hexOf(missing.encode())))).to.include({
      code: -25,
      message: "bad-txns-inputs-missingorspent",
    });

    const [blockHash] = await client.command("generatetoaddress", 1, w.trAddress);
    const verbose = await client.command("getrawtransaction", tx.txid(), true);
    expect(verbose).to.include({ txid: tx.txid(), blockhash: blockHash, confirmations: 1, hex: txHex });
    const block = await client.command("getblock", blockHash, 2);
    expect(block.tx).to.have.length(2);
    expect(block.tx[1].fee).to.equal(0.0000141);
    expect(block.tx[0].vout[0].value).to.equal(50.0000141);
    expect(await rpcError(client.command("sendrawtransaction", txHex))).to.include({
      code: -27,
      message: "Transaction outputs already in utxo set",
    });
    const fee = await client.command("estimatesmartfee", 2);
    expect(fee.feerate).to.be.greaterThan(0);
  });

  it("generateblock, submitblock, invalidateblock and reconsiderblock", async () => {
    const tip = await client.command("getbestblockhash");
    const coin = w.coins(running.node)[0];
    const tx = w.pay(coin, other.trAddress, 2_0000_0000n);
    await client.command("sendrawtransaction", hexOf(tx.encode()));
    const built = await client.command("generateblock", `addr(${other.trAddress})`, [tx.txid()], false);
    expect(built.hex).to.be.a("string");
    expect(await client.command("getbestblockhash")).to.equal(tip);
    expect(await client.command("submitblock", built.hex)).to.equal(null);
    expect(await client.command("getbestblockhash")).to.equal(built.hash);
    expect(await client.command("submitblock", built.hex)).to.equal("duplicate");
    expect(await client.command("getrawmempool")).to.deep.equal([]);

    expect(await client.command("invalidateblock", built.hash)).to.equal(null);
    expect(await client.command("getbestblockhash")).to.equal(tip);
    expect(await client.command("getrawmempool")).to.deep.equal([tx.txid()]);
    const tips = await client.command("getchaintips");
    expect(tips.find((t: { hash: string }) => t.hash === built.hash).status).to.equal("invalid");
    await client.command("reconsiderblock", built.hash);
    expect(await client.command("getbestblockhash")).to.equal(built.hash);
    expect(await client.command("getrawmempool")).to.deep.equal([]);

    const mined = await client.command("generateblock", w.trAddress, []);
    expect(await client.command("getbestblockhash")).to.equal(mined.hash);
  });

  it("speaks JSON-RPC 1.0 and 2.0, batches, and survives malformed requests", async () => {
    const url = running.rpcUrl;
    const auth = "lvm:secret";
    const parse = await raw(url, "{not json", auth);
    expect(parse.status).to.equal(500);
    expect(JSON.parse(parse.text)).to.deep.equal({
      result: null,
      error: { code: -32700, message: "Parse error" },
      id: null,
    });
    const unknown = await raw(url, JSON.stringify({ id: 7, method: "nope", params: [] }), auth);
    expect(unknown.status).to.equal(404);
    expect(JSON.parse(unknown.text)).to.deep.equal({
      result: null,
      error: { code: -32601, message: "Method not found" },
      id: 7,
    });
    const badReq = await raw(url, JSON.stringify({ id: 1, method: 5 }), auth);
    expect(badReq.status).to.equal(400);
    expect(JSON.parse(badReq.text).error.code).to.equal(-32600);
    const v2 = await raw(url, JSON.stringify({ jsonrpc: "2.0", id: "a", method: "getblockcount" }), auth);
    expect(v2.status).to.equal(200);
    expect(JSON.parse(v2.text)).to.deep.equal({
      jsonrpc: "2.0",
      result: await client.command("getblockcount"),
      id: "a",
    });
    const v2err = await raw(url, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "nope" }), auth);
    expect(v2err.status).to.equal(200);
    expect(JSON.parse(v2err.text).error.code).to.equal(-32601);
    const note = await raw(url, JSON.stringify({ jsonrpc: "2.0", method: "getblockcount" }), auth);
    expect(note.status).to.equal(204);
    const batch = await raw(
      url,
      JSON.stringify([
        { id: 1, method: "getblockcount" },
        { id: 2, method: "getblockhash", params: [0] },
        { id: 3, method: "getblockhash", params: [-1] },
      ]),
      auth,
    );
    expect(batch.status).to.equal(200);
    const replies = JSON.parse(batch.text);
    expect(replies[1].result).to.equal(GENESIS);
    expect(replies[2].error).to.deep.equal({ code: -8, message: "Block height out of range" });
    const named = await raw(
      url,
      JSON.stringify({ id: 1, method: "getblockhash", params: { height: 0 } }),
      auth,
    );
    expect(JSON.parse(named.text).result).to.equal(GENESIS);
    expect((await raw(url, "{}", "lvm:wrong")).status).to.equal(401);
    expect((await raw(url, "{}")).status).to.equal(401);
    expect((await fetch(url)).status).to.equal(405);
    // Still serving.
    expect(await client.command("getblockhash", 0)).to.equal(GENESIS);
  });

  it("applies Core's HTTP limits and parse errors", async () => {
    const url = running.rpcUrl;
    const auth = "lvm:secret";
    // Core's MAX_SIZE is 32 MiB: a 40 MiB body is refused with 413 and never parsed.
    const big = await raw(url, `[${'"x",'.repeat(10 * 1024 * 1024)}"x"]`, auth);
    expect(big.status).to.equal(413);
    for (const top of ["5", '"getblockcount"', "null", "true"]) {
      const r = await raw(url, top, auth);
      expect(r.status, top).to.equal(500);
      expect(JSON.parse(r.text)).to.deep.equal({
        result: null,
        error: { code: -32700, message: "Top-level object parse error" },
        id: null,
      });
    }
    // UniValue refuses nesting past 512; an id 200,000 deep is a parse error, not a stack overflow.
    const deep = `{"id":${"[".repeat(200_000)}${"]".repeat(200_000)},"method":"getblockcount"}`;
    const d = await raw(url, deep, auth);
    expect(d.status).to.equal(500);
    expect(JSON.parse(d.text).error).to.deep.equal({ code: -32700, message: "Parse error" });
    // Within the limit, Core echoes any id, even a nested one.
    const nested = `{"id":${"[".repeat(100)}1${"]".repeat(100)},"method":"getblockcount"}`;
    const n = await raw(url, nested, auth);
    expect(n.status).to.equal(200);
    expect(JSON.stringify(JSON.parse(n.text).id)).to.equal(`${"[".repeat(100)}1${"]".repeat(100)}`);
    expect(await client.command("getblockhash", 0)).to.equal(GENESIS);
  });

  it("supports cookie authentication when no password is configured", async () => {
    const t2 = tmpDir();
    const n2 = await startRegtestNode({ datadir: t2.dir, rpcPort: 0, sync: false });
    try {
      expect(n2.cookieFile).to.be.a("string");
      const [user, pass] = readFileSync(n2.cookieFile as string, "utf8").split(":");
      expect(user).to.equal("__cookie__");
      const c2 = new Client({ host: n2.rpcUrl, username: user, password: pass });
      expect(await c2.command("getblockcount")).to.equal(0);
      expect((await raw(n2.rpcUrl, '{"method":"getblockcount"}', "__cookie__:guess")).status).to.equal(401);
    } finally {
      await n2.stop();
      t2.cleanup();
    }
  });
});
