/**
 * Script *inspection* the node needs around the interpreter: splitting a script into opcodes to
 * count signature operations, classify output types for policy and RPC, and print Core's `asm`.
 * Nothing here executes Script; verification is `verifyInput` from ts/bitcoin.
 */
import {
  OP,
  isP2SH,
  isPushOnly,
  opEnd,
  opcodeName,
  readOp,
  witnessProgram as bitcoinWitnessProgram,
  type ScriptOp,
} from "../bitcoin/index.js";
import { bytesToHex as hex } from "../core/index.js";

export { isP2SH, isPushOnly, type ScriptOp };

/** Operations of `script`, or `null` when a push runs past the end (such scripts still exist on chain). */
export function parseScript(script: Uint8Array): ScriptOp[] | null {
  const ops: ScriptOp[] = [];
  for (let pc = 0; pc < script.length;) {
    const op = readOp(script, pc);
    if (op === undefined) return null;
    ops.push(op);
    pc = op.next;
  }
  return ops;
}

/** Core's GetSigOpCount: CHECKMULTISIG counts 20, or its key count when `accurate` and preceded by OP_n. */
export function countSigOps(script: Uint8Array, accurate: boolean): number {
  let n = 0;
  let last = 0xff;
  // Walks operations like Core does, so a truncated push ends the count instead of failing.
  for (let pc = 0; pc < script.length;) {
    const next = opEnd(script, pc);
    if (next < 0) break;
    const o = script[pc]!;
    if (o === OP.OP_CHECKSIG || o === OP.OP_CHECKSIGVERIFY) n += 1;
    else if (o === OP.OP_CHECKMULTISIG || o === OP.OP_CHECKMULTISIGVERIFY)
      n += accurate && last >= OP.OP_1 && last <= OP.OP_16 ? last - OP.OP_1 + 1 : 20;
    last = o;
    pc = next;
  }
  return n;
}

export interface WitnessProgram {
  readonly version: number;
  readonly program: Uint8Array;
}

/** BIP141 witness program (ts/bitcoin's), or `null` when `script` is none. */
export function witnessProgram(script: Uint8Array): WitnessProgram | null {
  return bitcoinWitnessProgram(script) ?? null;
}

/** Unspendable outputs never enter the UTXO set. */
export function isUnspendable(script: Uint8Array): boolean {
  return (script.length > 0 && script[0] === OP.OP_RETURN) || script.length > 10_000;
}

/** Output types with the names Core uses in `scriptPubKey.type`. */
export type OutputType =
  | "pubkey"
  | "pubkeyhash"
  | "scripthash"
  | "multisig"
  | "nulldata"
  | "witness_v0_keyhash"
  | "witness_v0_scripthash"
  | "witness_v1_taproot"
  | "anchor"
  | "witness_unknown"
  | "nonstandard";

export interface Classified {
  readonly type: OutputType;
  /** multisig: required signatures and key count. */
  readonly m?: number;
  readonly n?: number;
}

function isPubkey(d: Uint8Array | undefined): boolean {
  if (d === undefined) return false;
  return (d.length === 33 && (d[0] === 2 || d[0] === 3)) || (d.length === 65 && d[0] === 4);
}

/** Core's Solver, reduced to what policy and RPC need. */
export function classify(script: Uint8Array): Classified {
  const wp = witnessProgram(script);
  if (wp !== null) {
    if (wp.version === 0 && wp.program.length === 20) return { type: "witness_v0_keyhash" };
    if (wp.version === 0 && wp.program.length === 32) return { type: "witness_v0_scripthash" };
    if (wp.version === 1 && wp.program.length === 32) return { type: "witness_v1_taproot" };
    if (wp.version === 1 && wp.program.length === 2 && wp.program[0] === 0x4e && wp.program[1] === 0x73)
      return { type: "anchor" };
    if (wp.version !== 0) return { type: "witness_unknown" };
    return { type: "nonstandard" };
  }
  if (isP2SH(script)) return { type: "scripthash" };
  if (script.length > 0 && script[0] === OP.OP_RETURN) {
    return isPushOnly(script.subarray(1)) ? { type: "nulldata" } : { type: "nonstandard" };
  }
  const ops = parseScript(script);
  if (ops === null) return { type: "nonstandard" };
  if (ops.length === 2 && ops[1].opcode === OP.OP_CHECKSIG && isPubkey(ops[0].data))
    return { type: "pubkey" };
  if (
    script.length === 25 &&
    script[0] === OP.OP_DUP &&
    script[1] === OP.OP_HASH160 &&
    script[2] === 0x14 &&
    script[23] === OP.OP_EQUALVERIFY &&
    script[24] === OP.OP_CHECKSIG
  )
    return { type: "pubkeyhash" };
  if (ops.length >= 4 && ops[ops.length - 1].opcode === OP.OP_CHECKMULTISIG) {
    const mOp = ops[0].opcode;
    const nOp = ops[ops.length - 2].opcode;
    if (mOp >= OP.OP_1 && mOp <= OP.OP_16 && nOp >= OP.OP_1 && nOp <= OP.OP_16) {
      const m = mOp - OP.OP_1 + 1;
      const n = nOp - OP.OP_1 + 1;
      const keys = ops.slice(1, -2);
      if (keys.length === n && m <= n && keys.every((k) => isPubkey(k.data)))
        return { type: "multisig", m, n };
    }
  }
  return { type: "nonstandard" };
}

/** CScriptNum decoding of at most 4 bytes, as Core prints small pushes in asm. */
function scriptNumValue(d: Uint8Array): number {
  if (d.length === 0) return 0;
  let v = 0;
  for (let i = 0; i < d.length; i++) v += d[i] * 2 ** (8 * i);
  const last = d[d.length - 1];
  if (last & 0x80) return -(v - 0x80 * 2 ** (8 * (d.length - 1)));
  return v;
}

const SIGHASH_NAMES: Record<number, string> = {
  0x01: "ALL",
  0x02: "NONE",
  0x03: "SINGLE",
  0x81: "ALL|ANYONECANPAY",
  0x82: "NONE|ANYONECANPAY",
  0x83: "SINGLE|ANYONECANPAY",
};

/** Looks like a strict DER signature plus a hash type byte (Core's IsValidSignatureEncoding). */
function isDerSignature(sig: Uint8Array): boolean {
  if (sig.length < 9 || sig.length > 73) return false;
  if (sig[0] !== 0x30 || sig[1] !== sig.length - 3) return false;
  const lenR = sig[3];
  if (5 + lenR >= sig.length) return false;
  const lenS = sig[5 + lenR];
  if (lenR + lenS + 7 !== sig.length) return false;
  return sig[2] === 0x02 && lenR !== 0 && sig[4 + lenR] === 0x02 && lenS !== 0;
}

/** Core's ScriptToAsmStr; `sighashDecode` appends `[ALL]` … to signatures as scriptSig asm does. */
export function scriptToAsm(script: Uint8Array, sighashDecode = false): string {
  const parts: string[] = [];
  for (let pc = 0; pc < script.length;) {
    // One op at a time so a truncated tail prints "[error]" like Core.
    const op = readOp(script, pc);
    if (op === undefined) {
      parts.push("[error]");
      break;
    }
    pc = op.next;
    const o = op.opcode;
    const d = op.data;
    if (d !== undefined && o !== OP.OP_0) {
      if (d.length <= 4) parts.push(String(scriptNumValue(d)));
      else if (sighashDecode && isDerSignature(d) && SIGHASH_NAMES[d[d.length - 1]] !== undefined)
        parts.push(hex(d.subarray(0, -1)) + `[${SIGHASH_NAMES[d[d.length - 1]]}]`);
      else parts.push(hex(d));
    } else if (o === OP.OP_0) parts.push("0");
    else if (o === OP.OP_1NEGATE) parts.push("-1");
    else if (o >= OP.OP_1 && o <= OP.OP_16) parts.push(String(o - OP.OP_1 + 1));
    else parts.push(opcodeName(o));
  }
  return parts.join(" ");
}

const INPUT_CHARSET =
  "0123456789()[],'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#\"\\ ";
const CHECKSUM_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const GENERATOR = [0xf5dee51989n, 0xa9fdca3312n, 0x1bab10e32dn, 0x3706b1677an, 0x644d626ffdn];

function polymod(symbols: number[]): bigint {
  let chk = 1n;
  for (const v of symbols) {
    const top = chk >> 35n;
    chk = ((chk & 0x7ffffffffn) << 5n) ^ BigInt(v);
    for (let i = 0; i < 5; i++) if ((top >> BigInt(i)) & 1n) chk ^= GENERATOR[i];
  }
  return chk;
}

/** The 8-character output descriptor checksum (BIP380), or null for characters outside the charset. */
export function descriptorChecksum(desc: string): string | null {
  const symbols: number[] = [];
  let groups: number[] = [];
  for (const c of desc) {
    const v = INPUT_CHARSET.indexOf(c);
    if (v < 0) return null;
    symbols.push(v & 31);
    groups.push(v >> 5);
    if (groups.length === 3) {
      symbols.push(groups[0] * 9 + groups[1] * 3 + groups[2]);
      groups = [];
    }
  }
  if (groups.length === 1) symbols.push(groups[0]);
  else if (groups.length === 2) symbols.push(groups[0] * 3 + groups[1]);
  const c = polymod([...symbols, 0, 0, 0, 0, 0, 0, 0, 0]) ^ 1n;
  let out = "";
  for (let i = 0; i < 8; i++) out += CHECKSUM_CHARSET[Number((c >> BigInt(5 * (7 - i))) & 31n)];
  return out;
}

export function withChecksum(desc: string): string {
  return `${desc}#${descriptorChecksum(desc) ?? ""}`;
}
