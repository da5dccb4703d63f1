/** A minimal Bitcoin Core JSON-RPC client (fetch + basic auth, user/password or cookie file). */
import { readFileSync } from "node:fs";

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
  constructor(private readonly opts: RpcClientOptions) {}

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
    let res: Response;
    try {
      res = await fetch(this.opts.url, {
        method: "POST",
        headers,
        body: JSON.stringify({ jsonrpc: "1.0", id: ++this.id, method, params }),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 120_000),
      });
    } catch (e) {
      throw new RpcTransportError("UNREACHABLE", `cannot reach ${this.opts.url}: ${(e as Error).message}`, {
        value: this.opts.url,
        cause: e,
      });
    }
    const text = await res.text();
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
