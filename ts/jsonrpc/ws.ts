/**
 * JSON-RPC over WebSocket on the HTTP server's port (an upgrade on any path), through the same
 * dispatcher and limits as HTTP: a frame larger than the body limit closes the connection (1009),
 * calls run a bounded number at a time per connection (the rest wait, reading paused), a
 * connection with too many waiting calls or too much unsent output is closed, and each
 * connection is a session methods can push notifications to (eth_subscribe).
 */
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";

import { WebSocketServer, type RawData, type WebSocket } from "ws";

import type { JsonRpcDispatcher } from "./dispatch.js";

/** One WebSocket connection, as methods see it. */
export interface WsSession {
  readonly id: number;
  /** Sends one JSON-RPC message (a notification); dropped once the connection is closed. */
  notify(method: string, params: unknown): void;
  /** Runs `fn` when the connection closes (subscriptions clean up here). */
  onClose(fn: () => void): void;
  readonly closed: boolean;
}

export interface WebSocketOptions<Ctx> {
  /** The context methods get for calls on this connection. */
  readonly context: (session: WsSession) => Ctx;
  /** Allowed origins ("*": any); a browser from elsewhere gets 403. */
  readonly origins?: "*" | readonly string[];
  /** Most calls running at once per connection (default 64); later ones wait their turn. */
  readonly maxInFlight?: number;
  /** Most calls waiting per connection (default 4,096); beyond it the connection is closed. */
  readonly maxQueued?: number;
  /** Most unsent bytes per connection (default 64 MiB); beyond it the connection is closed. */
  readonly maxBufferedBytes?: number;
  readonly log?: (message: string, error: unknown) => void;
}

let sessions = 0;

/** An `upgrade` handler serving `dispatcher` over WebSocket. */
export function webSocketHandler<Ctx>(
  dispatcher: JsonRpcDispatcher<Ctx>,
  opts: WebSocketOptions<Ctx>,
): { onUpgrade: (req: IncomingMessage, socket: Socket, head: Buffer) => void; close: () => void } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: dispatcher.limits.maxBodyBytes });
  const maxInFlight = opts.maxInFlight ?? 64;
  const maxQueued = opts.maxQueued ?? 4_096;
  const maxBuffered = opts.maxBufferedBytes ?? 64 * 1024 * 1024;
  const log = opts.log ?? ((m: string, e: unknown) => console.error(m, e));

  wss.on("connection", (ws: WebSocket) => {
    const closers: (() => void)[] = [];
    let closed = false;
    let inFlight = 0;
    const send = (text: string) => {
      if (closed || ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > maxBuffered) {
        ws.terminate();
        return;
      }
      ws.send(text);
    };
    const session: WsSession = {
      id: ++sessions,
      notify: (method, params) => send(JSON.stringify({ jsonrpc: "2.0", method, params })),
      onClose: (fn) => {
        if (closed) fn();
        else closers.push(fn);
      },
      get closed() {
        return closed;
      },
    };
    const ctx = opts.context(session);
    // Up to maxInFlight calls run at once; later frames wait (reading pauses meanwhile) and a
    // client that queues more than maxQueued is disconnected.
    const queue: string[] = [];
    const pump = (): void => {
      while (inFlight < maxInFlight && queue.length > 0) {
        const text = queue.shift()!;
        inFlight++;
        dispatcher
          .handleText(text, ctx)
          .then((answer) => {
            if (answer !== undefined) send(answer);
          })
          .catch((e: unknown) => log("json-rpc ws: request failed", e))
          .finally(() => {
            inFlight--;
            pump();
          });
      }
      if (queue.length === 0 && ws.isPaused) ws.resume();
    };
    ws.on("message", (data: RawData) => {
      if (queue.length >= maxQueued) {
        ws.close(1008, "too many requests queued");
        return;
      }
      queue.push(
        Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.from(data as ArrayBuffer).toString("utf8"),
      );
      if (inFlight >= maxInFlight && !ws.isPaused) ws.pause();
      pump();
    });
    ws.on("error", () => ws.terminate());
    ws.on("close", () => {
      closed = true;
      for (const fn of closers.splice(0)) {
        try {
          fn();
        } catch (e) {
          log("json-rpc ws: close handler failed", e);
        }
      }
    });
  });

  return {
    onUpgrade(req, socket, head) {
      const origin = req.headers.origin;
      const origins = opts.origins ?? "*";
      if (origin !== undefined && origins !== "*" && !origins.includes(origin)) {
        socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n");
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
    },
    close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
