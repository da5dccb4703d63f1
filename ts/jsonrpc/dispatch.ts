/**
 * JSON-RPC 2.0 dispatch as geth does it, with geth's limits and messages: batches of at most
 * `maxBatch` ("batch too large"), a response budget per request or batch (-32003 "response too
 * large" for the calls past it), ids that are a string, a number or null (-32600 "invalid
 * request" otherwise), positional parameters ("non-array args"), a nesting limit checked before
 * parsing. A handler's throw or rejection, and a result that cannot be serialized, become an error
 * answer for that one call; nothing a client sends can reach the process as an exception.
 *
 * Written here rather than taken from json-rpc-2.0 because the limits are the point: they sit
 * between parsing and dispatch, and in the serialization of each answer.
 */
import { JsonRpcCode, JsonRpcError } from "./errors.js";
import { GETH_LIMITS, nestsDeeperThan, type JsonRpcLimits } from "./limits.js";

export type JsonRpcId = string | number | null;

/** What a method sees besides its parameters: the method name and the caller's context. */
export interface CallContext<Ctx> {
  readonly method: string;
  /** Per-connection context from the transport (a WebSocket session, for example). */
  readonly ctx: Ctx;
}

export type JsonRpcMethod<Ctx = undefined> = (params: readonly unknown[], call: CallContext<Ctx>) => unknown;

export interface ErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

export interface DispatcherOptions<Ctx> {
  readonly methods: Readonly<Record<string, JsonRpcMethod<Ctx>>> | ReadonlyMap<string, JsonRpcMethod<Ctx>>;
  readonly limits?: Partial<JsonRpcLimits>;
  /**
   * Turns a handler's error into an answer; return undefined for "not mine". Errors nobody maps
   * are answered -32603 "internal error" (their text is not shown) and given to `onError`.
   */
  readonly mapError?: (error: unknown) => ErrorObject | undefined;
  /** Told about unexpected handler errors (not {@link JsonRpcError}s or mapped ones). */
  readonly onError?: (error: unknown, method: string) => void;
  /** Calls of one batch run this many at a time (answers keep the batch's order). */
  readonly batchConcurrency?: number;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const validId = (v: unknown): v is JsonRpcId =>
  v === null || typeof v === "string" || (typeof v === "number" && Number.isFinite(v));

const errorText = (id: JsonRpcId, e: ErrorObject): string => {
  const error: ErrorObject =
    e.data === undefined
      ? { code: e.code, message: e.message }
      : { code: e.code, message: e.message, data: e.data };
  let body: string;
  try {
    body = JSON.stringify(error);
  } catch {
    body = JSON.stringify({ code: e.code, message: e.message });
  }
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"error":${body}}`;
};

const PARSE_ERROR = errorText(null, { code: JsonRpcCode.PARSE_ERROR, message: "parse error" });
const INVALID_REQUEST = (id: JsonRpcId) =>
  errorText(id, { code: JsonRpcCode.INVALID_REQUEST, message: "invalid request" });
const TOO_LARGE: ErrorObject = { code: JsonRpcCode.RESPONSE_TOO_LARGE, message: "response too large" };

/** One parsed call: answerable (`id` given) or a notification. */
interface Call {
  readonly id: JsonRpcId | undefined;
  readonly method: string;
  readonly params: unknown;
}

export class JsonRpcDispatcher<Ctx = undefined> {
  readonly limits: JsonRpcLimits;
  readonly #methods: ReadonlyMap<string, JsonRpcMethod<Ctx>>;
  readonly #opts: DispatcherOptions<Ctx>;

  constructor(opts: DispatcherOptions<Ctx>) {
    this.#opts = opts;
    this.limits = { ...GETH_LIMITS, ...opts.limits };
    this.#methods = opts.methods instanceof Map ? opts.methods : new Map(Object.entries(opts.methods));
  }

  /** Whether `method` is served. */
  has(method: string): boolean {
    return this.#methods.has(method);
  }

  /**
   * Answers one request text (a call or a batch). Resolves with the answer's text, or undefined
   * when there is nothing to answer (only notifications). Never rejects.
   */
  async handleText(text: string, ctx: Ctx): Promise<string | undefined> {
    if (nestsDeeperThan(text, this.limits.maxDepth)) return PARSE_ERROR;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return PARSE_ERROR;
    }
    return this.handleValue(body, ctx);
  }

  /** As {@link handleText}, for an already parsed request (its nesting already bounded). */
  async handleValue(body: unknown, ctx: Ctx): Promise<string | undefined> {
    try {
      if (!Array.isArray(body)) {
        const out = await this.#one(body, ctx, this.limits.maxResponseBytes);
        return out?.text;
      }
      return await this.#batch(body, ctx);
    } catch (e) {
      // Unreachable by design (every step catches); kept so a bug is an error answer, not a crash.
      this.#opts.onError?.(e, "(dispatch)");
      return errorText(null, { code: JsonRpcCode.INTERNAL_ERROR, message: "internal error" });
    }
  }

  async #batch(body: unknown[], ctx: Ctx): Promise<string | undefined> {
    if (body.length === 0)
      return errorText(null, { code: JsonRpcCode.INVALID_REQUEST, message: "empty batch" });
    if (body.length > this.limits.maxBatch) {
      // geth's answer: one error, carrying the id of the batch's first call.
      const first = body.find((m) => isObject(m) && validId(m.id));
      const id = isObject(first) ? (first.id as JsonRpcId) : null;
      return `[${errorText(id, { code: JsonRpcCode.INVALID_REQUEST, message: "batch too large" })}]`;
    }
    const answers: string[] = [];
    let budget = this.limits.maxResponseBytes;
    const window = Math.max(1, this.#opts.batchConcurrency ?? 16);
    let i = 0;
    for (; i < body.length && budget >= 0; i += window) {
      const chunk = body.slice(i, i + window);
      const outs = await Promise.all(chunk.map((m) => this.#one(m, ctx, budget)));
      outs.forEach((out, k) => {
        if (out === undefined) return;
        if (budget < 0) {
          // Ran alongside the call that crossed the budget: answered as if not run.
          const m = chunk[k] as Record<string, unknown>;
          answers.push(errorText(validId(m.id) ? m.id : null, TOO_LARGE));
          return;
        }
        answers.push(out.text);
        budget -= out.text.length;
      });
    }
    // Past the budget: the calls not run yet are answered "response too large", as geth does.
    for (; i < body.length; i++) {
      const m = body[i];
      if (isObject(m) && "id" in m) answers.push(errorText(validId(m.id) ? m.id : null, TOO_LARGE));
    }
    return answers.length === 0 ? undefined : `[${answers.join(",")}]`;
  }

  /** Validates and runs one call; undefined for a notification. */
  async #one(m: unknown, ctx: Ctx, budget: number): Promise<{ text: string } | undefined> {
    if (!isObject(m)) return { text: INVALID_REQUEST(null) };
    const hasId = "id" in m;
    if (hasId && !validId(m.id)) return { text: INVALID_REQUEST(null) };
    const id = hasId ? (m.id as JsonRpcId) : undefined;
    if (m.jsonrpc !== "2.0" || typeof m.method !== "string" || m.method === "")
      return id === undefined ? undefined : { text: INVALID_REQUEST(id) };
    const call: Call = { id, method: m.method, params: m.params };
    const answer = await this.#run(call, ctx);
    if (id === undefined) return undefined;
    if ("error" in answer) return { text: errorText(id, answer.error) };
    let result: string | undefined;
    try {
      result = JSON.stringify(answer.result ?? null);
    } catch (e) {
      // RangeError: longer than a string can be; TypeError: a bigint or a cycle.
      if (e instanceof RangeError) return { text: errorText(id, TOO_LARGE) };
      this.#opts.onError?.(e, call.method);
      return { text: errorText(id, { code: JsonRpcCode.INTERNAL_ERROR, message: "internal error" }) };
    }
    if (result.length > budget) return { text: errorText(id, TOO_LARGE) };
    return { text: `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${result}}` };
  }

  async #run(call: Call, ctx: Ctx): Promise<{ result: unknown } | { error: ErrorObject }> {
    const method = this.#methods.get(call.method);
    if (method === undefined)
      return {
        error: {
          code: JsonRpcCode.METHOD_NOT_FOUND,
          message: `the method ${call.method} does not exist/is not available`,
        },
      };
    let params: readonly unknown[];
    if (Array.isArray(call.params)) params = call.params;
    else if (call.params === undefined || call.params === null) params = [];
    else return { error: { code: JsonRpcCode.INVALID_PARAMS, message: "non-array args" } };
    try {
      return { result: await method(params, { method: call.method, ctx }) };
    } catch (e) {
      return { error: this.errorObject(e, call.method) };
    }
  }

  /** The answer for a handler's error (see {@link DispatcherOptions.mapError}). */
  errorObject(e: unknown, method: string): ErrorObject {
    if (e instanceof JsonRpcError)
      return e.rpcData === undefined
        ? { code: e.rpcCode, message: e.message }
        : { code: e.rpcCode, message: e.message, data: e.rpcData };
    let mapped: ErrorObject | undefined;
    try {
      mapped = this.#opts.mapError?.(e);
    } catch {
      mapped = undefined;
    }
    if (mapped !== undefined) return mapped;
    this.#opts.onError?.(e, method);
    return { code: JsonRpcCode.INTERNAL_ERROR, message: "internal error" };
  }
}
