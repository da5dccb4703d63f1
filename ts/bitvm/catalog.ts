/**
 * The named fragments the `bitvm:compile` / `bitvm:run` tasks and the bench know: each builds its
 * script, turns a human argument into the input stack and the output stack back into text.
 */
import { LvmError } from "../core/index.js";
import { bytesToHex, hexToBytes } from "../bitcoin/index.js";

import { blake3Hash64, blake3Hash64Digest, blake3Hash64Input } from "./blake3.js";
import { bn254Entries } from "./bn254/catalog.js";
import type { Fragment } from "./fragment.js";
import { sha256Hash64, sha256Hash64Digest, sha256Hash64Input } from "./sha256.js";
import { stackNumber, type StackValue } from "./run.js";
import { StackTracker } from "./tracker.js";
import {
  dropTables,
  limbsToU32,
  pushTables,
  u32Add,
  u32And,
  u32Drop,
  u32LessThan,
  u32Names,
  u32Rotr,
  u32Sub,
  u32Witness,
  u32Xor,
  type TableSet,
} from "./u32.js";
import {
  digitsToMessage,
  winternitzKeygen,
  winternitzPublicKey,
  winternitzSign,
  winternitzVerifyScript,
} from "./winternitz.js";

export interface CatalogEntry {
  name: string;
  description: string;
  build(): Fragment;
  /** The input stack (bottom first) for a textual argument. */
  input(arg: string): StackValue[];
  /** Reads the result off the final stack. */
  output(stack: Uint8Array[]): string;
  /** An argument `input` accepts, used when none is given. */
  example: string;
}

export class CatalogError extends LvmError<"INVALID_ARGUMENT" | "UNKNOWN_FRAGMENT"> {
  override readonly name = "CatalogError";
  constructor(
    message: string,
    value?: unknown,
    code: "INVALID_ARGUMENT" | "UNKNOWN_FRAGMENT" = "INVALID_ARGUMENT",
  ) {
    super(code, message, { value });
  }
}

function parseU32s(arg: string, count: number): number[] {
  const parts = arg.split(",").map((s) => s.trim());
  if (parts.length !== count)
    throw new CatalogError(`expected ${count} comma-separated u32 values, got "${arg}"`);
  return parts.map((p) => {
    const v = Number(p);
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new CatalogError(`"${p}" is not a u32`);
    return v;
  });
}

function parseHex(arg: string, bytes: number): Uint8Array {
  const hex = arg.startsWith("0x") ? arg.slice(2) : arg;
  if (!/^([0-9a-fA-F]{2})*$/.test(hex) || hex.length !== 2 * bytes)
    throw new CatalogError(`expected ${bytes} bytes of hex, got "${arg}"`);
  return hexToBytes(hex);
}

const u32Out = (stack: Uint8Array[]): string =>
  "0x" + limbsToU32(stack.map(stackNumber).reverse()).toString(16).padStart(8, "0");

/** A binary u32 operation with its tables, leaving only the result. */
function binary(
  name: string,
  tables: TableSet,
  gen: (t: StackTracker) => void,
  outLimbs: number,
): () => Fragment {
  return () => {
    const t = new StackTracker(name, [...u32Names("a"), ...u32Names("b")]);
    pushTables(t, tables);
    gen(t);
    const outs = outLimbs === 8 ? u32Names("o") : ["o"];
    for (const n of [...outs].reverse()) t.toAlt(n);
    dropTables(t, tables);
    for (const w of ["a", "b"]) if (t.has(`${w}.0`) || t.has(`${w}.7`)) u32Drop(t, w);
    for (let i = 0; i < outs.length; i++) t.fromAlt();
    return t.finish();
  };
}

const u32Entry = (
  name: string,
  description: string,
  tables: TableSet,
  gen: (t: StackTracker) => void,
  outLimbs = 8,
): CatalogEntry => ({
  name,
  description,
  build: binary(name, tables, gen, outLimbs),
  input: (arg) => u32Witness(parseU32s(arg, 2)),
  output: outLimbs === 8 ? u32Out : (s) => String(stackNumber(s[0]!)),
  example: "0x12345678,0xfedcba98",
});

/** A fixed development seed: the catalog signs demonstrations, never real assertions. */
const DEV_SEED = new Uint8Array(32).fill(0x42);

const winternitzEntry = (bytes: number): CatalogEntry => {
  const sk = winternitzKeygen(DEV_SEED, { messageBytes: bytes, digitBits: 4 });
  return {
    name: `winternitz_verify_${bytes}`,
    description: `Winternitz verify of a ${bytes}-byte message (4-bit digits), leaving its digits`,
    build: () => winternitzVerifyScript(winternitzPublicKey(sk)),
    input: (arg) => winternitzSign(sk, parseHex(arg, bytes)),
    output: (stack) => "0x" + bytesToHex(digitsToMessage(stack.map(stackNumber), 4, bytes)),
    example: "0x" + "a5".repeat(bytes),
  };
};

const entries: CatalogEntry[] = [
  u32Entry("u32_add", "a + b mod 2^32", {}, (t) => u32Add(t, "a", "b", "o", { a: true, b: true })),
  u32Entry("u32_sub", "a − b mod 2^32", {}, (t) => u32Sub(t, "a", "b", "o", { a: true, b: true })),
  u32Entry("u32_xor", "a ^ b via the u4 xor table", { xor: true }, (t) =>
    u32Xor(t, "a", "b", "o", { a: true, b: true }),
  ),
  u32Entry("u32_and", "a & b via the xor and half tables", { xor: true, half: true }, (t) =>
    u32And(t, "a", "b", "o", { a: true, b: true }),
  ),
  u32Entry("u32_rotr7", "a rotated right by 7 (b ignored)", { shifts: [1, 3] }, (t) =>
    u32Rotr(t, "a", 7, "o", { consume: true }),
  ),
  u32Entry("u32_lt", "1 if a < b else 0", {}, (t) => u32LessThan(t, "a", "b", "o", { a: true, b: true }), 1),
  {
    name: "sha256_64",
    description: "SHA-256 of a 64-byte message (two compressions, the second over the constant padding)",
    build: sha256Hash64,
    input: (arg) => sha256Hash64Input(parseHex(arg, 64)),
    output: (stack) => "0x" + bytesToHex(sha256Hash64Digest(stack)),
    example: "0x" + "61".repeat(64),
  },
  {
    name: "blake3_64",
    description: "BLAKE3 of a 64-byte message (one compression: CHUNK_START | CHUNK_END | ROOT)",
    build: blake3Hash64,
    input: (arg) => blake3Hash64Input(parseHex(arg, 64)),
    output: (stack) => "0x" + bytesToHex(blake3Hash64Digest(stack)),
    example: "0x" + "61".repeat(64),
  },
  winternitzEntry(4),
  winternitzEntry(20),
  winternitzEntry(32),
  ...bn254Entries(),
];

export function catalog(): readonly CatalogEntry[] {
  return entries;
}

export function catalogEntry(name: string): CatalogEntry {
  const e = catalog().find((x) => x.name === name);
  if (e === undefined)
    throw new CatalogError(
      `no fragment named "${name}" (known: ${catalog()
        .map((x) => x.name)
        .join(", ")})`,
      name,
      "UNKNOWN_FRAGMENT",
    );
  return e;
}
