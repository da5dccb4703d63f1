import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { claimKey, readClaimChain } from "../../ts/claims/index.js";
import { claimService, devnetClaimSecret } from "../../ts/devnet/claims.js";
import { l1DevKey } from "../../ts/devnet/l1.js";
import { testDevnet, until } from "./helpers.js";

describe("devnet: npm start commits each L2 batch's claim on L1, and safe/finalized follow it", function () {
  let root: string;
  let devnet: Awaited<ReturnType<typeof testDevnet>>;
  const started: { stop(): Promise<void> }[] = [];

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), "lvm-devnet-claims-"));
    devnet = await testDevnet();
    for (const s of [devnet.l1, devnet.l2, devnet.claims]) {
      await s.start(root);
      started.unshift(s);
    }
  });
  after(async () => {
    for (const s of started) await s.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const rpc = async (method: string, params: unknown[]) => {
    const r = await fetch(devnet.l2.url(), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
    return ((await r.json()) as { result: { number: string; hash: string } }).result;
  };

  it("claims reach L1; the RPC's safe is the newest confirmed claim; a restart posts no duplicate", async () => {
    const { chainScript } = claimKey(devnetClaimSecret());
    const l1 = devnet.l1.backend();
    // Without the operator (whose start mines 100 blocks), the chain's coinbase matures here.
    await l1.mine(100, l1DevKey().address);
    await until(
      async () => (await devnet.claims.poster().claims()).some((c) => c.status === "broadcast"),
      120_000,
      () => "no claim broadcast",
    );
    await l1.mine(1, l1DevKey().address);
    const chain = await readClaimChain(l1, { chainScript });
    const newest = chain.filter((c) => c.confirmations >= 1).at(-1)!;
    expect(newest.l2BlockNumber).to.be.greaterThan(0);
    const safe = await rpc("eth_getBlockByNumber", ["safe", false]);
    expect(Number(safe.number)).to.equal(newest.l2BlockNumber);
    expect(safe.hash.slice(2)).to.equal(newest.l2BlockHash);
    expect(Number((await rpc("eth_getBlockByNumber", ["finalized", false])).number)).to.equal(0);

    // Restart the poster on the same state: it carries on from its last claim.
    const before = (await devnet.claims.poster().claims()).length;
    await devnet.claims.stop();
    started.splice(started.indexOf(devnet.claims), 1);
    const again = claimService({
      l1: () => devnet.l1.backend(),
      sequencer: () => devnet.l2.sequencer(),
      mineTo: l1DevKey().address,
      pollMs: 200,
      log: () => undefined,
    });
    await again.start(root);
    started.unshift(again);
    await until(
      async () => (await again.poster().claims()).filter((c) => c.status === "broadcast").length > before,
      120_000,
      () => "no claim after the restart",
    );
    await l1.mine(1, l1DevKey().address);
    // The reader refuses a repeated or backwards L2 block (NOT_MONOTONIC): one claim per batch.
    const after = await readClaimChain(l1, { chainScript });
    const posted = await again.poster().claims();
    expect(after.length).to.be.greaterThan(before);
    // What L1 holds is exactly what the poster recorded, in order (later ones may still be unmined).
    expect(after.map((c) => c.txid)).to.deep.equal(posted.slice(0, after.length).map((c) => c.txid));
  });
});
