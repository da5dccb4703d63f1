/**
 * The L2's Ethereum JSON-RPC server (HTTP, 127.0.0.1). Writes go through the sequencer; reads
 * are answered by the executor, except where the sequencer knows better (pending nonces and
 * pending transactions), the node's identity and finality. Arguments are checked here with
 * geth's messages before they reach the executor; framing, limits and isolation are the shared
 * hardened server's (ts/jsonrpc).
 */
import { Transaction, getAddress, getCreateAddress } from "ethers";

import {
  JsonRpcDispatcher,
  JsonRpcError,
  serveJsonRpc,
  type CorsOptions,
  type ErrorObject,
  type JsonRpcLimits,
  type JsonRpcMethod,
  type WsSession,
} from "../jsonrpc/index.js";
import { L2Error } from "./errors.js";
import {
  address,
  atMost,
  blockRef,
  blockRefOrHash,
  hash32,
  invalidArgument,
  quantity,
  required,
  type BlockRef,
} from "./rpc-params.js";
import { Subscriptions } from "./rpc-subscriptions.js";
import { nextBaseFee, type Sequencer } from "./sequencer.js";
import type { PoolTx } from "./txpool.js";
import type { Address, Hash32 } from "./types.js";

/** The newest blocks this L2 calls safe and finalized (see docs/l2.md). */
export interface Finality {
  readonly safe: number;
  readonly finalized: number;
}

export interface RpcServerOptions {
  readonly host?: string;
  readonly port: number;
  /** Priority fee suggested by eth_maxPriorityFeePerGas, in wei. */
  readonly suggestedTip: bigint;
  readonly clientVersion?: string;
  /** CORS for browsers: any origin unless restricted; `false` for none. */
  readonly cors?: CorsOptions | false;
  /** geth's limits unless overridden. */
  readonly limits?: Partial<JsonRpcLimits>;
  /**
   * What Bitcoin has settled. Without it `safe` and `finalized` are the genesis block: the only
   * block this node can prove settled by itself (docs/l2.md).
   */
  readonly finality?: () => Finality | Promise<Finality>;
  /**
   * Largest eth_getLogs block range (default 1,000,000: a devnet client that scans from genesis,
   * as ethers' queryFilter does without a range, keeps working for days at 1-second blocks).
   */
  readonly maxLogRange?: number;
  /** Most logs one eth_getLogs answers (default 10,000). */
  readonly maxLogResults?: number;
}

const hex = (n: bigint | number) => `0x${n.toString(16)}`;

type ArgKind = "address" | "hash" | "block" | "blockOrHash" | "quantity" | "object" | "any";

/**
 * Read methods answered by the executor, with the kind of each argument and how many are
 * required. `state` methods read an account state: a block past the head is "header not found".
 */
const PASSTHROUGH: Readonly<Record<string, { args: ArgKind[]; required: number; state?: true }>> = {
  eth_call: { args: ["object", "blockOrHash", "any", "any"], required: 1, state: true },
  eth_estimateGas: { args: ["object", "blockOrHash", "any"], required: 1, state: true },
  eth_getBalance: { args: ["address", "blockOrHash"], required: 1, state: true },
  eth_getCode: { args: ["address", "blockOrHash"], required: 1, state: true },
  eth_getStorageAt: { args: ["address", "any", "blockOrHash"], required: 2, state: true },
  eth_getTransactionCount: { args: ["address", "blockOrHash"], required: 1, state: true },
  eth_getTransactionReceipt: { args: ["hash"], required: 1 },
  eth_getBlockByNumber: { args: ["block", "any"], required: 1 },
  eth_getBlockByHash: { args: ["hash", "any"], required: 1 },
  eth_getBlockTransactionCountByHash: { args: ["hash"], required: 1 },
  eth_getBlockTransactionCountByNumber: { args: ["block"], required: 1 },
  eth_getTransactionByBlockHashAndIndex: { args: ["hash", "quantity"], required: 2 },
  eth_getTransactionByBlockNumberAndIndex: { args: ["block", "quantity"], required: 2 },
  eth_blockNumber: { args: [], required: 0 },
  eth_feeHistory: { args: ["any", "block", "any"], required: 2 },
  eth_newBlockFilter: { args: [], required: 0 },
  eth_getProof: { args: ["address", "any", "blockOrHash"], required: 3, state: true },
  debug_traceTransaction: { args: ["hash", "any"], required: 1 },
  debug_traceCall: { args: ["object", "blockOrHash", "any"], required: 1, state: true },
  eth_uninstallFilter: { args: ["any"], required: 1 },
};

/** Builds the dispatcher; exported for in-process use and tests. */
export function createRpc(
  sequencer: Sequencer,
  opts: Pick<
    RpcServerOptions,
    "suggestedTip" | "clientVersion" | "limits" | "finality" | "maxLogRange" | "maxLogResults"
  >,
): JsonRpcDispatcher<WsSession | undefined> {
  return new JsonRpcDispatcher<WsSession | undefined>({
    methods: rpcMethods(sequencer, opts),
    limits: opts.limits,
    mapError,
    onError: (e, method) => console.warn(`l2 rpc: ${method} failed`, e),
  });
}

type Method = JsonRpcMethod<WsSession | undefined>;

/** The method table (shared by the HTTP and WebSocket transports; subscriptions need the latter). */
export function rpcMethods(
  sequencer: Sequencer,
  opts: Pick<
    RpcServerOptions,
    "suggestedTip" | "clientVersion" | "finality" | "maxLogRange" | "maxLogResults"
  >,
  subscriptions?: Subscriptions,
): Map<string, Method> {
  const executor = sequencer.executor;
  const maxRange = opts.maxLogRange ?? 1_000_000;
  const maxResults = opts.maxLogResults ?? 10_000;
  const methods = new Map<string, Method>();
  const chainId = async () => (await exec("eth_chainId", [])) as string;
  const head = () => sequencer.head.number;

  /** The executor's answer; its argument errors lose their internal texts and ids. */
  async function exec(method: string, params: readonly unknown[]): Promise<unknown> {
    return executor.request(method, params);
  }

  async function finality(): Promise<Finality> {
    const f = opts.finality === undefined ? { safe: 0, finalized: 0 } : await opts.finality();
    // Never past the head, and finalized never past safe.
    const safe = Math.min(f.safe, head());
    return { safe, finalized: Math.min(f.finalized, safe) };
  }

  async function number(ref: BlockRef): Promise<number> {
    if (typeof ref === "number") return ref;
    if (ref === "earliest") return 0;
    if (ref === "safe") return (await finality()).safe;
    if (ref === "finalized") return (await finality()).finalized;
    return head();
  }

  /** A block argument in the executor's terms: safe/finalized as numbers. */
  async function forExecutor(ref: BlockRef | { blockHash: string }, state: boolean): Promise<unknown> {
    if (typeof ref === "object") return ref;
    if (ref === "safe" || ref === "finalized") return hex(await number(ref));
    if (typeof ref === "number") {
      if (state && ref > head()) throw new JsonRpcError("SERVER_ERROR", "header not found", { value: ref });
      return hex(ref);
    }
    return ref;
  }

  async function checked(method: string, params: readonly unknown[]): Promise<unknown[]> {
    const spec = PASSTHROUGH[method]!;
    atMost(params, spec.args.length);
    for (let i = 0; i < spec.required; i++) required(params, i, method);
    const out: unknown[] = [...params];
    for (let i = 0; i < params.length; i++) {
      const v = params[i];
      if (v === undefined || v === null) continue;
      switch (spec.args[i]) {
        case "address":
          address(v, i);
          break;
        case "hash":
          hash32(v, i);
          break;
        case "quantity":
          quantity(v, i);
          break;
        case "block":
          out[i] = await forExecutor(blockRef(v, i), spec.state === true);
          break;
        case "blockOrHash":
          out[i] = await forExecutor(blockRefOrHash(v, i), spec.state === true);
          break;
        case "object":
          out[i] = callArgs(v, i);
          if (typeof v !== "object" || Array.isArray(v))
            throw invalidArgument(
              i,
              "json: cannot unmarshal non-object into Go value of type ethapi.TransactionArgs",
              v,
            );
          break;
      }
    }
    return out;
  }

  for (const method of Object.keys(PASSTHROUGH)) {
    const fix = WITH_TX_OBJECTS.has(method) ? withYParity : (r: unknown) => r;
    methods.set(method, async (p) => fix(await exec(method, await checked(method, p))));
  }

  // geth's eth_createAccessList: what the call touches (from the executor's prestate tracer),
  // less what every transaction gets warm anyway (sender, recipient, precompiles, coinbase), and
  // the gas it uses with that list.
  methods.set("eth_createAccessList", async (p) => {
    atMost(p, 2);
    const args = required(p, 0, "args");
    if (typeof args !== "object" || Array.isArray(args))
      throw invalidArgument(
        0,
        "json: cannot unmarshal non-object into Go value of type ethapi.TransactionArgs",
        args,
      );
    const call = { ...(callArgs(args, 0) as Record<string, unknown>) };
    delete call.accessList;
    const ref =
      p[1] === undefined || p[1] === null ? "latest" : await forExecutor(blockRefOrHash(p[1], 1), true);
    const from = typeof call.from === "string" ? address(call.from, 0).toLowerCase() : `0x${"0".repeat(40)}`;
    const warm = new Set([from]);
    if (typeof call.to === "string") warm.add(address(call.to, 0).toLowerCase());
    else {
      const nonce = Number(await exec("eth_getTransactionCount", [from, ref]));
      warm.add(getCreateAddress({ from, nonce }).toLowerCase());
    }
    for (let i = 1; i <= 0x11; i++) warm.add(`0x${i.toString(16).padStart(40, "0")}`);
    const block = (await exec(typeof ref === "object" ? "eth_getBlockByHash" : "eth_getBlockByNumber", [
      typeof ref === "object" ? (ref as { blockHash: string }).blockHash : ref,
      false,
    ])) as { miner?: string } | null;
    if (block?.miner !== undefined) warm.add(block.miner.toLowerCase());
    const pre = (await exec("debug_traceCall", [call, ref, { tracer: "prestateTracer" }])) as Record<
      string,
      { storage?: Record<string, string> }
    >;
    const accessList = Object.entries(pre)
      .filter(([a]) => !warm.has(a.toLowerCase()))
      .map(([a, s]) => ({ address: a.toLowerCase(), storageKeys: Object.keys(s.storage ?? {}).sort() }))
      .sort((x, y) => (x.address < y.address ? -1 : 1));
    const trace = (await exec("debug_traceCall", [
      { ...call, accessList },
      ref,
      { tracer: "callTracer" },
    ])) as {
      gasUsed: string;
      error?: string;
    };
    return {
      accessList,
      gasUsed: trace.gasUsed,
      ...(trace.error === undefined ? {} : { error: trace.error }),
    };
  });

  methods.set("eth_getBlockReceipts", async (p) => {
    atMost(p, 1);
    const ref = blockRefOrHash(required(p, 0, "blockNrOrHash"), 0);
    const block = (
      typeof ref === "object"
        ? await exec("eth_getBlockByHash", [ref.blockHash, false])
        : await exec("eth_getBlockByNumber", [await forExecutor(ref, false), false])
    ) as { transactions: string[] } | null;
    if (block === null) return null;
    return Promise.all(block.transactions.map((h) => exec("eth_getTransactionReceipt", [h])));
  });

  // geth's txpool namespace over the sequencer's pool: "pending" runs on from the account's
  // nonce without a gap, "queued" waits behind one.
  async function poolByState(): Promise<{ pending: PoolTx[]; queued: PoolTx[] }> {
    const txs = [...sequencer.pool.values()];
    const senders = [...new Set(txs.map((t) => t.from))];
    const states = await executor.accounts(senders);
    const next = new Map(senders.map((a, i) => [a, sequencer.pool.nextNonce(a, states[i]!.nonce)]));
    const pending: PoolTx[] = [];
    const queued: PoolTx[] = [];
    for (const t of txs) (t.nonce < next.get(t.from)! ? pending : queued).push(t);
    return { pending, queued };
  }
  methods.set("txpool_status", async (p) => {
    atMost(p, 0);
    const { pending, queued } = await poolByState();
    return { pending: hex(pending.length), queued: hex(queued.length) };
  });
  methods.set("txpool_content", async (p) => {
    atMost(p, 0);
    const { pending, queued } = await poolByState();
    const group = (txs: PoolTx[]) => {
      const out: Record<string, Record<string, unknown>> = {};
      for (const t of txs.sort((a, b) => a.nonce - b.nonce))
        (out[getAddress(t.from)] ??= {})[String(t.nonce)] = pendingTxJson(t);
      return out;
    };
    return { pending: group(pending), queued: group(queued) };
  });

  /** geth's FilterCriteria checks; the range resolved to numbers (bounded for eth_getLogs). */
  async function filter(v: unknown, bounded: boolean): Promise<Record<string, unknown>> {
    if (typeof v !== "object" || v === null || Array.isArray(v))
      throw invalidArgument(
        0,
        "json: cannot unmarshal non-object into Go value of type filters.FilterCriteria",
        v,
      );
    const f = { ...(v as Record<string, unknown>) };
    if (f.topics !== undefined && f.topics !== null) {
      if (!Array.isArray(f.topics)) throw invalidArgument(0, "invalid topic(s)", f.topics);
      if (f.topics.length > 4)
        throw new JsonRpcError("SERVER_ERROR", "exceed max topics", { value: f.topics.length });
      for (const t of f.topics) {
        const alts = t === null ? [] : Array.isArray(t) ? t : [t];
        if (alts.length > 1_000)
          throw new JsonRpcError("SERVER_ERROR", "exceed max addresses or topics per search position");
        for (const a of alts) if (a !== null) hash32(a, 0);
      }
    }
    if (f.address !== undefined && f.address !== null) {
      const addrs = Array.isArray(f.address) ? f.address : [f.address];
      if (addrs.length > 1_000)
        throw new JsonRpcError("SERVER_ERROR", "exceed max addresses or topics per search position");
      for (const a of addrs) address(a, 0);
    }
    if (f.blockHash !== undefined && f.blockHash !== null) {
      if (f.fromBlock !== undefined || f.toBlock !== undefined)
        throw invalidArgument(
          0,
          "cannot specify both BlockHash and FromBlock/ToBlock, choose one or the other",
        );
      hash32(f.blockHash, 0);
      return f;
    }
    const given = (x: unknown) => x !== undefined && x !== null;
    const from = given(f.fromBlock) ? blockRef(f.fromBlock, 0) : "latest";
    const to = given(f.toBlock) ? blockRef(f.toBlock, 0) : "latest";
    if (!bounded) {
      // A polled filter follows the head: its tags stay tags, except the ones only we know.
      if (from === "safe" || from === "finalized") f.fromBlock = hex(await number(from));
      if (to === "safe" || to === "finalized") f.toBlock = hex(await number(to));
      return f;
    }
    const [a, b] = [await number(from), await number(to)];
    if (a > b) throw new JsonRpcError("INVALID_PARAMS", "invalid block range params", { value: [a, b] });
    // The range asked for counts, even where it runs past the head.
    const top = Math.min(b, head());
    if (b - a + 1 > maxRange)
      throw new JsonRpcError("SERVER_ERROR", `exceed maximum block range: ${maxRange}`, { value: [a, b] });
    f.fromBlock = hex(a);
    f.toBlock = hex(top);
    return f;
  }

  const bounded = (logs: unknown): unknown => {
    if (Array.isArray(logs) && logs.length > maxResults)
      throw new JsonRpcError("SERVER_ERROR", `query exceeds max results ${maxResults}`, {
        value: logs.length,
      });
    return logs;
  };

  methods.set("eth_getLogs", async (p) => {
    atMost(p, 1);
    const f = await filter(required(p, 0, "filter"), true);
    if (typeof f.fromBlock === "string" && Number(f.fromBlock) > Number(f.toBlock)) return [];
    return bounded(await exec("eth_getLogs", [f]));
  });
  methods.set("eth_newFilter", async (p) => {
    atMost(p, 1);
    return exec("eth_newFilter", [await filter(required(p, 0, "filter"), false)]);
  });
  for (const method of ["eth_getFilterChanges", "eth_getFilterLogs"])
    methods.set(method, async (p) => {
      atMost(p, 1);
      const id = required(p, 0, "id");
      if (typeof id !== "string") throw new JsonRpcError("SERVER_ERROR", "filter not found", { value: id });
      const answer = await exec(method, [id]);
      // EDR answers null for a filter it does not know; geth says so.
      if (answer === null) throw new JsonRpcError("SERVER_ERROR", "filter not found", { value: id });
      return bounded(answer);
    });

  methods.set("eth_chainId", chainId);
  methods.set("net_version", async () => BigInt(await chainId()).toString());
  methods.set("web3_clientVersion", () => opts.clientVersion ?? `LVM/v0.1.0/${executor.kind}`);
  methods.set("net_listening", () => true);
  methods.set("eth_syncing", () => false);
  methods.set("eth_accounts", () => []);
  methods.set("eth_maxPriorityFeePerGas", () => hex(opts.suggestedTip));
  methods.set("eth_gasPrice", () => hex(nextBaseFee(sequencer.head) + opts.suggestedTip));
  methods.set("eth_sendRawTransaction", async (p) => {
    atMost(p, 1);
    const raw = required(p, 0, "input");
    if (typeof raw !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(raw))
      throw invalidArgument(
        0,
        "json: cannot unmarshal invalid hex string into Go value of type hexutil.Bytes",
        raw,
      );
    const hash = await sequencer.submit(raw);
    subscriptions?.pending(hash, () => {
      const pooled = sequencer.pool.get(hash);
      return pooled === undefined ? hash : pendingTxJson(pooled);
    });
    return hash;
  });
  if (subscriptions !== undefined) {
    methods.set("eth_subscribe", (p, call) => subscriptions.subscribe(p, call.ctx));
    methods.set("eth_unsubscribe", (p, call) => subscriptions.unsubscribe(p, call.ctx));
  }
  const countChecked = methods.get("eth_getTransactionCount")!;
  methods.set("eth_getTransactionCount", async (p, call) => {
    if (p[1] === "pending") {
      atMost(p, 2);
      return hex(await sequencer.pendingNonce(address(required(p, 0, "address"), 0) as Address));
    }
    return countChecked(p, call);
  });
  methods.set("eth_getTransactionByHash", async (p) => {
    atMost(p, 1);
    const h = hash32(required(p, 0, "hash"), 0);
    const mined = await exec("eth_getTransactionByHash", [h]);
    if (mined !== null) return withYParity(mined);
    const pooled = sequencer.pool.get(h.toLowerCase() as Hash32);
    return pooled === undefined ? null : pendingTxJson(pooled);
  });
  methods.set("lvm_getBatch", async (p) => {
    const index = Number(p[0]);
    if (!Number.isSafeInteger(index) || index < 0) throw invalidArgument(0, "batch index", p[0]);
    return (await sequencer.batch(index)) ?? null;
  });
  return methods;
}

/**
 * A call object in the executor's terms. geth takes the calldata as `input` or `data` (Foundry
 * sends both); EDR refuses the pair as a duplicate field, so one is kept when they agree and
 * geth's error answers when they do not.
 */
function callArgs(v: unknown, index: number): unknown {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return v;
  const o = v as Record<string, unknown>;
  for (const [field, goType] of CALL_FIELDS) {
    const x = o[field];
    if (x === undefined || x === null) continue;
    const where = `Go struct field TransactionArgs.${field} of type ${goType}`;
    if (typeof x !== "string")
      throw invalidArgument(index, `json: cannot unmarshal ${goJsonType(x)} into ${where}`, x);
    if (goType === "common.Address") address(x, index);
    else {
      const problem = hexProblem(x, goType === "hexutil.Bytes");
      if (problem !== undefined)
        throw invalidArgument(index, `json: cannot unmarshal ${problem} into ${where}`, x);
    }
  }
  if (o.input === undefined || o.data === undefined) return v;
  if (o.input !== o.data)
    throw invalidArgument(
      index,
      'both "data" and "input" are set and not equal. Please use "input" to pass transaction call data',
    );
  const { input: _, ...rest } = o;
  return rest;
}

/** geth's TransactionArgs fields and their Go types (for its error messages). */
const CALL_FIELDS: readonly (readonly [string, string])[] = [
  ["from", "common.Address"],
  ["to", "common.Address"],
  ["gas", "hexutil.Uint64"],
  ["nonce", "hexutil.Uint64"],
  ["gasPrice", "*hexutil.Big"],
  ["maxFeePerGas", "*hexutil.Big"],
  ["maxPriorityFeePerGas", "*hexutil.Big"],
  ["value", "*hexutil.Big"],
  ["data", "hexutil.Bytes"],
  ["input", "hexutil.Bytes"],
];

const goJsonType = (x: unknown) =>
  typeof x === "number" ? "number" : typeof x === "boolean" ? "bool" : Array.isArray(x) ? "array" : "object";

/** What geth's hexutil says about a quantity or byte string, or undefined if it is fine. */
function hexProblem(x: string, bytes: boolean): string | undefined {
  if (!/^0[xX]/.test(x)) return "hex string without 0x prefix";
  const d = x.slice(2);
  if (!/^[0-9a-fA-F]*$/.test(d)) return "invalid hex string";
  if (bytes) return d.length % 2 === 1 ? "hex string of odd length" : undefined;
  if (d === "") return 'hex string "0x"';
  // Leading zeros (geth refuses them) are let through: the executor reads them right, and
  // clients send them (ethers' toBeHex pads to whole bytes).
  if (d.replace(/^0+/, "").length > 64) return "hex number > 256 bits";
  return undefined;
}

/** Methods whose answers hold transaction objects. */
const WITH_TX_OBJECTS = new Set([
  "eth_getBlockByNumber",
  "eth_getBlockByHash",
  "eth_getTransactionByBlockHashAndIndex",
  "eth_getTransactionByBlockNumberAndIndex",
]);

/**
 * geth's `yParity` on typed transactions (EIP-2930 on), which EDR leaves out: for them `v` is the
 * parity itself. In a block, each full transaction gets it.
 */
function withYParity(result: unknown): unknown {
  if (typeof result !== "object" || result === null) return result;
  const o = result as Record<string, unknown>;
  if (Array.isArray(o.transactions)) {
    o.transactions = o.transactions.map((t) => (typeof t === "object" ? withYParity(t) : t));
    return o;
  }
  if (typeof o.type === "string" && o.type !== "0x0" && o.yParity === undefined && typeof o.v === "string") {
    // Key order as geth prints it: yParity right after v.
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
      out[k] = v;
      if (k === "v") out.yParity = v;
    }
    return out;
  }
  return o;
}

/** An executor's internal request (EDR attaches it to argument errors): never shown. */
const internalRequest = (data: unknown) =>
  typeof data === "object" && data !== null && ("jsonrpc" in data || "method" in data);

/** L2Errors as geth words them; the executor's internal texts and ids stripped. */
function mapError(e: unknown): ErrorObject | undefined {
  if (!(e instanceof L2Error)) return undefined;
  const message = e.message.replace(/ at line \d+ column \d+$/, "");
  if (e.rpcData === undefined || internalRequest(e.rpcData)) return { code: e.rpcCode, message };
  return { code: e.rpcCode, message, data: e.rpcData };
}

/** A pooled transaction in eth_getTransactionByHash's shape (not yet in a block). */
function pendingTxJson(p: PoolTx): Record<string, unknown> {
  // Rare enough to decode again with ethers, which the admission path does without.
  const tx = Transaction.from(p.raw);
  const sig = tx.signature;
  return {
    hash: p.hash,
    type: hex(tx.type ?? 0),
    chainId: hex(tx.chainId),
    nonce: hex(tx.nonce),
    from: p.from,
    to: tx.to,
    value: hex(tx.value),
    gas: hex(tx.gasLimit),
    input: tx.data,
    gasPrice: hex(tx.type === 2 || tx.type === 4 ? p.maxFeePerGas : (tx.gasPrice ?? 0n)),
    ...(tx.type === 2 || tx.type === 4
      ? { maxFeePerGas: hex(p.maxFeePerGas), maxPriorityFeePerGas: hex(p.maxPriorityFeePerGas) }
      : {}),
    ...(tx.type === 4
      ? {
          authorizationList: (tx.authorizationList ?? []).map((a) => ({
            chainId: hex(a.chainId),
            address: a.address.toLowerCase(),
            nonce: hex(a.nonce),
            yParity: hex(a.signature.yParity),
            r: a.signature.r,
            s: a.signature.s,
          })),
        }
      : {}),
    ...(tx.type === 0 ? {} : { accessList: tx.accessList ?? [], yParity: hex(sig?.yParity ?? 0) }),
    v: hex(tx.type === 0 ? (sig?.networkV ?? BigInt(sig?.v ?? 0)) : (sig?.yParity ?? 0)),
    r: sig?.r,
    s: sig?.s,
    blockHash: null,
    blockNumber: null,
    transactionIndex: null,
  };
}

/** A running JSON-RPC HTTP server. */
export interface RpcHandle {
  readonly url: string;
  /** The same port, WebSocket (eth_subscribe). */
  readonly wsUrl: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `sequencer` over HTTP on 127.0.0.1:`port` (0: any free port). */
export async function serveRpc(sequencer: Sequencer, opts: RpcServerOptions): Promise<RpcHandle> {
  const subscriptions = new Subscriptions(sequencer);
  const server = await serveJsonRpc<WsSession | undefined>({
    port: opts.port,
    ...(opts.host === undefined ? {} : { host: opts.host }),
    methods: rpcMethods(sequencer, opts, subscriptions),
    httpContext: undefined,
    webSocket: { context: (session) => session },
    limits: opts.limits,
    mapError,
    onError: (e, method) => console.warn(`l2 rpc: ${method} failed`, e),
    cors: opts.cors,
    health: () => ({ status: "ok", blockNumber: hex(sequencer.head.number) }),
  });
  return {
    url: server.url,
    port: server.port,
    wsUrl: server.url.replace(/^http/, "ws"),
    close: async () => {
      subscriptions.close();
      await server.close();
    },
  };
}
