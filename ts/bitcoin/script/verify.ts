/**
 * Input verification: Bitcoin Core's VerifyScript with P2SH, segwit v0 and taproot (key path and
 * script path), plus `executeScript` for running a lone script, the form BitVM tools need.
 */
import { BitcoinArgumentError } from "../errors.js";
import { sha256, taggedHash } from "../hash.js";
import type { PrecomputedTxData } from "../sighash.js";
import type { Transaction } from "../tx.js";
import type { TxOut } from "../types.js";
import {
  NO_SIGNATURES,
  TransactionChecker,
  tweakXOnly,
  type ExecData,
  type SignatureChecker,
  type SigVersion,
} from "./checker.js";
import { scriptErrorMessage, type ScriptErrorCode } from "./errors.js";
import { FLAGS, type ScriptFlags } from "./flags.js";
import {
  evalScript,
  MAX_SCRIPT_ELEMENT_SIZE,
  MAX_STACK_SIZE,
  type EvalFailure,
  type ExecStats,
  type Tracer,
} from "./interpreter.js";
import { castToBool } from "./num.js";
import { isOpSuccess, OP } from "./opcodes.js";
import { isP2SH, isPushOnly, pushData, readOp, witnessProgram } from "./script.js";

export { tweakXOnly };

export const ANNEX_TAG = 0x50;
export const TAPROOT_LEAF_MASK = 0xfe;
export const TAPROOT_LEAF_TAPSCRIPT = 0xc0;
export const TAPROOT_CONTROL_BASE_SIZE = 33;
export const TAPROOT_CONTROL_NODE_SIZE = 32;
export const TAPROOT_CONTROL_MAX_NODE_COUNT = 128;
export const TAPROOT_CONTROL_MAX_SIZE =
  TAPROOT_CONTROL_BASE_SIZE + TAPROOT_CONTROL_NODE_SIZE * TAPROOT_CONTROL_MAX_NODE_COUNT;
const VALIDATION_WEIGHT_OFFSET = 50;

export type VerifyResult =
  { ok: true; stats: ExecStats } | { ok: false; error: ScriptErrorCode; message: string; stats: ExecStats };

export type ExecResult =
  | { ok: true; stack: Uint8Array[]; stats: ExecStats }
  | { ok: false; error: ScriptErrorCode; message: string; pc: number; stack: Uint8Array[]; stats: ExecStats };

function compactSizeLength(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

function writeCompactSize(n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n);
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >>> 8);
  return Uint8Array.of(0xfe, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
}

/** BIP341 leaf hash: tagged "TapLeaf" over version || compact_size(script) || script. */
export function tapleafHash(leafVersion: number, script: Uint8Array): Uint8Array {
  return taggedHash("TapLeaf", Uint8Array.of(leafVersion), writeCompactSize(script.length), script);
}

/** BIP341 branch hash: the two children in lexicographic order. */
export function tapBranchHash(a: Uint8Array, b: Uint8Array): Uint8Array {
  for (let i = 0; i < 32; i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? taggedHash("TapBranch", a, b) : taggedHash("TapBranch", b, a);
  }
  return taggedHash("TapBranch", a, b);
}

/** Does `control` prove that the leaf with hash `leafHash` is committed to by output key `program`? */
export function verifyTaprootCommitment(
  control: Uint8Array,
  program: Uint8Array,
  leafHash: Uint8Array,
): boolean {
  const pathLen = (control.length - TAPROOT_CONTROL_BASE_SIZE) / TAPROOT_CONTROL_NODE_SIZE;
  let k = leafHash;
  for (let i = 0; i < pathLen; i++) {
    const off = TAPROOT_CONTROL_BASE_SIZE + TAPROOT_CONTROL_NODE_SIZE * i;
    k = tapBranchHash(k, control.subarray(off, off + TAPROOT_CONTROL_NODE_SIZE));
  }
  const tweaked = tweakXOnly(control.subarray(1, 33), k);
  if (!tweaked) return false;
  if (tweaked.parity !== (control[0]! & 1)) return false;
  for (let i = 0; i < 32; i++) if (tweaked.key[i] !== program[i]) return false;
  return true;
}

function witnessSerializedSize(witness: readonly Uint8Array[]): number {
  let size = compactSizeLength(witness.length);
  for (const w of witness) size += compactSizeLength(w.length) + w.length;
  return size;
}

class Failure {
  constructor(
    readonly error: ScriptErrorCode,
    readonly message?: string,
    readonly pc?: number,
  ) {}
}

const newStats = (): ExecStats => ({ opcodes: 0, maxStackDepth: 0, scriptBytes: 0 });
const newExec = (): ExecData => ({ codeSeparatorPos: 0xffffffff, validationWeightLeft: Infinity });

function run(
  stack: Uint8Array[],
  script: Uint8Array,
  flags: ScriptFlags,
  checker: SignatureChecker,
  sigVersion: SigVersion,
  exec: ExecData,
  stats: ExecStats,
  trace?: Tracer,
): void {
  const f: EvalFailure | undefined = evalScript(
    stack,
    script,
    flags,
    checker,
    sigVersion,
    exec,
    stats,
    trace,
  );
  if (f) throw new Failure(f.error, f.message, f.pc);
}

/** Core's ExecuteWitnessScript: limits on the initial stack, OP_SUCCESS, then clean-stack truth. */
function executeWitnessScript(
  stack: Uint8Array[],
  script: Uint8Array,
  flags: ScriptFlags,
  sigVersion: SigVersion,
  checker: SignatureChecker,
  exec: ExecData,
  stats: ExecStats,
): void {
  if (sigVersion === "tapscript") {
    // OP_SUCCESSx overrides everything, element size limits included.
    let pc = 0;
    while (pc < script.length) {
      const op = readOp(script, pc);
      if (!op) throw new Failure("BAD_OPCODE", "script ends inside a push", pc);
      if (isOpSuccess(op.opcode)) {
        if (flags & FLAGS.DISCOURAGE_OP_SUCCESS) throw new Failure("DISCOURAGE_OP_SUCCESS", undefined, pc);
        stats.scriptBytes += script.length;
        return;
      }
      pc = op.next;
    }
    if (stack.length > MAX_STACK_SIZE) throw new Failure("STACK_SIZE");
  }
  for (const item of stack) if (item.length > MAX_SCRIPT_ELEMENT_SIZE) throw new Failure("PUSH_SIZE");
  run(stack, script, flags, checker, sigVersion, exec, stats);
  if (stack.length !== 1) throw new Failure("CLEANSTACK");
  if (!castToBool(stack[0]!)) throw new Failure("EVAL_FALSE");
}

function verifyWitnessProgram(
  witness: readonly Uint8Array[],
  version: number,
  program: Uint8Array,
  flags: ScriptFlags,
  checker: SignatureChecker,
  isP2shWrapped: boolean,
  stats: ExecStats,
): void {
  const stack = witness.slice();
  const exec = newExec();
  if (version === 0) {
    if (program.length === 32) {
      if (stack.length === 0) throw new Failure("WITNESS_PROGRAM_WITNESS_EMPTY");
      const script = stack.pop()!;
      const h = sha256(script);
      for (let i = 0; i < 32; i++) if (h[i] !== program[i]) throw new Failure("WITNESS_PROGRAM_MISMATCH");
      return executeWitnessScript(stack, script, flags, "witness_v0", checker, exec, stats);
    }
    if (program.length === 20) {
      if (stack.length !== 2) throw new Failure("WITNESS_PROGRAM_MISMATCH");
      const script = Uint8Array.of(
        OP.OP_DUP,
        OP.OP_HASH160,
        0x14,
        ...program,
        OP.OP_EQUALVERIFY,
        OP.OP_CHECKSIG,
      );
      return executeWitnessScript(stack, script, flags, "witness_v0", checker, exec, stats);
    }
    throw new Failure("WITNESS_PROGRAM_WRONG_LENGTH");
  }
  if (version === 1 && program.length === 32 && !isP2shWrapped) {
    if (!(flags & FLAGS.TAPROOT)) return;
    if (stack.length === 0) throw new Failure("WITNESS_PROGRAM_WITNESS_EMPTY");
    const last = stack[stack.length - 1]!;
    if (stack.length >= 2 && last.length > 0 && last[0] === ANNEX_TAG) {
      exec.annex = last;
      stack.pop();
    }
    if (stack.length === 1) {
      const err = checker.checkSchnorr(stack[0]!, program, "taproot", exec);
      if (err) throw new Failure(err);
      return;
    }
    const control = stack.pop()!;
    const script = stack.pop()!;
    if (
      control.length < TAPROOT_CONTROL_BASE_SIZE ||
      control.length > TAPROOT_CONTROL_MAX_SIZE ||
      (control.length - TAPROOT_CONTROL_BASE_SIZE) % TAPROOT_CONTROL_NODE_SIZE !== 0
    )
      throw new Failure("TAPROOT_WRONG_CONTROL_SIZE");
    const leafVersion = control[0]! & TAPROOT_LEAF_MASK;
    exec.tapleafHash = tapleafHash(leafVersion, script);
    if (!verifyTaprootCommitment(control, program, exec.tapleafHash))
      throw new Failure("WITNESS_PROGRAM_MISMATCH");
    if (leafVersion === TAPROOT_LEAF_TAPSCRIPT) {
      exec.validationWeightLeft = witnessSerializedSize(witness) + VALIDATION_WEIGHT_OFFSET;
      return executeWitnessScript(stack, script, flags, "tapscript", checker, exec, stats);
    }
    if (flags & FLAGS.DISCOURAGE_UPGRADABLE_TAPROOT_VERSION)
      throw new Failure("DISCOURAGE_UPGRADABLE_TAPROOT_VERSION");
    return;
  }
  if (flags & FLAGS.DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM)
    throw new Failure("DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM");
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Core's VerifyScript for one input. `flags` must be a consistent set (WITNESS and CLEANSTACK
 * imply P2SH; CLEANSTACK implies WITNESS), as Core asserts.
 */
export function verifyScript(
  scriptSig: Uint8Array,
  scriptPubKey: Uint8Array,
  witness: readonly Uint8Array[],
  flags: ScriptFlags,
  checker: SignatureChecker,
): VerifyResult {
  const stats = newStats();
  try {
    if (flags & FLAGS.SIGPUSHONLY && !isPushOnly(scriptSig)) throw new Failure("SIG_PUSHONLY");
    const stack: Uint8Array[] = [];
    run(stack, scriptSig, flags, checker, "base", newExec(), stats);
    const p2shStack = flags & FLAGS.P2SH ? stack.slice() : [];
    run(stack, scriptPubKey, flags, checker, "base", newExec(), stats);
    if (stack.length === 0 || !castToBool(stack[stack.length - 1]!)) throw new Failure("EVAL_FALSE");

    let hadWitness = false;
    let finalStack = stack;
    const wp = flags & FLAGS.WITNESS ? witnessProgram(scriptPubKey) : undefined;
    if (wp) {
      hadWitness = true;
      if (scriptSig.length !== 0) throw new Failure("WITNESS_MALLEATED");
      verifyWitnessProgram(witness, wp.version, wp.program, flags, checker, false, stats);
      finalStack.length = 1; // the witness program's stack is not ours to keep clean
    }

    if (flags & FLAGS.P2SH && isP2SH(scriptPubKey)) {
      if (!isPushOnly(scriptSig)) throw new Failure("SIG_PUSHONLY");
      finalStack = p2shStack;
      const redeemScript = finalStack.pop()!;
      run(finalStack, redeemScript, flags, checker, "base", newExec(), stats);
      if (finalStack.length === 0 || !castToBool(finalStack[finalStack.length - 1]!))
        throw new Failure("EVAL_FALSE");
      const nested = flags & FLAGS.WITNESS ? witnessProgram(redeemScript) : undefined;
      if (nested) {
        hadWitness = true;
        // Only the redeem script push may sit in scriptSig, or the witness txid would be malleable.
        if (!sameBytes(scriptSig, pushData(redeemScript))) throw new Failure("WITNESS_MALLEATED_P2SH");
        verifyWitnessProgram(witness, nested.version, nested.program, flags, checker, true, stats);
        finalStack.length = 1;
      }
    }

    if (flags & FLAGS.CLEANSTACK && finalStack.length !== 1) throw new Failure("CLEANSTACK");
    if (flags & FLAGS.WITNESS && !hadWitness && witness.length > 0) throw new Failure("WITNESS_UNEXPECTED");
    return { ok: true, stats };
  } catch (e) {
    if (e instanceof Failure)
      return { ok: false, error: e.error, message: e.message ?? scriptErrorMessage(e.error), stats };
    throw e;
  }
}

/** Verify input `inputIndex` of `tx` spending `prevouts[inputIndex]` (all prevouts for taproot). */
export function verifyInput(
  tx: Transaction,
  inputIndex: number,
  prevouts: readonly TxOut[],
  flags: ScriptFlags,
  cache?: PrecomputedTxData,
): VerifyResult {
  const input = tx.inputs[inputIndex];
  const prevout = prevouts[inputIndex];
  if (!input || !prevout)
    throw new BitcoinArgumentError(`verifyInput: no input or prevout at index ${inputIndex}`, inputIndex);
  const checker = new TransactionChecker(tx, inputIndex, prevouts, cache);
  return verifyScript(input.scriptSig, prevout.scriptPubKey, input.witness, flags, checker);
}

export interface ExecuteOptions {
  /** Initial stack, bottom first (copied). */
  stack?: Uint8Array[];
  /** Default "tapscript": no 10,000-byte or 201-op limits, minimal IF, 1,000 items, 520-byte pushes. */
  sigVersion?: "base" | "witness_v0" | "tapscript";
  flags?: ScriptFlags;
  checker?: SignatureChecker;
  trace?: Tracer;
  /** BIP342 budget for signature checks; unbounded by default. */
  validationWeight?: number;
}

/**
 * Run one script on a given stack: no scriptSig/scriptPubKey pairing and no clean-stack or truth
 * requirement, so BitVM fragments can be run and their output inspected. Signature opcodes with
 * a non-empty signature fail unless a checker is given. A tapscript holding an OP_SUCCESSx
 * succeeds without running, as it would on chain.
 */
export function executeScript(script: Uint8Array, opts: ExecuteOptions = {}): ExecResult {
  const stats = newStats();
  const sigVersion = opts.sigVersion ?? "tapscript";
  const flags = opts.flags ?? FLAGS.MINIMALDATA;
  const stack = opts.stack ? opts.stack.slice() : [];
  const exec = newExec();
  if (opts.validationWeight !== undefined) exec.validationWeightLeft = opts.validationWeight;
  if (sigVersion === "tapscript") {
    let pc = 0;
    while (pc < script.length) {
      const op = readOp(script, pc);
      if (!op)
        return { ok: false, error: "BAD_OPCODE", message: "script ends inside a push", pc, stack, stats };
      if (isOpSuccess(op.opcode)) {
        stats.scriptBytes = script.length;
        return { ok: true, stack, stats };
      }
      pc = op.next;
    }
  }
  for (const item of stack)
    if (item.length > MAX_SCRIPT_ELEMENT_SIZE)
      return {
        ok: false,
        error: "PUSH_SIZE",
        message: "initial stack item above 520 bytes",
        pc: 0,
        stack,
        stats,
      };
  const f = evalScript(
    stack,
    script,
    flags,
    opts.checker ?? NO_SIGNATURES,
    sigVersion,
    exec,
    stats,
    opts.trace,
  );
  // Copies, so callers cannot corrupt the interpreter's shared small-number encodings.
  const out = stack.map((s) => s.slice());
  if (f)
    return {
      ok: false,
      error: f.error,
      message: f.message ?? scriptErrorMessage(f.error),
      pc: f.pc,
      stack: out,
      stats,
    };
  return { ok: true, stack: out, stats };
}
