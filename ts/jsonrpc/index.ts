/**
 * Hardened JSON-RPC 2.0 over HTTP (and WebSocket): geth's limits and messages, handler isolation,
 * CORS, a health check. Depends only on ts/core.
 *
 * @example
 * const server = await serveJsonRpc({ port: 0, methods: { ping: () => "pong" } });
 */
export { JsonRpcCode, JsonRpcError, type JsonRpcErrorCode, type JsonRpcErrorOptions } from "./errors.js";
export { GETH_LIMITS, nestsDeeperThan, type JsonRpcLimits } from "./limits.js";
export {
  JsonRpcDispatcher,
  type CallContext,
  type DispatcherOptions,
  type ErrorObject,
  type JsonRpcId,
  type JsonRpcMethod,
} from "./dispatch.js";
export { serveJsonRpc, type CorsOptions, type HttpJsonRpcOptions, type JsonRpcHttpServer } from "./http.js";
export { installProcessGuards } from "./guards.js";
export { webSocketHandler, type WebSocketOptions, type WsSession } from "./ws.js";
