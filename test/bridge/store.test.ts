/** The bridge roles' durable store: typed round trip, atomic batches, one process at a time. */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";

import { expect } from "chai";

import { FlowStore, decodeRecord, encodeRecord, isBridgeCode } from "../../ts/bridge/index.js";
import { root } from "../l2/helpers.js";

describe("bridge: FlowStore", function () {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "flowstore-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("round-trips bigints and bytes, and keeps records across a reopen", async function () {
    const v = { id: 2n ** 70n, raw: Uint8Array.of(0, 1, 255), nested: [{ n: -5n }], s: "x", $n: 1 };
    expect(decodeRecord(encodeRecord(v))).to.deep.equal(v);
    const a = await FlowStore.open(dir);
    await a.put("deposit", "b", { step: "built", amount: 5n });
    await a.batch([
      { kind: "deposit", key: "a", value: { step: "credited", amount: 7n } },
      { kind: "claim", key: "a", value: { covers: [1n, 2n] } },
    ]);
    await a.close();
    const b = await FlowStore.open(dir);
    expect(await b.list("deposit")).to.deep.equal([
      { step: "credited", amount: 7n },
      { step: "built", amount: 5n },
    ]);
    expect(await b.get("claim", "a")).to.deep.equal({ covers: [1n, 2n] });
    expect(await b.get("claim", "zz")).to.equal(undefined);
    await b.close();
  });

  it("refuses a second process with STORE_BUSY while the first holds it, then admits it", async function () {
    const a = await FlowStore.open(dir);
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "-e",
        `import("${path.join(root, "ts/bridge/store.ts")}").then(async ({ FlowStore }) => {
           try { const s = await FlowStore.open(${JSON.stringify(dir)}, 300); console.log("OPENED"); await s.close(); }
           catch (e) { console.log(e.code); }
           try { const s = await FlowStore.open(${JSON.stringify(dir)}, 20000); console.log("OPENED"); await s.close(); }
           catch (e) { console.log(e.code); }
         })`,
      ],
      { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
    );
    const lines: string[] = [];
    createInterface({ input: child.stdout }).on("line", (l) => lines.push(l));
    while (lines.length === 0) await new Promise((r) => setTimeout(r, 50));
    expect(lines[0]).to.equal("STORE_BUSY");
    await a.close(); // the waiting second open now gets it
    await new Promise((r) => child.once("exit", r));
    expect(lines).to.deep.equal(["STORE_BUSY", "OPENED"]);
    // In process, the code is what callers branch on.
    const c = await FlowStore.open(dir);
    let busy: unknown;
    await FlowStore.open(dir, 0).catch((e: unknown) => (busy = e));
    expect(isBridgeCode(busy, "STORE_BUSY")).to.equal(true);
    await c.close();
  });
});
