/**
 * Differential test: random taproot script-path spends (built and hashed with bitcoinjs-lib,
 * signed with @noble/curves), valid and mutated, must get the same verdict from our interpreter
 * and from bitcore-lib's independent one; plus segwit v0 and legacy key spends.
 */
import { createRequire } from "node:module";

import { schnorr, secp256k1 } from "@noble/curves/secp256k1.js";
import * as bitcoin from "bitcoinjs-lib";
import { expect } from "chai";
import fc from "fast-check";
import * as ecc from "tiny-secp256k1";

import {
  hash160,
  parseFlags,
  sha256,
  Transaction,
  verifyInput,
  type Txid,
  type TxOut,
} from "../../ts/bitcoin/index.js";

bitcoin.initEccLib(ecc);
const require = createRequire(import.meta.url);

interface BitcoreScript {
  toBuffer(): Buffer;
}
interface Bitcore {
  Script: { fromBuffer(b: Buffer): BitcoreScript; new (b: Buffer): BitcoreScript } & {
    Interpreter: new () => {
      verify(
        sig: BitcoreScript,
        spk: BitcoreScript,
        tx: unknown,
        nin: number,
        flags: number,
        witness: Buffer[],
        sats: number,
      ): boolean;
      errstr: string;
    };
  };
  Transaction: (new (hex: string) => { inputs: { output?: unknown }[] }) & {
    Output: new (o: { satoshis: number; script: BitcoreScript }) => unknown;
  };
}
const bitcore = require("bitcore-lib") as Bitcore;

const FLAGS = parseFlags(
  "P2SH,WITNESS,TAPROOT,STRICTENC,DERSIG,LOW_S,NULLDUMMY,CHECKLOCKTIMEVERIFY,CHECKSEQUENCEVERIFY,NULLFAIL",
);
const OP = bitcoin.opcodes;

function bitcoreVerdict(tx: Transaction, prevouts: TxOut[], index: number): { ok: boolean; error: string } {
  const btx = new bitcore.Transaction(Buffer.from(tx.encode()).toString("hex"));
  btx.inputs.forEach((input, i) => {
    input.output = new bitcore.Transaction.Output({
      satoshis: Number(prevouts[i]!.value),
      script: bitcore.Script.fromBuffer(Buffer.from(prevouts[i]!.scriptPubKey)),
    });
  });
  const interp = new bitcore.Script.Interpreter();
  const input = tx.inputs[index]!;
  let ok: boolean;
  try {
    ok = interp.verify(
      bitcore.Script.fromBuffer(Buffer.from(input.scriptSig)),
      bitcore.Script.fromBuffer(Buffer.from(prevouts[index]!.scriptPubKey)),
      btx,
      index,
      FLAGS,
      input.witness.map((w) => Buffer.from(w)),
      Number(prevouts[index]!.value),
    );
  } catch (e) {
    return { ok: false, error: `THROWN ${(e as Error).message}` };
  }
  return { ok, error: interp.errstr.replace(/^SCRIPT_ERR_/, "") };
}

function oursVerdict(tx: Transaction, prevouts: TxOut[], index: number): { ok: boolean; error: string } {
  const r = verifyInput(tx, index, prevouts, FLAGS);
  return { ok: r.ok, error: r.ok ? "" : r.error };
}

/** Error names both libraries spell the same way for the same failure. */
const SAME_NAME = new Set([
  "CLEANSTACK",
  "EQUALVERIFY",
  "WITNESS_PROGRAM_MISMATCH",
  "TAPROOT_WRONG_CONTROL_SIZE",
  "SCHNORR_SIG_SIZE",
  "SCHNORR_SIG_HASHTYPE",
  "NUMEQUALVERIFY",
  "UNSATISFIED_LOCKTIME",
]);

const keys = Array.from({ length: 5 }, (_, i) => {
  const secret = sha256(Uint8Array.of(1, i));
  return { secret, xonly: schnorr.getPublicKey(secret) };
});

type Leaf = {
  script: Uint8Array;
  witness: (sign: (k: number) => Uint8Array) => Uint8Array[];
  sequence?: number;
};

const push = (b: Uint8Array): Uint8Array => bitcoin.script.compile([Buffer.from(b)]);
const cat = (...parts: (Uint8Array | number)[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === "number" ? [p] : [...p])));
const num = (n: number): Uint8Array => bitcoin.script.compile([bitcoin.script.number.encode(n)]);

function makeLeaf(kind: number, param: number): Leaf {
  const k = keys[param % keys.length]!;
  const preimage = sha256(Uint8Array.of(param));
  switch (kind) {
    case 0: // single key
      return { script: cat(push(k.xonly), OP.OP_CHECKSIG), witness: (sign) => [sign(param % keys.length)] };
    case 1: {
      // 2-of-3 CHECKSIGADD
      const [a, b, c] = [keys[0]!, keys[1]!, keys[2]!];
      return {
        script: cat(
          push(a.xonly),
          OP.OP_CHECKSIG,
          push(b.xonly),
          OP.OP_CHECKSIGADD,
          push(c.xonly),
          OP.OP_CHECKSIGADD,
          OP.OP_2,
          OP.OP_NUMEQUAL,
        ),
        witness: (sign) => [sign(2), new Uint8Array(0), sign(0)],
      };
    }
    case 2: // SHA256 hash lock + key
      return {
        script: cat(OP.OP_SHA256, push(sha256(preimage)), OP.OP_EQUALVERIFY, push(k.xonly), OP.OP_CHECKSIG),
        witness: (sign) => [sign(param % keys.length), preimage],
      };
    case 3: // HASH160 lock, no key
      return { script: cat(OP.OP_HASH160, push(hash160(preimage)), OP.OP_EQUAL), witness: () => [preimage] };
    case 4: // relative time lock
      return {
        script: cat(
          num(1 + (param % 20)),
          OP.OP_CHECKSEQUENCEVERIFY,
          OP.OP_DROP,
          push(k.xonly),
          OP.OP_CHECKSIG,
        ),
        witness: (sign) => [sign(param % keys.length)],
        sequence: 1 + (param % 20) + (param % 3),
      };
    case 5: // two branches
      return {
        script: cat(
          OP.OP_IF,
          push(keys[0]!.xonly),
          OP.OP_CHECKSIG,
          OP.OP_ELSE,
          push(keys[1]!.xonly),
          OP.OP_CHECKSIG,
          OP.OP_ENDIF,
        ),
        witness: (sign) => (param % 2 ? [sign(0), Uint8Array.of(1)] : [sign(1), new Uint8Array(0)]),
      };
    default: {
      // arithmetic: x + a == c
      const a = (param % 1000) - 500;
      return {
        script: cat(num(a), OP.OP_ADD, num(a + 77), OP.OP_NUMEQUAL),
        witness: () => [bitcoin.script.number.encode(77)],
      };
    }
  }
}

const MUTATIONS = [
  "none",
  "flip-sig",
  "flip-leaf",
  "flip-control-path",
  "flip-control-key",
  "flip-parity",
  "truncate-control",
  "extra-item",
  "drop-item",
  "annex",
  "hashtype-byte",
] as const;
type Mutation = (typeof MUTATIONS)[number];

interface Case {
  leafKinds: number[];
  spend: number;
  param: number;
  hashType: number;
  mutation: Mutation;
}

function buildSpend(c: Case): { tx: Transaction; prevouts: TxOut[] } {
  const leaves = c.leafKinds.map((kind, i) => makeLeaf(kind, c.param + i));
  const spendIdx = c.spend % leaves.length;
  const leaf = leaves[spendIdx]!;
  type Tree = { output: Buffer } | [Tree, Tree];
  const build = (ls: Leaf[]): Tree =>
    ls.length === 1
      ? { output: Buffer.from(ls[0]!.script) }
      : [build(ls.slice(0, ls.length >> 1)), build(ls.slice(ls.length >> 1))];
  const internal = keys[4]!.xonly;
  const p2tr = bitcoin.payments.p2tr({
    internalPubkey: Buffer.from(internal),
    scriptTree: build(leaves) as bitcoin.payments.Payment["scriptTree"],
    redeem: { output: Buffer.from(leaf.script), redeemVersion: 0xc0 },
  });
  const spk = new Uint8Array(p2tr.output!);
  const [, control] = p2tr.witness!.slice(-2).map((w) => new Uint8Array(w)) as [Uint8Array, Uint8Array];
  const prevouts: TxOut[] = [
    { value: 100_000n, scriptPubKey: spk },
    { value: 50_000n, scriptPubKey: Uint8Array.of(0x00, 0x14, ...new Uint8Array(20).fill(3)) },
  ];
  const tx = new Transaction({
    version: 2,
    locktime: 0,
    inputs: [
      {
        prevout: { txid: "11".repeat(32) as Txid, vout: 0 },
        scriptSig: new Uint8Array(0),
        sequence: leaf.sequence ?? 0xfffffffd,
        witness: [],
      },
      {
        prevout: { txid: "22".repeat(32) as Txid, vout: 1 },
        scriptSig: new Uint8Array(0),
        sequence: 0xffffffff,
        witness: [],
      },
    ],
    outputs: [{ value: 140_000n, scriptPubKey: Uint8Array.of(0x51, 0x20, ...new Uint8Array(32).fill(5)) }],
  });
  const annex = c.mutation === "annex" ? Uint8Array.of(0x50, 1, 2, 3) : undefined;
  const theirs = bitcoin.Transaction.fromBuffer(Buffer.from(tx.encode()));
  const leafHash = bitcoin.crypto.taggedHash(
    "TapLeaf",
    Buffer.concat([Buffer.of(0xc0), Buffer.from(varSlice(leaf.script))]),
  );
  const sign = (k: number): Uint8Array => {
    // The annex case signs without committing to it, as a signer unaware of it would.
    const msg = theirs.hashForWitnessV1(
      0,
      prevouts.map((p) => Buffer.from(p.scriptPubKey)),
      prevouts.map((p) => p.value),
      c.hashType,
      leafHash,
    );
    const sig = schnorr.sign(new Uint8Array(msg), keys[k]!.secret, new Uint8Array(32));
    return c.hashType === 0 ? sig : cat(sig, c.hashType);
  };
  let witness = leaf.witness(sign);
  let script = leaf.script;
  let ctrl = control;
  const flip = (b: Uint8Array, at: number): Uint8Array => {
    const m = b.slice();
    m[at % m.length] ^= 0x01;
    return m;
  };
  switch (c.mutation) {
    case "flip-sig": {
      const i = witness.findIndex((w) => w.length >= 64);
      if (i >= 0) witness[i] = flip(witness[i]!, c.param);
      else witness[0] = flip(witness[0]!.length ? witness[0]! : Uint8Array.of(0), 0);
      break;
    }
    case "flip-leaf":
      script = flip(script, c.param);
      break;
    case "flip-control-path":
      ctrl =
        ctrl.length > 33 ? flip(ctrl, 33 + (c.param % (ctrl.length - 33))) : flip(ctrl, 1 + (c.param % 32));
      break;
    case "flip-control-key":
      ctrl = flip(ctrl, 1 + (c.param % 32));
      break;
    case "flip-parity":
      ctrl = ctrl.slice();
      ctrl[0] ^= 1;
      break;
    case "truncate-control":
      ctrl = ctrl.subarray(0, ctrl.length - 1 - (c.param % 5));
      break;
    case "extra-item":
      witness = [Uint8Array.of(7), ...witness];
      break;
    case "drop-item":
      witness = witness.slice(1);
      break;
    case "hashtype-byte": {
      const i = witness.findIndex((w) => w.length === 64 || w.length === 65);
      if (i >= 0) witness[i] = cat(witness[i]!.subarray(0, 64), [0x01, 0x02, 0x03, 0x81, 0x04][c.param % 5]!);
      break;
    }
    default:
      break;
  }
  tx.inputs[0]!.witness = [...witness, script, ctrl, ...(annex ? [annex] : [])];
  return { tx, prevouts };
}

function varSlice(script: Uint8Array): Uint8Array {
  const n = script.length;
  const len = n < 0xfd ? [n] : [0xfd, n & 0xff, n >> 8];
  return Uint8Array.from([...len, ...script]);
}

describe("bitcoin: differential test against bitcore-lib's interpreter", function () {
  this.timeout(120_000);

  it("agrees on random taproot script-path spends, valid and mutated", () => {
    const seen = { accepted: 0, rejected: 0, sameCode: 0 };
    fc.assert(
      fc.property(
        fc.record({
          leafKinds: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 5 }),
          spend: fc.nat(),
          param: fc.nat({ max: 10_000 }),
          hashType: fc.constantFrom(0x00, 0x01, 0x02, 0x03, 0x81, 0x82, 0x83),
          mutation: fc.constantFrom(...MUTATIONS),
        }),
        (c) => {
          const { tx, prevouts } = buildSpend(c);
          const ours = oursVerdict(tx, prevouts, 0);
          const theirs = bitcoreVerdict(tx, prevouts, 0);
          expect(ours.ok, `ours ${ours.error} vs bitcore ${theirs.error} for ${JSON.stringify(c)}`).to.equal(
            theirs.ok,
          );
          if (ours.ok) seen.accepted++;
          else {
            seen.rejected++;
            if (SAME_NAME.has(theirs.error)) {
              expect(ours.error, JSON.stringify(c)).to.equal(theirs.error);
              seen.sameCode++;
            }
          }
          if (c.mutation === "none")
            expect(ours.ok, `valid spend rejected: ${ours.error} ${JSON.stringify(c)}`).to.equal(true);
        },
      ),
      { numRuns: 250, seed: 20261125 },
    );
    // The generator must exercise both verdicts and the shared error codes.
    expect(seen.accepted).to.be.greaterThan(20);
    expect(seen.rejected).to.be.greaterThan(100);
    expect(seen.sameCode).to.be.greaterThan(30);
  });

  it("agrees on segwit v0 (P2WPKH) and legacy (P2PKH) ECDSA spends, valid and tampered", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 4 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(1, 2, 3, 0x81),
        (k, segwit, tamper, hashType) => {
          const secret = sha256(Uint8Array.of(9, k));
          const pub = secp256k1.getPublicKey(secret, true);
          const pkh = hash160(pub);
          const spk = segwit
            ? Uint8Array.of(0x00, 0x14, ...pkh)
            : Uint8Array.of(OP.OP_DUP, OP.OP_HASH160, 0x14, ...pkh, OP.OP_EQUALVERIFY, OP.OP_CHECKSIG);
          const prevouts: TxOut[] = [{ value: 70_000n, scriptPubKey: spk }];
          const tx = new Transaction({
            version: 2,
            inputs: [
              {
                prevout: { txid: "33".repeat(32) as Txid, vout: 2 },
                scriptSig: new Uint8Array(0),
                sequence: 0xffffffff,
                witness: [],
              },
            ],
            outputs: [
              { value: 60_000n, scriptPubKey: Uint8Array.of(0x51, 0x20, ...new Uint8Array(32).fill(6)) },
            ],
          });
          const theirs = bitcoin.Transaction.fromBuffer(Buffer.from(tx.encode()));
          const code = Uint8Array.of(
            OP.OP_DUP,
            OP.OP_HASH160,
            0x14,
            ...pkh,
            OP.OP_EQUALVERIFY,
            OP.OP_CHECKSIG,
          );
          const msg = segwit
            ? theirs.hashForWitnessV0(0, Buffer.from(code), 70_000n, hashType)
            : theirs.hashForSignature(0, Buffer.from(spk), hashType);
          const der = secp256k1.sign(new Uint8Array(msg), secret, { prehash: false, format: "der" });
          const sig = cat(der, hashType);
          if (tamper) sig[10] ^= 0x40;
          if (segwit) tx.inputs[0]!.witness = [sig, pub];
          else tx.inputs[0]!.scriptSig = cat(push(sig), push(pub));
          const ours = oursVerdict(tx, prevouts, 0);
          const ref = bitcoreVerdict(tx, prevouts, 0);
          expect(ours.ok, `ours ${ours.error} vs bitcore ${ref.error}`).to.equal(ref.ok);
          expect(ours.ok).to.equal(!tamper);
        },
      ),
      { numRuns: 40, seed: 7 },
    );
  });
});
