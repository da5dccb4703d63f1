/** Argument parsing as Core's RPC layer does it (types, hashes, amounts, transactions), with its messages. */
import { Transaction, BitcoinDecodeError } from "../../bitcoin/index.js";
import { hexToBytes } from "../validation.js";
import { RpcCode, RpcError } from "./errors.js";

export const HEX64 = /^[0-9a-fA-F]{64}$/;
export const HEX = /^([0-9a-fA-F]{2})*$/;
export const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

export function typeName(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "object") return "object";
  if (typeof v === "boolean") return "bool";
  return typeof v;
}

export function typeError(v: unknown, expected: string): RpcError {
  return new RpcError(
    RpcCode.TYPE_ERROR,
    `JSON value of type ${typeName(v)} is not of expected type ${expected}`,
  );
}

export const given = (v: unknown): boolean => v !== undefined && v !== null;

export function str(v: unknown): string {
  if (typeof v !== "string") throw typeError(v, "string");
  return v;
}

export function int(v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v)) throw typeError(v, "number");
  return v;
}

export function bool(v: unknown): boolean {
  if (typeof v !== "boolean") throw typeError(v, "bool");
  return v;
}

/** Core's ParseHashV. */
export function hash(v: unknown, name: string): string {
  const s = str(v);
  if (s.length !== 64)
    throw new RpcError(
      RpcCode.INVALID_PARAMETER,
      `${name} must be of length 64 (not ${s.length}, for '${s}')`,
    );
  if (!HEX64.test(s))
    throw new RpcError(RpcCode.INVALID_PARAMETER, `${name} must be hexadecimal string (not '${s}')`);
  return s.toLowerCase();
}

/** Core's AmountFromValue: a number or numeric string with at most 8 decimals, returned in satoshis. */
export function amountFromValue(v: unknown): bigint {
  let s: string;
  if (typeof v === "number") s = v.toFixed(8).replace(/0+$/, "");
  else if (typeof v === "string") s = v;
  else throw new RpcError(RpcCode.TYPE_ERROR, "Amount is not a number or string");
  const m = /^(-?)(\d+)(?:\.(\d{0,8}))?$/.exec(s.trim());
  if (m === null) throw new RpcError(RpcCode.TYPE_ERROR, "Invalid amount");
  const sats = BigInt(m[2]) * 100_000_000n + BigInt((m[3] ?? "").padEnd(8, "0") || "0");
  if (m[1] === "-") throw new RpcError(RpcCode.TYPE_ERROR, "Amount out of range");
  if (sats > 21_000_000n * 100_000_000n) throw new RpcError(RpcCode.TYPE_ERROR, "Amount out of range");
  return sats;
}

export function decodeTx(hexStr: unknown, message: string): Transaction {
  const s = str(hexStr);
  if (!HEX.test(s)) throw new RpcError(RpcCode.DESERIALIZATION_ERROR, message);
  try {
    return Transaction.decode(hexToBytes(s));
  } catch (e) {
    if (e instanceof BitcoinDecodeError || e instanceof RangeError || e instanceof Error)
      throw new RpcError(RpcCode.DESERIALIZATION_ERROR, message);
    throw e;
  }
}
