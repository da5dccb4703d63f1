/**
 * The Script interpreter: Bitcoin Core's EvalScript, rule for rule, written for speed on the
 * multi-megabyte tapscripts BitVM produces (one pass over the bytes, no per-op allocation beyond
 * pushed results, small numbers served from a cache) and with execution statistics.
 */
import { ripemd160, sha1, sha256, hash160, sha256d } from "../hash.js";
import type { ExecData, SignatureChecker, SigVersion } from "./checker.js";
import { checkPubKeyEncoding, checkSignatureEncoding } from "./checker.js";
import type { ScriptErrorCode } from "./errors.js";
import { FLAGS, type ScriptFlags } from "./flags.js";
import { castToBool, decodeNum, encodeNum, ScriptNumError } from "./num.js";
import { OP, opcodeName } from "./opcodes.js";
import { findAndDelete, isMinimalPush, pushData } from "./script.js";

export const MAX_SCRIPT_ELEMENT_SIZE = 520;
export const MAX_STACK_SIZE = 1000;
export const MAX_SCRIPT_SIZE = 10_000;
export const MAX_OPS_PER_SCRIPT = 201;
export const MAX_PUBKEYS_PER_MULTISIG = 20;
export const VALIDATION_WEIGHT_PER_SIGOP_PASSED = 50;

export interface ExecStats {
  /** Operations executed (pushes included; operations skipped in an untaken branch are not). */
  opcodes: number;
  /** Largest stack + altstack size seen. */
  maxStackDepth: number;
  scriptBytes: number;
}

export interface TraceStep {
  /** Byte offset of the operation. */
  pc: number;
  opcode: number;
  name: string;
  /** Live views after the step; copy them to keep them. */
  stack: readonly Uint8Array[];
  altstack: readonly Uint8Array[];
}

export type Tracer = (step: TraceStep) => void;

export interface EvalFailure {
  error: ScriptErrorCode;
  message?: string;
  pc: number;
}

const EMPTY = new Uint8Array(0);
const TRUE = Uint8Array.of(1);
const FALSE = EMPTY;
const NO_FALSE = -1;

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

const DISABLED = new Uint8Array(256);
for (const op of [
  OP.OP_CAT,
  OP.OP_SUBSTR,
  OP.OP_LEFT,
  OP.OP_RIGHT,
  OP.OP_INVERT,
  OP.OP_AND,
  OP.OP_OR,
  OP.OP_XOR,
  OP.OP_2MUL,
  OP.OP_2DIV,
  OP.OP_MUL,
  OP.OP_DIV,
  OP.OP_MOD,
  OP.OP_LSHIFT,
  OP.OP_RSHIFT,
])
  DISABLED[op] = 1;

/**
 * Run `script` on `stack` (mutated in place, as Core does). Returns undefined on success or the
 * failure with the offending operation's offset. `stats` is updated as execution goes.
 */
export function evalScript(
  stack: Uint8Array[],
  script: Uint8Array,
  flags: ScriptFlags,
  checker: SignatureChecker,
  sigVersion: SigVersion,
  exec: ExecData,
  stats: ExecStats,
  trace?: Tracer,
): EvalFailure | undefined {
  const end = script.length;
  const legacyLimits = sigVersion === "base" || sigVersion === "witness_v0";
  if (legacyLimits && end > MAX_SCRIPT_SIZE) return { error: "SCRIPT_SIZE", pc: 0 };
  stats.scriptBytes += end;
  const requireMinimal = (flags & FLAGS.MINIMALDATA) !== 0;
  const altstack: Uint8Array[] = [];
  // Condition stack as Core's ConditionStack: a size and the position of the first false entry.
  let condSize = 0;
  let firstFalse = NO_FALSE;
  let opCount = 0;
  let codeHashBegin = 0;
  let opcodePos = 0;
  let pc = 0;
  let opStart = 0;
  let maxDepth = stats.maxStackDepth;
  let executed = 0;
  exec.codeSeparatorPos = 0xffffffff;

  const fail = (error: ScriptErrorCode, message?: string): EvalFailure => {
    stats.opcodes += executed;
    stats.maxStackDepth = maxDepth;
    return message === undefined ? { error, pc: opStart } : { error, message, pc: opStart };
  };

  try {
    for (; pc < end; opcodePos++) {
      const fExec = firstFalse === NO_FALSE;
      opStart = pc;
      const opcode = script[pc++]!;
      let push: Uint8Array | undefined;
      if (opcode <= OP.OP_PUSHDATA4) {
        let size: number;
        if (opcode < OP.OP_PUSHDATA1) size = opcode;
        else if (opcode === OP.OP_PUSHDATA1) {
          if (end - pc < 1) return fail("BAD_OPCODE", "truncated OP_PUSHDATA1 length");
          size = script[pc]!;
          pc += 1;
        } else if (opcode === OP.OP_PUSHDATA2) {
          if (end - pc < 2) return fail("BAD_OPCODE", "truncated OP_PUSHDATA2 length");
          size = script[pc]! | (script[pc + 1]! << 8);
          pc += 2;
        } else {
          if (end - pc < 4) return fail("BAD_OPCODE", "truncated OP_PUSHDATA4 length");
          size =
            (script[pc]! | (script[pc + 1]! << 8) | (script[pc + 2]! << 16) | (script[pc + 3]! << 24)) >>> 0;
          pc += 4;
        }
        if (end - pc < size)
          return fail("BAD_OPCODE", `push of ${size} bytes runs past the end of the script`);
        push = size === 0 ? EMPTY : script.subarray(pc, pc + size);
        pc += size;
        if (size > MAX_SCRIPT_ELEMENT_SIZE) return fail("PUSH_SIZE", `push of ${size} bytes`);
      }
      if (legacyLimits && opcode > OP.OP_16 && ++opCount > MAX_OPS_PER_SCRIPT) return fail("OP_COUNT");
      if (DISABLED[opcode]) return fail("DISABLED_OPCODE", `${opcodeName(opcode)} is disabled`);
      if (opcode === OP.OP_CODESEPARATOR && sigVersion === "base" && flags & FLAGS.CONST_SCRIPTCODE)
        return fail("OP_CODESEPARATOR");

      if (push !== undefined) {
        if (fExec) {
          if (requireMinimal && !isMinimalPush(push, opcode)) return fail("MINIMALDATA");
          stack.push(push);
          executed++;
        }
      } else if (fExec || (opcode >= OP.OP_IF && opcode <= OP.OP_ENDIF)) {
        executed++;
        switch (opcode) {
          case OP.OP_1NEGATE:
          case OP.OP_1:
          case OP.OP_2:
          case OP.OP_3:
          case OP.OP_4:
          case OP.OP_5:
          case OP.OP_6:
          case OP.OP_7:
          case OP.OP_8:
          case OP.OP_9:
          case OP.OP_10:
          case OP.OP_11:
          case OP.OP_12:
          case OP.OP_13:
          case OP.OP_14:
          case OP.OP_15:
          case OP.OP_16:
            stack.push(encodeNum(opcode - (OP.OP_1 - 1)));
            break;

          case OP.OP_NOP:
            break;

          case OP.OP_CHECKLOCKTIMEVERIFY: {
            if (!(flags & FLAGS.CHECKLOCKTIMEVERIFY)) {
              if (flags & FLAGS.DISCOURAGE_UPGRADABLE_NOPS) return fail("DISCOURAGE_UPGRADABLE_NOPS");
              break;
            }
            if (stack.length < 1) return fail("INVALID_STACK_OPERATION");
            // Five bytes: lock times reach 2^32-1, past CScriptNum's usual four.
            const lockTime = decodeNum(stack[stack.length - 1]!, requireMinimal, 5);
            if (lockTime < 0) return fail("NEGATIVE_LOCKTIME");
            if (!checker.checkLockTime(lockTime)) return fail("UNSATISFIED_LOCKTIME");
            break;
          }

          case OP.OP_CHECKSEQUENCEVERIFY: {
            if (!(flags & FLAGS.CHECKSEQUENCEVERIFY)) {
              if (flags & FLAGS.DISCOURAGE_UPGRADABLE_NOPS) return fail("DISCOURAGE_UPGRADABLE_NOPS");
              break;
            }
            if (stack.length < 1) return fail("INVALID_STACK_OPERATION");
            const sequence = decodeNum(stack[stack.length - 1]!, requireMinimal, 5);
            if (sequence < 0) return fail("NEGATIVE_LOCKTIME");
            // Bit 31 set: relative lock disabled, the opcode is a NOP (BIP112).
            if (Math.floor(sequence / 0x80000000) % 2 === 1) break;
            if (!checker.checkSequence(sequence)) return fail("UNSATISFIED_LOCKTIME");
            break;
          }

          case OP.OP_NOP1:
          case OP.OP_NOP4:
          case OP.OP_NOP5:
          case OP.OP_NOP6:
          case OP.OP_NOP7:
          case OP.OP_NOP8:
          case OP.OP_NOP9:
          case OP.OP_NOP10:
            if (flags & FLAGS.DISCOURAGE_UPGRADABLE_NOPS) return fail("DISCOURAGE_UPGRADABLE_NOPS");
            break;

          case OP.OP_IF:
          case OP.OP_NOTIF: {
            let value = false;
            if (fExec) {
              // The vectors expect a stack error here (Core itself says UNBALANCED_CONDITIONAL).
              if (stack.length < 1) return fail("INVALID_STACK_OPERATION");
              const top = stack[stack.length - 1]!;
              if (sigVersion === "tapscript") {
                if (top.length > 1 || (top.length === 1 && top[0] !== 1)) return fail("TAPSCRIPT_MINIMALIF");
              } else if (sigVersion === "witness_v0" && flags & FLAGS.MINIMALIF) {
                if (top.length > 1 || (top.length === 1 && top[0] !== 1)) return fail("MINIMALIF");
              }
              value = castToBool(top);
              if (opcode === OP.OP_NOTIF) value = !value;
              stack.pop();
            }
            if (!value && firstFalse === NO_FALSE) firstFalse = condSize;
            condSize++;
            break;
          }

          case OP.OP_ELSE:
            if (condSize === 0) return fail("UNBALANCED_CONDITIONAL");
            // Toggling the top only matters when everything below it is true.
            if (firstFalse === NO_FALSE) firstFalse = condSize - 1;
            else if (firstFalse === condSize - 1) firstFalse = NO_FALSE;
            break;

          case OP.OP_ENDIF:
            if (condSize === 0) return fail("UNBALANCED_CONDITIONAL");
            condSize--;
            if (firstFalse === condSize) firstFalse = NO_FALSE;
            break;

          case OP.OP_VERIFY:
            if (stack.length < 1) return fail("INVALID_STACK_OPERATION");
            if (!castToBool(stack[stack.length - 1]!)) return fail("VERIFY");
            stack.pop();
            break;

          case OP.OP_RETURN:
            return fail("OP_RETURN");

          case OP.OP_TOALTSTACK:
            if (stack.length < 1) return fail("INVALID_STACK_OPERATION");
            altstack.push(stack.pop()!);
            break;

          case OP.OP_FROMALTSTACK:
            if (altstack.length < 1) return fail("INVALID_ALTSTACK_OPERATION");
            stack.push(altstack.pop()!);
            break;

          case OP.OP_2DROP:
            if (stack.length < 2) return fail("INVALID_STACK_OPERATION");
            stack.length -= 2;
            break;

          case OP.OP_2DUP: {
            const n = stack.length;
            if (n < 2) return fail("INVALID_STACK_OPERATION");
            stack.push(stack[n - 2]!, stack[n - 1]!);
            break;
          }

          case OP.OP_3DUP: {
            const n = stack.length;
            if (n < 3) return fail("INVALID_STACK_OPERATION");
            stack.push(stack[n - 3]!, stack[n - 2]!, stack[n - 1]!);
            break;
          }

          case OP.OP_2OVER: {
            const n = stack.length;
            if (n < 4) return fail("INVALID_STACK_OPERATION");
            stack.push(stack[n - 4]!, stack[n - 3]!);
            break;
          }

          case OP.OP_2ROT: {
            const n = stack.length;
            if (n < 6) return fail("INVALID_STACK_OPERATION");
            const a = stack[n - 6]!;
            const b = stack[n - 5]!;
            stack.splice(n - 6, 2);
            stack.push(a, b);
            break;
          }

          case OP.OP_2SWAP: {
            const n = stack.length;
            if (n < 4) return fail("INVALID_STACK_OPERATION");
            const a = stack[n - 4]!;
            const b = stack[n - 3]!;
            stack[n - 4] = stack[n - 2]!;
            stack[n - 3] = stack[n - 1]!;
            stack[n - 2] = a;
            stack[n - 1] = b;
            break;
          }

          case OP.OP_IFDUP: {
            if (stack.length < 1) return fail("INVALID_STACK_OPERATION");
            const top = stack[stack.length - 1]!;
            if (castToBool(top)) stack.push(top);
            break;
          }

          case OP.OP_DEPTH:
            stack.push(encodeNum(stack.length));
            break;

          case OP.OP_DROP:
            if (stack.length < 1) return fail("INVALID_STACK_OPERATION");
            stack.pop();
            break;

          case OP.OP_DUP:
            if (stack.length < 1) return fail("INVALID_STACK_OPERATION");
            stack.push(stack[stack.length - 1]!);
            break;

          case OP.OP_NIP:
            if (stack.length < 2) return fail("INVALID_STACK_OPERATION");
            stack[stack.length - 2] = stack.pop()!;
            break;

          case OP.OP_OVER:
            if (stack.length < 2) return fail("INVALID_STACK_OPERATION");
            stack.push(stack[stack.length - 2]!);
            break;

          case OP.OP_PICK:
          case OP.OP_ROLL: {
            if (stack.length < 2) return fail("INVALID_STACK_OPERATION");
            const n = decodeNum(stack.pop()!, requireMinimal);
            const len = stack.length;
            if (n < 0 || n >= len) return fail("INVALID_STACK_OPERATION");
            const idx = len - n - 1;
            const v = stack[idx]!;
            if (opcode === OP.OP_ROLL) {
              // Shift in place: BitVM rolls deep and often, splice would allocate.
              for (let i = idx; i < len - 1; i++) stack[i] = stack[i + 1]!;
              stack[len - 1] = v;
            } else stack.push(v);
            break;
          }

          case OP.OP_ROT: {
            const n = stack.length;
            if (n < 3) return fail("INVALID_STACK_OPERATION");
            const a = stack[n - 3]!;
            stack[n - 3] = stack[n - 2]!;
            stack[n - 2] = stack[n - 1]!;
            stack[n - 1] = a;
            break;
          }

          case OP.OP_SWAP: {
            const n = stack.length;
            if (n < 2) return fail("INVALID_STACK_OPERATION");
            const a = stack[n - 2]!;
            stack[n - 2] = stack[n - 1]!;
            stack[n - 1] = a;
            break;
          }

          case OP.OP_TUCK: {
            const n = stack.length;
            if (n < 2) return fail("INVALID_STACK_OPERATION");
            const top = stack[n - 1]!;
            stack.push(top);
            stack[n - 1] = stack[n - 2]!;
            stack[n - 2] = top;
            break;
          }

          case OP.OP_SIZE:
            if (stack.length < 1) return fail("INVALID_STACK_OPERATION");
            stack.push(encodeNum(stack[stack.length - 1]!.length));
            break;

          case OP.OP_EQUAL:
          case OP.OP_EQUALVERIFY: {
            const n = stack.length;
            if (n < 2) return fail("INVALID_STACK_OPERATION");
            const equal = equalBytes(stack[n - 2]!, stack[n - 1]!);
            stack.length = n - 2;
            if (opcode === OP.OP_EQUALVERIFY) {
              if (!equal) return fail("EQUALVERIFY");
            } else stack.push(equal ? TRUE : FALSE);
            break;
          }

          case OP.OP_1ADD:
          case OP.OP_1SUB:
          case OP.OP_NEGATE:
          case OP.OP_ABS:
          case OP.OP_NOT:
          case OP.OP_0NOTEQUAL: {
            const n = stack.length;
            if (n < 1) return fail("INVALID_STACK_OPERATION");
            let v = decodeNum(stack[n - 1]!, requireMinimal);
            switch (opcode) {
              case OP.OP_1ADD:
                v += 1;
                break;
              case OP.OP_1SUB:
                v -= 1;
                break;
              case OP.OP_NEGATE:
                v = -v;
                break;
              case OP.OP_ABS:
                if (v < 0) v = -v;
                break;
              case OP.OP_NOT:
                v = v === 0 ? 1 : 0;
                break;
              default:
                v = v !== 0 ? 1 : 0;
            }
            stack[n - 1] = encodeNum(v);
            break;
          }

          case OP.OP_ADD:
          case OP.OP_SUB:
          case OP.OP_BOOLAND:
          case OP.OP_BOOLOR:
          case OP.OP_NUMEQUAL:
          case OP.OP_NUMEQUALVERIFY:
          case OP.OP_NUMNOTEQUAL:
          case OP.OP_LESSTHAN:
          case OP.OP_GREATERTHAN:
          case OP.OP_LESSTHANOREQUAL:
          case OP.OP_GREATERTHANOREQUAL:
          case OP.OP_MIN:
          case OP.OP_MAX: {
            const n = stack.length;
            if (n < 2) return fail("INVALID_STACK_OPERATION");
            const a = decodeNum(stack[n - 2]!, requireMinimal);
            const b = decodeNum(stack[n - 1]!, requireMinimal);
            let r: number;
            switch (opcode) {
              case OP.OP_ADD:
                r = a + b;
                break;
              case OP.OP_SUB:
                r = a - b;
                break;
              case OP.OP_BOOLAND:
                r = a !== 0 && b !== 0 ? 1 : 0;
                break;
              case OP.OP_BOOLOR:
                r = a !== 0 || b !== 0 ? 1 : 0;
                break;
              case OP.OP_NUMEQUAL:
              case OP.OP_NUMEQUALVERIFY:
                r = a === b ? 1 : 0;
                break;
              case OP.OP_NUMNOTEQUAL:
                r = a !== b ? 1 : 0;
                break;
              case OP.OP_LESSTHAN:
                r = a < b ? 1 : 0;
                break;
              case OP.OP_GREATERTHAN:
                r = a > b ? 1 : 0;
                break;
              case OP.OP_LESSTHANOREQUAL:
                r = a <= b ? 1 : 0;
                break;
              case OP.OP_GREATERTHANOREQUAL:
                r = a >= b ? 1 : 0;
                break;
              case OP.OP_MIN:
                r = a < b ? a : b;
                break;
              default:
                r = a > b ? a : b;
            }
            stack.length = n - 2;
            if (opcode === OP.OP_NUMEQUALVERIFY) {
              if (r === 0) return fail("NUMEQUALVERIFY");
            } else stack.push(encodeNum(r));
            break;
          }

          case OP.OP_WITHIN: {
            const n = stack.length;
            if (n < 3) return fail("INVALID_STACK_OPERATION");
            const x = decodeNum(stack[n - 3]!, requireMinimal);
            const lo = decodeNum(stack[n - 2]!, requireMinimal);
            const hi = decodeNum(stack[n - 1]!, requireMinimal);
            stack.length = n - 3;
            stack.push(lo <= x && x < hi ? TRUE : FALSE);
            break;
          }

          case OP.OP_RIPEMD160:
          case OP.OP_SHA1:
          case OP.OP_SHA256:
          case OP.OP_HASH160:
          case OP.OP_HASH256: {
            const n = stack.length;
            if (n < 1) return fail("INVALID_STACK_OPERATION");
            const v = stack[n - 1]!;
            stack[n - 1] =
              opcode === OP.OP_RIPEMD160
                ? ripemd160(v)
                : opcode === OP.OP_SHA1
                  ? sha1(v)
                  : opcode === OP.OP_SHA256
                    ? sha256(v)
                    : opcode === OP.OP_HASH160
                      ? hash160(v)
                      : sha256d(v);
            break;
          }

          case OP.OP_CODESEPARATOR:
            // Signatures commit to the script from just after the last executed separator.
            codeHashBegin = pc;
            exec.codeSeparatorPos = opcodePos;
            break;

          case OP.OP_CHECKSIG:
          case OP.OP_CHECKSIGVERIFY: {
            const n = stack.length;
            if (n < 2) return fail("INVALID_STACK_OPERATION");
            const sig = stack[n - 2]!;
            const pubkey = stack[n - 1]!;
            const res = evalChecksig(sig, pubkey, script, codeHashBegin, exec, flags, checker, sigVersion);
            if (typeof res === "string") return fail(res);
            stack.length = n - 2;
            if (opcode === OP.OP_CHECKSIGVERIFY) {
              if (!res) return fail("CHECKSIGVERIFY");
            } else stack.push(res ? TRUE : FALSE);
            break;
          }

          case OP.OP_CHECKSIGADD: {
            // BIP342: only in tapscript; an unknown opcode before it.
            if (legacyLimits) return fail("BAD_OPCODE");
            const n = stack.length;
            if (n < 3) return fail("INVALID_STACK_OPERATION");
            const sig = stack[n - 3]!;
            const num = decodeNum(stack[n - 2]!, requireMinimal);
            const pubkey = stack[n - 1]!;
            const res = evalChecksig(sig, pubkey, script, codeHashBegin, exec, flags, checker, sigVersion);
            if (typeof res === "string") return fail(res);
            stack.length = n - 3;
            stack.push(encodeNum(num + (res ? 1 : 0)));
            break;
          }

          case OP.OP_CHECKMULTISIG:
          case OP.OP_CHECKMULTISIGVERIFY: {
            if (sigVersion === "tapscript") return fail("TAPSCRIPT_CHECKMULTISIG");
            let i = 1;
            if (stack.length < i) return fail("INVALID_STACK_OPERATION");
            let keys = decodeNum(stack[stack.length - i]!, requireMinimal);
            if (keys < 0 || keys > MAX_PUBKEYS_PER_MULTISIG) return fail("PUBKEY_COUNT");
            opCount += keys;
            if (opCount > MAX_OPS_PER_SCRIPT) return fail("OP_COUNT");
            let ikey = ++i;
            // ikey2: how many trailing stack items are keys, for the NULLFAIL check below.
            let ikey2 = keys + 2;
            i += keys;
            if (stack.length < i) return fail("INVALID_STACK_OPERATION");
            let sigs = decodeNum(stack[stack.length - i]!, requireMinimal);
            if (sigs < 0 || sigs > keys) return fail("SIG_COUNT");
            let isig = ++i;
            i += sigs;
            if (stack.length < i) return fail("INVALID_STACK_OPERATION");

            let scriptCode = script.subarray(codeHashBegin);
            for (let k = 0; k < sigs; k++) {
              const sig = stack[stack.length - isig - k]!;
              if (sigVersion === "base") {
                const r = findAndDelete(scriptCode, pushData(sig));
                if (r.found > 0 && flags & FLAGS.CONST_SCRIPTCODE) return fail("SIG_FINDANDDELETE");
                scriptCode = r.script;
              }
            }

            let success = true;
            while (success && sigs > 0) {
              const sig = stack[stack.length - isig]!;
              const pubkey = stack[stack.length - ikey]!;
              const encErr =
                checkSignatureEncoding(sig, flags) ?? checkPubKeyEncoding(pubkey, flags, sigVersion);
              if (encErr) return fail(encErr);
              if (checker.checkEcdsa(sig, pubkey, scriptCode, sigVersion)) {
                isig++;
                sigs--;
              }
              ikey++;
              keys--;
              // More signatures left than keys: cannot succeed any more.
              if (sigs > keys) success = false;
            }

            while (i-- > 1) {
              if (!success && flags & FLAGS.NULLFAIL && ikey2 === 0 && stack[stack.length - 1]!.length > 0)
                return fail("NULLFAIL");
              if (ikey2 > 0) ikey2--;
              stack.pop();
            }
            // The extra item CHECKMULTISIG pops by historical accident (BIP147 dummy).
            if (stack.length < 1) return fail("INVALID_STACK_OPERATION");
            if (flags & FLAGS.NULLDUMMY && stack[stack.length - 1]!.length > 0) return fail("SIG_NULLDUMMY");
            stack.pop();
            if (opcode === OP.OP_CHECKMULTISIGVERIFY) {
              if (!success) return fail("CHECKMULTISIGVERIFY");
            } else stack.push(success ? TRUE : FALSE);
            break;
          }

          default:
            return fail("BAD_OPCODE", `${opcodeName(opcode)} (0x${opcode.toString(16).padStart(2, "0")})`);
        }
      }

      const depth = stack.length + altstack.length;
      if (depth > maxDepth) maxDepth = depth;
      if (depth > MAX_STACK_SIZE) return fail("STACK_SIZE");
      if (trace && (fExec || (opcode >= OP.OP_IF && opcode <= OP.OP_ENDIF)))
        trace({ pc: opStart, opcode, name: opcodeName(opcode), stack, altstack });
    }
  } catch (e) {
    if (e instanceof ScriptNumError) return fail("SCRIPTNUM", e.message);
    throw e;
  }
  opStart = end;
  if (condSize !== 0) return fail("UNBALANCED_CONDITIONAL");
  stats.opcodes += executed;
  stats.maxStackDepth = maxDepth;
  return undefined;
}

/** CHECKSIG's core: a boolean result, or an error code that aborts the script. */
function evalChecksig(
  sig: Uint8Array,
  pubkey: Uint8Array,
  script: Uint8Array,
  codeHashBegin: number,
  exec: ExecData,
  flags: ScriptFlags,
  checker: SignatureChecker,
  sigVersion: SigVersion,
): boolean | ScriptErrorCode {
  if (sigVersion === "tapscript") {
    const nonEmpty = sig.length > 0;
    if (nonEmpty) {
      // Every signature checked is paid for by witness bytes (BIP342 validation weight).
      exec.validationWeightLeft -= VALIDATION_WEIGHT_PER_SIGOP_PASSED;
      if (exec.validationWeightLeft < 0) return "TAPSCRIPT_VALIDATION_WEIGHT";
    }
    if (pubkey.length === 0) return "TAPSCRIPT_EMPTY_PUBKEY";
    if (pubkey.length === 32) {
      if (nonEmpty) {
        const err = checker.checkSchnorr(sig, pubkey, "tapscript", exec);
        if (err) return err;
      }
    } else if (flags & FLAGS.DISCOURAGE_UPGRADABLE_PUBKEYTYPE) return "DISCOURAGE_UPGRADABLE_PUBKEYTYPE";
    // Unknown key types succeed (future soft forks) whenever the signature is non-empty.
    return nonEmpty;
  }
  let scriptCode = script.subarray(codeHashBegin);
  if (sigVersion === "base") {
    // Legacy sighash quirk: a signature cannot commit to itself, so it is cut out of scriptCode.
    const r = findAndDelete(scriptCode, pushData(sig));
    if (r.found > 0 && flags & FLAGS.CONST_SCRIPTCODE) return "SIG_FINDANDDELETE";
    scriptCode = r.script;
  }
  const encErr = checkSignatureEncoding(sig, flags) ?? checkPubKeyEncoding(pubkey, flags, sigVersion);
  if (encErr) return encErr;
  const ok = checker.checkEcdsa(sig, pubkey, scriptCode, sigVersion);
  if (!ok && flags & FLAGS.NULLFAIL && sig.length > 0) return "NULLFAIL";
  return ok;
}
