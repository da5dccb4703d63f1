/**
 * Bitcoin Core's HTTP JSON-RPC front end: POST only, HTTP basic auth (rpcuser/rpcpassword or the
 * `.cookie` file), JSON-RPC 1.0 legacy replies (`result` + `error` + `id`, HTTP 500/404/400 on error)
 * and JSON-RPC 2.0 replies (HTTP 200, notifications answered with 204), batches, named parameters.
 */
import { randomBytes, createHash, timingSafeEqual } from "node:crypto";
import { writeFileSync, unlinkSync, mkdirSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

import { nestsDeeperThan } from "../../jsonrpc/index.js";
import { stringify, type JsonOut } from "./json.js";
import { RpcCode, RpcError } from "./errors.js";

/** One RPC method: its parameter names (for named-argument calls) and its handler. */
export interface RpcMethod {
  readonly params: readonly string[];
  readonly handler: (args: readonly unknown[]) => Promise<JsonOut> | JsonOut;
}

export type RpcTable = Readonly<Record<string, RpcMethod>>;

export interface RpcServerOptions {
  readonly port: number;
  /** Always loopback unless told otherwise. */
  readonly host?: string;
  readonly methods: RpcTable;
  /** Static credentials (Core's -rpcuser/-rpcpassword). */
  readonly user?: string;
  readonly password?: string;
  /** Directory for the `.cookie` file, written when no password is configured. */
  readonly cookieDir?: string;
  /** Largest accepted request body in bytes (Core: 32 MiB, larger → HTTP 413). */
  readonly maxBodyBytes?: number;
  /** Largest answer in bytes; a batch's calls past it are answered with an error (Core has no limit). */
  readonly maxResponseBytes?: number;
}

/** Core's MAX_SIZE: the HTTP server's body limit. */
export const CORE_MAX_BODY_BYTES = 0x02000000;
/** UniValue's MAX_JSON_DEPTH: deeper requests fail to parse. */
export const CORE_MAX_JSON_DEPTH = 512;

const PARSE_ERROR_REPLY = (message: string) =>
  `{"result":null,"error":{"code":${RpcCode.PARSE_ERROR},"message":${JSON.stringify(message)}},"id":null}`;

export interface RpcServer {
  readonly url: string;
  readonly port: number;
  /** Path of the cookie file, when cookie auth is on. */
  readonly cookieFile: string | undefined;
  close(): Promise<void>;
}

const COOKIE_USER = "__cookie__";

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}

type Reply = { status: number; body: string | undefined };

interface Request {
  readonly id: unknown;
  readonly hasId: boolean;
  readonly v2: boolean;
}

function replyObject(
  req: Request,
  result: JsonOut | undefined,
  error: { code: number; message: string } | null,
): string {
  if (req.v2) {
    const id = stringify(req.id as JsonOut);
    return error === null
      ? `{"jsonrpc":"2.0","result":${stringify(result)},"id":${id}}`
      : `{"jsonrpc":"2.0","error":${stringify(error)},"id":${id}}`;
  }
  return `{"result":${error === null ? stringify(result) : "null"},"error":${error === null ? "null" : stringify(error)},"id":${stringify((req.id ?? null) as JsonOut)}}`;
}

function errorOf(e: unknown): { code: number; message: string } {
  if (e instanceof RpcError) return { code: e.rpcCode, message: e.message };
  if (e instanceof Error) return { code: RpcCode.MISC_ERROR, message: e.message };
  return { code: RpcCode.MISC_ERROR, message: String(e) };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Positional arguments from `params`, mapping named arguments by the method's parameter names. */
function positional(method: RpcMethod, params: unknown): unknown[] {
  if (params === undefined || params === null) return [];
  if (Array.isArray(params)) return params;
  if (!isPlainObject(params))
    throw new RpcError(RpcCode.INVALID_REQUEST, "Params must be an array or object");
  const out: unknown[] = [];
  for (const [k, v] of Object.entries(params)) {
    const i = method.params.indexOf(k);
    if (i < 0) throw new RpcError(RpcCode.INVALID_PARAMETER, `Unknown named parameter ${k}`);
    out[i] = v;
  }
  // Unset positions in between are "not given", as Core treats them.
  for (let i = 0; i < out.length; i++) if (!(i in out)) out[i] = undefined;
  return out;
}

export async function startRpcServer(opts: RpcServerOptions): Promise<RpcServer> {
  const host = opts.host ?? "127.0.0.1";
  const maxBody = opts.maxBodyBytes ?? CORE_MAX_BODY_BYTES;
  const maxResponse = opts.maxResponseBytes ?? 256 * 1024 * 1024;
  const credentials: Buffer[] = [];
  if (opts.password !== undefined) credentials.push(digest(`${opts.user ?? ""}:${opts.password}`));
  let cookieFile: string | undefined;
  if (opts.password === undefined) {
    const dir = opts.cookieDir ?? process.cwd();
    mkdirSync(dir, { recursive: true });
    cookieFile = path.join(dir, ".cookie");
    const secret = randomBytes(32).toString("hex");
    writeFileSync(cookieFile, `${COOKIE_USER}:${secret}`, { mode: 0o600 });
    credentials.push(digest(`${COOKIE_USER}:${secret}`));
  }

  const authorized = (header: string | undefined): boolean => {
    if (header === undefined || !header.startsWith("Basic ")) return false;
    const given = digest(Buffer.from(header.slice(6).trim(), "base64").toString("utf8"));
    let ok = false;
    for (const c of credentials) if (timingSafeEqual(c, given)) ok = true;
    return ok;
  };

  async function execOne(
    raw: unknown,
  ): Promise<{ req: Request; text: () => string; error: number | null } | undefined> {
    if (!isPlainObject(raw)) {
      const req = { id: null, hasId: false, v2: false };
      return {
        req,
        text: () =>
          replyObject(req, undefined, {
            code: RpcCode.INVALID_REQUEST,
            message: "Invalid Request object",
          }),
        error: RpcCode.INVALID_REQUEST,
      };
    }
    const v2 = raw.jsonrpc === "2.0";
    const req: Request = { id: raw.id ?? null, hasId: "id" in raw, v2 };
    try {
      if (raw.jsonrpc !== undefined && raw.jsonrpc !== "1.0" && raw.jsonrpc !== "2.0")
        throw new RpcError(RpcCode.INVALID_REQUEST, "JSON-RPC version not supported");
      if (typeof raw.method !== "string")
        throw new RpcError(RpcCode.INVALID_REQUEST, "Method must be a string");
      if (
        raw.params !== undefined &&
        raw.params !== null &&
        !Array.isArray(raw.params) &&
        !isPlainObject(raw.params)
      )
        throw new RpcError(RpcCode.INVALID_REQUEST, "Params must be an array or object");
      const method = Object.hasOwn(opts.methods, raw.method) ? opts.methods[raw.method] : undefined;
      if (method === undefined) throw new RpcError(RpcCode.METHOD_NOT_FOUND, "Method not found");
      const result = await method.handler(positional(method, raw.params));
      if (v2 && !req.hasId) return undefined;
      return { req, text: () => replyObject(req, result, null), error: null };
    } catch (e) {
      if (v2 && !req.hasId) return undefined;
      const err = errorOf(e);
      return { req, text: () => replyObject(req, undefined, err), error: err.code };
    }
  }

  /** One call's reply text; a result too large to print is an error for that call alone. */
  function printed(out: { req: Request; text: () => string; error: number | null }): {
    req: Request;
    text: string;
    error: number | null;
  } {
    try {
      return { req: out.req, text: out.text(), error: out.error };
    } catch (e) {
      // RangeError: longer than a string can be.
      const err = {
        code: RpcCode.OUT_OF_MEMORY,
        message: e instanceof RangeError ? "Response too large" : String(e),
      };
      return { req: out.req, text: replyObject(out.req, undefined, err), error: err.code };
    }
  }

  async function handle(body: string): Promise<Reply> {
    let parsed: unknown;
    try {
      if (nestsDeeperThan(body, CORE_MAX_JSON_DEPTH)) throw new Error("too deep");
      parsed = JSON.parse(body);
    } catch {
      return { status: 500, body: PARSE_ERROR_REPLY("Parse error") };
    }
    if (Array.isArray(parsed)) {
      const replies: string[] = [];
      let size = 0;
      for (const r of parsed) {
        const out =
          size > maxResponse
            ? tooLarge(r)
            : await execOne(r).then((o) => (o === undefined ? undefined : printed(o)));
        if (out === undefined) continue;
        size += out.text.length;
        replies.push(out.text);
      }
      return { status: 200, body: `[${replies.join(",")}]` };
    }
    if (!isPlainObject(parsed))
      return { status: 500, body: PARSE_ERROR_REPLY("Top-level object parse error") };
    const raw = await execOne(parsed);
    if (raw === undefined) return { status: 204, body: undefined };
    let out = printed(raw);
    if (out.text.length > maxResponse) out = tooLarge(parsed) ?? out;
    let status = 200;
    if (out.error !== null && !out.req.v2)
      status =
        out.error === RpcCode.INVALID_REQUEST ? 400 : out.error === RpcCode.METHOD_NOT_FOUND ? 404 : 500;
    return { status, body: out.text };
  }

  /** The answer for a call past the response budget (not run). */
  function tooLarge(raw: unknown): { req: Request; text: string; error: number } | undefined {
    const obj = isPlainObject(raw) ? raw : {};
    const req: Request = { id: obj.id ?? null, hasId: "id" in obj, v2: obj.jsonrpc === "2.0" };
    if (req.v2 && !req.hasId) return undefined;
    const err = { code: RpcCode.OUT_OF_MEMORY, message: "Response too large" };
    return { req, text: replyObject(req, undefined, err), error: err.code };
  }

  const server = http.createServer((req, res) => {
    const send = (status: number, body?: string, headers: Record<string, string> = {}): void => {
      if (body === undefined) {
        res.writeHead(status, headers).end();
        return;
      }
      res.writeHead(status, { "Content-Type": "application/json", ...headers }).end(body + "\n");
    };
    if (req.method !== "POST") {
      res.writeHead(405, { "Content-Type": "text/plain" }).end("JSONRPC server handles only POST requests");
      req.resume();
      return;
    }
    if (!authorized(req.headers.authorization)) {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="jsonrpc"' }).end();
      req.resume();
      return;
    }
    res.on("error", () => res.destroy());
    // Core's 413: decided from Content-Length before reading, or when the body passes the limit;
    // the rest is read and dropped (up to a few times the limit) so the client sees the answer.
    const refuse = (): void => {
      if (!res.headersSent) res.writeHead(413, { Connection: "close" }).end();
      let drained = 0;
      req.removeAllListeners("data");
      req.on("data", (c: Buffer) => {
        drained += c.length;
        if (drained > 4 * maxBody) req.destroy();
      });
      req.resume();
    };
    const declared = Number(req.headers["content-length"] ?? NaN);
    if (Number.isFinite(declared) && declared > maxBody) {
      refuse();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > maxBody) refuse();
      else chunks.push(c);
    });
    req.on("end", () => {
      if (size > maxBody) return;
      handle(Buffer.concat(chunks).toString("utf8")).then(
        (r) => send(r.status, r.body),
        (e: unknown) => send(500, `{"result":null,"error":${stringify(errorOf(e))},"id":null}`),
      );
    });
    req.on("error", () => res.destroy());
  });
  server.on("clientError", (_e, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    cookieFile,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        if (cookieFile !== undefined) {
          try {
            unlinkSync(cookieFile);
          } catch {
            // Already gone: nothing to clean up.
          }
        }
      }),
  };
}
