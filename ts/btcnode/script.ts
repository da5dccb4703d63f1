/**
 * Script *inspection* the node needs around the interpreter: splitting a script into opcodes to
 * count signature operations, classify output types for policy and RPC, and print Core's `asm`.
 * Nothing here executes Script; verification is `verifyInput` from ts/bitcoin.
 */
import { opcodeName } from "../bitcoin/index.js";

export interface ScriptOp {
  readonly op: number;
  /** Pushed bytes for push opcodes (OP_0 pushes an empty array). */
  readonly data?: Uint8Array;
}

const OP_0 = 0x00;
const OP_PUSHDATA1 = 0x4c;
const OP_PUSHDATA2 = 0x4d;
const OP_PUSHDATA4 = 0x4e;
const OP_1NEGATE = 0x4f;
const OP_1 = 0x51;
const OP_16 = 0x60;
const OP_RETURN = 0x6a;
const OP_DUP = 0x76;
const OP_EQUAL = 0x87;
const OP_EQUALVERIFY = 0x88;
const OP_HASH160 = 0xa9;
const OP_CHECKSIG = 0xac;
const OP_CHECKSIGVERIFY = 0xad;
const OP_CHECKMULTISIG = 0xae;
const OP_CHECKMULTISIGVERIFY = 0xaf;

/** Opcodes of `script`, or `null` when a push runs past the end (such scripts still exist on chain). */
export function parseScript(script: Uint8Array): ScriptOp[] | null {
  const ops: ScriptOp[] = [];
  let i = 0;
  while (i < script.length) {
    const op = script[i++];
    if (op > OP_0 && op <= OP_PUSHDATA4) {
      let len: number;
      if (op < OP_PUSHDATA1) len = op;
      else if (op === OP_PUSHDATA1) {
        if (i + 1 > script.length) return null;
        len = script[i];
        i += 1;
      } else if (op === OP_PUSHDATA2) {
        if (i + 2 > script.length) return null;
        len = script[i] | (script[i + 1] << 8);
        i += 2;
      } else {
        if (i + 4 > script.length) return null;
        len = (script[i] | (script[i + 1] << 8) | (script[i + 2] << 16) | (script[i + 3] << 24)) >>> 0;
        i += 4;
      }
      if (i + len > script.length) return null;
      ops.push({ op, data: script.subarray(i, i + len) });
      i += len;
    } else if (op === OP_0) {
      ops.push({ op, data: new Uint8Array(0) });
    } else {
      ops.push({ op });
    }
  }
  return ops;
}

/** Only push opcodes (OP_0 … OP_16, OP_1NEGATE, data pushes): Core's IsPushOnly. */
export function isPushOnly(script: Uint8Array): boolean {
  const ops = parseScript(script);
  return ops !== null && ops.every((o) => o.op <= OP_16 && o.op !== 0x50);
}

/** Core's GetSigOpCount: CHECKMULTISIG counts 20, or its key count when `accurate` and preceded by OP_n. */
export function countSigOps(script: Uint8Array, accurate: boolean): number {
  let n = 0;
  let last = 0xff;
  let i = 0;
  // Walks the raw bytes like Core does, so a truncated push ends the count instead of failing.
  while (i < script.length) {
    const op = script[i++];
    if (op > OP_0 && op <= OP_PUSHDATA4) {
      let len = op;
      if (op === OP_PUSHDATA1) {
        if (i + 1 > script.length) break;
        len = script[i];
        i += 1;
      } else if (op === OP_PUSHDATA2) {
        if (i + 2 > script.length) break;
        len = script[i] | (script[i + 1] << 8);
        i += 2;
      } else if (op === OP_PUSHDATA4) {
        if (i + 4 > script.length) break;
        len = (script[i] | (script[i + 1] << 8) | (script[i + 2] << 16) | (script[i + 3] << 24)) >>> 0;
        i += 4;
      }
      if (i + len > script.length) break;
      i += len;
    } else if (op === OP_CHECKSIG || op === OP_CHECKSIGVERIFY) {
      n += 1;
    } else if (op === OP_CHECKMULTISIG || op === OP_CHECKMULTISIGVERIFY) {
      n += accurate && last >= OP_1 && last <= OP_16 ? last - OP_1 + 1 : 20;
    }
    last = op;
  }
  return n;
}

export interface WitnessProgram {
  readonly version: number;
  readonly program: Uint8Array;
}

/** BIP141: a 1-byte version opcode followed by one 2–40 byte push. */
export function witnessProgram(script: Uint8Array): WitnessProgram | null {
  if (script.length < 4 || script.length > 42) return null;
  const v = script[0];
  if (v !== OP_0 && (v < OP_1 || v > OP_16)) return null;
  if (script[1] + 2 !== script.length) return null;
  return { version: v === OP_0 ? 0 : v - OP_1 + 1, program: script.subarray(2) };
}

export function isP2SH(script: Uint8Array): boolean {
  return script.length === 23 && script[0] === OP_HASH160 && script[1] === 0x14 && script[22] === OP_EQUAL;
}

/** Unspendable outputs never enter the UTXO set. */
export function isUnspendable(script: Uint8Array): boolean {
  return (script.length > 0 && script[0] === OP_RETURN) || script.length > 10_000;
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
  if (script.length > 0 && script[0] === OP_RETURN) {
    return isPushOnly(script.subarray(1)) ? { type: "nulldata" } : { type: "nonstandard" };
  }
  const ops = parseScript(script);
  if (ops === null) return { type: "nonstandard" };
  if (ops.length === 2 && ops[1].op === OP_CHECKSIG && isPubkey(ops[0].data)) return { type: "pubkey" };
  if (
    script.length === 25 &&
    script[0] === OP_DUP &&
    script[1] === OP_HASH160 &&
    script[2] === 0x14 &&
    script[23] === OP_EQUALVERIFY &&
    script[24] === OP_CHECKSIG
  )
    return { type: "pubkeyhash" };
  if (ops.length >= 4 && ops[ops.length - 1].op === OP_CHECKMULTISIG) {
    const mOp = ops[0].op;
    const nOp = ops[ops.length - 2].op;
    if (mOp >= OP_1 && mOp <= OP_16 && nOp >= OP_1 && nOp <= OP_16) {
      const m = mOp - OP_1 + 1;
      const n = nOp - OP_1 + 1;
      const keys = ops.slice(1, -2);
      if (keys.length === n && m <= n && keys.every((k) => isPubkey(k.data)))
        return { type: "multisig", m, n };
    }
  }
  return { type: "nonstandard" };
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
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
  let i = 0;
  while (i < script.length) {
    // Parse one op at a time so a truncated tail prints "[error]" like Core.
    const one = parseOne(script, i);
    if (one === null) {
      parts.push("[error]");
      break;
    }
    i = one.next;
    if (one.op.data !== undefined && one.op.op !== OP_0) {
      const d = one.op.data;
      if (d.length <= 4) parts.push(String(scriptNumValue(d)));
      else if (sighashDecode && isDerSignature(d) && SIGHASH_NAMES[d[d.length - 1]] !== undefined)
        parts.push(hex(d.subarray(0, -1)) + `[${SIGHASH_NAMES[d[d.length - 1]]}]`);
      else parts.push(hex(d));
    } else if (one.op.op === OP_0) parts.push("0");
    else if (one.op.op === OP_1NEGATE) parts.push("-1");
    else if (one.op.op >= OP_1 && one.op.op <= OP_16) parts.push(String(one.op.op - OP_1 + 1));
    else parts.push(opcodeName(one.op.op));
  }
  return parts.join(" ");
}

function parseOne(script: Uint8Array, i: number): { op: ScriptOp; next: number } | null {
  const op = script[i];
  if (op > OP_0 && op <= OP_PUSHDATA4) {
    let len = op;
    let j = i + 1;
    const width = op === OP_PUSHDATA1 ? 1 : op === OP_PUSHDATA2 ? 2 : op === OP_PUSHDATA4 ? 4 : 0;
    if (j + width > script.length) return null;
    if (width > 0) {
      len = 0;
      for (let k = 0; k < width; k++) len += script[j + k] * 2 ** (8 * k);
      j += width;
    }
    if (j + len > script.length) return null;
    return { op: { op, data: script.subarray(j, j + len) }, next: j + len };
  }
  if (op === OP_0) return { op: { op, data: new Uint8Array(0) }, next: i + 1 };
  return { op: { op }, next: i + 1 };
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
