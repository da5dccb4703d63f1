import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import { expect } from "chai";

import { BtcNode, JsonRpcClient } from "../../ts/btcnode/index.js";
import { TestWallet, tmpDir } from "./wallet.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const nodeBin = path.join(root, "node_modules/.bin/node");
const cli = path.join(root, "ts/btcnode/cli.ts");

interface Child {
  proc: ChildProcess;
  rpc: JsonRpcClient;
}

async function spawnNode(datadir: string): Promise<Child> {
  const proc = spawn(
    nodeBin,
    ["--import", "tsx", cli, "--datadir", datadir, "--rpcport", "0", "--rpcuser", "u", "--rpcpassword", "p"],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
  const ready = await new Promise<{ rpcUrl: string }>((resolve, reject) => {
    proc.once("exit", (code) => reject(new Error(`node exited early with ${String(code)}`)));
    lines.on("line", (l) => {
      const msg = JSON.parse(l) as { event: string; rpcUrl: string };
      if (msg.event === "ready") resolve(msg);
    });
  });
  return { proc, rpc: new JsonRpcClient({ url: ready.rpcUrl, user: "u", password: "p" }) };
}

function kill9(c: Child): Promise<void> {
  return new Promise((resolve) => {
    c.proc.once("exit", () => resolve());
    c.proc.kill("SIGKILL");
  });
}

describe("btcnode: crash safety (kill -9 of a real node process)", function () {
  const tmp = tmpDir();
  const w = new TestWallet(5);
  after(() => tmp.cleanup());

  it("restarts after kill -9 mid-mining at a consistent tip and UTXO set", async () => {
    let child = await spawnNode(tmp.dir);
    const seen = new Map<number, string>();
    let height = 0;
    // Three kills, each landing while `generatetoaddress` is connecting blocks.
    for (let round = 0; round < 3; round++) {
      const mining = child.rpc
        .call<string[]>("generatetoaddress", [5000, w.trAddress])
        .catch(() => undefined);
      const target = height + 25 + round * 10;
      let count = height;
      while (count < target) {
        await new Promise((r) => setTimeout(r, 10));
        count = await child.rpc.call<number>("getblockcount");
      }
      seen.set(count, await child.rpc.call<string>("getblockhash", [count]));
      await kill9(child);
      await mining;

      child = await spawnNode(tmp.dir);
      height = await child.rpc.call<number>("getblockcount");
      expect(height).to.be.at.least(count);
      expect(height).to.be.below(5000 * (round + 1));
      for (const [h, hash] of seen) expect(await child.rpc.call<string>("getblockhash", [h])).to.equal(hash);
      const info = await child.rpc.call<{ height: number; txouts: number }>("gettxoutsetinfo", ["none"]);
      // Each block adds exactly one spendable coinbase output: the UTXO set matches the tip.
      expect(info).to.include({ height, txouts: height });
    }

    // A kill while idle changes nothing.
    const info1 = await child.rpc.call<Record<string, unknown>>("gettxoutsetinfo");
    await kill9(child);
    child = await spawnNode(tmp.dir);
    expect(await child.rpc.call<Record<string, unknown>>("gettxoutsetinfo")).to.deep.equal(info1);
    // And the node carries on mining from there.
    await child.rpc.call("generatetoaddress", [3, w.trAddress]);
    expect(await child.rpc.call<number>("getblockcount")).to.equal(height + 3);
    await child.rpc.call("stop");
    await new Promise((r) => child.proc.once("exit", r));

    // The stored UTXO set equals the one rebuilt from the stored blocks.
    const node = await BtcNode.open({ datadir: tmp.dir });
    try {
      expect(node.height).to.equal(height + 3);
      const v = await node.verifyUtxoSet();
      expect(v.mismatches).to.deep.equal([]);
      expect(v.coins).to.equal(height + 3);
    } finally {
      await node.close();
    }
  });
});
