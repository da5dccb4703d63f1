import { expect } from "chai";

import {
  StackTracker,
  dropTables,
  limbsToU32,
  pushTables,
  runFragment,
  stackNumber,
  u32Add,
  u32And,
  u32Drop,
  u32Equal,
  u32LessThan,
  u32Names,
  u32Not,
  u32Or,
  u32Rotr,
  u32Sub,
  u32Witness,
  u32Xor,
  type TableSet,
} from "../../ts/bitvm/index.js";

const TABLES: TableSet = { xor: true, half: true, shifts: [1, 2, 3] };

/** A deterministic PRNG: the same cases every run, spread over the whole u32 range. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return (s ^ (s >>> 13)) >>> 0;
  };
}

const rotr = (x: number, r: number): number => ((x >>> r) | (x << (32 - r))) >>> 0;

/** Builds `gen` between pushing and dropping the tables, leaving only the result on the stack. */
function program(
  name: string,
  gen: (t: StackTracker) => void,
  outLimbs: number,
): ReturnType<StackTracker["finish"]> {
  const t = new StackTracker(name, [...u32Names("a"), ...u32Names("b")]);
  pushTables(t, TABLES);
  gen(t);
  const outs = outLimbs === 8 ? u32Names("o") : ["o"];
  for (const n of [...outs].reverse()) t.toAlt(n);
  dropTables(t, TABLES);
  for (const w of ["a", "b"]) if (t.has(`${w}.0`) || t.has(`${w}.7`)) u32Drop(t, w);
  for (let i = 0; i < outs.length; i++) t.fromAlt();
  return t.finish();
}

function check(
  name: string,
  model: (a: number, b: number) => number,
  gen: (t: StackTracker) => void,
  outLimbs = 8,
): void {
  const f = program(name, gen, outLimbs);
  const next = rng(name.length * 7919);
  const edge = [0, 1, 0xf, 0x10, 0x7fffffff, 0x80000000, 0xffffffff];
  const pairs: [number, number][] = edge.flatMap((a) => edge.map((b): [number, number] => [a, b]));
  for (let k = 0; k < 16; k++) pairs.push([next(), next()]);
  for (const [a, b] of pairs) {
    const r = runFragment(f, u32Witness([a, b]));
    expect(r.ok, `${name}(${a}, ${b}): ${r.ok ? "" : r.message}`).to.equal(true);
    const got = outLimbs === 8 ? limbsToU32(r.stack.map(stackNumber).reverse()) : stackNumber(r.stack[0]!);
    expect(got, `${name}(${a.toString(16)}, ${b.toString(16)})`).to.equal(model(a, b));
    expect(r.stack).to.have.length(outLimbs);
  }
  expect(f.effect.maxDepth).to.be.at.most(1000);
}

describe("bitvm: u32 arithmetic on 4-bit limbs, executed", function () {
  it("add, add constant, sub", function () {
    check(
      "add",
      (a, b) => (a + b) >>> 0,
      (t) => u32Add(t, "a", "b", "o", { a: true, b: true }),
    );
    check(
      "add_const",
      (a) => (a + 0x9e3779b9) >>> 0,
      (t) => u32Add(t, "a", 0x9e3779b9, "o", { a: true }),
    );
    check(
      "sub",
      (a, b) => (a - b) >>> 0,
      (t) => u32Sub(t, "a", "b", "o", { a: true, b: true }),
    );
  });

  it("xor, and, or, not through the lookup tables; inputs kept or consumed", function () {
    check(
      "xor",
      (a, b) => (a ^ b) >>> 0,
      (t) => u32Xor(t, "a", "b", "o", { a: true, b: true }),
    );
    check(
      "xor_keep",
      (a, b) => (a ^ b) >>> 0,
      (t) => u32Xor(t, "a", "b", "o"),
    );
    check(
      "and",
      (a, b) => (a & b) >>> 0,
      (t) => u32And(t, "a", "b", "o", { a: true, b: true }),
    );
    check(
      "or",
      (a, b) => (a | b) >>> 0,
      (t) => u32Or(t, "a", "b", "o", { a: true, b: true }),
    );
    check(
      "not",
      (a) => ~a >>> 0,
      (t) => u32Not(t, "a", "o", true),
    );
  });

  it("rotations and shifts by every amount", function () {
    for (let r = 1; r < 32; r++) {
      check(
        `rotr${r}`,
        (a) => rotr(a, r),
        (t) => u32Rotr(t, "a", r, "o", { consume: true }),
      );
      check(
        `shr${r}`,
        (a) => a >>> r,
        (t) => u32Rotr(t, "a", r, "o", { consume: true, shift: true }),
      );
    }
  });

  it("comparisons", function () {
    check(
      "lt",
      (a, b) => (a < b ? 1 : 0),
      (t) => u32LessThan(t, "a", "b", "o", { a: true, b: true }),
      1,
    );
    check(
      "eq",
      (a, b) => (a === b ? 1 : 0),
      (t) => u32Equal(t, "a", "b", "o", { a: true, b: true }),
      1,
    );
  });

  it("a wrong result does not pass for a right one", function () {
    const f = program("add", (t) => u32Add(t, "a", "b", "o", { a: true, b: true }), 8);
    const r = runFragment(f, u32Witness([0x12345678, 0x0fedcba9]));
    expect(limbsToU32(r.stack.map(stackNumber).reverse())).to.equal(0x22222221);
    const off = runFragment(f, u32Witness([0x12345679, 0x0fedcba9]));
    expect(limbsToU32(off.stack.map(stackNumber).reverse())).to.not.equal(0x22222221);
  });
});
