/**
 * A minimal Bitcoin Core JSON-RPC client: basic auth (user/password or cookie file) over one
 * kept-alive HTTP connection per concurrent call, as python's `AuthServiceProxy` keeps its
 * `HTTPConnection` (node:http with a keep-alive agent; `fetch` costs several times more per call).
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";

import { LvmError } from "../../core/index.js";
import { RpcError } from "./errors.js";

export interface RpcClientOptions {
  readonly url: string;
  readonly user?: string;
  readonly password?: string;
  /** Path of bitcoind's `.cookie`; read on every call, since bitcoind rewrites it on restart. */
  readonly cookieFile?: string;
  readonly timeoutMs?: number;
}

/** A transport failure (connection refused, HTTP error without a JSON-RPC body). */
export class RpcTransportError extends LvmError<"UNREACHABLE" | "HTTP" | "BAD_RESPONSE"> {
  override readonly name = "RpcTransportError";
}

export class JsonRpcClient {
  private id = 0;
  private readonly url: URL;
  private readonly agent: http.Agent;
  constructor(private readonly opts: RpcClientOptions) {
    this.url = new URL(opts.url);
    const keep = { keepAlive: true, keepAliveMsecs: 1000 };
    this.agent = this.url.protocol === "https:" ? new https.Agent(keep) : new http.Agent(keep);
  }

  /** One POST; resolves with the status and body text. */
  private post(
    body: string,
    headers: Record<string, string>,
    retried = false,
  ): Promise<{ status: number; text: string }> {
    const mod = this.url.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
      headers["Content-Length"] = String(Buffer.byteLength(body));
      const req = mod.request(
        // Plain options, not the URL: node:http re-parses a URL object on every request.
        {
          protocol: this.url.protocol,
          hostname: this.url.hostname.replace(/^\[(.*)\]$/, "$1"),
          port: this.url.port,
          path: this.url.pathname + this.url.search,
          auth: this.url.username
            ? `${decodeURIComponent(this.url.username)}:${decodeURIComponent(this.url.password)}`
            : undefined,
          method: "POST",
          agent: this.agent,
          headers,
          timeout: this.opts.timeoutMs ?? 120_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
          );
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error("timed out")));
      req.on("error", (e: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed while idle: the request never reached it (Node's advice).
        if (req.reusedSocket && e.code === "ECONNRESET" && !retried)
          this.post(body, headers, true).then(resolve, reject);
        else reject(e);
      });
      req.end(body);
    });
  }

  private authHeader(): string | undefined {
    let cred: string | undefined;
    if (this.opts.cookieFile !== undefined) cred = readFileSync(this.opts.cookieFile, "utf8").trim();
    else if (this.opts.password !== undefined) cred = `${this.opts.user ?? ""}:${this.opts.password}`;
    return cred === undefined ? undefined : `Basic ${Buffer.from(cred).toString("base64")}`;
  }

  /** Calls `method`; a JSON-RPC error becomes RpcError with bitcoind's code and message. */
  async call<T>(method: string, params: readonly unknown[] = []): Promise<T> {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    const auth = this.authHeader();
    if (auth !== undefined) headers.Authorization = auth;
    let res: { status: number; text: string };
    try {
      res = await this.post(JSON.stringify({ jsonrpc: "1.0", id: ++this.id, method, params }), headers);
    } catch (e) {
      throw new RpcTransportError("UNREACHABLE", `cannot reach ${this.opts.url}: ${(e as Error).message}`, {
        value: this.opts.url,
        cause: e,
      });
    }
    const text = res.text;
    let body: { result?: unknown; error?: { code: number; message: string } | null };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new RpcTransportError(
        "HTTP",
        `HTTP ${res.status} from ${this.opts.url}${text ? `: ${text.slice(0, 200)}` : ""}`,
        { value: res.status, details: { url: this.opts.url } },
      );
    }
    if (body.error !== null && body.error !== undefined)
      throw new RpcError(body.error.code, body.error.message);
    if (!("result" in body))
      throw new RpcTransportError("BAD_RESPONSE", "JSON-RPC reply without result", { value: text });
    return body.result as T;
  }
}
