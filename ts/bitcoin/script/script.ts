/** Script byte-level helpers shared by the interpreter, signing code and tools. */
import { LvmError, bytesToHex as hex } from "../../core/index.js";
import { OP, opcodeName } from "./opcodes.js";

export interface ScriptOp {
  opcode: number;
  /** Pushed bytes for push opcodes (OP_0 … OP_PUSHDATA4), otherwise undefined. */
  data: Uint8Array | undefined;
  /** Offset of the opcode byte. */
  pc: number;
  /** Offset just past this operation. */
  next: number;
}

/**
 * Core's GetOp: the operation at `pc`, or undefined when the script ends inside a push
 * (truncated length or data), which the interpreter reports as BAD_OPCODE.
 */
export function readOp(script: Uint8Array, pc: number): ScriptOp | undefined {
  const end = script.length;
  if (pc >= end) return undefined;
  const opcode = script[pc]!;
  let p = pc + 1;
  if (opcode > OP.OP_PUSHDATA4) return { opcode, data: undefined, pc, next: p };
  let size: number;
  if (opcode < OP.OP_PUSHDATA1) size = opcode;
  else if (opcode === OP.OP_PUSHDATA1) {
    if (end - p < 1) return undefined;
    size = script[p]!;
    p += 1;
  } else if (opcode === OP.OP_PUSHDATA2) {
    if (end - p < 2) return undefined;
    size = script[p]! | (script[p + 1]! << 8);
    p += 2;
  } else {
    if (end - p < 4) return undefined;
    size = (script[p]! | (script[p + 1]! << 8) | (script[p + 2]! << 16) | (script[p + 3]! << 24)) >>> 0;
    p += 4;
  }
  if (end - p < size) return undefined;
  return { opcode, data: script.subarray(p, p + size), pc, next: p + size };
}

/**
 * Where the operation at `pc` ends (the next operation's offset), or -1 when the script ends
 * inside its push: `readOp` without building the operation, for walks that only look at opcodes.
 */
export function opEnd(script: Uint8Array, pc: number): number {
  const end = script.length;
  const opcode = script[pc]!;
  if (opcode > OP.OP_PUSHDATA4) return pc + 1;
  let p = pc + 1;
  let size: number;
  if (opcode < OP.OP_PUSHDATA1) size = opcode;
  else if (opcode === OP.OP_PUSHDATA1) {
    if (end - p < 1) return -1;
    size = script[p]!;
    p += 1;
  } else if (opcode === OP.OP_PUSHDATA2) {
    if (end - p < 2) return -1;
    size = script[p]! | (script[p + 1]! << 8);
    p += 2;
  } else {
    if (end - p < 4) return -1;
    size = (script[p]! | (script[p + 1]! << 8) | (script[p + 2]! << 16) | (script[p + 3]! << 24)) >>> 0;
    p += 4;
  }
  return end - p < size ? -1 : p + size;
}

/** All operations; throws ScriptParseError when the script ends inside a push. */
export function* iterOps(script: Uint8Array): Generator<ScriptOp> {
  let pc = 0;
  while (pc < script.length) {
    const op = readOp(script, pc);
    if (!op) throw new ScriptParseError(pc);
    yield op;
    pc = op.next;
  }
}

export class ScriptParseError extends LvmError<"BAD_OPCODE"> {
  override readonly name = "ScriptParseError";
  constructor(readonly offset: number) {
    super("BAD_OPCODE", `script ends inside a push that starts at byte ${offset}`, { details: { offset } });
  }
}

/** The serialization of `CScript() << data`: the smallest push opcode that fits the length. */
export function pushData(data: Uint8Array): Uint8Array {
  const n = data.length;
  let head: number[];
  if (n < OP.OP_PUSHDATA1) head = [n];
  else if (n <= 0xff) head = [OP.OP_PUSHDATA1, n];
  else if (n <= 0xffff) head = [OP.OP_PUSHDATA2, n & 0xff, n >>> 8];
  else head = [OP.OP_PUSHDATA4, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
  const out = new Uint8Array(head.length + n);
  out.set(head);
  out.set(data, head.length);
  return out;
}

/** BIP62 rule 3/4: is this the one minimal way to push `data`? */
export function isMinimalPush(data: Uint8Array, opcode: number): boolean {
  const n = data.length;
  if (n === 0) return opcode === OP.OP_0;
  if (n === 1 && data[0]! >= 1 && data[0]! <= 16) return false; // should be OP_1..OP_16
  if (n === 1 && data[0] === 0x81) return false; // should be OP_1NEGATE
  if (n <= 75) return opcode === n;
  if (n <= 255) return opcode === OP.OP_PUSHDATA1;
  if (n <= 65535) return opcode === OP.OP_PUSHDATA2;
  return true;
}

/** Core's IsPushOnly: every operation is OP_16 or below (OP_RESERVED included) and parses. */
export function isPushOnly(script: Uint8Array): boolean {
  let pc = 0;
  while (pc < script.length) {
    const op = readOp(script, pc);
    if (!op || op.opcode > OP.OP_16) return false;
    pc = op.next;
  }
  return true;
}

export function isP2SH(spk: Uint8Array): boolean {
  return spk.length === 23 && spk[0] === OP.OP_HASH160 && spk[1] === 0x14 && spk[22] === OP.OP_EQUAL;
}

/** BIP141 witness program: a version opcode then one 2–40 byte direct push, nothing else. */
export function witnessProgram(spk: Uint8Array): { version: number; program: Uint8Array } | undefined {
  const n = spk.length;
  if (n < 4 || n > 42) return undefined;
  const v = spk[0]!;
  if (v !== OP.OP_0 && (v < OP.OP_1 || v > OP.OP_16)) return undefined;
  if (spk[1]! + 2 !== n) return undefined;
  return { version: v === OP.OP_0 ? 0 : v - (OP.OP_1 - 1), program: spk.subarray(2) };
}

/**
 * Core's FindAndDelete: drop every occurrence of `pattern` that starts on an operation boundary.
 * Legacy sighash quirk kept for consensus; returns the same array when nothing matched.
 */
export function findAndDelete(
  script: Uint8Array,
  pattern: Uint8Array,
): { script: Uint8Array; found: number } {
  if (pattern.length === 0) return { script, found: 0 };
  const plen = pattern.length;
  const parts: Uint8Array[] = [];
  let found = 0;
  let pc = 0;
  let keepFrom = 0;
  const matchesAt = (at: number): boolean => {
    if (script.length - at < plen) return false;
    for (let i = 0; i < plen; i++) if (script[at + i] !== pattern[i]) return false;
    return true;
  };
  for (;;) {
    parts.push(script.subarray(keepFrom, pc));
    while (matchesAt(pc)) {
      pc += plen;
      found++;
    }
    keepFrom = pc;
    const op = readOp(script, pc);
    if (!op) break;
    pc = op.next;
  }
  if (found === 0) return { script, found };
  parts.push(script.subarray(keepFrom));
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return { script: out, found };
}

/** What legacy sighash serializes as scriptCode: the script without OP_CODESEPARATORs. */
export function removeCodeSeparators(script: Uint8Array): Uint8Array {
  if (!script.includes(OP.OP_CODESEPARATOR)) return script;
  const out: number[] = [];
  let pc = 0;
  while (pc < script.length) {
    const op = readOp(script, pc);
    if (!op) {
      for (let i = pc; i < script.length; i++) out.push(script[i]!);
      break;
    }
    if (op.opcode !== OP.OP_CODESEPARATOR) for (let i = pc; i < op.next; i++) out.push(script[i]!);
    pc = op.next;
  }
  return Uint8Array.from(out);
}

/** Human-readable form: opcode names and hex pushes ("OP_DUP OP_HASH160 89ab… OP_EQUALVERIFY"). */
export function disassemble(script: Uint8Array): string {
  const out: string[] = [];
  let pc = 0;
  while (pc < script.length) {
    const op = readOp(script, pc);
    if (!op) {
      out.push(`[error: truncated push at ${pc}]`);
      break;
    }
    if (op.data !== undefined && op.opcode !== OP.OP_0) out.push(hex(op.data));
    else out.push(opcodeName(op.opcode));
    pc = op.next;
  }
  return out.join(" ");
}
