import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import {
  BitcoindRpcBackend,
  REGTEST,
  scriptToAddress,
  startRegtestNode,
  type RunningNode,
} from "../../ts/btcnode/index.js";
import { ClaimChainReader, ClaimPoster, claimFinality, claimKey } from "../../ts/claims/index.js";
import type { L2Node } from "../../ts/l2/index.js";
import { startTestNode } from "../l2/helpers.js";

interface RpcBlock {
  number: string;
  hash: string;
  stateRoot: string;
}

describe("claims: the L2's safe and finalized come from the claims committed on L1", function () {
  const secret = new Uint8Array(32).fill(5);
  const FINAL = 3;
  let root: string;
  let l1: RunningNode;
  let backend: BitcoindRpcBackend;
  let l2: { node: L2Node; cleanup: () => Promise<void> };
  let poster: ClaimPoster;
  let mineTo: string;

  const call = async <T>(method: string, params: unknown[]): Promise<T> => {
    const r = await fetch(l2.node.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
    const j = (await r.json()) as { result: T; error?: unknown };
    if (j.error !== undefined) throw new Error(JSON.stringify(j.error));
    return j.result;
  };
  const block = (tag: string | number) =>
    call<RpcBlock>("eth_getBlockByNumber", [typeof tag === "number" ? `0x${tag.toString(16)}` : tag, false]);
  const tags = async () => ({
    safe: Number((await block("safe")).number),
    finalized: Number((await block("finalized")).number),
  });
  const claim = async (n: number) => {
    const b = await block(n);
    const strip = (x: string) => x.slice(2);
    await poster.post({
      l2BlockNumber: n,
      l2BlockHash: strip(b.hash),
      stateRoot: strip(b.stateRoot),
      withdrawalRoot: "00".repeat(32),
      payoutsRoot: "00".repeat(32),
    });
  };

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), "lvm-finality-"));
    l1 = await startRegtestNode({ datadir: path.join(root, "btc"), rpcPort: 0 });
    backend = new BitcoindRpcBackend({ url: l1.rpcUrl, cookieFile: l1.cookieFile });
    const { chainScript } = claimKey(secret);
    mineTo = scriptToAddress(Uint8Array.of(0x51, 0x20, ...new Uint8Array(32).fill(3)), REGTEST)!;
    await backend.mine(1, scriptToAddress(chainScript, REGTEST)!);
    await backend.mine(100, mineTo);
    poster = await ClaimPoster.open({ dir: path.join(root, "claims"), backend, secret });
    const finality = claimFinality(new ClaimChainReader(backend, { chainScript }), FINAL);
    l2 = await startTestNode({ rpc: { finality } });
    // Wait (on events, not a guessed delay) for the L2 to pass block 4.
    while (l2.node.sequencer.head.number < 4) await new Promise((r) => setTimeout(r, 50));
  });
  after(async () => {
    await poster?.close();
    await l2?.cleanup();
    await l1?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it("answers eth_getBlockByNumber('safe'/'finalized') with the claimed blocks, never latest", async () => {
    expect(await tags()).to.deep.equal({ safe: 0, finalized: 0 });
    await claim(2);
    // In the mempool only: not safe yet.
    expect(await tags()).to.deep.equal({ safe: 0, finalized: 0 });
    await backend.mine(1, mineTo);
    expect(await tags()).to.deep.equal({ safe: 2, finalized: 0 });
    expect((await block("safe")).hash).to.equal((await block(2)).hash);
    await claim(4);
    await backend.mine(1, mineTo);
    expect(await tags()).to.deep.equal({ safe: 4, finalized: 0 });
    await backend.mine(FINAL - 2, mineTo);
    // Claim 2 has FINAL confirmations, claim 4 FINAL - 1.
    expect(await tags()).to.deep.equal({ safe: 4, finalized: 2 });
    expect((await block("finalized")).hash).to.equal((await block(2)).hash);
    await backend.mine(1, mineTo);
    expect(await tags()).to.deep.equal({ safe: 4, finalized: 4 });
    // latest has moved on; the tags stay with the claims.
    expect(Number((await block("latest")).number)).to.be.greaterThan(4);
  });
});
