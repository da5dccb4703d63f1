/**
 * Issue 20: a dApp in a real browser. Headless Chromium (Debian's `chromium`, driven by
 * puppeteer-core) loads a page from another origin (so CORS is exercised), which connects to the L2
 * with viem over HTTP and over WebSocket, sends a transfer and a bridge withdrawal signed in the
 * page, and sees the newHeads and logs events. Skipped, saying so, where no Chromium is installed.
 */
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

import { expect } from "chai";
import { build } from "esbuild";
import { JsonRpcProvider } from "ethers";
import puppeteer, { type Browser } from "puppeteer-core";

import { BRIDGE_ADDRESS, LVM_DEVNET_CHAIN_ID, devAccounts, type L2Node } from "../../ts/l2/index.js";
import type { PageInput, PageOutput } from "./browser/page.js";
import { startTestNode } from "./helpers.js";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));

describe("l2: a dApp in headless Chromium (viem over HTTP and WebSocket)", function () {
  let node: L2Node;
  let cleanup: () => Promise<void>;
  let browser: Browser | undefined;
  let site: Server | undefined;
  const [, , , , alice, bob] = devAccounts(6);

  before(async function () {
    if (CHROMIUM === undefined) {
      console.warn("    no chromium (apt-get install chromium): skipped");
      this.skip();
    }
    ({ node, cleanup } = await startTestNode());
  });
  after(async function () {
    await browser?.close();
    await new Promise<void>((r) => (site ? site.close(() => r()) : r()));
    await cleanup?.();
  });

  it("connects, signs and sends in the page, and sees newHeads and logs", async function () {
    const bundle = await build({
      entryPoints: [path.join(import.meta.dirname, "browser", "page.ts")],
      bundle: true,
      format: "iife",
      platform: "browser",
      target: "es2022",
      write: false,
      logLevel: "silent",
    });
    const script = bundle.outputFiles[0]!.text;
    const html = `<!doctype html><html><head><meta charset="utf-8"><title>lvm dapp</title></head><body><script>${script.replace(/<\/script/g, "<\\/script")}</script></body></html>`;
    // The page's own origin: a port other than the node's.
    site = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(html));
    await new Promise<void>((r) => site!.listen(0, "127.0.0.1", r));
    const pageUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;

    browser = await puppeteer.launch({
      executablePath: CHROMIUM!,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(pageUrl);
    const provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const before = await provider.getBalance(bob.address);
    const input: PageInput = {
      httpUrl: node.url,
      wsUrl: node.rpc.wsUrl,
      chainId: Number(LVM_DEVNET_CHAIN_ID),
      key: alice.privateKey as `0x${string}`,
      to: bob.address as `0x${string}`,
      bridge: BRIDGE_ADDRESS as `0x${string}`,
    };
    const out = (await page.evaluate(
      (i: PageInput) =>
        (globalThis as unknown as { runLvm: (x: PageInput) => Promise<PageOutput> }).runLvm(i),
      input,
    )) as PageOutput;
    expect(errors).to.deep.equal([]);
    expect(out.health.status).to.equal("ok");
    expect(out.chainIdHttp).to.equal(Number(LVM_DEVNET_CHAIN_ID));
    expect(out.chainIdWs).to.equal(Number(LVM_DEVNET_CHAIN_ID));
    expect(out.transferStatus).to.equal("success");
    expect(await provider.getBalance(bob.address)).to.equal(before + 12_345n);
    expect(out.heads.length).to.be.greaterThan(0);
    expect(out.logTxHashes).to.include(out.withdrawHash);
    const withdrawal = await provider.getTransactionReceipt(out.withdrawHash);
    expect(withdrawal?.from.toLowerCase()).to.equal(alice.address.toLowerCase());
    provider.destroy();
  });
});
