/**
 * eth_subscribe / eth_unsubscribe over WebSocket, as geth serves them: `newHeads` (block headers
 * without transactions), `logs` (one notification per log, with an address/topics filter) and
 * `newPendingTransactions` (hashes, or whole transactions with `true`). Notifications go out in
 * block order; a connection's subscriptions end with it.
 */
import { randomBytes } from "node:crypto";

import { JsonRpcError, type WsSession } from "../jsonrpc/index.js";
import { address as checkAddress, hash32 } from "./rpc-params.js";
import type { Sequencer } from "./sequencer.js";
import type { BlockHeader } from "./types.js";

type Kind = "newHeads" | "logs" | "newPendingTransactions";

interface LogFilter {
  readonly addresses: readonly string[] | undefined;
  readonly topics: readonly (readonly string[] | null)[];
}

interface Subscription {
  readonly id: string;
  readonly kind: Kind;
  readonly session: WsSession;
  readonly filter?: LogFilter;
  readonly fullTx?: boolean;
}

interface RpcLog {
  address: string;
  topics: string[];
}

/** Header fields geth's newHeads leaves out of a block. */
const NOT_IN_HEADER = ["transactions", "uncles", "size", "totalDifficulty", "withdrawals"];

const hex = (n: number) => `0x${n.toString(16)}`;

export class Subscriptions {
  readonly #subs = new Map<string, Subscription>();
  readonly #sequencer: Sequencer;
  #queue: Promise<void> = Promise.resolve();
  readonly #onBlock = (block: BlockHeader) => {
    // One block's notifications after the previous block's, never interleaved.
    this.#queue = this.#queue
      .then(() => this.#block(block))
      .catch((e: unknown) => console.warn("l2 rpc: subscription", e));
  };

  constructor(sequencer: Sequencer) {
    this.#sequencer = sequencer;
    sequencer.on("block", this.#onBlock);
  }

  get size(): number {
    return this.#subs.size;
  }

  close(): void {
    this.#sequencer.off("block", this.#onBlock);
    this.#subs.clear();
  }

  /** eth_subscribe; `session` undefined means HTTP, where geth answers "notifications not supported". */
  subscribe(params: readonly unknown[], session: WsSession | undefined): string {
    if (session === undefined)
      throw new JsonRpcError("SERVER_ERROR", "notifications not supported", { rpcCode: -32001 });
    const kind = params[0];
    const id = `0x${randomBytes(16).toString("hex")}`;
    let sub: Subscription;
    if (kind === "newHeads") sub = { id, kind, session };
    else if (kind === "newPendingTransactions") sub = { id, kind, session, fullTx: params[1] === true };
    else if (kind === "logs") sub = { id, kind, session, filter: logFilter(params[1]) };
    else
      throw new JsonRpcError(
        "METHOD_NOT_FOUND",
        `no ${JSON.stringify(String(kind))} subscription in eth namespace`,
        {
          value: kind,
        },
      );
    this.#subs.set(id, sub);
    session.onClose(() => this.#subs.delete(id));
    return id;
  }

  unsubscribe(params: readonly unknown[], session: WsSession | undefined): boolean {
    if (session === undefined)
      throw new JsonRpcError("SERVER_ERROR", "notifications not supported", { rpcCode: -32001 });
    const sub = typeof params[0] === "string" ? this.#subs.get(params[0]) : undefined;
    if (sub === undefined || sub.session !== session)
      throw new JsonRpcError("SERVER_ERROR", "subscription not found", { value: params[0] });
    this.#subs.delete(sub.id);
    return true;
  }

  /** A transaction the node accepted (hash, and its JSON for full-transaction subscribers). */
  pending(hash: string, json: () => unknown): void {
    let full: unknown;
    for (const s of this.#subs.values()) {
      if (s.kind !== "newPendingTransactions") continue;
      if (s.fullTx === true) full ??= json();
      s.session.notify("eth_subscription", { subscription: s.id, result: s.fullTx === true ? full : hash });
    }
  }

  async #block(block: BlockHeader): Promise<void> {
    const subs = [...this.#subs.values()];
    const heads = subs.filter((s) => s.kind === "newHeads");
    const logSubs = subs.filter((s) => s.kind === "logs");
    const exec = this.#sequencer.executor;
    if (heads.length > 0) {
      const b = (await exec.request("eth_getBlockByNumber", [hex(block.number), false])) as Record<
        string,
        unknown
      > | null;
      if (b !== null) {
        const header: Record<string, unknown> = { ...b };
        for (const k of NOT_IN_HEADER) delete header[k];
        for (const s of heads) s.session.notify("eth_subscription", { subscription: s.id, result: header });
      }
    }
    if (logSubs.length > 0 && block.transactions.length > 0) {
      const logs = (await exec.request("eth_getLogs", [
        { fromBlock: hex(block.number), toBlock: hex(block.number) },
      ])) as RpcLog[];
      for (const s of logSubs)
        for (const log of logs)
          if (matches(log, s.filter!))
            s.session.notify("eth_subscription", { subscription: s.id, result: log });
    }
  }
}

/** A `logs` subscription's filter, checked as eth_getLogs checks its own. */
function logFilter(v: unknown): LogFilter {
  if (v === undefined || v === null) return { addresses: undefined, topics: [] };
  if (typeof v !== "object" || Array.isArray(v))
    throw new JsonRpcError(
      "INVALID_PARAMS",
      "invalid argument 1: json: cannot unmarshal non-object into Go value of type filters.FilterCriteria",
    );
  const f = v as { address?: unknown; topics?: unknown };
  let addresses: string[] | undefined;
  if (f.address !== undefined && f.address !== null) {
    const list = Array.isArray(f.address) ? f.address : [f.address];
    addresses = list.map((a) => checkAddress(a, 1).toLowerCase());
  }
  const topics: (string[] | null)[] = [];
  if (f.topics !== undefined && f.topics !== null) {
    if (!Array.isArray(f.topics))
      throw new JsonRpcError("INVALID_PARAMS", "invalid argument 1: invalid topic(s)");
    if (f.topics.length > 4) throw new JsonRpcError("SERVER_ERROR", "exceed max topics");
    for (const t of f.topics) {
      if (t === null) topics.push(null);
      else topics.push((Array.isArray(t) ? t : [t]).map((x) => hash32(x, 1).toLowerCase()));
    }
  }
  return { addresses, topics };
}

function matches(log: RpcLog, f: LogFilter): boolean {
  if (f.addresses !== undefined && !f.addresses.includes(log.address.toLowerCase())) return false;
  return f.topics.every(
    (alts, i) =>
      alts === null ||
      alts.length === 0 ||
      (log.topics[i] !== undefined && alts.includes(log.topics[i]!.toLowerCase())),
  );
}
