/**
 * The dashboard server against a hand-made source: the API's answers and refusals (typed 4xx
 * JSON), the event stream pushing a new snapshot when the L1 tip moves, and a failing source that
 * leaves the server up with its last snapshot.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { expect } from "chai";

import {
  DashboardServer,
  openInvariantHistory,
  type BridgeSnapshot,
  type DashboardSource,
  type DlcView,
  type Head,
} from "../../ts/dashboard/index.js";

const TXID = "ab".repeat(32);
const OTHER = "cd".repeat(32);
const CHANNEL = "0x" + "ef".repeat(32);

const DLC: DlcView = {
  contract: "0x" + "66".repeat(20),
  oracleKey: "77".repeat(32),
  oracleUrl: "http://127.0.0.1:1/",
  channels: [
    {
      id: CHANNEL,
      owner: "0x" + "88".repeat(20),
      fundedSats: "150000000",
      userCollateralSats: "150000000",
      funding: `${TXID}:0`,
      state: "staked",
      waitsFor: "the oracle's OracleSign on L1",
      withdrawalSats: "87654321",
      attestedSats: "87654321",
      stake: { outpoint: `${OTHER}:1`, sats: "200000000", locked: true },
    },
  ],
  stakeLockedSats: "200000000",
};

function snapshotAt(l1: Head, dlc: boolean): BridgeSnapshot {
  return {
    l1,
    l2: { height: 7, hash: "0x" + "11".repeat(32) },
    lightClient: { address: "0x" + "22".repeat(20), tip: l1, lagBlocks: 0, confirmations: 1 },
    deposits: [
      {
        id: TXID,
        recipient: "0x" + "33".repeat(20),
        sats: "49999594",
        state: "credited",
        waitsFor: "a withdrawal",
        l1Confirmations: 3,
        graphId: TXID,
      },
    ],
    withdrawals: [
      {
        id: "0",
        sender: "0x" + "44".repeat(20),
        sats: "1000",
        to: "bcrt1q",
        state: "requested",
        waitsFor: "x",
      },
    ],
    graphs: [
      {
        id: TXID,
        operator: "55".repeat(32),
        state: "pegged-in",
        txs: [
          {
            name: "PegInConfirm",
            txid: TXID,
            state: "confirmed",
            confirmations: 3,
            vsize: 203,
            feeSats: "406",
            spends: [],
          },
        ],
      },
    ],
    operators: [],
    invariant: { l1Height: l1.height, time: 0, l2OutsideSats: "0", l1LockedSats: "0", holds: true },
    ...(dlc ? { dlc: DLC } : {}),
  };
}

class FakeSource implements DashboardSource {
  head: Head = { height: 101, hash: "aa".repeat(32) };
  failing = false;
  dlc = true;
  snapshots = 0;
  async l1Head(): Promise<Head> {
    if (this.failing) throw new Error("connection refused");
    return this.head;
  }
  async snapshot(): Promise<BridgeSnapshot> {
    this.snapshots++;
    return snapshotAt(this.head, this.dlc);
  }
  async rawTransaction(txid: string) {
    return txid === TXID ? { txid, hex: "0200", source: "l1" as const, format: "tx" as const } : undefined;
  }
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  expect(res.headers.get("content-type")).to.match(/application\/json/);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Polls `ok` (every 10 ms, up to 5 s) until it holds. */
async function eventually(ok: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

const code = (b: Record<string, unknown>): unknown => (b.error as { code?: string } | undefined)?.code;

describe("dashboard server", function () {
  let source: FakeSource;
  let server: DashboardServer;
  const logged: string[] = [];

  before(async function () {
    source = new FakeSource();
    server = await DashboardServer.start({
      source,
      port: 0,
      pollMs: 20,
      refreshMs: 60_000,
      log: (l) => logged.push(l),
    });
  });
  after(async () => server?.stop());

  it("binds 127.0.0.1 and serves the page and its bundled assets", async function () {
    expect(new URL(server.url).hostname).to.equal("127.0.0.1");
    const html = await (await fetch(server.url)).text();
    expect(html).to.include('<script src="/assets/app.js">');
    const js = await fetch(`${server.url}/assets/app.js`);
    expect(js.status).to.equal(200);
    const text = await js.text();
    expect(text.length).to.be.greaterThan(20_000); // uPlot is inside
    expect(text).to.not.match(/https?:\/\/(?!www\.w3\.org)[a-z0-9.-]+\//i); // nothing fetched from elsewhere
    expect((await (await fetch(`${server.url}/assets/app.css`)).text()).length).to.be.greaterThan(1_000);
  });

  it("answers snapshot, items and raw transactions", async function () {
    const snap = await getJson(`${server.url}/api/snapshot`);
    expect(snap.status).to.equal(200);
    expect((snap.body.snapshot as BridgeSnapshot).l1.height).to.equal(101);
    expect(snap.body.invariantHistory).to.have.length(1);
    const dep = await getJson(`${server.url}/api/deposits/${TXID}`);
    expect(dep.body.state).to.equal("credited");
    expect((await getJson(`${server.url}/api/withdrawals/0`)).body.state).to.equal("requested");
    expect((await getJson(`${server.url}/api/graphs/${TXID}`)).body.state).to.equal("pegged-in");
    expect((await getJson(`${server.url}/api/tx/${TXID}`)).body).to.deep.equal({
      txid: TXID,
      hex: "0200",
      source: "l1",
      format: "tx",
    });
    expect(await (await fetch(`${server.url}/api/tx/${TXID}?format=hex`)).text()).to.equal("0200\n");
  });

  it("refuses bad input with a typed 4xx JSON error", async function () {
    const cases: [string, number, string][] = [
      [`/api/deposits/${OTHER}`, 404, "UNKNOWN_DEPOSIT"],
      ["/api/deposits/not-a-txid", 400, "BAD_REQUEST"],
      [`/api/deposits/${TXID.toUpperCase()}`, 400, "BAD_REQUEST"],
      ["/api/withdrawals/99", 404, "UNKNOWN_WITHDRAWAL"],
      ["/api/withdrawals/-1", 400, "BAD_REQUEST"],
      ["/api/withdrawals/007", 400, "BAD_REQUEST"],
      [`/api/graphs/${OTHER}`, 404, "UNKNOWN_GRAPH"],
      [`/api/tx/${OTHER}`, 404, "UNKNOWN_TRANSACTION"],
      [`/api/tx/${TXID}?format=xml`, 400, "BAD_REQUEST"],
      ["/api/invariant?since=abc", 400, "BAD_REQUEST"],
      ["/api/invariant?limit=0", 400, "BAD_REQUEST"],
      ["/api/invariant?bogus=1", 400, "BAD_REQUEST"],
      ["/api/snapshot?x=1", 400, "BAD_REQUEST"],
      ["/api/nothing", 404, "NOT_FOUND"],
      [`/api/dlc/channels/0x${"01".repeat(32)}`, 404, "UNKNOWN_CHANNEL"],
      [`/api/dlc/channels/${CHANNEL.slice(2)}`, 400, "BAD_REQUEST"],
      [`/api/dlc/channels/${CHANNEL.toUpperCase().replace("0X", "0x")}`, 400, "BAD_REQUEST"],
      [`/api/dlc/channels/${CHANNEL}00`, 400, "BAD_REQUEST"],
      ["/api/dlc?x=1", 400, "BAD_REQUEST"],
    ];
    for (const [path, status, c] of cases) {
      const r = await getJson(server.url + path);
      expect([path, r.status, code(r.body)]).to.deep.equal([path, status, c]);
      expect((r.body.error as { message: string }).message)
        .to.be.a("string")
        .and.not.equal("");
    }
    const unknown = await getJson(`${server.url}/api/deposits/${OTHER}`);
    expect((unknown.body.error as { value: string }).value).to.equal(OTHER);
    // Still serving after all that.
    expect((await getJson(`${server.url}/api/invariant?since=100&limit=5`)).status).to.equal(200);
  });

  it("pushes a new snapshot over server-sent events when the L1 tip moves", async function () {
    const res = await fetch(`${server.url}/api/events`);
    expect(res.headers.get("content-type")).to.match(/text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buf = "";
    const nextEvent = async (): Promise<{ seq: number; snapshot: BridgeSnapshot }> => {
      for (;;) {
        const m = /event: snapshot\ndata: (.*)\n\n/.exec(buf);
        if (m) {
          buf = buf.slice(m.index + m[0].length);
          return JSON.parse(m[1]!) as { seq: number; snapshot: BridgeSnapshot };
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        buf += decoder.decode(value, { stream: true });
      }
    };
    const first = await nextEvent();
    expect(first.snapshot.l1.height).to.equal(101);
    source.head = { height: 102, hash: "bb".repeat(32) };
    const second = await nextEvent();
    expect(second.seq).to.equal(first.seq + 1);
    expect(second.snapshot.l1.height).to.equal(102);
    const history = (await getJson(`${server.url}/api/invariant`)).body as unknown as { l1Height: number }[];
    expect(history.map((s) => s.l1Height)).to.deep.equal([101, 102]);
    await reader.cancel();
  });

  it("keeps serving the last snapshot while the source fails, and says so once", async function () {
    source.failing = true;
    await new Promise((r) => setTimeout(r, 150));
    expect(logged.filter((l) => l.includes("connection refused"))).to.have.length(1);
    const snap = await getJson(`${server.url}/api/snapshot`);
    expect((snap.body.snapshot as BridgeSnapshot).l1.height).to.equal(102);
    source.failing = false;
  });

  it("answers 503 NOT_READY before the first snapshot", async function () {
    const down = new FakeSource();
    down.failing = true;
    const s = await DashboardServer.start({ source: down, port: 0, pollMs: 1_000, log: () => undefined });
    try {
      const r = await getJson(`${s.url}/api/snapshot`);
      expect([r.status, code(r.body)]).to.deep.equal([503, "NOT_READY"]);
    } finally {
      await s.stop();
    }
  });

  it("keeps the invariant history on disk: a restarted server charts from where it stopped", async function () {
    const dir = mkdtempSync(path.join(os.tmpdir(), "dash-history-"));
    const src = new FakeSource();
    const until = async (ok: () => boolean): Promise<void> => {
      for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
    };
    try {
      let history = await openInvariantHistory(dir);
      let s = await DashboardServer.start({ source: src, port: 0, pollMs: 10, history });
      for (const h of [102, 103]) {
        src.head = { height: h, hash: h.toString(16).padStart(64, "0") };
        await until(() => s.history.at(-1)?.l1Height === h);
      }
      await s.stop();
      await history.close();
      // The restarted server's source is down: what it serves can only come from the disk.
      const down = new FakeSource();
      down.failing = true;
      history = await openInvariantHistory(dir);
      s = await DashboardServer.start({
        source: down,
        port: 0,
        pollMs: 1_000,
        history,
        log: () => undefined,
      });
      try {
        const rows = (await (await fetch(`${s.url}/api/invariant`)).json()) as { l1Height: number }[];
        expect(rows.map((r) => r.l1Height)).to.deep.equal([101, 102, 103]);
      } finally {
        await s.stop();
        await history.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("answers the OP-DLC panel and one channel; NO_DLC when the devnet runs no DLC bridge", async function () {
    const panel = await getJson(`${server.url}/api/dlc`);
    expect(panel.status).to.equal(200);
    expect(panel.body).to.deep.equal(DLC);
    const one = await getJson(`${server.url}/api/dlc/channels/${CHANNEL}`);
    expect(one.body).to.deep.include({ state: "staked", attestedSats: "87654321" });
    expect(one.body.stake).to.deep.equal({ outpoint: `${OTHER}:1`, sats: "200000000", locked: true });
    source.dlc = false;
    source.head = { height: source.head.height + 1, hash: "a1".repeat(32) };
    await eventually(async () => (await getJson(`${server.url}/api/dlc`)).status === 404);
    for (const p of ["/api/dlc", `/api/dlc/channels/${CHANNEL}`]) {
      const r = await getJson(server.url + p);
      expect([r.status, code(r.body)]).to.deep.equal([404, "NO_DLC"]);
    }
    source.dlc = true;
    source.head = { height: source.head.height + 1, hash: "a2".repeat(32) };
    await eventually(async () => (await getJson(`${server.url}/api/dlc`)).status === 200);
  });
});
