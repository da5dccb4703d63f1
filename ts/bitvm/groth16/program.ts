/**
 * The BitVM2 chunker: a verification written as a program of `bn254` leaves (each an op core with
 * hinted products), compiled into Disprove leaves that check the operator's Winternitz-committed
 * inputs and outputs of one chunk, recompute it and succeed only if the committed output is wrong.
 *
 * Values are vectors of Fq elements (an Fq2 is 2); each is committed once, digit for digit
 * (`commit.ts`). Leaf kinds:
 * - `input`: a program input is not canonical (some element ≥ p);
 * - `chunk`: committed output ≠ op(committed inputs);
 * - `final`: the program's final value is not zero (the pairing check's f's Fq6 part).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { LvmError } from "../../core/index.js";
import { OP, executeScript } from "../../bitcoin/index.js";
import { fragment, num, type Fragment, type Op } from "../fragment.js";
import { FQ, DIGITS, toDigits, fromDigits, fq2Ops, g1Ops, g2Ops, type FieldOp } from "../bn254/index.js";
import { encodeStackValue, type StackValue } from "../run.js";

import { splitOps } from "./split.js";
import {
  digitKeygen,
  digitPublicKey,
  digitSign,
  digitOpen,
  digitVerifyOps,
  type DigitPublicKey,
} from "./commit.js";

/** An assertion or program that cannot be used, named with what is wrong. */
export class Groth16Error extends LvmError<"INVALID_ARGUMENT"> {
  override readonly name = "Groth16Error";
  constructor(message: string, value?: unknown) {
    super("INVALID_ARGUMENT", message, { value });
  }
}

export interface ValueSpec {
  id: number;
  name: string;
  /** Fq elements. */
  elements: number;
}

export interface ChunkSpec {
  op: string;
  inputs: number[];
  output: number;
}

/** A verification as a straight-line program over committed values. */
export interface Program {
  name: string;
  values: ValueSpec[];
  inputs: number[];
  chunks: ChunkSpec[];
  /** Values that must all be zero for the verification to pass. */
  final: number[];
}

let OPS: Map<string, FieldOp> | undefined;

/**
 * The ops a program may call: `bn254`'s Fq2, G1 and G2 leaves (every `FieldOp` whose witness is
 * hints, then results, then operands) and the split forms of those whose chunk leaf would exceed
 * 1,000 items (`split.ts`: g1_add_slope/g1_add_point, g2_line_fixed_c1/_c3; g2_chord and
 * g2_point_y are written with Fq2 ops in `programs.ts`). The unsplit g1_add, g2_chord, g2_point_y
 * and g2_line_fixed stay listed; a program that calls them fails at `compileProgram`.
 */
export function programOps(): Map<string, FieldOp> {
  OPS ??= new Map([...fq2Ops(), ...g1Ops(), ...g2Ops(), ...splitOps()].map((o) => [o.name, o]));
  return OPS;
}

/** Records a program: `input`, `call`, `final`. */
export class ProgramBuilder {
  readonly #values: ValueSpec[] = [];
  readonly #inputs: number[] = [];
  readonly #chunks: ChunkSpec[] = [];
  readonly #ops = programOps();
  #final: number[] = [];

  constructor(readonly name: string) {}

  input(name: string, elements: number): number {
    const id = this.#values.push({ id: this.#values.length, name, elements }) - 1;
    this.#inputs.push(id);
    return id;
  }

  call(op: string, ...inputs: number[]): number {
    const f = this.#ops.get(op);
    if (f === undefined) throw new Groth16Error(`program ${this.name}: no op ${op}`, op);
    const arity = inputs.reduce((n, i) => n + this.#values[i]!.elements, 0);
    if (arity !== f.arity) throw new Groth16Error(`${op} takes ${f.arity} elements, got ${arity}`, op);
    const elements = f.model(Array.from({ length: arity }, (_, i) => BigInt(i + 2))).length;
    const id =
      this.#values.push({ id: this.#values.length, name: `${op}#${this.#chunks.length}`, elements }) - 1;
    this.#chunks.push({ op, inputs, output: id });
    return id;
  }

  final(...ids: number[]): void {
    this.#final = ids;
  }

  build(): Program {
    return {
      name: this.name,
      values: [...this.#values],
      inputs: [...this.#inputs],
      chunks: [...this.#chunks],
      final: this.#final,
    };
  }
}

/** Digits of a value as its stack items bottom first (element 0 first, each most significant first). */
export const valueDigits = (v: readonly bigint[]): number[] => v.flatMap((e) => toDigits(e).reverse());

const digitsValue = (d: readonly number[]): bigint[] =>
  Array.from({ length: d.length / DIGITS }, (_, i) =>
    fromDigits(d.slice(i * DIGITS, (i + 1) * DIGITS).reverse()),
  );

/** One operator public key per value, derived from its seed. */
export function operatorPublicKeys(program: Program, seed: Uint8Array): DigitPublicKey[] {
  return program.values.map((v) => digitPublicKey(digitKeygen(seed, v.id, v.elements * DIGITS)));
}

export type LeafKind = "input" | "chunk" | "final";

export interface LeafInfo {
  index: number;
  kind: LeafKind;
  /** Chunk index for `chunk`, value id for `input`. */
  ref: number;
  name: string;
}

const toAlt = (n: number): Op[] => Array.from({ length: n }, () => OP.OP_TOALTSTACK);
const fromAlt = (n: number): Op[] => Array.from({ length: n }, () => OP.OP_FROMALTSTACK);

/** `n` items a above `n` items b: leaves 1 if some aᵢ ≠ bᵢ, else 0. */
function differOps(n: number): Op[] {
  const ops: Op[] = [];
  for (let j = 0; j < n; j++) ops.push(...numOp(n - j), OP.OP_ROLL, OP.OP_NUMEQUAL, OP.OP_TOALTSTACK);
  ops.push(OP.OP_FROMALTSTACK);
  for (let j = 1; j < n; j++) ops.push(OP.OP_FROMALTSTACK, OP.OP_BOOLAND);
  ops.push(OP.OP_NOT);
  return ops;
}

const numOp = (n: number): Op[] => [num(n)];

/** Element digits on top (e.36 deepest): leaves 1 if the element is ≥ p. */
function geqPOps(): Op[] {
  const p = toDigits(FQ.p);
  const ops: Op[] = [OP.OP_1];
  for (let i = 0; i < DIGITS; i++) {
    const pi = numOp(p[i]!);
    ops.push(OP.OP_SWAP, OP.OP_DUP, ...pi, OP.OP_GREATERTHAN, OP.OP_SWAP, ...pi, OP.OP_NUMEQUAL);
    ops.push(OP.OP_ROT, OP.OP_BOOLAND, OP.OP_BOOLOR);
  }
  return ops;
}

/** The compiled Disprove side: leaf scripts and what each one refutes. */
export interface CompiledProgram {
  program: Program;
  leaves: LeafInfo[];
  leafCount: number;
  /** Script of leaf i (from the cache directory when one was given). */
  leaf(i: number): Uint8Array;
  /** SHA-256 over the program and the keys: the cache key. */
  contentHash: string;
}

export interface CompileOptions {
  cacheDir?: string;
  onProgress?: (done: number, total: number) => void;
}

/** Lists the leaves in their deterministic order: inputs, chunks, final. */
export function leafInfos(program: Program): LeafInfo[] {
  const out: LeafInfo[] = [];
  for (const v of program.inputs)
    out.push({ index: out.length, kind: "input", ref: v, name: `input ${program.values[v]!.name}` });
  program.chunks.forEach((c, i) =>
    out.push({ index: out.length, kind: "chunk", ref: i, name: `chunk ${i} ${c.op}` }),
  );
  if (program.final.length > 0) out.push({ index: out.length, kind: "final", ref: 0, name: "final is-zero" });
  return out;
}

/** Builds leaf `info`'s script. The op cores are cached templates; only the keys differ. */
export function buildLeaf(
  program: Program,
  pks: readonly DigitPublicKey[],
  info: LeafInfo,
  cores: Map<string, Fragment>,
): Fragment {
  const size = (v: number): number => program.values[v]!.elements * DIGITS;
  if (info.kind === "input") {
    const n = program.values[info.ref]!.elements;
    const ops: Op[] = [...digitVerifyOps(pks[info.ref]!)];
    for (let e = 0; e < n; e++) {
      ops.push(...geqPOps(), OP.OP_TOALTSTACK);
      // Drop what is left of the other elements as they come: the next element is on top.
    }
    ops.push(OP.OP_FROMALTSTACK);
    for (let e = 1; e < n; e++) ops.push(OP.OP_FROMALTSTACK, OP.OP_BOOLOR);
    return fragment(`g16_${info.name}`, ops);
  }
  if (info.kind === "final") {
    const ops: Op[] = [];
    let items = 0;
    for (const v of [...program.final].reverse()) {
      ops.push(...digitVerifyOps(pks[v]!), ...toAlt(size(v))); // ~10⁴ operations
      items += size(v);
    }
    // Any digit nonzero: the committed value is not (canonical) zero.
    ops.push(OP.OP_FROMALTSTACK, OP.OP_0NOTEQUAL);
    for (let j = 1; j < items; j++) ops.push(OP.OP_FROMALTSTACK, OP.OP_0NOTEQUAL, OP.OP_BOOLOR);
    return fragment(`g16_${info.name}`, ops);
  }
  const c = program.chunks[info.ref]!;
  let core = cores.get(c.op);
  if (core === undefined) {
    core = programOps().get(c.op)!.build();
    cores.set(c.op, core);
  }
  const ops: Op[] = [...digitVerifyOps(pks[c.output]!), ...toAlt(size(c.output))];
  let inItems = 0;
  for (const v of [...c.inputs].reverse()) {
    ops.push(...digitVerifyOps(pks[v]!), ...toAlt(size(v)));
    inItems += size(v);
  }
  // Parts, not spread: an op core is ~10⁵ operations.
  return fragment(
    `g16_${info.name}`,
    ops,
    fromAlt(inItems),
    core.ops,
    fromAlt(size(c.output)),
    differOps(size(c.output)),
  );
}

/** The cache key of a compiled program: SHA-256 over the program and the operator's keys. */
export function programContentHash(program: Program, pks: readonly DigitPublicKey[]): string {
  const h = createHash("sha256");
  h.update(JSON.stringify(program));
  for (const pk of pks) for (const x of pk.hashes) h.update(x);
  return h.digest("hex");
}

/**
 * Compiles the Disprove leaves for the operator's keys. With `cacheDir`, leaves are written there
 * as they are built (`<hash>/leaf-<i>.bin`) and read back on the next call with the same content.
 */
export function compileProgram(
  program: Program,
  pks: readonly DigitPublicKey[],
  opts: CompileOptions = {},
): CompiledProgram {
  if (pks.length !== program.values.length)
    throw new Groth16Error(
      `compile: ${pks.length} public keys for ${program.values.length} values`,
      pks.length,
    );
  const leaves = leafInfos(program);
  const contentHash = programContentHash(program, pks);
  const cores = new Map<string, Fragment>();
  const dir = opts.cacheDir === undefined ? undefined : path.join(opts.cacheDir, contentHash);
  const file = (i: number): string => path.join(dir!, `leaf-${i}.bin`);
  const memory: Uint8Array[] = [];
  const done = dir !== undefined && existsSync(path.join(dir, "complete"));
  if (!done) {
    if (dir !== undefined) mkdirSync(dir, { recursive: true });
    leaves.forEach((info, i) => {
      const bytes = buildLeaf(program, pks, info, cores).bytes;
      if (dir !== undefined) writeFileSync(file(i), bytes);
      else memory.push(bytes);
      opts.onProgress?.(i + 1, leaves.length);
    });
    if (dir !== undefined) writeFileSync(path.join(dir, "complete"), `${leaves.length}\n`);
  } else opts.onProgress?.(leaves.length, leaves.length);
  return {
    program,
    leaves,
    leafCount: leaves.length,
    contentHash,
    leaf: (i) => (dir !== undefined ? new Uint8Array(readFileSync(file(i))) : memory[i]!),
  };
}

/** Evaluates the program honestly: every value from the inputs. */
export function evaluate(program: Program, inputs: readonly (readonly bigint[])[]): bigint[][] {
  if (inputs.length !== program.inputs.length)
    throw new Groth16Error(`evaluate: ${inputs.length} inputs for ${program.inputs.length}`, inputs.length);
  const ops = programOps();
  const values: bigint[][] = new Array<bigint[]>(program.values.length);
  program.inputs.forEach((v, i) => {
    if (inputs[i]!.length !== program.values[v]!.elements)
      throw new Groth16Error(`evaluate: input ${program.values[v]!.name} has ${inputs[i]!.length} elements`);
    values[v] = [...inputs[i]!];
  });
  for (const c of program.chunks)
    values[c.output] = ops.get(c.op)!.model(c.inputs.flatMap((v) => values[v]!));
  return values;
}

/** The operator's assertion: every value committed, each signature a witness chunk. */
export interface Assertion {
  /** Per value id, its signature (witness items, bottom first). */
  signatures: Uint8Array[][];
}

export function buildAssertion(
  program: Program,
  values: readonly (readonly bigint[])[],
  seed: Uint8Array,
): Assertion {
  return {
    signatures: program.values.map((v) =>
      digitSign(digitKeygen(seed, v.id, v.elements * DIGITS), valueDigits(values[v.id]!)),
    ),
  };
}

export type CheckResult =
  { valid: true } | { valid: false; leafIndex: number; info: LeafInfo; witness: StackValue[] };

/** Opens every commitment of `assertion` against the keys; a missing or forged one is an error. */
export function openAssertion(
  program: Program,
  pks: readonly DigitPublicKey[],
  assertion: Assertion,
): number[][] {
  if (assertion.signatures.length !== program.values.length)
    throw new Groth16Error(
      `assertion: ${assertion.signatures.length} committed values, the program has ${program.values.length}`,
    );
  return program.values.map((v) => {
    const d = digitOpen(pks[v.id]!, assertion.signatures[v.id]!);
    if (d === undefined)
      throw new Groth16Error(`assertion: the signature of value ${v.id} (${v.name}) does not verify`, v.id);
    return d;
  });
}

/** The witness (bottom first) that runs leaf `info` on the assertion's commitments. */
export function leafWitness(
  program: Program,
  info: LeafInfo,
  assertion: Assertion,
  digits: readonly number[][],
): StackValue[] {
  const sig = (v: number): Uint8Array[] => assertion.signatures[v]!;
  if (info.kind === "input") return sig(info.ref);
  if (info.kind === "final") return program.final.flatMap(sig);
  const c = program.chunks[info.ref]!;
  const op = programOps().get(c.op)!;
  const args = c.inputs.flatMap((v) => digitsValue(digits[v]!));
  let core: StackValue[];
  try {
    core = op.witness(args);
  } catch {
    core = []; // no honest hint for these inputs: the leaf cannot succeed (an earlier one does)
  }
  const hints = core.slice(0, core.length - op.arity * DIGITS);
  return [...hints, ...c.inputs.flatMap(sig), ...sig(c.output)];
}

/** The challenger's tool: the first leaf that refutes the assertion, with its witness. */
export function checkAssertion(
  program: Program,
  pks: readonly DigitPublicKey[],
  assertion: Assertion,
): CheckResult {
  const digits = openAssertion(program, pks, assertion);
  const values = digits.map(digitsValue);
  const ops = programOps();
  const fail = (info: LeafInfo): CheckResult => ({
    valid: false,
    leafIndex: info.index,
    info,
    witness: leafWitness(program, info, assertion, digits),
  });
  for (const info of leafInfos(program)) {
    if (info.kind === "input" && values[info.ref]!.some((e) => e >= FQ.p)) return fail(info);
    if (info.kind === "chunk") {
      const c = program.chunks[info.ref]!;
      const args = c.inputs.flatMap((v) => values[v]!);
      const want = ops.get(c.op)!.model(args);
      if (want.some((x, i) => x !== values[c.output]![i])) return fail(info);
    }
    if (info.kind === "final" && program.final.some((v) => digits[v]!.some((d) => d !== 0)))
      return fail(info);
  }
  return { valid: true };
}

export interface LeafRun {
  /** The leaf's script ran to the end leaving exactly one true item: the Disprove spend is valid. */
  succeeds: boolean;
  error?: string;
  maxStack: number;
  opcodes: number;
}

/** Executes a leaf script on a witness under tapscript rules, with the clean-stack rule. */
export function runLeaf(script: Uint8Array, witness: readonly StackValue[]): LeafRun {
  const r = executeScript(script, { stack: witness.map(encodeStackValue) });
  const top = r.stack.at(-1);
  const truthy = top !== undefined && top.some((b, i) => b !== 0 && !(i === top.length - 1 && b === 0x80));
  const succeeds = r.ok && r.stack.length === 1 && truthy;
  return {
    succeeds,
    ...(r.ok
      ? succeeds
        ? {}
        : { error: r.stack.length === 1 ? "ends false" : `ends with ${r.stack.length} items` }
      : { error: r.message }),
    maxStack: r.stats.maxStackDepth,
    opcodes: r.stats.opcodes,
  };
}
