/// <reference lib="dom" />
/**
 * The dashboard in a real browser (Debian's headless Chromium driven by puppeteer-core) during a
 * devnet round trip, with the services npm start runs (the real depositor, committee, relayer and
 * operator, paused at chosen steps by their hooks): a deposit appears before its credit and moves
 * to credited, a withdrawal goes to paid and taken, the graph's transactions reach their final
 * states and link to raw transactions that decode to the right txid; an OP-DLC channel opened and
 * a withdrawal asked with the dlc tasks appear in the DLC panel as attested. Screenshots go to
 * test-artifacts/dashboard/; first paint and L1-block-to-page latency are printed as a JSON line.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { schnorr } from "@noble/curves/secp256k1.js";
import * as bitcoin from "bitcoinjs-lib";
import { expect } from "chai";
import { JsonRpcProvider, Wallet } from "ethers";
import puppeteer, { type Browser, type Page } from "puppeteer-core";

import { bytesToHex } from "../../ts/bitcoin/index.js";
import {
  buildPegOutGraph,
  graphInputFromJson,
  keyPathOutput,
  xOnlyKey,
  type FlowStore,
} from "../../ts/bridge/index.js";
import { dashboardService, WITHDRAWAL_STATES } from "../../ts/dashboard/index.js";
import { lvmBridge } from "../../ts/devnet/bridge.js";
import { l1DevKey } from "../../ts/devnet/l1.js";
import type { devnetServices } from "../../ts/devnet/services.js";
import { devAccounts } from "../../ts/l2/index.js";
import { root } from "../l2/helpers.js";
import { open, withdraw } from "../../tasks/dlc-impl.js";
import { captured, testDepositor, testDevnet } from "../devnet/helpers.js";

const ARTIFACTS = path.join(root, "test-artifacts", "dashboard");

function chromium(): string {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  const found = candidates.find((p) => p !== undefined && p !== "" && existsSync(p));
  if (found === undefined)
    throw new Error("no Chromium: `apt-get install -y chromium` (as .ci/run does) or set CHROMIUM_PATH");
  return found;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Polls `read` in the page until `ok` holds for its value; returns every distinct value seen. */
async function until<T>(page: Page, read: () => T, ok: (v: T) => boolean, timeoutMs = 60_000): Promise<T[]> {
  const seen: T[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = (await page.evaluate(read)) as T;
    if (seen.length === 0 || JSON.stringify(seen[seen.length - 1]) !== JSON.stringify(v)) seen.push(v);
    if (ok(v)) return seen;
    if (Date.now() > deadline) throw new Error(`timed out; the page showed ${JSON.stringify(seen)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A point a service's flow waits at until the test opens it. */
class Gate {
  private open: (() => void) | undefined;
  private readonly opened: Promise<void>;
  reached = false;
  constructor() {
    this.opened = new Promise((r) => (this.open = r));
  }
  async pass(): Promise<void> {
    this.reached = true;
    await this.opened;
  }
  release(): void {
    this.open!();
  }
}

describe("dashboard: a real browser on the devnet during a round trip", function () {
  let dir: string;
  let store: FlowStore | undefined;
  let operatorStarted = false;
  // The operator waits here once its payouts cover the peg-in, before KickOff.
  const claimGate = new Gate();
  let devnet: ReturnType<typeof devnetServices>;
  let dashboard: ReturnType<typeof dashboardService>;
  let browser: Browser;
  let page: Page;

  before(async function () {
    const executablePath = chromium();
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(path.join(os.tmpdir(), "dashboard-"));
    devnet = await testDevnet({
      operatorLog: () => undefined,
      operatorHook: async (event) => {
        if (event === "step:claim:claiming") await claimGate.pass();
      },
    });
    // Everything npm start runs; the operator starts once the withdrawal was seen unpaid (it
    // would credit the deposit too, and pay at once).
    for (const s of devnet.all) if (s !== devnet.operator) await s.start(dir);
    dashboard = dashboardService({
      port: 0,
      l1: () => devnet.l1.rpc(),
      l2Url: () => devnet.l2.url(),
      // As tasks/devnet.ts wires it: the committee's graphs, the operator's records once it runs.
      records: async () => {
        const status = operatorStarted ? await devnet.operator.status() : undefined;
        return {
          graphs: await devnet.committee.graphs(),
          claims: status?.claims ?? [],
          payouts: status?.withdrawals ?? [],
        };
      },
      // The OP-DLC panel, as tasks/devnet.ts wires it.
      dlc: () => devnet.dlc.endpoints(),
      pollMs: 50,
    });
    await dashboard.start(dir);
    browser = await puppeteer.launch({
      executablePath,
      headless: true,
      // Root in CI containers; the page is our own, on loopback.
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
  });

  after(async function () {
    await browser?.close();
    await dashboard?.stop();
    claimGate.release();
    await store?.close().catch(() => undefined);
    for (const s of [...(devnet?.all ?? [])].reverse())
      if (s !== devnet.operator || operatorStarted) await s.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("shows a deposit to credited, a withdrawal to paid and taken, and the graph, live", async function () {
    const figures: Record<string, number | string> = { test: "dashboard" };
    const backend = devnet.l1.backend();
    const dev = l1DevKey();

    // First paint and first data, from navigation start.
    await page.goto(dashboard.url(), { waitUntil: "load" });
    await page.waitForFunction(() => window.__dash.firstRenderAt !== undefined);
    const paint = await page.evaluate(() => ({
      fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? -1,
      data: window.__dash.firstRenderAt! - performance.timeOrigin,
    }));
    figures.first_contentful_paint_ms = Math.round(paint.fcp);
    figures.first_data_render_ms = Math.round(paint.data);
    await page.waitForSelector("#live[data-state=live]");
    // The OP-DLC panel: DlcChannels' address as the DLC service deployed it, no channel yet, no stake.
    expect(await page.$eval("#dlc-contract", (e) => e.textContent)).to.equal(devnet.dlc.endpoints().contract);
    expect(await page.$eval("#dlc-stake-locked", (e) => e.textContent)).to.equal("0.00000000");
    expect(await page.$eval("#dlc", (e) => e.textContent)).to.include("No channel yet");

    // Update latency: an L1 block mined → its height drawn by the page (SSE push, no reload).
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = Date.now();
      await backend.mine(1, dev.address);
      const height = await backend.getBlockCount();
      await page.waitForFunction(
        (h: number) => window.__dash.renders.some((r) => r.l1Height >= h),
        {},
        height,
      );
      const at = await page.evaluate(
        (h: number) => window.__dash.renders.find((r) => r.l1Height >= h)!.at,
        height,
      );
      latencies.push(at - before);
      expect(await page.$eval("#l1-height", (e) => e.textContent)).to.equal(`#${height}`);
    }
    figures.l1_block_to_page_ms_median = median(latencies);
    figures.l1_block_to_page_ms_max = Math.max(...latencies);
    const navigations = await page.evaluate(() => performance.getEntriesByType("navigation").length);
    expect(navigations, "updates came without a reload").to.equal(1);

    // Peg-in: PegInConfirm confirmed on L1, not yet credited — the page lists it and what it waits for.
    const provider = new JsonRpcProvider(devnet.l2.url(), undefined, {
      staticNetwork: true,
      cacheTimeout: -1,
    });
    const user = devAccounts(2)[1]!;
    const userBridge = lvmBridge(new Wallet(user.privateKey, provider));
    // The real depositor (bridge:deposit's flow), held once PegInConfirm is deep enough, before
    // its SPV credit.
    const creditGate = new Gate();
    const d = await testDepositor(devnet, dir, provider, async (event) => {
      if (event === "step:confirmed") await creditGate.pass();
    });
    store = d.store;
    const prepared = await d.depositor.prepare(30_000_000n, user.address);
    const graph = buildPegOutGraph(graphInputFromJson(prepared.input));
    const flow = d.depositor.start(prepared);
    const pegIn = prepared;
    const id = pegIn.pegInConfirmTxid;
    const depositState = (): string | null =>
      document
        .querySelector(`tr[data-deposit="${(window as unknown as { __id: string }).__id}"]`)
        ?.getAttribute("data-state") ?? null;
    await page.evaluate((x: string) => ((window as unknown as { __id: string }).__id = x), id);
    const early = await until(page, depositState, (s) => s === "awaiting-credit");
    expect(
      early
        .filter((s) => s !== null)
        .every((s) => ["broadcast", "confirming", "awaiting-relay", "awaiting-credit"].includes(s!)),
    ).to.equal(true);
    const waits = await page.$eval(`tr[data-deposit="${id}"] td.waits`, (e) => e.textContent);
    expect(waits).to.match(/SPV proof/);
    await page.screenshot({ path: path.join(ARTIFACTS, "1-deposit-awaiting-credit.png"), fullPage: true });

    expect(creditGate.reached).to.equal(true);
    // Credited on the L2: the depositor sends its SPV proof.
    creditGate.release();
    expect((await flow).step).to.equal("credited");
    await until(page, depositState, (s) => s === "credited");
    expect(await page.$eval(`tr[data-deposit="${id}"] td.num`, (e) => e.textContent)).to.equal(
      `0.${pegIn.creditedSats.toString().padStart(8, "0")}`,
    );
    await page.waitForSelector(`figure[data-graph="${id}"][data-state="pegged-in"]`);
    // The invariant card: the credit is outside the bridge on the L2, the pool locks it on L1.
    const credited = `0.${pegIn.creditedSats.toString().padStart(8, "0")}`;
    await backend.mine(1, dev.address); // a new L1 height, so the chart gets a sample of it
    await page.waitForFunction(
      (c: string) =>
        document
          .querySelector("#invariant")
          ?.parentElement?.textContent?.includes(`outside ${c} ≤ L1 locked ${c}`),
      {},
      credited,
    );
    await page.screenshot({ path: path.join(ARTIFACTS, "2-deposit-credited.png"), fullPage: true });

    // Peg-out of all of it, to a fresh key: requested while no operator runs.
    const payee = keyPathOutput(xOnlyKey(schnorr.getPublicKey(schnorr.utils.randomSecretKey()))).script;
    const burn = await userBridge.withdraw("0x" + bytesToHex(payee), {
      value: pegIn.creditedSats * 10n ** 10n,
    });
    await burn.wait();
    const withdrawalState = (): string | null =>
      document.querySelector('tr[data-withdrawal="0"]')?.getAttribute("data-state") ?? null;
    const states = await until(page, withdrawalState, (s) => s === "requested");
    expect(await page.$eval('tr[data-withdrawal="0"] td.waits', (e) => e.textContent)).to.match(
      /operator's payout/,
    );
    // The operator service: pays, proves, and (its payout covering the pool output) claims — held
    // before KickOff, so the page shows the withdrawal paid and the deposit paired.
    await devnet.operator.start(dir);
    operatorStarted = true;
    states.push(...(await until(page, withdrawalState, (s) => s === "paid")));
    await until(page, depositState, (s) => s === "paired");
    expect(claimGate.reached).to.equal(true);
    expect(await page.$eval('tr[data-withdrawal="0"] td.waits', (e) => e.textContent)).to.match(/KickOff/);
    await page.screenshot({ path: path.join(ARTIFACTS, "3-withdrawal-paid.png"), fullPage: true });
    // The README's picture: UPDATE_SCREENSHOT=1 writes this one to docs/dashboard.png.
    if (process.env.UPDATE_SCREENSHOT === "1")
      copyFileSync(path.join(ARTIFACTS, "3-withdrawal-paid.png"), path.join(root, "docs", "dashboard.png"));
    // KickOff, the challenge window, Take1.
    claimGate.release();
    states.push(...(await until(page, withdrawalState, (s) => s === "taken", 120_000)));
    const claims = (await devnet.operator.status()).claims;
    expect(claims.map((c) => [c.pegInConfirmTxid, c.covers, c.step])).to.deep.equal([
      [id, [0n], "reimbursed"],
    ]);
    const order = states.filter((s) => s !== null).map((s) => WITHDRAWAL_STATES.indexOf(s as never));
    expect(
      order.every((x, i) => x >= 0 && (i === 0 || x >= order[i - 1]!)),
      `states in order: ${states.join(" → ")}`,
    ).to.equal(true);
    figures.withdrawal_states_seen = [...new Set(states.filter((s) => s !== null))].join(">");
    await until(page, depositState, (s) => s === "reimbursed");
    expect(await page.$eval('tr[data-withdrawal="0"] td.waits', (e) => e.textContent)).to.equal("—");

    // The graph as drawn: each transaction's state, as L1 says.
    await page.waitForSelector(`figure[data-graph="${id}"][data-state="taken"]`);
    const txStates = await page.$$eval(`figure[data-graph="${id}"] a[data-tx]`, (els) =>
      Object.fromEntries(els.map((e) => [e.getAttribute("data-tx"), e.getAttribute("data-state")])),
    );
    expect(txStates).to.deep.equal({
      Deposit: "spent",
      PegInConfirm: "spent",
      KickOff: "spent",
      Take1: "confirmed",
      Challenge: "built",
      Assert: "built",
      Take2: "presigned",
    });
    // Its raw-transaction link serves Take1 as broadcast; bitcoinjs-lib decodes it to the same txid.
    const href = await page.$eval(`figure[data-graph="${id}"] a[data-tx="Take1"]`, (e) =>
      e.getAttribute("href")!,
    );
    const hex = (await (await fetch(new URL(href, dashboard.url()))).text()).trim();
    expect(bitcoin.Transaction.fromHex(hex).getId()).to.equal(graph.take1.txid);
    // A transaction never broadcast (Challenge) is served as the graph's unsigned PSBT.
    const ch = await page.$eval(`figure[data-graph="${id}"] a[data-tx="Challenge"]`, (e) =>
      e.getAttribute("href")!,
    );
    const chRaw = (await (await fetch(new URL(ch.split("?")[0]!, dashboard.url()))).json()) as {
      format: string;
      hex: string;
    };
    expect(chRaw.format).to.equal("psbt");
    const psbt = bitcoin.Psbt.fromHex(chRaw.hex);
    expect(bitcoin.Transaction.fromBuffer(psbt.data.getTransaction()).getId()).to.equal(graph.challenge.txid);
    // The payout link is the L1 payment of the withdrawal.
    const payout = await page.$eval('tr[data-withdrawal="0"] a', (e) => e.getAttribute("title"));
    const paidTx = bitcoin.Transaction.fromHex(
      (await (await fetch(new URL(`/api/tx/${payout}?format=hex`, dashboard.url()))).text()).trim(),
    );
    const toPayee = paidTx.outs.filter((o) => Buffer.from(o.script).toString("hex") === bytesToHex(payee));
    expect(toPayee.map((o) => BigInt(o.value))).to.deep.equal([pegIn.creditedSats]);
    // Operator and stake: the KickOff's stake output, unlocked again once Take1 spent it.
    const op = await page.$$eval("#operators tbody td", (tds) => tds.map((t) => t.textContent));
    expect(op[2]).to.equal("1");
    expect(op[3]).to.equal(`0.${graph.kickOff.output(2).amount.toString().padStart(8, "0")}`);
    expect(op[4]).to.equal("0.00000000");
    expect(await page.$eval("#invariant", (e) => e.getAttribute("data-holds"))).to.equal("true");
    expect(await page.$$("#invariant-chart canvas")).to.have.length.greaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS, "4-round-trip-done.png"), fullPage: true });

    // The OP-DLC panel: a channel opened with dlc:open appears with its funding, a withdrawal
    // requested with dlc:withdraw moves it on, and the running oracle's attestation shows its amount.
    const common = { contract: "", datadir: dir, l1url: devnet.l1.rpcUrl(), l2url: devnet.l2.url() };
    const opened = await captured(() =>
      open({ ...common, amount: "1.5", account: "4", fedaccount: "3", refundblocks: "50" }),
    );
    expect(opened.err).to.equal("");
    const channelId = (JSON.parse(opened.out) as { channel: string }).channel;
    const channelState = (): string | null =>
      document
        .querySelector(`#dlc tr[data-channel="${(window as unknown as { __ch: string }).__ch}"]`)
        ?.getAttribute("data-state") ?? null;
    await page.evaluate((x: string) => ((window as unknown as { __ch: string }).__ch = x), channelId);
    await until(page, channelState, (st) => st === "open");
    const cells = (): Promise<(string | null)[]> =>
      page.$$eval(`#dlc tr[data-channel="${channelId}"] td`, (tds) => tds.map((t) => t.textContent));
    expect((await cells())[2]).to.equal("1.50000000");
    expect(await page.$eval("#dlc", (e) => e.textContent)).to.not.include("No channel yet");
    const asked = await captured(() =>
      withdraw({ ...common, channel: channelId, amount: "0.87654321", account: "4" }),
    );
    expect(asked.err).to.equal("");
    const dlcStates = await until(page, channelState, (st) => st === "attested");
    expect(dlcStates.filter((st) => st !== null && st !== "open")).to.satisfy((xs: string[]) =>
      xs.every((x) => ["withdrawal-requested", "attested"].includes(x)),
    );
    const row = await cells();
    expect([row[4], row[5], row[6]]).to.deep.equal(["0.87654321", "0.87654321", "—"]);
    expect(row[7]).to.match(/stake/);
    // The page's channel is DlcChannels' record, as the API serves it.
    const api = (await (await fetch(new URL(`/api/dlc/channels/${channelId}`, dashboard.url()))).json()) as {
      fundedSats: string;
      state: string;
    };
    expect(api).to.deep.include({ fundedSats: "150000000", state: "attested" });
    await page.screenshot({ path: path.join(ARTIFACTS, "5-dlc-attested.png"), fullPage: true });

    // A narrow screen: the page itself does not scroll sideways (tables scroll in their frames).
    await page.setViewport({ width: 390, height: 844, isMobile: true });
    await new Promise((r) => setTimeout(r, 200));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).to.be.lessThanOrEqual(0);
    // … and the graph is drawn top to bottom, its boxes at least 100 px wide on screen.
    await page.waitForSelector(`figure[data-graph="${id}"] svg[data-layout=vertical]`);
    const boxWidth = await page.$eval(
      `figure[data-graph="${id}"] a[data-tx="Take1"] rect`,
      (r) => r.getBoundingClientRect().width,
    );
    expect(boxWidth).to.be.greaterThanOrEqual(100);
    await page.screenshot({ path: path.join(ARTIFACTS, "6-narrow.png"), fullPage: true });

    figures.snapshot_read_ms_median = median(
      await page.evaluate(() => window.__dash.renders.map((r) => r.readMs)),
    );
    provider.destroy();
    console.log(JSON.stringify(figures));
  });
});
