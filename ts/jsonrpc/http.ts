/**
 * JSON-RPC over HTTP, hardened: one call serves a method table on 127.0.0.1 with geth's limits.
 * POST bodies past the limit get 413 (and are not buffered), `GET /` is a health check, CORS
 * answers browsers (any origin unless configured), WebSocket upgrades go to a hook when one is
 * given. Every request's work is caught: no client input reaches the process as an exception.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

import { JsonRpcDispatcher, type DispatcherOptions } from "./dispatch.js";
import { webSocketHandler, type WsSession } from "./ws.js";

export interface CorsOptions {
  /** Allowed origins: "*" (the default) or a list of exact origins. */
  readonly origins: "*" | readonly string[];
}

export interface HttpJsonRpcOptions<Ctx = undefined> extends DispatcherOptions<Ctx> {
  readonly port: number;
  /** Loopback unless told otherwise. */
  readonly host?: string;
  /** CORS; `false` sends no CORS headers. Default: any origin. */
  readonly cors?: CorsOptions | false;
  /** Body of `GET /` (default `{"status":"ok"}`); a throw answers 503. */
  readonly health?: () => unknown;
  /** Context handed to methods for HTTP calls. */
  readonly httpContext?: Ctx;
  /**
   * Serves JSON-RPC over WebSocket on the same port, each connection with the context this
   * returns for it. Without it an upgrade is refused with 400.
   */
  readonly webSocket?: { readonly context: (session: WsSession) => Ctx };
  /** Told about faults that are not the client's (default: console.error). */
  readonly log?: (message: string, error: unknown) => void;
}

export interface JsonRpcHttpServer<Ctx = undefined> {
  readonly url: string;
  readonly port: number;
  readonly http: Server;
  readonly dispatcher: JsonRpcDispatcher<Ctx>;
  close(): Promise<void>;
}

/** Serves `opts.methods` over HTTP; resolves once listening. */
export async function serveJsonRpc<Ctx = undefined>(
  opts: HttpJsonRpcOptions<Ctx>,
): Promise<JsonRpcHttpServer<Ctx>> {
  const log = opts.log ?? ((m: string, e: unknown) => console.error(m, e));
  const dispatcher = new JsonRpcDispatcher<Ctx>({
    ...opts,
    onError: opts.onError ?? ((e, method) => log(`json-rpc: ${method} failed`, e)),
  });
  const host = opts.host ?? "127.0.0.1";
  const http = createServer((req, res) => {
    handleHttp(req, res, dispatcher, opts).catch((e: unknown) => {
      log("json-rpc: request failed", e);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  // Long-lived keep-alive connections from clients must not hold close() forever.
  http.keepAliveTimeout = 5_000;
  http.on("clientError", (_e, socket: Socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });
  const ws =
    opts.webSocket === undefined
      ? undefined
      : webSocketHandler(dispatcher, {
          context: opts.webSocket.context,
          origins: opts.cors === false ? "*" : (opts.cors?.origins ?? "*"),
          log,
        });
  http.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    try {
      if (ws !== undefined) ws.onUpgrade(req, socket, head);
      else socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    } catch (e) {
      log("json-rpc: upgrade failed", e);
      socket.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(opts.port, host, () => {
      http.off("error", reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    http,
    dispatcher,
    close: () =>
      new Promise<void>((resolve) => {
        ws?.close();
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}

function corsHeaders(req: IncomingMessage, cors: CorsOptions | false | undefined): Record<string, string> {
  if (cors === false) return {};
  const origins = cors?.origins ?? "*";
  const origin = req.headers.origin;
  if (origins === "*") return { "access-control-allow-origin": "*" };
  if (origin !== undefined && origins.includes(origin))
    return { "access-control-allow-origin": origin, vary: "Origin" };
  return { vary: "Origin" };
}

async function handleHttp<Ctx>(
  req: IncomingMessage,
  res: ServerResponse,
  dispatcher: JsonRpcDispatcher<Ctx>,
  opts: HttpJsonRpcOptions<Ctx>,
): Promise<void> {
  res.on("error", () => res.destroy());
  const cors = corsHeaders(req, opts.cors);
  const send = (
    status: number,
    body: string,
    type = "application/json",
    extra: Record<string, string> = {},
  ) => {
    res.writeHead(status, {
      "content-type": type,
      "content-length": Buffer.byteLength(body),
      ...cors,
      ...extra,
    });
    res.end(body);
  };
  if (req.method === "OPTIONS") {
    // A CORS preflight: what a browser may send.
    req.resume();
    res.writeHead(204, {
      ...cors,
      ...(opts.cors === false
        ? {}
        : {
            "access-control-allow-methods": "POST, GET, OPTIONS",
            "access-control-allow-headers": req.headers["access-control-request-headers"] ?? "content-type",
            "access-control-max-age": "600",
          }),
    });
    res.end();
    return;
  }
  if (req.method === "GET" || req.method === "HEAD") {
    req.resume();
    let body: string;
    try {
      body = JSON.stringify((await opts.health?.()) ?? { status: "ok" });
    } catch (e) {
      send(503, JSON.stringify({ status: "unavailable", error: e instanceof Error ? e.message : String(e) }));
      return;
    }
    send(200, body);
    return;
  }
  if (req.method !== "POST") {
    req.resume();
    send(405, "method not allowed\n", "text/plain", { allow: "POST, GET, OPTIONS" });
    return;
  }
  const max = dispatcher.limits.maxBodyBytes;
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (Number.isFinite(declared) && declared > max) {
    tooLarge(req, res, send, declared, max);
    return;
  }
  const text = await new Promise<string | undefined>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.off("data", onData);
        tooLarge(req, res, send, size, max);
        resolve(undefined);
      } else chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => resolve(size > max ? undefined : Buffer.concat(chunks).toString("utf8")));
    req.on("error", () => resolve(undefined));
    req.on("close", () => resolve(undefined));
  });
  if (text === undefined) return;
  const answer = await dispatcher.handleText(text, opts.httpContext as Ctx);
  if (res.destroyed) return;
  if (answer === undefined) {
    res.writeHead(204, cors).end();
    return;
  }
  send(200, answer);
}

/**
 * geth's and Core's 413. The rest of the body is read and dropped (up to a few times the limit),
 * so the client sees the answer rather than a reset; then the connection closes.
 */
function tooLarge(
  req: IncomingMessage,
  res: ServerResponse,
  send: (status: number, body: string, type?: string, extra?: Record<string, string>) => void,
  size: number,
  max: number,
): void {
  send(413, `content length too large (${size}>${max})\n`, "text/plain", { connection: "close" });
  let drained = 0;
  req.on("data", (c: Buffer) => {
    drained += c.length;
    if (drained > 4 * max) req.destroy();
  });
  req.resume();
}
