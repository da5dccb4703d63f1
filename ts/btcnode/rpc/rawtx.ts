/**
 * Core's wallet-less raw-transaction calls: createrawtransaction and signrawtransactionwithkey.
 * Keys come as WIF (ecpair decodes them for the node's network); signatures are Core's (ECDSA
 * with low-R grinding, BIP340 Schnorr for taproot key paths), and every signed input is checked
 * by our script interpreter under the standard flags, as Core checks it, to say which inputs are
 * complete and why the others are not.
 */
import { script as bscript } from "bitcoinjs-lib";
import { ECPairFactory, type ECPairInterface } from "ecpair";
import * as ecc from "tiny-secp256k1";

import {
  hash160,
  sighashLegacy,
  sighashTaproot,
  sighashWitnessV0,
  PrecomputedTxData,
  SIGHASH_ALL,
  SIGHASH_ANYONECANPAY,
  SIGHASH_DEFAULT,
  SIGHASH_NONE,
  SIGHASH_SINGLE,
  STANDARD_FLAGS,
  Transaction,
  pushData,
  taggedHash,
  tweakXOnly,
  verifyInput,
  type TxOut,
  type Txid,
} from "../../bitcoin/index.js";
import { addressToScript } from "../address.js";
import type { BtcNode } from "../node.js";
import { hexToBytes } from "../validation.js";
import { HEX, amountFromValue, decodeTx, given, hash, hex, int, str, typeError } from "./args.js";
import { RpcCode, RpcError } from "./errors.js";
import type { JsonObject } from "./format.js";

const ECPair = ECPairFactory(ecc);

const SEQUENCE_FINAL = 0xffffffff;
const MAX_SEQUENCE_NONFINAL = 0xfffffffe;
const MAX_BIP125_RBF_SEQUENCE = 0xfffffffd;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const invalid = (message: string) => new RpcError(RpcCode.INVALID_PARAMETER, message);

/** createrawtransaction inputs outputs ( locktime replaceable ). */
export function createRawTransaction(node: BtcNode, args: readonly unknown[]): string {
  const [inputsArg, outputsArg, locktimeArg, replaceableArg] = args;
  if (!Array.isArray(inputsArg)) throw typeError(inputsArg, "array");
  const locktime = given(locktimeArg) ? int(locktimeArg) : 0;
  if (locktime < 0 || locktime > 0xffffffff) throw invalid("Invalid parameter, locktime out of range");
  let replaceable = false;
  if (given(replaceableArg)) {
    if (typeof replaceableArg !== "boolean") throw typeError(replaceableArg, "bool");
    replaceable = replaceableArg;
  }
  const tx = new Transaction({ version: 2, locktime });
  for (const input of inputsArg) {
    if (!isObject(input)) throw typeError(input, "object");
    const txid = hash(input.txid, "txid") as Txid;
    if (!given(input.vout)) throw invalid("Invalid parameter, missing vout key");
    if (typeof input.vout !== "number" || !Number.isInteger(input.vout))
      throw invalid("Invalid parameter, vout must be a number");
    if (input.vout < 0) throw invalid("Invalid parameter, vout cannot be negative");
    let sequence = replaceable
      ? MAX_BIP125_RBF_SEQUENCE
      : locktime !== 0
        ? MAX_SEQUENCE_NONFINAL
        : SEQUENCE_FINAL;
    if (given(input.sequence)) {
      const s = input.sequence;
      if (typeof s !== "number" || !Number.isInteger(s) || s < 0 || s > 0xffffffff)
        throw invalid("Invalid parameter, sequence number is out of range");
      sequence = s;
    }
    tx.inputs.push({
      prevout: { txid, vout: input.vout },
      scriptSig: new Uint8Array(),
      sequence,
      witness: [],
    });
  }
  // Outputs: an array of one-key objects, or (the older form) one object with several keys.
  let pairs: [string, unknown][];
  if (Array.isArray(outputsArg)) {
    pairs = [];
    for (const o of outputsArg) {
      if (!isObject(o)) throw typeError(o, "object");
      const entries = Object.entries(o);
      if (entries.length !== 1)
        throw invalid("Invalid parameter, key-value pair must contain exactly one key");
      pairs.push(entries[0]!);
    }
  } else if (isObject(outputsArg)) pairs = Object.entries(outputsArg);
  else throw typeError(outputsArg, "array");
  const seen = new Set<string>();
  let hasData = false;
  for (const [key, value] of pairs) {
    if (key === "data") {
      if (hasData) throw invalid("Invalid parameter, duplicate key: data");
      hasData = true;
      const data = str(value);
      if (!HEX.test(data)) throw invalid("Data must be hexadecimal string (not '" + data + "')");
      tx.outputs.push({ value: 0n, scriptPubKey: Uint8Array.of(0x6a, ...pushData(hexToBytes(data))) });
      continue;
    }
    let script: Uint8Array;
    try {
      script = addressToScript(key, node.params);
    } catch {
      throw new RpcError(RpcCode.INVALID_ADDRESS_OR_KEY, `Invalid Bitcoin address: ${key}`);
    }
    if (seen.has(key)) throw invalid(`Invalid parameter, duplicated address: ${key}`);
    seen.add(key);
    tx.outputs.push({ value: amountFromValue(value), scriptPubKey: script });
  }
  return tx.toHex();
}

const SIGHASHES: Readonly<Record<string, number>> = {
  DEFAULT: SIGHASH_DEFAULT,
  ALL: SIGHASH_ALL,
  NONE: SIGHASH_NONE,
  SINGLE: SIGHASH_SINGLE,
  "ALL|ANYONECANPAY": SIGHASH_ALL | SIGHASH_ANYONECANPAY,
  "NONE|ANYONECANPAY": SIGHASH_NONE | SIGHASH_ANYONECANPAY,
  "SINGLE|ANYONECANPAY": SIGHASH_SINGLE | SIGHASH_ANYONECANPAY,
};

/** A coin an input spends: from the UTXO set and mempool, or given in `prevtxs`. */
interface Prevout extends TxOut {
  /** Unknown when a `prevtxs` entry gives no amount (Core's MAX_MONEY placeholder). */
  readonly amountKnown: boolean;
  readonly redeemScript?: Uint8Array;
}

/** Core's ScriptErrorString: our interpreter's messages with Core's capital. */
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** signrawtransactionwithkey hexstring privkeys ( prevtxs sighashtype ). */
export function signRawTransactionWithKey(node: BtcNode, args: readonly unknown[]): JsonObject {
  const tx = decodeTx(args[0], "TX decode failed. Make sure the tx has at least one input.");
  if (!Array.isArray(args[1])) throw typeError(args[1], "array");
  const keys: ECPairInterface[] = [];
  for (const k of args[1]) {
    try {
      keys.push(ECPair.fromWIF(str(k), node.params.network));
    } catch (e) {
      if (e instanceof RpcError) throw e;
      throw new RpcError(RpcCode.INVALID_ADDRESS_OR_KEY, "Invalid private key");
    }
  }
  const hashTypeName = given(args[3]) ? str(args[3]) : "DEFAULT";
  const hashType = SIGHASHES[hashTypeName];
  if (hashType === undefined) throw invalid(`'${hashTypeName}' is not a valid sighash parameter.`);

  // The coins: prevtxs first (Core: they may add or must agree with known coins).
  const coins = new Map<string, Prevout>();
  const key = (txid: string, vout: number) => `${txid}:${vout}`;
  if (given(args[2])) {
    if (!Array.isArray(args[2])) throw typeError(args[2], "array");
    for (const p of args[2]) {
      if (!isObject(p))
        throw new RpcError(
          RpcCode.DESERIALIZATION_ERROR,
          'expected object with {"txid\'","vout","scriptPubKey"}',
        );
      const txid = hash(p.txid, "txid");
      const vout = int(p.vout);
      if (vout < 0) throw invalid("vout cannot be negative");
      const spk = str(p.scriptPubKey);
      if (!HEX.test(spk)) throw invalid(`scriptPubKey must be hexadecimal string (not '${spk}')`);
      const scriptPubKey = hexToBytes(spk);
      const known = node.getTxOut({ txid: txid as Txid, vout }, true);
      if (known !== undefined && hex(known.scriptPubKey) !== spk.toLowerCase())
        throw new RpcError(
          RpcCode.DESERIALIZATION_ERROR,
          `Previous output scriptPubKey mismatch:\n${hex(known.scriptPubKey)}\nvs:\n${spk.toLowerCase()}`,
        );
      const amountKnown = given(p.amount);
      let redeemScript: Uint8Array | undefined;
      for (const field of ["redeemScript", "witnessScript"] as const) {
        if (!given(p[field])) continue;
        const s = str(p[field]);
        if (!HEX.test(s)) throw invalid(`${field} must be hexadecimal string (not '${s}')`);
        redeemScript = hexToBytes(s);
      }
      coins.set(key(txid, vout), {
        value: amountKnown ? amountFromValue(p.amount) : (known?.value ?? 0n),
        scriptPubKey,
        amountKnown: amountKnown || known !== undefined,
        ...(redeemScript === undefined ? {} : { redeemScript }),
      });
    }
  }
  const prevouts: (Prevout | undefined)[] = tx.inputs.map((input) => {
    const k = key(input.prevout.txid, input.prevout.vout);
    const given = coins.get(k);
    if (given !== undefined) return given;
    const c = node.getTxOut(input.prevout, true);
    return c === undefined ? undefined : { value: c.value, scriptPubKey: c.scriptPubKey, amountKnown: true };
  });

  const byPubkey = new Map<string, ECPairInterface>();
  const byHash160 = new Map<string, ECPairInterface>();
  const byTaprootOutput = new Map<string, { pair: ECPairInterface; tweak: Uint8Array }>();
  for (const k of keys) {
    byPubkey.set(hex(k.publicKey), k);
    byHash160.set(hex(hash160(k.publicKey)), k);
    const xonly = k.publicKey.subarray(1, 33);
    const tweaked = tweakXOnly(xonly, undefined);
    if (tweaked !== undefined) byTaprootOutput.set(hex(tweaked.key), { pair: k, tweak: xonly });
  }
  const allKnown = prevouts.every((p) => p !== undefined);
  const full = allKnown ? (prevouts as Prevout[]) : [];
  const cache = new PrecomputedTxData(tx, allKnown ? full : undefined);
  const ecdsaType = hashType === SIGHASH_DEFAULT ? SIGHASH_ALL : hashType;
  const ecdsaSig = (pair: ECPairInterface, digest: Uint8Array) =>
    Uint8Array.from(bscript.signature.encode(pair.sign(digest, true), ecdsaType));
  const p2pkh = (h: Uint8Array) => Uint8Array.of(0x76, 0xa9, 20, ...h, 0x88, 0xac);

  const errors: JsonObject[] = [];
  tx.inputs.forEach((input, i) => {
    const prev = prevouts[i];
    const fail = (error: string) =>
      errors.push({
        txid: input.prevout.txid,
        vout: input.prevout.vout,
        witness: input.witness.map(hex),
        scriptSig: hex(input.scriptSig),
        sequence: input.sequence,
        error,
      });
    if (prev === undefined) {
      fail("Input not found or already spent");
      return;
    }
    const spk = prev.scriptPubKey;
    try {
      if (spk.length === 25 && spk[0] === 0x76 && spk[1] === 0xa9 && spk[23] === 0x88 && spk[24] === 0xac) {
        const pair = byHash160.get(hex(spk.subarray(3, 23)));
        if (pair !== undefined) {
          const sig = ecdsaSig(pair, sighashLegacy(tx, i, spk, ecdsaType));
          input.scriptSig = Uint8Array.of(...pushData(sig), ...pushData(pair.publicKey));
        }
      } else if (
        (spk.length === 35 || spk.length === 67) &&
        spk[spk.length - 1] === 0xac &&
        spk[0] === spk.length - 2
      ) {
        const pair = byPubkey.get(hex(spk.subarray(1, spk.length - 1)));
        if (pair !== undefined)
          input.scriptSig = pushData(ecdsaSig(pair, sighashLegacy(tx, i, spk, ecdsaType)));
      } else if (spk.length === 22 && spk[0] === 0 && spk[1] === 20) {
        const pair = byHash160.get(hex(spk.subarray(2)));
        if (pair !== undefined) {
          const digest = sighashWitnessV0(tx, i, p2pkh(spk.subarray(2)), prev.value, ecdsaType, cache);
          input.witness = [ecdsaSig(pair, digest), pair.publicKey];
        }
      } else if (spk.length === 23 && spk[0] === 0xa9 && spk[1] === 20 && spk[22] === 0x87) {
        // P2SH-P2WPKH: the redeem script is implied by the key (Core learns it from the key too).
        for (const pair of keys) {
          const program = hash160(pair.publicKey);
          const redeem = Uint8Array.of(0, 20, ...program);
          if (hex(hash160(redeem)) !== hex(spk.subarray(2, 22))) continue;
          const digest = sighashWitnessV0(tx, i, p2pkh(program), prev.value, ecdsaType, cache);
          input.scriptSig = pushData(redeem);
          input.witness = [ecdsaSig(pair, digest), pair.publicKey];
        }
      } else if (spk.length === 34 && spk[0] === 0x51 && spk[1] === 32) {
        const found = byTaprootOutput.get(hex(spk.subarray(2)));
        if (found !== undefined && allKnown) {
          const digest = sighashTaproot(tx, i, full, hashType, {}, cache);
          const sig = found.pair.tweak(taggedHash("TapTweak", found.tweak)).signSchnorr(digest);
          input.witness = [hashType === SIGHASH_DEFAULT ? sig : Uint8Array.of(...sig, hashType)];
        }
      }
    } catch (e) {
      fail(e instanceof Error ? e.message : String(e));
      return;
    }
    if (!allKnown && spk[0] === 0x51) {
      fail("Unable to sign input: the coins of every input are needed for a taproot signature");
      return;
    }
    const result = verifyInput(
      tx,
      i,
      allKnown ? full : prevouts.map((p) => p ?? { value: 0n, scriptPubKey: new Uint8Array() }),
      STANDARD_FLAGS,
      cache,
    );
    if (result.ok) {
      if (!prev.amountKnown && input.witness.length > 0) fail("Missing amount");
      return;
    }
    if (result.error === "INVALID_STACK_OPERATION")
      fail("Unable to sign input, invalid stack size (possibly missing key)");
    else if (result.error === "NULLFAIL")
      fail("CHECK(MULTI)SIG failing with non-zero signature (possibly need more signatures)");
    else fail(capital(result.message));
  });
  const out: JsonObject = { hex: tx.toHex(), complete: errors.length === 0 };
  if (errors.length > 0) out.errors = errors;
  return out;
}
