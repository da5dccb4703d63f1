/**
 * Parameter checks of the L2's JSON-RPC, with geth's messages ("invalid argument 1: hex string
 * without 0x prefix"), so a bad argument is refused here in geth's words instead of reaching the
 * executor (whose parser answers in its own words, with its internal request attached).
 */
import { JsonRpcError } from "../jsonrpc/index.js";

/** A block named by a tag the executor understands, or by number. */
export type BlockRef = "latest" | "earliest" | "pending" | "safe" | "finalized" | number;

const TAGS = new Set(["latest", "earliest", "pending", "safe", "finalized"]);

export function invalidArgument(index: number, message: string, value?: unknown): JsonRpcError {
  return new JsonRpcError("INVALID_PARAMS", `invalid argument ${index}: ${message}`, { value });
}

/** geth's hexutil.Uint64 decoding, with its messages. */
export function quantity(v: unknown, index: number): number {
  if (typeof v !== "string")
    throw invalidArgument(index, "json: cannot unmarshal non-string into Go value of type hexutil.Uint64", v);
  if (v === "") throw invalidArgument(index, "empty hex string", v);
  if (!/^0[xX]/.test(v)) throw invalidArgument(index, "hex string without 0x prefix", v);
  const digits = v.slice(2);
  if (digits === "") throw invalidArgument(index, 'hex string "0x"', v);
  if (digits.length > 1 && digits[0] === "0")
    throw invalidArgument(index, "hex number with leading zero digits", v);
  if (!/^[0-9a-fA-F]+$/.test(digits)) throw invalidArgument(index, "invalid hex string", v);
  if (digits.length > 16) throw invalidArgument(index, "hex number > 64 bits", v);
  const n = BigInt(v);
  // Block numbers past 2^53 name no block here; treated as "far future" by callers.
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
}

/** A block tag or number (geth's BlockNumber). */
export function blockRef(v: unknown, index: number): BlockRef {
  if (typeof v === "string" && TAGS.has(v)) return v as BlockRef;
  return quantity(v, index);
}

/** geth's BlockNumberOrHash: a tag, a number, a 32-byte hash, or `{ blockHash | blockNumber }`. */
export function blockRefOrHash(v: unknown, index: number): BlockRef | { blockHash: string } {
  if (typeof v === "string" && v.length === 66 && /^0x[0-9a-fA-F]{64}$/.test(v)) return { blockHash: v };
  if (typeof v === "object" && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (o.blockHash !== undefined && o.blockNumber !== undefined)
      throw invalidArgument(
        index,
        "cannot specify both BlockHash and BlockNumber, choose one or the other",
        v,
      );
    if (o.blockHash !== undefined) return { blockHash: hash32(o.blockHash, index) };
    if (o.blockNumber !== undefined) return blockRef(o.blockNumber, index);
    throw invalidArgument(index, "invalid block number or hash", v);
  }
  return blockRef(v, index);
}

/** A 20-byte address. */
export function address(v: unknown, index: number): string {
  return fixedHex(v, index, 20, "common.Address");
}

/** A 32-byte hash. */
export function hash32(v: unknown, index: number): string {
  return fixedHex(v, index, 32, "common.Hash");
}

function fixedHex(v: unknown, index: number, bytes: number, goType: string): string {
  if (typeof v !== "string")
    throw invalidArgument(index, `json: cannot unmarshal non-string into Go value of type ${goType}`, v);
  if (!/^0[xX]/.test(v)) throw invalidArgument(index, "hex string without 0x prefix", v);
  const digits = v.slice(2);
  if (!/^[0-9a-fA-F]*$/.test(digits)) throw invalidArgument(index, "invalid hex string", v);
  if (digits.length !== 2 * bytes)
    throw invalidArgument(
      index,
      `hex string has length ${digits.length}, want ${2 * bytes} for ${goType}`,
      v,
    );
  return v;
}

/** The parameter at `i`, required. */
export function required(params: readonly unknown[], i: number, name: string): unknown {
  if (params.length <= i || params[i] === undefined || params[i] === null)
    throw new JsonRpcError("INVALID_PARAMS", `missing value for required argument ${i}`, {
      details: { name },
    });
  return params[i];
}

/** geth refuses more arguments than a method takes. */
export function atMost(params: readonly unknown[], n: number): void {
  if (params.length > n)
    throw new JsonRpcError("INVALID_PARAMS", `too many arguments, want at most ${n}`, {
      value: params.length,
    });
}
