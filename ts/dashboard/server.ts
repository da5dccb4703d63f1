/**
 * The dashboard's web server (fastify, 127.0.0.1 only): the bundled page, a JSON API and a
 * server-sent-events stream. A poller watches the L1 tip every `pollMs` and reads a full snapshot
 * on every new block (and at least every `refreshMs`, for L2-only changes); each changed snapshot
 * goes to every open page at once. The invariant history (one sample per L1 height) feeds the
 * chart; with a `history` store it is written as it is sampled and read back at start.
 */
import type { ServerResponse } from "node:http";

import Fastify, { type FastifyError, type FastifyInstance } from "fastify";

import { bundlePage, PAGE_HTML, type PageBundle } from "./bundle.js";
import { DashboardError } from "./errors.js";
import type { InvariantHistoryStore } from "./history.js";
import type { BridgeSnapshot, DashboardSource, DlcView, InvariantSample } from "./source.js";

export interface DashboardServerOptions {
  readonly source: DashboardSource;
  /** TCP port on 127.0.0.1 (0 picks one). */
  readonly port: number;
  /** How often the L1 tip is polled (default 200 ms). */
  readonly pollMs?: number;
  /** A full snapshot at least this often even without a new L1 block (default 1,000 ms). */
  readonly refreshMs?: number;
  /** Invariant samples kept (default 10,000). */
  readonly historySize?: number;
  readonly log?: (line: string) => void;
  /** Where the invariant history is kept across restarts (default: memory only). */
  readonly history?: InvariantHistoryStore;
  /** Resolve `start` only once the first snapshot is read (default true). */
  readonly awaitFirstSnapshot?: boolean;
}

/** What the page receives: the snapshot, when the server noticed its L1 block, a sequence number. */
export interface SnapshotMessage {
  readonly seq: number;
  /** Unix ms when the server first saw this L1 tip. */
  readonly l1SeenAt: number;
  /** Unix ms when the snapshot was read, and how long reading it took. */
  readonly readAt: number;
  readonly readMs: number;
  readonly snapshot: BridgeSnapshot;
}

const TXID = "^[0-9a-f]{64}$";
const HEX_ID = { type: "object", properties: { id: { type: "string", pattern: TXID } }, required: ["id"] };

function errorBody(e: DashboardError): { error: Record<string, unknown> } {
  return { error: e.toJSON() };
}

export class DashboardServer {
  readonly url: string;
  #latest: SnapshotMessage | undefined;
  #history: InvariantSample[] = [];
  #clients = new Set<ServerResponse>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #lastError = "";

  private constructor(
    private readonly app: FastifyInstance,
    private readonly opts: DashboardServerOptions,
    url: string,
  ) {
    this.url = url;
  }

  /** Bundles the page, listens on 127.0.0.1 and starts polling. */
  static async start(opts: DashboardServerOptions): Promise<DashboardServer> {
    const page = await bundlePage();
    // Unknown query parameters are refused, not silently dropped.
    const app = Fastify({ ajv: { customOptions: { removeAdditional: false, coerceTypes: true } } });
    const holder: { server?: DashboardServer } = {};
    routes(app, page, () => holder.server!);
    const address = await app.listen({ host: "127.0.0.1", port: opts.port });
    const server = (holder.server = new DashboardServer(app, opts, address));
    if (opts.history) server.#history = await opts.history.load(opts.historySize ?? 10_000);
    const first = server.#tick().then(() => server.#schedule());
    if (opts.awaitFirstSnapshot ?? true) await first;
    return server;
  }

  get source(): DashboardSource {
    return this.opts.source;
  }

  get latest(): SnapshotMessage | undefined {
    return this.#latest;
  }

  get history(): readonly InvariantSample[] {
    return this.#history;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    for (const c of this.#clients) c.end();
    this.#clients.clear();
    await this.app.close();
  }

  /** Registers an open event stream and sends it the current state. */
  addClient(res: ServerResponse): void {
    this.#clients.add(res);
    res.on("close", () => this.#clients.delete(res));
    if (this.#latest) res.write(sse("snapshot", this.#latest));
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#tick().finally(() => this.#schedule());
    }, this.opts.pollMs ?? 200);
  }

  async #tick(): Promise<void> {
    try {
      const head = await this.opts.source.l1Head();
      const last = this.#latest;
      const newBlock = last === undefined || last.snapshot.l1.hash !== head.hash;
      if (!newBlock && Date.now() - last.readAt < (this.opts.refreshMs ?? 1_000)) return;
      const l1SeenAt = newBlock ? Date.now() : last.l1SeenAt;
      const started = Date.now();
      const snapshot = await this.opts.source.snapshot();
      await this.#record(snapshot.invariant);
      const changed = last === undefined || JSON.stringify(last.snapshot) !== JSON.stringify(snapshot);
      const readAt = Date.now();
      if (!changed) {
        this.#latest = { ...last, readAt };
        return;
      }
      this.#latest = { seq: (last?.seq ?? 0) + 1, l1SeenAt, readAt, readMs: readAt - started, snapshot };
      const msg = sse("snapshot", this.#latest);
      for (const c of this.#clients) c.write(msg);
      this.#lastError = "";
    } catch (e) {
      // The source is down or mid-restart: keep serving the last snapshot, say so once.
      const text = e instanceof Error ? e.message : String(e);
      if (text !== this.#lastError && !this.#stopped) (this.opts.log ?? console.error)(`dashboard: ${text}`);
      this.#lastError = text;
    }
  }

  async #record(s: InvariantSample): Promise<void> {
    const h = this.#history;
    const last = h[h.length - 1];
    if (last !== undefined && last.l1Height === s.l1Height) {
      if (JSON.stringify(last) === JSON.stringify({ ...s, time: last.time })) return;
      h[h.length - 1] = s;
    } else h.push(s);
    const max = this.opts.historySize ?? 10_000;
    if (h.length > max) h.splice(0, h.length - max);
    await this.opts.history?.put(s);
  }
}

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function routes(app: FastifyInstance, page: PageBundle, server: () => DashboardServer): void {
  const latest = (): SnapshotMessage => {
    const l = server().latest;
    if (l === undefined)
      throw new DashboardError("NOT_READY", "no snapshot read yet; the data source may be down");
    return l;
  };

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err instanceof DashboardError) return reply.status(err.status).send(errorBody(err));
    if (err.validation) {
      const where = err.validationContext ?? "request";
      const e = new DashboardError("BAD_REQUEST", `${where}: ${err.message}`, {
        details: {
          issues: err.validation.map((v) => `${v.instancePath || where} ${v.message ?? ""}`.trim()),
        },
      });
      return reply.status(400).send(errorBody(e));
    }
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500)
      return reply.status(err.statusCode).send(errorBody(new DashboardError("BAD_REQUEST", err.message)));
    return reply
      .status(502)
      .send(errorBody(new DashboardError("SOURCE_FAILED", err.message, { cause: err })));
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .status(404)
      .send(
        errorBody(new DashboardError("NOT_FOUND", `no such page: ${req.method} ${req.url.split("?")[0]}`)),
      ),
  );

  app.get("/", (_req, reply) => reply.type("text/html; charset=utf-8").send(PAGE_HTML));
  app.get("/assets/app.js", (_req, reply) =>
    reply.type("text/javascript; charset=utf-8").header("cache-control", "no-cache").send(page.js),
  );
  app.get("/assets/app.css", (_req, reply) =>
    reply.type("text/css; charset=utf-8").header("cache-control", "no-cache").send(page.css),
  );

  const noQuery = { querystring: { type: "object", additionalProperties: false } };
  app.get("/api/snapshot", { schema: noQuery }, () => ({ ...latest(), invariantHistory: server().history }));
  app.get("/api/deposits", { schema: noQuery }, () => latest().snapshot.deposits);
  app.get("/api/withdrawals", { schema: noQuery }, () => latest().snapshot.withdrawals);
  app.get("/api/graphs", { schema: noQuery }, () => latest().snapshot.graphs);
  app.get("/api/operators", { schema: noQuery }, () => latest().snapshot.operators);

  app.get<{ Params: { id: string } }>(
    "/api/deposits/:id",
    { schema: { params: HEX_ID, ...noQuery } },
    (req) => {
      const d = latest().snapshot.deposits.find((x) => x.id === req.params.id);
      if (!d)
        throw new DashboardError("UNKNOWN_DEPOSIT", "no deposit with this PegInConfirm txid", {
          value: req.params.id,
        });
      return d;
    },
  );
  app.get<{ Params: { id: string } }>(
    "/api/withdrawals/:id",
    {
      schema: {
        params: {
          type: "object",
          properties: { id: { type: "string", pattern: "^(0|[1-9][0-9]{0,19})$" } },
          required: ["id"],
        },
        ...noQuery,
      },
    },
    (req) => {
      const w = latest().snapshot.withdrawals.find((x) => x.id === req.params.id);
      if (!w)
        throw new DashboardError("UNKNOWN_WITHDRAWAL", "no withdrawal with this id", {
          value: req.params.id,
        });
      return w;
    },
  );
  app.get<{ Params: { id: string } }>(
    "/api/graphs/:id",
    { schema: { params: HEX_ID, ...noQuery } },
    (req) => {
      const g = latest().snapshot.graphs.find((x) => x.id === req.params.id);
      if (!g)
        throw new DashboardError("UNKNOWN_GRAPH", "no peg-out graph for this PegInConfirm txid", {
          value: req.params.id,
        });
      return g;
    },
  );
  const dlc = (): DlcView => {
    const d = latest().snapshot.dlc;
    if (d === undefined) throw new DashboardError("NO_DLC", "this devnet runs no OP-DLC bridge");
    return d;
  };
  app.get("/api/dlc", { schema: noQuery }, () => dlc());
  app.get<{ Params: { id: string } }>(
    "/api/dlc/channels/:id",
    {
      schema: {
        params: {
          type: "object",
          properties: { id: { type: "string", pattern: "^0x[0-9a-f]{64}$" } },
          required: ["id"],
        },
        ...noQuery,
      },
    },
    (req) => {
      const c = dlc().channels.find((x) => x.id === req.params.id);
      if (!c)
        throw new DashboardError("UNKNOWN_CHANNEL", "DlcChannels records no channel with this id", {
          value: req.params.id,
        });
      return c;
    },
  );
  app.get<{ Params: { id: string }; Querystring: { format?: "json" | "hex" } }>(
    "/api/tx/:id",
    {
      schema: {
        params: HEX_ID,
        querystring: {
          type: "object",
          properties: { format: { type: "string", enum: ["json", "hex"] } },
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      const raw = await server().source.rawTransaction(req.params.id);
      if (!raw)
        throw new DashboardError("UNKNOWN_TRANSACTION", "neither L1 nor a known graph has this txid", {
          value: req.params.id,
        });
      if (req.query.format === "hex") return reply.type("text/plain; charset=utf-8").send(raw.hex + "\n");
      return raw;
    },
  );
  app.get<{ Querystring: { since?: number; limit?: number } }>(
    "/api/invariant",
    {
      schema: {
        querystring: {
          type: "object",
          properties: {
            since: { type: "integer", minimum: 0 },
            limit: { type: "integer", minimum: 1, maximum: 10_000 },
          },
          additionalProperties: false,
        },
      },
    },
    (req) => {
      const since = req.query.since ?? 0;
      const rows = server().history.filter((s) => s.l1Height >= since);
      return rows.slice(Math.max(0, rows.length - (req.query.limit ?? 10_000)));
    },
  );
  app.get("/api/events", { schema: noQuery }, (req, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    reply.raw.write("retry: 1000\n\n");
    server().addClient(reply.raw);
    req.raw.on("close", () => reply.raw.end());
  });
}
