/**
 * Script fragments: composable pieces of tapscript with their stack effect computed at build time.
 *
 * A fragment is a flat list of operations (opcodes, or data to push) plus a name. Building one
 * checks what a BitVM leaf must never do at run time: exceed 1,000 stack items, push more than
 * 520 bytes, or leave IF branches with different stack effects.
 */
import { LvmError } from "../core/index.js";
import {
  MAX_SCRIPT_ELEMENT_SIZE,
  MAX_STACK_SIZE,
  OP,
  opcodeName,
  pushData,
  scriptNum,
  disassemble,
} from "../bitcoin/index.js";

/** An opcode byte, or bytes to push (encoded minimally when compiled). */
export type Op = number | Uint8Array;

/** `range`: a constant or input the fragment was asked to build with is out of its domain. */
export type BuildLimit = "stack" | "push" | "branch" | "opcode" | "range";

/** A fragment that would fail on chain, named with the rule it breaks. */
export class BitvmBuildError extends LvmError<"BUILD_LIMIT"> {
  override readonly name = "BitvmBuildError";
  constructor(
    readonly fragment: string,
    readonly limit: BuildLimit,
    message: string,
  ) {
    super("BUILD_LIMIT", `${fragment}: ${message}`, { details: { fragment, limit } });
  }
}

/** An argument a BitVM builder or encoder is not defined for (a bad size, a value out of range). */
export class BitvmInputError extends LvmError<"INVALID_ARGUMENT"> {
  override readonly name = "BitvmInputError";
  constructor(message: string, value?: unknown) {
    super("INVALID_ARGUMENT", message, { value });
  }
}

/** What a fragment does to the stack, counted in items. */
export interface StackEffect {
  /** Items below its starting top that it reads or consumes: its inputs. */
  inputs: number;
  /** Items it leaves in their place. */
  outputs: number;
  /** Largest main + alt stack size while it runs, counting its inputs. */
  maxDepth: number;
  /** Net change of the altstack. */
  altDelta: number;
  /** Some OP_PICK/OP_ROLL take a computed depth: `inputs` counts only what the builder could see. */
  dynamicReach: boolean;
}

export interface FragmentReport extends StackEffect {
  name: string;
  bytes: number;
  opcodes: number;
}

const isSmallNumberOp = (op: Op): op is number =>
  typeof op === "number" && (op === OP.OP_0 || op === OP.OP_1NEGATE || (op >= OP.OP_1 && op <= OP.OP_16));

/** The constant a push denotes as a script number, if it is a small one. */
export function constantOf(op: Op | undefined): number | undefined {
  if (op === undefined) return undefined;
  if (typeof op === "number") {
    if (op === OP.OP_0) return 0;
    if (op === OP.OP_1NEGATE) return -1;
    if (op >= OP.OP_1 && op <= OP.OP_16) return op - OP.OP_1 + 1;
    return undefined;
  }
  if (op.length > 4) return undefined;
  let v = 0;
  for (let i = 0; i < op.length; i++) v |= op[i]! << (8 * i);
  if (op.length > 0 && (op[op.length - 1]! & 0x80) !== 0) {
    v &= ~(0x80 << (8 * (op.length - 1)));
    return -v;
  }
  return v;
}

/** The operation that pushes `n` as a minimal script number. */
export function num(n: number): Op {
  if (!Number.isSafeInteger(n) || Math.abs(n) > 0x7fffffff)
    throw new BitvmInputError(`num: ${n} is not a 32-bit script number`, n);
  if (n === 0) return OP.OP_0;
  if (n === -1) return OP.OP_1NEGATE;
  if (n >= 1 && n <= 16) return OP.OP_1 + n - 1;
  return scriptNum(n);
}

/** [pops, pushes] on the main stack for opcodes with a fixed effect. */
const EFFECT = new Map<number, readonly [number, number]>([
  [OP.OP_NOP, [0, 0]],
  [OP.OP_VERIFY, [1, 0]],
  [OP.OP_2DROP, [2, 0]],
  [OP.OP_2DUP, [2, 4]],
  [OP.OP_3DUP, [3, 6]],
  [OP.OP_2OVER, [4, 6]],
  [OP.OP_2ROT, [6, 6]],
  [OP.OP_2SWAP, [4, 4]],
  [OP.OP_IFDUP, [1, 1]],
  [OP.OP_DEPTH, [0, 1]],
  [OP.OP_DROP, [1, 0]],
  [OP.OP_DUP, [1, 2]],
  [OP.OP_NIP, [2, 1]],
  [OP.OP_OVER, [2, 3]],
  [OP.OP_ROT, [3, 3]],
  [OP.OP_SWAP, [2, 2]],
  [OP.OP_TUCK, [2, 3]],
  [OP.OP_SIZE, [1, 2]],
  [OP.OP_EQUAL, [2, 1]],
  [OP.OP_EQUALVERIFY, [2, 0]],
  [OP.OP_1ADD, [1, 1]],
  [OP.OP_1SUB, [1, 1]],
  [OP.OP_NEGATE, [1, 1]],
  [OP.OP_ABS, [1, 1]],
  [OP.OP_NOT, [1, 1]],
  [OP.OP_0NOTEQUAL, [1, 1]],
  [OP.OP_ADD, [2, 1]],
  [OP.OP_SUB, [2, 1]],
  [OP.OP_BOOLAND, [2, 1]],
  [OP.OP_BOOLOR, [2, 1]],
  [OP.OP_NUMEQUAL, [2, 1]],
  [OP.OP_NUMEQUALVERIFY, [2, 0]],
  [OP.OP_NUMNOTEQUAL, [2, 1]],
  [OP.OP_LESSTHAN, [2, 1]],
  [OP.OP_GREATERTHAN, [2, 1]],
  [OP.OP_LESSTHANOREQUAL, [2, 1]],
  [OP.OP_GREATERTHANOREQUAL, [2, 1]],
  [OP.OP_MIN, [2, 1]],
  [OP.OP_MAX, [2, 1]],
  [OP.OP_WITHIN, [3, 1]],
  [OP.OP_RIPEMD160, [1, 1]],
  [OP.OP_SHA1, [1, 1]],
  [OP.OP_SHA256, [1, 1]],
  [OP.OP_HASH160, [1, 1]],
  [OP.OP_HASH256, [1, 1]],
  [OP.OP_CHECKSIG, [2, 1]],
  [OP.OP_CHECKSIGVERIFY, [2, 0]],
  [OP.OP_CHECKSIGADD, [3, 1]],
  [OP.OP_CHECKLOCKTIMEVERIFY, [1, 1]],
  [OP.OP_CHECKSEQUENCEVERIFY, [1, 1]],
]);

/** Computes the stack effect of `ops`, rejecting what could not run as tapscript. */
export function analyze(name: string, ops: readonly Op[]): StackEffect {
  let depth = 0;
  let low = 0;
  let high = 0;
  let highAt = 0;
  let alt = 0;
  let altLow = 0;
  let dynamicReach = false;
  const branches: { start: [number, number]; thenEnd?: [number, number] }[] = [];
  const need = (n: number): void => {
    if (depth - n < low) low = depth - n;
  };
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (typeof op !== "number") {
      if (op.length > MAX_SCRIPT_ELEMENT_SIZE)
        throw new BitvmBuildError(
          name,
          "push",
          `push of ${op.length} bytes at operation ${i} exceeds the ${MAX_SCRIPT_ELEMENT_SIZE}-byte limit`,
        );
      depth++;
    } else if (isSmallNumberOp(op)) {
      depth++;
    } else if (op === OP.OP_PICK || op === OP.OP_ROLL) {
      const n = constantOf(ops[i - 1]);
      need(1);
      depth--;
      if (n === undefined || n < 0) dynamicReach = true;
      else need(n + 1);
      if (op === OP.OP_PICK) depth++;
    } else if (op === OP.OP_TOALTSTACK) {
      need(1);
      depth--;
      alt++;
    } else if (op === OP.OP_FROMALTSTACK) {
      alt--;
      if (alt < altLow) altLow = alt;
      depth++;
    } else if (op === OP.OP_IF || op === OP.OP_NOTIF) {
      need(1);
      depth--;
      branches.push({ start: [depth, alt] });
    } else if (op === OP.OP_ELSE) {
      const b = branches.at(-1);
      if (b === undefined || b.thenEnd !== undefined)
        throw new BitvmBuildError(name, "branch", `OP_ELSE at operation ${i} without a matching OP_IF`);
      b.thenEnd = [depth, alt];
      [depth, alt] = b.start;
    } else if (op === OP.OP_ENDIF) {
      const b = branches.pop();
      if (b === undefined)
        throw new BitvmBuildError(name, "branch", `OP_ENDIF at operation ${i} without a matching OP_IF`);
      const other = b.thenEnd ?? b.start;
      if (other[0] !== depth || other[1] !== alt)
        throw new BitvmBuildError(
          name,
          "branch",
          `the branches of the OP_IF closed at operation ${i} leave different stacks (${other[0]} vs ${depth} items, ${other[1]} vs ${alt} alt)`,
        );
    } else {
      const e = EFFECT.get(op);
      if (e === undefined)
        throw new BitvmBuildError(
          name,
          "opcode",
          `${opcodeName(op)} has no static stack effect in a fragment`,
        );
      need(e[0]);
      depth += e[1] - e[0];
    }
    if (depth + alt > high) {
      high = depth + alt;
      highAt = i;
    }
  }
  if (branches.length > 0) throw new BitvmBuildError(name, "branch", "an OP_IF is never closed");
  // Inputs found late deepen every earlier moment too, so the peak is settled only at the end.
  const maxDepth = high - low - altLow;
  if (maxDepth > MAX_STACK_SIZE)
    throw new BitvmBuildError(
      name,
      "stack",
      `${maxDepth} stack items (main + alt, inputs included) at operation ${highAt} exceed the ${MAX_STACK_SIZE}-item limit`,
    );
  return { inputs: -low, outputs: depth - low, maxDepth, altDelta: alt, dynamicReach };
}

/** Bytes of one operation once compiled. */
function encodeOp(op: Op): Uint8Array {
  if (typeof op === "number") return Uint8Array.of(op);
  if (op.length === 0) return Uint8Array.of(OP.OP_0);
  if (op.length === 1 && op[0]! >= 1 && op[0]! <= 16) return Uint8Array.of(OP.OP_1 + op[0]! - 1);
  if (op.length === 1 && op[0] === 0x81) return Uint8Array.of(OP.OP_1NEGATE);
  return pushData(op);
}

export class Fragment {
  readonly effect: StackEffect;
  #bytes: Uint8Array | undefined;

  constructor(
    readonly name: string,
    readonly ops: readonly Op[],
  ) {
    this.effect = analyze(name, ops);
  }

  /** The script bytes, every push minimal. */
  get bytes(): Uint8Array {
    if (this.#bytes === undefined) {
      const parts = this.ops.map(encodeOp);
      const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      this.#bytes = out;
    }
    return this.#bytes;
  }

  get size(): number {
    return this.bytes.length;
  }

  report(): FragmentReport {
    return { name: this.name, bytes: this.size, opcodes: this.ops.length, ...this.effect };
  }

  toString(): string {
    return disassemble(this.bytes);
  }
}

export type Part = Op | Fragment | readonly Part[];

function flatten(parts: readonly Part[], out: Op[]): Op[] {
  for (const p of parts) {
    if (p instanceof Fragment) for (const op of p.ops) out.push(op);
    else if (typeof p === "number" || p instanceof Uint8Array) out.push(p);
    else flatten(p, out);
  }
  return out;
}

/** Builds a named fragment from opcodes, pushes and other fragments, peephole-optimised. */
export function fragment(name: string, ...parts: Part[]): Fragment {
  return new Fragment(name, peephole(flatten(parts, [])));
}

/** The same, without optimisation: for fragments whose exact bytes matter. */
export function rawFragment(name: string, ...parts: Part[]): Fragment {
  return new Fragment(name, flatten(parts, []));
}

const same = (a: Op | undefined, b: number): boolean => a === b;

/**
 * Local rewrites that leave every successful execution unchanged (same final stacks) and never
 * make a failing one succeed for a reason other than the removed no-op: adjacent push/drop pairs,
 * paired swaps and altstack round trips vanish; constant PICK/ROLL become DUP/OVER/SWAP/ROT; and
 * the VERIFY forms and 1ADD/1SUB replace their two-opcode spellings.
 */
export function peephole(ops: readonly Op[]): Op[] {
  const out: Op[] = [];
  for (const op of ops) {
    out.push(op);
    for (;;) {
      const n = out.length;
      const a = out[n - 2];
      const b = out[n - 1];
      if (n < 2) break;
      const ca = constantOf(a);
      let replace: Op[] | undefined;
      if (
        b === OP.OP_DROP &&
        (a === OP.OP_DUP || a === OP.OP_OVER || typeof a !== "number" || isSmallNumberOp(a))
      )
        replace = [];
      else if (b === OP.OP_SWAP && same(a, OP.OP_SWAP)) replace = [];
      else if (b === OP.OP_FROMALTSTACK && same(a, OP.OP_TOALTSTACK)) replace = [];
      else if (b === OP.OP_TOALTSTACK && same(a, OP.OP_FROMALTSTACK)) replace = [];
      else if (b === OP.OP_PICK && ca === 0) replace = [OP.OP_DUP];
      else if (b === OP.OP_PICK && ca === 1) replace = [OP.OP_OVER];
      else if (b === OP.OP_ROLL && ca === 0) replace = [];
      else if (b === OP.OP_ROLL && ca === 1) replace = [OP.OP_SWAP];
      else if (b === OP.OP_ROLL && ca === 2) replace = [OP.OP_ROT];
      else if (b === OP.OP_DROP && same(a, OP.OP_DROP)) replace = [OP.OP_2DROP];
      else if (b === OP.OP_VERIFY && same(a, OP.OP_EQUAL)) replace = [OP.OP_EQUALVERIFY];
      else if (b === OP.OP_VERIFY && same(a, OP.OP_NUMEQUAL)) replace = [OP.OP_NUMEQUALVERIFY];
      else if (b === OP.OP_VERIFY && same(a, OP.OP_CHECKSIG)) replace = [OP.OP_CHECKSIGVERIFY];
      else if (b === OP.OP_ADD && ca === 1) replace = [OP.OP_1ADD];
      else if (b === OP.OP_SUB && ca === 1) replace = [OP.OP_1SUB];
      else if ((b === OP.OP_ADD || b === OP.OP_SUB) && ca === 0 && a === OP.OP_0) replace = [];
      else if (b === OP.OP_OVER && same(a, OP.OP_OVER)) replace = [OP.OP_2DUP];
      else if (b === OP.OP_NIP && same(a, OP.OP_SWAP)) replace = [OP.OP_DROP];
      if (replace === undefined) break;
      out.length = n - 2;
      // Re-run on the new tail: a rewrite can expose another (DUP SWAP SWAP DROP → nothing).
      for (const r of replace) out.push(r);
      if (replace.length === 0 && out.length < 2) break;
    }
  }
  return out;
}
