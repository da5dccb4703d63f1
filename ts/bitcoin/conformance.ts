/**
 * Bitcoin Core's own consensus vectors run against this package: script_tests, tx_valid,
 * tx_invalid, sighash and the 2,760 taproot/tapscript assets. Used by `npm run conformance` and by
 * the test suite, so the figure printed and the figure tested are the same computation.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LvmError, bytesToHex, hexToBytes } from "../core/index.js";
import { checkTransaction } from "./check.js";
import { sighashLegacy } from "./sighash.js";
import { Transaction } from "./tx.js";
import type { TxOut } from "./types.js";
import { TransactionChecker } from "./script/checker.js";
import { ALL_FLAGS, FLAGS, parseFlags, type ScriptFlags } from "./script/flags.js";
import { encodeNum } from "./script/num.js";
import { OP } from "./script/opcodes.js";
import { pushData, removeCodeSeparators } from "./script/script.js";
import {
  TAPROOT_LEAF_TAPSCRIPT,
  tapleafHash,
  tweakXOnly,
  verifyInput,
  verifyScript,
} from "./script/verify.js";

export interface SetResult {
  passed: number;
  failed: number;
  /** The first failures (at most 20), for humans. */
  failures: string[];
}

export type SetName = "script_tests" | "tx_valid" | "tx_invalid" | "sighash" | "taproot";
export type ConformanceReport = Record<SetName, SetResult>;

export class ConformanceError extends LvmError<"BAD_VECTOR"> {
  override readonly name = "ConformanceError";
}

const fromHex = (h: string): Uint8Array => {
  try {
    return hexToBytes(h);
  } catch (e) {
    throw new ConformanceError("BAD_VECTOR", `not hex: ${h.slice(0, 40)}`, { value: h, cause: e });
  }
};
const toHex = bytesToHex;
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

const OPCODE_WORDS: Map<string, number> = (() => {
  const m = new Map<string, number>();
  for (const [name, value] of Object.entries(OP)) {
    // Core's test parser knows only non-push opcodes (and OP_RESERVED) by name; numbers cover the rest.
    if (value < OP.OP_NOP && value !== OP.OP_RESERVED) continue;
    m.set(name, value);
    m.set(name.slice(3), value);
  }
  return m;
})();

/** The script language of Core's JSON vectors: numbers, 0x raw bytes, 'strings', opcode names. */
export function parseTestScript(src: string): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const w of src.split(/[ \t\n]+/)) {
    if (w === "") continue;
    if (/^-?[0-9]+$/.test(w) && w !== "-") {
      const n = Number(w);
      if (n > 0xffffffff || n < -0xffffffff)
        throw new ConformanceError("BAD_VECTOR", `number out of range: ${w}`, { value: w });
      if (n === -1 || (n >= 1 && n <= 16)) parts.push(Uint8Array.of(OP.OP_1 - 1 + n));
      else if (n === 0) parts.push(Uint8Array.of(OP.OP_0));
      else parts.push(pushData(encodeNum(n)));
    } else if (w.startsWith("0x") && w.length > 2) {
      parts.push(fromHex(w.slice(2)));
    } else if (w.length >= 2 && w.startsWith("'") && w.endsWith("'")) {
      parts.push(pushData(new TextEncoder().encode(w.slice(1, -1))));
    } else {
      const op = OPCODE_WORDS.get(w);
      if (op === undefined)
        throw new ConformanceError("BAD_VECTOR", `unknown script word: ${w}`, { value: w });
      parts.push(Uint8Array.of(op));
    }
  }
  return concat(...parts);
}

function compactSize(n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n);
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >>> 8);
  return Uint8Array.of(0xfe, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
}
const u32 = (n: number): Uint8Array => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
const u64 = (v: bigint): Uint8Array => {
  const out = new Uint8Array(8);
  let x = BigInt.asUintN(64, v);
  for (let i = 0; i < 8; i++) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
};

/** One-input, one-output transaction bytes; witness serialization when `witness` is non-empty. */
function rawTx(
  prevHash: Uint8Array,
  prevIndex: number,
  scriptSig: Uint8Array,
  witness: Uint8Array[],
  value: bigint,
  scriptPubKey: Uint8Array,
): Uint8Array {
  const segwit = witness.length > 0;
  const parts = [u32(1)];
  if (segwit) parts.push(Uint8Array.of(0, 1));
  parts.push(
    compactSize(1),
    prevHash,
    u32(prevIndex),
    compactSize(scriptSig.length),
    scriptSig,
    u32(0xffffffff),
  );
  parts.push(compactSize(1), u64(value), compactSize(scriptPubKey.length), scriptPubKey);
  if (segwit) {
    parts.push(compactSize(witness.length));
    for (const w of witness) parts.push(compactSize(w.length), w);
  }
  parts.push(u32(0));
  return concat(...parts);
}

/** BIP341's provably unspendable internal key ("H" point), as Core's script_tests use. */
const NUMS_H = fromHex("50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0");

function readJson(path: string): unknown[] {
  return JSON.parse(readFileSync(path, "utf8")) as unknown[];
}

function newSet(): SetResult {
  return { passed: 0, failed: 0, failures: [] };
}
function record(set: SetResult, ok: boolean, what: () => string): void {
  if (ok) set.passed++;
  else {
    set.failed++;
    if (
      set.failures.length <
      (process.env.CONFORMANCE_MAX_FAILURES ? Number(process.env.CONFORMANCE_MAX_FAILURES) : 20)
    )
      set.failures.push(what());
  }
}

/** Core's DoTest semantics: CLEANSTACK implies P2SH and WITNESS. */
function fillFlags(flags: ScriptFlags): ScriptFlags {
  if (flags & FLAGS.CLEANSTACK) flags |= FLAGS.P2SH | FLAGS.WITNESS;
  if (flags & FLAGS.WITNESS) flags |= FLAGS.P2SH;
  return flags;
}

export function runScriptTests(dir: string): SetResult {
  const set = newSet();
  const rows = readJson(join(dir, "script_tests.json"));
  for (const row of rows) {
    if (!Array.isArray(row) || row.length < 4) continue; // comments
    let pos = 0;
    let witness: Uint8Array[] = [];
    let amount = 0n;
    let leafScript: Uint8Array | undefined;
    let taprootOutput: Uint8Array | undefined;
    if (Array.isArray(row[0])) {
      const w = row[0] as (string | number)[];
      for (let i = 0; i < w.length - 1; i++) {
        const el = String(w[i]);
        if (el.startsWith("#SCRIPT#")) {
          leafScript = parseTestScript(el.slice("#SCRIPT#".length));
          witness.push(leafScript);
        } else if (el === "#CONTROLBLOCK#") {
          const tweaked = tweakXOnly(NUMS_H, tapleafHash(TAPROOT_LEAF_TAPSCRIPT, leafScript!))!;
          taprootOutput = tweaked.key;
          witness.push(concat(Uint8Array.of(TAPROOT_LEAF_TAPSCRIPT | tweaked.parity), NUMS_H));
        } else witness.push(fromHex(el));
      }
      amount = BigInt(Math.round(Number(w[w.length - 1]) * 1e8));
      pos = 1;
    }
    const [sigSrc, spkSrc0, flagSrc, expected] = row.slice(pos) as string[];
    const label = (): string => JSON.stringify(row).slice(0, 300);
    let got: string;
    try {
      let spkSrc = spkSrc0!;
      if (taprootOutput) spkSrc = spkSrc.replace("#TAPROOTOUTPUT#", "0x" + toHex(taprootOutput));
      const scriptSig = parseTestScript(sigSrc!);
      const scriptPubKey = parseTestScript(spkSrc);
      const flags = fillFlags(parseFlags(flagSrc!));
      const credit = Transaction.decode(
        rawTx(new Uint8Array(32), 0xffffffff, Uint8Array.of(0, 0), [], amount, scriptPubKey),
      );
      const spend = Transaction.decode(
        rawTx(credit.hashBytes(), 0, scriptSig, witness, amount, new Uint8Array(0)),
      );
      const prevouts: TxOut[] = [{ value: amount, scriptPubKey }];
      const res = verifyScript(
        scriptSig,
        scriptPubKey,
        witness,
        flags,
        new TransactionChecker(spend, 0, prevouts),
      );
      got = res.ok ? "OK" : res.error;
    } catch (e) {
      got = `THROWN ${(e as Error).message}`;
    }
    witness = [];
    record(set, got === expected, () => `expected ${expected}, got ${got}: ${label()}`);
  }
  return set;
}

type TxVector = [[string, number, string, number?][], string, string];

function loadTxVectors(path: string): TxVector[] {
  return readJson(path).filter(
    (r): r is TxVector => Array.isArray(r) && Array.isArray(r[0]) && typeof r[1] === "string",
  );
}

/** Verify every input as Core's CheckTxScripts; true when all pass. */
function txScriptsValid(tx: Transaction, prevs: TxVector[0], flags: ScriptFlags): boolean | string {
  const byOutpoint = new Map<string, TxOut>();
  for (const [hash, index, spk, amount] of prevs) {
    byOutpoint.set(`${hash}:${index >>> 0}`, {
      value: BigInt(amount ?? 0),
      scriptPubKey: parseTestScript(spk),
    });
  }
  const prevouts: TxOut[] = [];
  for (const input of tx.inputs) {
    const p = byOutpoint.get(`${input.prevout.txid}:${input.prevout.vout >>> 0}`);
    if (!p) return "missing prevout";
    prevouts.push(p);
  }
  for (let i = 0; i < tx.inputs.length; i++) {
    const r = verifyInput(tx, i, prevouts, flags);
    if (!r.ok) return `input ${i}: ${r.error}`;
  }
  return true;
}

export function runTxValid(dir: string): SetResult {
  const set = newSet();
  for (const [prevs, hex, excluded] of loadTxVectors(join(dir, "tx_valid.json"))) {
    let outcome: string;
    try {
      const tx = Transaction.decode(fromHex(hex));
      const reason = checkTransaction(tx);
      const flags = ALL_FLAGS & ~parseFlags(excluded);
      outcome = reason ?? String(txScriptsValid(tx, prevs, flags));
    } catch (e) {
      outcome = `THROWN ${(e as Error).message}`;
    }
    record(set, outcome === "true", () => `${outcome}: ${hex.slice(0, 120)} excluded=${excluded}`);
  }
  return set;
}

export function runTxInvalid(dir: string): SetResult {
  const set = newSet();
  for (const [prevs, hex, flagSrc] of loadTxVectors(join(dir, "tx_invalid.json"))) {
    let invalid: boolean;
    let why = "";
    try {
      const tx = Transaction.decode(fromHex(hex));
      const reason = checkTransaction(tx);
      if (reason) invalid = true;
      else {
        const r = txScriptsValid(tx, prevs, parseFlags(flagSrc));
        invalid = r !== true;
        why = String(r);
      }
    } catch (e) {
      // Undecodable bytes are invalid too, but only a typed decode error counts.
      invalid = (e as { name?: string }).name === "BitcoinDecodeError";
      why = (e as Error).message;
    }
    record(set, invalid, () => `accepted (${why}): ${hex.slice(0, 120)} flags=${flagSrc}`);
  }
  return set;
}

export function runSighash(dir: string): SetResult {
  const set = newSet();
  for (const row of readJson(join(dir, "sighash.json"))) {
    if (!Array.isArray(row) || row.length !== 5) continue;
    const [txHex, scriptHex, index, hashType, expected] = row as [string, string, number, number, string];
    let got: string;
    try {
      const tx = Transaction.decode(fromHex(txHex));
      const h = sighashLegacy(tx, index, removeCodeSeparators(fromHex(scriptHex)), hashType >>> 0);
      got = toHex(h.slice().reverse());
    } catch (e) {
      got = `THROWN ${(e as Error).message}`;
    }
    record(set, got === expected, () => `expected ${expected}, got ${got}`);
  }
  return set;
}

interface AssetCase {
  tx: string;
  prevouts: string[];
  index: number;
  flags: string;
  comment: string;
  final?: boolean;
  success?: { scriptSig: string; witness: string[] };
  failure?: { scriptSig: string; witness: string[] };
}

function decodeTxOut(hex: string): TxOut {
  const b = fromHex(hex);
  let value = 0n;
  for (let i = 7; i >= 0; i--) value = (value << 8n) | BigInt(b[i]!);
  let o = 8;
  let len = b[o]!;
  o += 1;
  if (len === 0xfd) {
    len = b[o]! | (b[o + 1]! << 8);
    o += 2;
  }
  return { value: BigInt.asIntN(64, value), scriptPubKey: b.subarray(o, o + len) };
}

/** The consensus flag combinations Core's script_assets test sweeps (WITNESS needs P2SH, TAPROOT needs WITNESS). */
function consensusFlagSets(): ScriptFlags[] {
  const bits = [
    FLAGS.P2SH,
    FLAGS.DERSIG,
    FLAGS.NULLDUMMY,
    FLAGS.CHECKLOCKTIMEVERIFY,
    FLAGS.CHECKSEQUENCEVERIFY,
    FLAGS.WITNESS,
    FLAGS.TAPROOT,
  ];
  const out: ScriptFlags[] = [];
  for (let m = 0; m < 1 << bits.length; m++) {
    let f = 0;
    bits.forEach((b, i) => {
      if (m & (1 << i)) f |= b;
    });
    if (f & FLAGS.WITNESS && !(f & FLAGS.P2SH)) continue;
    if (f & FLAGS.TAPROOT && !(f & FLAGS.WITNESS)) continue;
    out.push(f);
  }
  return out;
}

/**
 * One case per line. By default each side is checked under the line's own flags; `allFlags`
 * sweeps every consensus flag combination as Core's test does (success must hold for subsets
 * of the test flags, failure must fail for supersets).
 */
export function runTaproot(dir: string, opts: { allFlags?: boolean } = {}): SetResult {
  const set = newSet();
  const lines = readFileSync(join(dir, "taproot", "script_assets_test.jsonl"), "utf8").split("\n");
  const sweep = opts.allFlags ? consensusFlagSets() : undefined;
  for (const line of lines) {
    if (line.trim() === "") continue;
    const c = JSON.parse(line.replace(/,\s*$/, "")) as AssetCase;
    let ok = true;
    let why = "";
    try {
      const testFlags = parseFlags(c.flags);
      const prevouts = c.prevouts.map(decodeTxOut);
      const check = (side: { scriptSig: string; witness: string[] }, flags: ScriptFlags): boolean => {
        const tx = Transaction.decode(fromHex(c.tx));
        const input = tx.inputs[c.index]!;
        input.scriptSig = fromHex(side.scriptSig);
        input.witness = side.witness.map(fromHex);
        const r = verifyInput(tx, c.index, prevouts, flags);
        if (!r.ok) why = r.error;
        return r.ok;
      };
      const successFlags = sweep ? sweep.filter((f) => c.final || (f & testFlags) === f) : [testFlags];
      const failureFlags = sweep ? sweep.filter((f) => (f & testFlags) === testFlags) : [testFlags];
      if (c.success) for (const f of successFlags) if (!check(c.success, f)) ok = false;
      if (c.failure)
        for (const f of failureFlags)
          if (check(c.failure, f)) {
            ok = false;
            why = "failure case verified";
          }
    } catch (e) {
      ok = false;
      why = `THROWN ${(e as Error).message}`;
    }
    record(set, ok, () => `${c.comment} (${why})`);
  }
  return set;
}

/** Every set; `onSet` reports progress as each finishes. */
export function runConformance(
  dir: string,
  opts: { allFlags?: boolean; onSet?: (name: SetName, r: SetResult) => void } = {},
): ConformanceReport {
  const runners: [SetName, () => SetResult][] = [
    ["script_tests", () => runScriptTests(dir)],
    ["tx_valid", () => runTxValid(dir)],
    ["tx_invalid", () => runTxInvalid(dir)],
    ["sighash", () => runSighash(dir)],
    ["taproot", () => runTaproot(dir, opts)],
  ];
  const report = {} as ConformanceReport;
  for (const [name, fn] of runners) {
    report[name] = fn();
    opts.onSet?.(name, report[name]);
  }
  return report;
}
