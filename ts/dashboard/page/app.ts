/// <reference lib="dom" />
/**
 * The dashboard page: one snapshot from /api/snapshot, then every change over server-sent events
 * (/api/events), drawn without a reload. Tables scroll sideways and the graph drawings scale, so a
 * narrow screen works. `window.__dash` records when each snapshot was drawn (the browser test
 * measures update latency with it).
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

import type { SnapshotMessage } from "../server.js";
import type { BridgeSnapshot, GraphView, InvariantSample } from "../source.js";
import "./style.css";

interface DashProbe {
  renders: { seq: number; l1Height: number; at: number; readMs: number }[];
  firstRenderAt?: number;
}
declare global {
  interface Window {
    __dash: DashProbe;
  }
}
window.__dash = { renders: [] };

type Child = Node | string | null | undefined | false;

/** A DOM element with attributes and children; text is always set as text, never parsed as HTML. */
function h(tag: string, attrs: Record<string, string | undefined> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

const SVG = "http://www.w3.org/2000/svg";
function s(tag: string, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

const short = (hex: string, n = 8): string =>
  hex.length > 2 * n + 1 ? `${hex.slice(0, n)}…${hex.slice(-4)}` : hex;

/** Sats as BTC with 8 decimals, exactly (string arithmetic, no float). */
function btc(sats: string): string {
  const neg = sats.startsWith("-");
  const digits = (neg ? sats.slice(1) : sats).padStart(9, "0");
  return `${neg ? "-" : ""}${digits.slice(0, -8)}.${digits.slice(-8)}`;
}

const txLink = (txid: string | undefined, label?: string): Child =>
  txid
    ? h("a", { href: `/api/tx/${txid}?format=hex`, class: "mono", title: txid }, label ?? short(txid))
    : "—";

const badge = (state: string): HTMLElement => h("span", { class: `badge s-${state}` }, state);

function table(headers: string[], rows: HTMLElement[], empty: string): HTMLElement {
  if (rows.length === 0) return h("p", { class: "muted" }, empty);
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      h("thead", {}, h("tr", {}, ...headers.map((x) => h("th", {}, x)))),
      h("tbody", {}, ...rows),
    ),
  );
}

function heads(snap: BridgeSnapshot): HTMLElement {
  const lc = snap.lightClient;
  const inv = snap.invariant;
  return h(
    "section",
    { class: "cards", id: "heads" },
    h(
      "div",
      { class: "card" },
      h("h3", {}, "L1 · Bitcoin regtest"),
      h("b", { id: "l1-height" }, `#${snap.l1.height}`),
      h("div", { class: "mono muted" }, short(snap.l1.hash, 12)),
    ),
    h(
      "div",
      { class: "card" },
      h("h3", {}, "L2 · LVM"),
      h("b", { id: "l2-height" }, `#${snap.l2.height}`),
      h("div", { class: "mono muted" }, short(snap.l2.hash, 12)),
    ),
    h(
      "div",
      { class: "card" },
      h("h3", {}, "Light client"),
      h("b", { id: "lc-height" }, lc.address ? `#${lc.tip.height}` : "not configured"),
      h(
        "div",
        { id: "lc-lag", class: lc.lagBlocks > 0 ? "warn" : "ok" },
        lc.lagBlocks === 0 ? "in sync" : `${lc.lagBlocks} block(s) behind`,
      ),
      h("div", { class: "muted" }, `credit depth ${lc.confirmations}`),
    ),
    h(
      "div",
      { class: "card" },
      h("h3", {}, "Bridge invariant"),
      h(
        "b",
        { id: "invariant", class: inv.holds ? "ok" : "bad", "data-holds": String(inv.holds) },
        inv.holds ? "holds" : "BROKEN",
      ),
      h(
        "div",
        { class: "muted" },
        `L2 outside ${btc(inv.l2OutsideSats)} ≤ L1 locked ${btc(inv.l1LockedSats)} BTC`,
      ),
    ),
  );
}

function deposits(snap: BridgeSnapshot): HTMLElement {
  const rows = snap.deposits.map((d) =>
    h(
      "tr",
      { "data-deposit": d.id, "data-state": d.state },
      h("td", {}, txLink(d.id)),
      h("td", { class: "mono" }, short(d.recipient, 6)),
      h("td", { class: "num" }, btc(d.sats)),
      h("td", {}, badge(d.state)),
      h("td", { class: "waits" }, d.waitsFor ?? "—"),
      h("td", { class: "num" }, String(d.l1Confirmations)),
    ),
  );
  return h(
    "section",
    { id: "deposits" },
    h("h2", {}, `Deposits (${snap.deposits.length})`),
    table(
      ["PegInConfirm", "recipient", "BTC", "state", "waits for", "L1 conf."],
      rows,
      "No deposit yet: npx hardhat bridge:deposit --amount 0.5",
    ),
  );
}

function withdrawals(snap: BridgeSnapshot): HTMLElement {
  const rows = snap.withdrawals.map((w) =>
    h(
      "tr",
      { "data-withdrawal": w.id, "data-state": w.state },
      h("td", {}, `#${w.id}`),
      h("td", { class: "mono" }, short(w.to, 10)),
      h("td", { class: "num" }, btc(w.sats)),
      h("td", {}, badge(w.state)),
      h("td", { class: "waits" }, w.waitsFor ?? "—"),
      h("td", {}, txLink(w.payoutTxid)),
    ),
  );
  return h(
    "section",
    { id: "withdrawals" },
    h("h2", {}, `Withdrawals (${snap.withdrawals.length})`),
    table(
      ["id", "to", "BTC", "state", "waits for", "payout"],
      rows,
      "No withdrawal yet: npx hardhat bridge:withdraw --amount <BTC, up to what was credited>",
    ),
  );
}

/** Fixed places of the graph's transactions (column, row): the BitVM2 shape, left to right. */
const PLACE: Record<string, [number, number]> = {
  Deposit: [0, 0],
  PegInConfirm: [1, 0],
  KickOff: [1, 1],
  Take1: [2, 0],
  Challenge: [2, 1],
  Assert: [3, 1],
  Take2: [4, 0],
};
const W = 128;
const H = 50;
const GAP_X = 36;
const GAP_Y = 26;

/** Narrow screens draw the graph top to bottom (columns become rows), so the boxes stay legible. */
const vertical = (): boolean => window.innerWidth < 600;

function graphSvg(g: GraphView): SVGElement {
  const down = vertical();
  const gx = down ? GAP_Y : GAP_X;
  const gy = down ? GAP_X : GAP_Y;
  const pos = (name: string): { x: number; y: number } => {
    const [c, r] = PLACE[name] ?? [0, 2];
    const [i, j] = down ? [r, c] : [c, r];
    return { x: 8 + i * (W + gx), y: 8 + j * (H + gy) };
  };
  const [cols, rows] = down ? [2, 5] : [5, 2];
  const width = 16 + cols * W + (cols - 1) * gx;
  const height = 16 + rows * H + (rows - 1) * gy;
  const svg = s("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: "graph",
    role: "img",
    "data-layout": down ? "vertical" : "horizontal",
  });
  /** An edge from the right (or bottom) of `a` to the left (or top) of `b`. */
  const edge = (a: { x: number; y: number }, b: { x: number; y: number }): string =>
    down
      ? `M${a.x + W / 2},${a.y + H} C${a.x + W / 2},${a.y + H + gy / 2} ${b.x + W / 2},${b.y - gy / 2} ${b.x + W / 2},${b.y}`
      : `M${a.x + W},${a.y + H / 2} C${a.x + W + gx / 2},${a.y + H / 2} ${b.x - gx / 2},${b.y + H / 2} ${b.x},${b.y + H / 2}`;
  svg.append(s("title", {}, `peg-out graph of ${g.id}: ${g.state}`));
  const byTxid = new Map(g.txs.map((t) => [t.txid, t]));
  for (const t of g.txs)
    for (const sp of t.spends) {
      const from = byTxid.get(sp.txid);
      if (!from) continue;
      const a = pos(from.name);
      const b = pos(t.name);
      svg.append(s("path", { d: edge(a, b), class: "edge" }));
    }
  for (const t of g.txs) {
    const { x, y } = pos(t.name);
    const node = s(
      "a",
      { href: `/api/tx/${t.txid}?format=hex`, "data-tx": t.name, "data-state": t.state },
      s(
        "title",
        {},
        `${t.name} ${t.txid}\n${t.state}${t.confirmations ? `, ${t.confirmations} conf.` : ""}${t.vsize ? `, ${t.vsize} vB` : ""}`,
      ),
      s("rect", { x, y, width: W, height: H, rx: 6, class: `node s-${t.state}` }),
      s("text", { x: x + W / 2, y: y + 20, class: "node-name" }, t.name),
      s(
        "text",
        { x: x + W / 2, y: y + 38, class: "node-state" },
        t.state + (t.confirmations ? ` · ${t.confirmations}` : ""),
      ),
    );
    svg.append(node);
  }
  return svg;
}

function graphs(snap: BridgeSnapshot): HTMLElement {
  return h(
    "section",
    { id: "graphs" },
    h("h2", {}, `Peg-out graphs (${snap.graphs.length})`),
    snap.graphs.length === 0
      ? h("p", { class: "muted" }, "A graph is presigned by the committee for each deposit.")
      : h(
          "div",
          {},
          ...snap.graphs.map((g) =>
            h(
              "figure",
              { class: "graph-card", "data-graph": g.id, "data-state": g.state },
              h(
                "figcaption",
                {},
                "deposit ",
                txLink(g.id),
                " · ",
                badge(g.state),
                " · operator ",
                h("span", { class: "mono" }, short(g.operator)),
              ),
              graphSvg(g),
            ),
          ),
        ),
  );
}

function operators(snap: BridgeSnapshot): HTMLElement {
  const rows = snap.operators.map((o) =>
    h(
      "tr",
      { "data-operator": o.key },
      h("td", { class: "mono", title: o.key }, short(o.key)),
      h("td", { class: "mono" }, o.l2Accounts.map((a) => short(a, 6)).join(", ") || "—"),
      h("td", { class: "num" }, String(o.graphs)),
      h("td", { class: "num" }, btc(o.stakeSats)),
      h("td", { class: "num" }, btc(o.stakeLockedSats)),
      h("td", { class: "num" }, btc(o.reimbursedSats)),
    ),
  );
  return h(
    "section",
    { id: "operators" },
    h("h2", {}, "Operators and stakes"),
    table(
      ["key", "L2 account", "graphs", "stake BTC", "locked now", "reimbursed"],
      rows,
      "No operator has a graph yet.",
    ),
  );
}

function dlcPanel(snap: BridgeSnapshot): HTMLElement | undefined {
  const d = snap.dlc;
  if (d === undefined) return undefined;
  const rows = d.channels.map((c) =>
    h(
      "tr",
      { "data-channel": c.id, "data-state": c.state },
      h("td", { class: "mono", title: c.id }, short(c.id)),
      h("td", { class: "mono", title: c.owner }, short(c.owner, 6)),
      h("td", { class: "num" }, btc(c.fundedSats)),
      h("td", {}, badge(c.state)),
      h("td", { class: "num" }, c.withdrawalSats === undefined ? "—" : btc(c.withdrawalSats)),
      h("td", { class: "num" }, c.attestedSats === undefined ? "—" : btc(c.attestedSats)),
      h(
        "td",
        { class: "num stake", title: c.stake?.outpoint ?? "" },
        c.stake === undefined ? "—" : `${btc(c.stake.sats)}${c.stake.locked ? " locked" : ""}`,
      ),
      h("td", { class: "waits" }, c.waitsFor ?? "—"),
    ),
  );
  return h(
    "section",
    { id: "dlc" },
    h("h2", {}, "OP-DLC channels"),
    h(
      "p",
      { class: "muted" },
      "DlcChannels ",
      h("span", { class: "mono", id: "dlc-contract" }, d.contract),
      " · oracle ",
      h("span", { class: "mono", title: d.oracleKey }, short(d.oracleKey)),
      " · stakes locked on L1 ",
      h("b", { id: "dlc-stake-locked" }, btc(d.stakeLockedSats)),
    ),
    table(
      ["channel", "owner", "funded BTC", "state", "withdrawal", "attested", "oracle stake", "waits for"],
      rows,
      "No channel yet: npx hardhat dlc:open --amount 1",
    ),
  );
}

// The invariant chart: one uPlot instance, fed every sample (one per L1 height).
let chart: uPlot | undefined;
const samples = new Map<number, InvariantSample>();

function chartData(): uPlot.AlignedData {
  const rows = [...samples.values()].sort((a, b) => a.l1Height - b.l1Height);
  return [
    rows.map((r) => r.l1Height),
    rows.map((r) => Number(r.l2OutsideSats) / 1e8),
    rows.map((r) => Number(r.l1LockedSats) / 1e8),
  ];
}

const stepped = uPlot.paths.stepped!({ align: 1 });

function drawChart(host: HTMLElement): void {
  const width = Math.max(260, host.clientWidth);
  if (chart === undefined) {
    chart = new uPlot(
      {
        width,
        height: 220,
        scales: { x: { time: false } },
        axes: [
          { label: "L1 height", incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000] },
          { label: "BTC", size: 70 },
        ],
        series: [
          { label: "L1 height" },
          // A sample holds from its block to the next: steps, not slopes.
          { label: "L2 outside bridge", stroke: "#d9480f", width: 2, paths: stepped },
          { label: "L1 locked", stroke: "#1971c2", width: 2, dash: [6, 4], paths: stepped },
        ],
      },
      chartData(),
      host,
    );
  } else {
    if (chart.root.parentElement !== host) host.append(chart.root);
    chart.setData(chartData());
  }
}

let chartHost: HTMLElement | undefined;
function invariantSection(): HTMLElement {
  chartHost ??= h("div", { id: "invariant-chart" });
  return h("section", { id: "invariant-section" }, h("h2", {}, "Bridge invariant over time"), chartHost);
}

let last: SnapshotMessage | undefined;

function render(msg: SnapshotMessage): void {
  last = msg;
  const snap = msg.snapshot;
  samples.set(snap.invariant.l1Height, snap.invariant);
  const app = document.getElementById("app")!;
  app.replaceChildren(
    heads(snap),
    deposits(snap),
    withdrawals(snap),
    graphs(snap),
    operators(snap),
    ...[dlcPanel(snap)].filter((x): x is HTMLElement => x !== undefined),
    invariantSection(),
  );
  drawChart(chartHost!);
  const at = Date.now();
  window.__dash.renders.push({ seq: msg.seq, l1Height: snap.l1.height, at, readMs: msg.readMs });
  window.__dash.firstRenderAt ??= at;
  document.body.dataset.seq = String(msg.seq);
}

function live(state: "live" | "reconnecting" | "connecting", text: string): void {
  const el = document.getElementById("live")!;
  el.dataset.state = state;
  el.textContent = text;
}

let seq = 0;
function accept(msg: SnapshotMessage): void {
  if (msg.seq < seq) return;
  seq = msg.seq;
  render(msg);
}

async function main(): Promise<void> {
  const res = await fetch("/api/snapshot");
  if (res.ok) {
    const first = (await res.json()) as SnapshotMessage & { invariantHistory: InvariantSample[] };
    for (const x of first.invariantHistory) samples.set(x.l1Height, x);
    accept(first);
  }
  const events = new EventSource("/api/events");
  events.addEventListener("open", () => live("live", "live"));
  events.addEventListener("error", () => live("reconnecting", "reconnecting…"));
  events.addEventListener("snapshot", (e) =>
    accept(JSON.parse((e as MessageEvent<string>).data) as SnapshotMessage),
  );
  let layout = vertical();
  window.addEventListener("resize", () => {
    if (chart && chartHost) chart.setSize({ width: Math.max(260, chartHost.clientWidth), height: 220 });
    // Crossing the narrow-screen width redraws the graphs in the other direction.
    if (vertical() !== layout && last !== undefined) render(last);
    layout = vertical();
  });
}

void main();
