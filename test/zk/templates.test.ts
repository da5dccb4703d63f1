/**
 * Unit tests of each circom template (circuits/lib/) through small wrappers in circuits/test/:
 * witnesses are computed with snarkjs `wtns.calculate` on the compiled wasm, their outputs compared
 * with the TypeScript model, and bad statements must make the witness calculation fail (circom
 * turns `===` into an assert) or, for a hand-tampered witness, the R1CS check (`wtns.check`).
 */
import { expect } from "chai";
import { poseidon3, poseidon4, poseidon6 } from "poseidon-lite";
import * as snarkjs from "snarkjs";

import {
  FIELD_MODULUS,
  PoseidonMerkleTree,
  WithdrawalTree,
  compileCircuit,
  payoutLeaf,
  releaseZk,
  rootFromPath,
  toField,
  withdrawalLeaf,
  type CompiledCircuit,
  type Field,
  type Withdrawal,
} from "../../ts/zk/index.js";

// The wtns API is not in ts/zk/snarkjs.d.ts (the pipeline does not use it).
interface MemFile {
  type: "mem";
  data?: Uint8Array;
}
const wtnsApi = (
  snarkjs as unknown as {
    wtns: {
      calculate(input: Record<string, unknown>, wasm: string, out: MemFile): Promise<void>;
      check(r1cs: string, wtns: MemFile, logger: snarkjs.SnarkLogger): Promise<boolean>;
    };
  }
).wtns;

const quiet: snarkjs.SnarkLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** A witness: the wtns file's values, w[0] = 1, then outputs, public inputs, private inputs, internals. */
interface Witness {
  readonly values: bigint[];
  readonly bytes: Uint8Array;
}

async function witness(c: CompiledCircuit, input: Record<string, unknown>): Promise<Witness> {
  const out: MemFile = { type: "mem" };
  await wtnsApi.calculate(input, c.wasm, out);
  if (out.data === undefined) throw new Error("wtns.calculate wrote nothing");
  return { values: parseWtns(out.data), bytes: out.data };
}

/** wtns v2: "wtns", version, nSections; section 1 = n8, prime, count; section 2 = values (LE, n8 bytes each). */
function parseWtns(data: Uint8Array): bigint[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const le = (off: number, n: number): bigint => {
    let x = 0n;
    for (let i = n - 1; i >= 0; i--) x = (x << 8n) | BigInt(data[off + i]);
    return x;
  };
  expect(Buffer.from(data.subarray(0, 4)).toString("latin1")).to.equal("wtns");
  let off = 12;
  let n8 = 0;
  let count = 0;
  let values: bigint[] = [];
  for (let s = 0; s < view.getUint32(8, true); s++) {
    const type = view.getUint32(off, true);
    const size = Number(view.getBigUint64(off + 4, true));
    const body = off + 12;
    if (type === 1) {
      n8 = view.getUint32(body, true);
      expect(le(body + 4, n8)).to.equal(FIELD_MODULUS);
      count = view.getUint32(body + 4 + n8, true);
    } else if (type === 2) {
      values = Array.from({ length: count }, (_, i) => le(body + i * n8, n8));
    }
    off = body + size;
  }
  expect(values).to.have.length(count);
  return values;
}

/** The same witness with w[index] replaced (the wtns sections are fixed-size: patch in place). */
function tamper(w: Witness, index: number, value: bigint): MemFile {
  const data = Uint8Array.from(w.bytes);
  const view = new DataView(data.buffer);
  // Section 1 starts at 12: type(4) size(8) n8(4) prime(32) count(4); section 2 header is 12 bytes.
  const n8 = view.getUint32(24, true);
  const values = 12 + 12 + 4 + n8 + 4 + 12;
  let x = ((value % FIELD_MODULUS) + FIELD_MODULUS) % FIELD_MODULUS;
  for (let i = 0; i < n8; i++, x >>= 8n) data[values + index * n8 + i] = Number(x & 0xffn);
  return { type: "mem", data };
}

async function r1csHolds(c: CompiledCircuit, w: Witness | MemFile): Promise<boolean> {
  const file: MemFile = "values" in w ? { type: "mem", data: w.bytes } : w;
  return wtnsApi.check(c.r1cs, file, quiet);
}

/** Runs `f` with circom's witness-calculator console output muted; returns what it threw, if anything. */
async function silently(f: () => Promise<unknown>): Promise<unknown> {
  const { log, error } = console;
  console.log = () => undefined;
  console.error = () => undefined;
  try {
    await f();
    return undefined;
  } catch (err) {
    return err;
  } finally {
    console.log = log;
    console.error = error;
  }
}

/** The witness calculation must fail: circom compiles each `===` into an assert of the wasm. */
async function expectWitnessFails(
  c: CompiledCircuit,
  input: Record<string, unknown>,
  where?: RegExp,
): Promise<void> {
  const failed = await silently(() => witness(c, input));
  expect(failed, `${c.name}: witness calculation should fail`).to.be.instanceOf(Error);
  expect(String((failed as Error).message)).to.match(/Assert Failed|Error in template/i);
  // The failing template, where it matters that this check (not another one) refused the witness.
  if (where) expect(String((failed as Error).message)).to.match(where);
}

const F = (v: bigint | number): Field => toField(v);
const TWO64 = 1n << 64n;
const TWO128 = 1n << 128n;

const withdrawal = (i: number): Withdrawal => ({
  id: F(500 + i),
  amount: 1_000n * BigInt(i + 1),
  spkHash: F(0xbeef00n + BigInt(i)),
});

/** A slot of a hand-built batch: amounts may be out of range, used slots need not come first. */
interface Slot {
  enabled: bigint;
  id: bigint;
  amount: bigint;
  spkHash: bigint;
}

/**
 * WithdrawalBatch(depth, height) inputs built from raw Poseidon (not the model's checks), so a
 * statement that breaks exactly one rule (gap, oversized amount) is otherwise consistent.
 */
function rawBatch(depth: number, height: number, before: bigint[], slots: Slot[]): Record<string, unknown> {
  const n = 1 << height;
  const tree = new PoseidonMerkleTree(depth);
  for (const l of before) tree.append(F(l));
  const start = tree.size;
  const oldRoot = tree.root;
  const full = tree.path(start);
  for (const s of slots)
    tree.append(((s.enabled * poseidon3([s.id, s.amount, s.spkHash])) % FIELD_MODULUS) as Field);
  expect(slots).to.have.length(n);
  return {
    oldRoot,
    newRoot: tree.root,
    startIndex: BigInt(start),
    enabled: slots.map((s) => s.enabled),
    ids: slots.map((s) => s.id),
    amounts: slots.map((s) => s.amount),
    spkHashes: slots.map((s) => s.spkHash),
    pathElements: full.pathElements.slice(height),
    pathIndices: full.pathIndices.slice(height),
  };
}

const slot = (i: number, enabled = 1n): Slot => {
  const w = withdrawal(i);
  return enabled === 0n
    ? { enabled: 0n, id: 0n, amount: 0n, spkHash: 0n }
    : { enabled, id: w.id, amount: w.amount, spkHash: w.spkHash };
};

describe("circom templates: unit witnesses (circuits/test wrappers, depth 4 / batches of 4)", function () {
  this.timeout(180_000);
  const c: Record<string, CompiledCircuit> = {};

  before(async function () {
    const names = [
      "t_merkle_root_4",
      "t_merkle_inclusion_4",
      "t_withdrawal_leaf",
      "t_subtree_root_2",
      "t_withdrawal_batch_6_2",
      "t_payout_claim_4",
    ];
    // Build the shared curve first: compileCircuit reads R1CS info, and two concurrent first
    // builds would each start worker threads, one set never released (the process would hang).
    await snarkjs.curves.getCurveFromName("bn128");
    // circom runs in child processes: two at a time keeps both cores busy without thrashing.
    for (let i = 0; i < names.length; i += 2) {
      const compiled = await Promise.all(
        names.slice(i, i + 2).map((n) => compileCircuit(`circuits/test/${n}.circom`)),
      );
      for (const k of compiled) c[k.name] = k;
    }
  });

  after(async function () {
    await releaseZk();
  });

  describe("MerkleRoot(4)", function () {
    const tree = new PoseidonMerkleTree(4);
    for (let i = 0; i < 11; i++) tree.append(F(70 + i));
    const input = (i: number): Record<string, unknown> => {
      const p = tree.path(i);
      return { leaf: p.leaf, pathElements: p.pathElements, pathIndices: p.pathIndices };
    };

    it("outputs the model's root for every leaf position, filled or empty", async function () {
      for (const i of [0, 5, 10, 11, 15]) {
        const w = await witness(c.t_merkle_root_4, input(i));
        expect(w.values[0]).to.equal(1n);
        expect(w.values[1], `root for leaf ${i}`).to.equal(tree.root);
        expect(await r1csHolds(c.t_merkle_root_4, w)).to.equal(true);
      }
    });

    it("a wrong sibling or path bit gives another root (the model's for that path), not the tree's", async function () {
      const p = tree.path(6);
      const sib = [...p.pathElements];
      sib[2] = F(sib[2] + 1n);
      const w1 = await witness(c.t_merkle_root_4, { ...input(6), pathElements: sib });
      expect(w1.values[1])
        .to.equal(rootFromPath(p.leaf, sib, p.pathIndices))
        .and.not.equal(tree.root);
      const bits = [...p.pathIndices];
      bits[0] = bits[0] === 1 ? 0 : 1;
      const w2 = await witness(c.t_merkle_root_4, { ...input(6), pathIndices: bits });
      expect(w2.values[1])
        .to.equal(rootFromPath(p.leaf, p.pathElements, bits))
        .and.not.equal(tree.root);
    });

    it("a non-boolean path index fails the witness; forced into a witness, the R1CS rejects it", async function () {
      const p = tree.path(6);
      for (const bad of [2n, FIELD_MODULUS - 1n]) {
        await expectWitnessFails(c.t_merkle_root_4, { ...input(6), pathIndices: [bad, 1, 1, 0] });
      }
      // Signals: 1, root, leaf, pathElements[4], pathIndices[4], …
      const w = await witness(c.t_merkle_root_4, input(6));
      expect(w.values.slice(2, 11)).to.deep.equal([p.leaf, ...p.pathElements, ...p.pathIndices.map(BigInt)]);
      expect(await r1csHolds(c.t_merkle_root_4, tamper(w, 7, 2n))).to.equal(false);
      // The output is pinned by the constraints: another root is not a valid witness either.
      expect(await r1csHolds(c.t_merkle_root_4, tamper(w, 1, tree.root + 1n))).to.equal(false);
    });
  });

  describe("MerkleInclusion(4)", function () {
    const tree = new PoseidonMerkleTree(4);
    for (let i = 0; i < 6; i++) tree.append(F(300 + i));
    const input = (i: number): Record<string, unknown> => {
      const p = tree.path(i);
      return { root: p.root, leaf: p.leaf, pathElements: p.pathElements, pathIndices: p.pathIndices };
    };

    it("accepts every member (and an empty slot proving leaf 0); public signals are [root, leaf]", async function () {
      for (const i of [0, 3, 5, 9]) {
        const w = await witness(c.t_merkle_inclusion_4, input(i));
        expect(w.values.slice(1, 3)).to.deep.equal([tree.root, i < 6 ? BigInt(300 + i) : 0n]);
        expect(await r1csHolds(c.t_merkle_inclusion_4, w)).to.equal(true);
      }
    });

    it("rejects a wrong leaf, a wrong sibling, a flipped path bit, a wrong root and a non-boolean bit", async function () {
      const base = input(3) as { pathElements: Field[]; pathIndices: number[]; root: Field };
      const cases: Record<string, unknown>[] = [
        { leaf: 304n },
        { pathElements: [base.pathElements[0], base.pathElements[1] + 1n, ...base.pathElements.slice(2)] },
        { pathIndices: [0, ...base.pathIndices.slice(1)] },
        { root: base.root + 1n },
        { pathIndices: [2, ...base.pathIndices.slice(1)] },
      ];
      for (const change of cases) await expectWitnessFails(c.t_merkle_inclusion_4, { ...base, ...change });
    });

    it("the R1CS binds the public root: a valid witness with the root replaced is rejected", async function () {
      const w = await witness(c.t_merkle_inclusion_4, input(2));
      expect(await r1csHolds(c.t_merkle_inclusion_4, tamper(w, 1, tree.root + 1n))).to.equal(false);
      expect(await r1csHolds(c.t_merkle_inclusion_4, tamper(w, 2, 303n))).to.equal(false);
    });
  });

  describe("WithdrawalLeaf()", function () {
    const input = (w: Withdrawal, enabled: bigint | number = 1): Record<string, unknown> => ({
      enabled,
      id: w.id,
      amount: w.amount,
      spkHash: w.spkHash,
    });

    it("outputs the model's leaf, 0 when disabled; 2^64 - 1 satoshis is the largest amount", async function () {
      const w0 = withdrawal(0);
      const max = { ...withdrawal(1), amount: TWO64 - 1n };
      for (const w of [w0, max]) {
        const wit = await witness(c.t_withdrawal_leaf, input(w));
        expect(wit.values[1]).to.equal(withdrawalLeaf(w));
        expect(await r1csHolds(c.t_withdrawal_leaf, wit)).to.equal(true);
      }
      const off = await witness(c.t_withdrawal_leaf, input(w0, 0));
      expect(off.values[1]).to.equal(0n);
    });

    it("rejects an amount of 2^64 or more (including a field-wrapped negative) and a non-boolean flag", async function () {
      const w = withdrawal(2);
      for (const amount of [TWO64, TWO64 + 5n, FIELD_MODULUS - 1n]) {
        await expectWitnessFails(c.t_withdrawal_leaf, input({ ...w, amount }), /Num2Bits/);
      }
      await expectWitnessFails(c.t_withdrawal_leaf, input(w, 2));
      // Disabled slots still range-check their amount.
      await expectWitnessFails(c.t_withdrawal_leaf, input({ ...w, amount: TWO64 }, 0), /Num2Bits/);
    });

    it("the R1CS pins the leaf: another output value is not a valid witness", async function () {
      const w = withdrawal(3);
      const wit = await witness(c.t_withdrawal_leaf, input(w));
      expect(await r1csHolds(c.t_withdrawal_leaf, tamper(wit, 1, withdrawalLeaf(w) + 1n))).to.equal(false);
      expect(await r1csHolds(c.t_withdrawal_leaf, tamper(wit, 1, 0n))).to.equal(false);
    });
  });

  describe("SubtreeRoot(2)", function () {
    it("outputs the root of the 4 leaves as the Merkle model computes it", async function () {
      for (const leaves of [
        [1n, 2n, 3n, 4n],
        [0n, 0n, 0n, 0n],
        [FIELD_MODULUS - 1n, 7n, 0n, 9n],
      ]) {
        const tree = new PoseidonMerkleTree(2);
        for (const l of leaves) tree.append(F(l));
        const w = await witness(c.t_subtree_root_2, { leaves });
        expect(w.values[1]).to.equal(tree.root);
        expect(await r1csHolds(c.t_subtree_root_2, w)).to.equal(true);
      }
      const empty = await witness(c.t_subtree_root_2, { leaves: [0, 0, 0, 0] });
      expect(empty.values[1]).to.equal(new PoseidonMerkleTree(2).zeros[2]);
    });

    it("is order-sensitive and the R1CS rejects a witness claiming another root", async function () {
      const a = await witness(c.t_subtree_root_2, { leaves: [1, 2, 3, 4] });
      const b = await witness(c.t_subtree_root_2, { leaves: [2, 1, 3, 4] });
      expect(a.values[1]).to.not.equal(b.values[1]);
      expect(await r1csHolds(c.t_subtree_root_2, tamper(a, 1, b.values[1]))).to.equal(false);
      // Wrong leaf count is an input error, not a witness.
      await expectInputError(c.t_subtree_root_2, { leaves: [1, 2, 3] });
    });
  });

  describe("WithdrawalBatch(6, 2)", function () {
    it("matches the WithdrawalTree model across a short batch, a full one and a single one", async function () {
      const tree = new WithdrawalTree(4, 6);
      const batches = [[0, 1], [2, 3, 4, 5], [6]].map((ids) => tree.appendBatch(ids.map(withdrawal)));
      expect(batches.map((b) => b.startIndex)).to.deep.equal([0, 4, 8]);
      for (const b of batches) {
        const w = await witness(c.t_withdrawal_batch_6_2, b.inputs);
        expect(w.values[1]).to.equal(b.commitment);
        expect(await r1csHolds(c.t_withdrawal_batch_6_2, w)).to.equal(true);
      }
    });

    it("rejects a wrong amount, id or scriptPubKey hash under the same new root", async function () {
      const tree = new WithdrawalTree(4, 6);
      tree.appendBatch([withdrawal(0)]);
      const b = tree.appendBatch([1, 2, 3].map(withdrawal));
      const i = b.inputs as { amounts: bigint[]; ids: bigint[]; spkHashes: bigint[] };
      const bump = (xs: bigint[], k: number): bigint[] => xs.map((x, j) => (j === k ? x + 1n : x));
      await expectWitnessFails(c.t_withdrawal_batch_6_2, { ...b.inputs, amounts: bump(i.amounts, 1) });
      await expectWitnessFails(c.t_withdrawal_batch_6_2, { ...b.inputs, ids: bump(i.ids, 0) });
      await expectWitnessFails(c.t_withdrawal_batch_6_2, { ...b.inputs, spkHashes: bump(i.spkHashes, 2) });
      // Dropping a withdrawal (slot disabled) changes the subtree, so the claimed new root fails.
      await expectWitnessFails(c.t_withdrawal_batch_6_2, { ...b.inputs, enabled: [1, 1, 0, 0] });
    });

    it("rejects a wrong path: sibling, position bit, start index, or a non-empty target subtree", async function () {
      const tree = new WithdrawalTree(4, 6);
      const first = tree.appendBatch([0, 1, 2, 3].map(withdrawal));
      const b = tree.appendBatch([4, 5].map(withdrawal));
      const i = b.inputs as { pathElements: bigint[]; pathIndices: number[] };
      expect(i.pathIndices).to.deep.equal([1, 0, 0, 0]);
      await expectWitnessFails(c.t_withdrawal_batch_6_2, {
        ...b.inputs,
        pathElements: [i.pathElements[0], i.pathElements[1] + 1n, ...i.pathElements.slice(2)],
      });
      await expectWitnessFails(c.t_withdrawal_batch_6_2, { ...b.inputs, pathIndices: [0, 0, 0, 0] });
      await expectWitnessFails(c.t_withdrawal_batch_6_2, { ...b.inputs, pathIndices: [1, 0, 0, 2] });
      for (const startIndex of [0n, 5n, 8n]) {
        await expectWitnessFails(c.t_withdrawal_batch_6_2, { ...b.inputs, startIndex });
      }
      // Overwriting the first (occupied) subtree: its old content is not the empty-subtree hash.
      await expectWitnessFails(c.t_withdrawal_batch_6_2, {
        ...b.inputs,
        oldRoot: first.newRoot,
        startIndex: 0n,
        pathIndices: [0, 0, 0, 0],
        pathElements: [0n, ...i.pathElements.slice(1)],
      });
    });

    it("rejects a gap between withdrawals and an oversized amount even when roots are consistent", async function () {
      const prior = [11n, 12n, 13n, 14n];
      const ok = rawBatch(6, 2, prior, [slot(0), slot(1), slot(2), slot(3, 0n)]);
      const w = await witness(c.t_withdrawal_batch_6_2, ok);
      expect(await r1csHolds(c.t_withdrawal_batch_6_2, w)).to.equal(true);
      // Same roots and commitment inputs, but an unused slot before a used one.
      await expectWitnessFails(
        c.t_withdrawal_batch_6_2,
        rawBatch(6, 2, prior, [slot(0), slot(1, 0n), slot(2), slot(3, 0n)]),
      );
      await expectWitnessFails(
        c.t_withdrawal_batch_6_2,
        rawBatch(6, 2, prior, [slot(0, 0n), slot(1), slot(2), slot(3)]),
      );
      // Amount ≥ 2^64 hashed into the tree consistently: only the range check can refuse it.
      const big = { ...slot(1), amount: TWO64 };
      await expectWitnessFails(
        c.t_withdrawal_batch_6_2,
        rawBatch(6, 2, prior, [slot(0), big, slot(2), slot(3)]),
      );
      const negative = { ...slot(1), amount: FIELD_MODULUS - 1_000n };
      await expectWitnessFails(
        c.t_withdrawal_batch_6_2,
        rawBatch(6, 2, prior, [slot(0), negative, slot(2), slot(3)]),
        /Num2Bits/,
      );
      // A non-boolean flag (2·leaf in the tree) is refused as well.
      const two = { ...slot(1), enabled: 2n };
      await expectWitnessFails(
        c.t_withdrawal_batch_6_2,
        rawBatch(6, 2, prior, [slot(0), two, slot(2), slot(3)]),
      );
    });

    it("the R1CS pins the commitment output", async function () {
      const tree = new WithdrawalTree(4, 6);
      const b = tree.appendBatch([withdrawal(9)]);
      const w = await witness(c.t_withdrawal_batch_6_2, b.inputs);
      expect(await r1csHolds(c.t_withdrawal_batch_6_2, tamper(w, 1, b.commitment + 1n))).to.equal(false);
    });
  });

  describe("PayoutClaim(4)", function () {
    const claimId = F(77);
    const txids = [0, 1, 2, 3, 4].map((i) => `${i}`.repeat(2) + "f".repeat(62));
    const payouts = txids.map((txid, i) => ({ withdrawalId: F(800 + i), operator: F(9), txid }));
    const tree = new PoseidonMerkleTree(4);
    for (const p of payouts) tree.append(payoutLeaf(p));
    const halves = (t: string): [bigint, bigint] => [
      BigInt(`0x${t.slice(0, 32)}`),
      BigInt(`0x${t.slice(32)}`),
    ];
    const input = (i: number): Record<string, unknown> => {
      const [hi, lo] = halves(txids[i]);
      const p = tree.path(i);
      return {
        claimId,
        payoutsRoot: tree.root,
        withdrawalId: payouts[i].withdrawalId,
        operator: payouts[i].operator,
        txidHi: hi,
        txidLo: lo,
        pathElements: p.pathElements,
        pathIndices: p.pathIndices,
      };
    };

    it("outputs Poseidon(claim, root, withdrawal, operator, txid halves) for each payout", async function () {
      for (const i of [0, 3, 4]) {
        const [hi, lo] = halves(txids[i]);
        const w = await witness(c.t_payout_claim_4, input(i));
        expect(w.values[1]).to.equal(poseidon6([claimId, tree.root, BigInt(800 + i), 9n, hi, lo]));
        expect(await r1csHolds(c.t_payout_claim_4, w)).to.equal(true);
      }
    });

    it("rejects a wrong path bit, sibling, txid half, withdrawal, operator or root", async function () {
      const base = input(3) as {
        pathIndices: number[];
        pathElements: bigint[];
        txidLo: bigint;
        txidHi: bigint;
      };
      const cases: Record<string, unknown>[] = [
        { pathIndices: [0, ...base.pathIndices.slice(1)] },
        { pathIndices: [2, ...base.pathIndices.slice(1)] },
        { pathElements: [base.pathElements[0] + 1n, ...base.pathElements.slice(1)] },
        { txidLo: base.txidLo + 1n },
        { txidHi: base.txidHi ^ 1n },
        { withdrawalId: 801n },
        { operator: 8n },
        { payoutsRoot: tree.root + 1n },
      ];
      for (const change of cases) await expectWitnessFails(c.t_payout_claim_4, { ...base, ...change });
    });

    it("rejects a txid half of 2^128 or more even when the payouts tree commits to it", async function () {
      for (const [hi, lo] of [
        [TWO128, 5n],
        [3n, TWO128 + 1n],
        [FIELD_MODULUS - 1n, 0n],
      ]) {
        const t = new PoseidonMerkleTree(4);
        t.append(poseidon4([800n, 9n, hi, lo]) as Field);
        const p = t.path(0);
        await expectWitnessFails(
          c.t_payout_claim_4,
          {
            claimId,
            payoutsRoot: t.root,
            withdrawalId: 800n,
            operator: 9n,
            txidHi: hi,
            txidLo: lo,
            pathElements: p.pathElements,
            pathIndices: p.pathIndices,
          },
          /Num2Bits/,
        );
      }
      // The largest halves are fine.
      const t = new PoseidonMerkleTree(4);
      t.append(poseidon4([800n, 9n, TWO128 - 1n, TWO128 - 1n]) as Field);
      const p = t.path(0);
      const w = await witness(c.t_payout_claim_4, {
        claimId,
        payoutsRoot: t.root,
        withdrawalId: 800n,
        operator: 9n,
        txidHi: TWO128 - 1n,
        txidLo: TWO128 - 1n,
        pathElements: p.pathElements,
        pathIndices: p.pathIndices,
      });
      expect(w.values[1]).to.equal(poseidon6([claimId, t.root, 800n, 9n, TWO128 - 1n, TWO128 - 1n]));
    });

    it("the R1CS pins the commitment output", async function () {
      const w = await witness(c.t_payout_claim_4, input(1));
      expect(await r1csHolds(c.t_payout_claim_4, tamper(w, 1, w.values[1] + 1n))).to.equal(false);
    });
  });
});

async function expectInputError(c: CompiledCircuit, input: Record<string, unknown>): Promise<void> {
  const failed = await silently(() => witness(c, input));
  expect(String((failed as Error | undefined)?.message)).to.match(/Not enough values|Too many values/i);
}
