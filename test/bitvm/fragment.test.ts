import { expect } from "chai";

import { OP } from "../../ts/bitcoin/index.js";
import {
  BitvmBuildError,
  StackTracker,
  analyze,
  fragment,
  num,
  peephole,
  rawFragment,
  runFragment,
  stackNumber,
} from "../../ts/bitvm/index.js";

describe("bitvm: fragments, stack effects and the peephole pass", function () {
  it("computes inputs, outputs and peak depth", function () {
    // a b → a+b, with a copy of b parked on the altstack and back.
    const e = analyze("sum", [OP.OP_DUP, OP.OP_TOALTSTACK, OP.OP_ADD, OP.OP_FROMALTSTACK, OP.OP_DROP]);
    expect(e).to.deep.include({ inputs: 2, outputs: 1, maxDepth: 3, altDelta: 0, dynamicReach: false });
    expect(analyze("pick", [num(5), OP.OP_PICK]).inputs).to.equal(6);
    expect(analyze("roll", [num(3), OP.OP_ROLL])).to.deep.include({ inputs: 4, outputs: 4 });
    expect(analyze("dyn", [OP.OP_PICK]).dynamicReach).to.equal(true);
    // Branches with the same effect are fine; the reported effect is that of either branch.
    expect(analyze("if", [OP.OP_IF, OP.OP_1, OP.OP_ELSE, OP.OP_0, OP.OP_ENDIF])).to.deep.include({
      inputs: 1,
      outputs: 1,
    });
  });

  it("rejects unbalanced branches, oversized pushes and stack overflows, naming the fragment and limit", function () {
    const cases: [() => unknown, string][] = [
      [() => fragment("lopsided", OP.OP_IF, OP.OP_1, OP.OP_ENDIF), "branch"],
      [() => fragment("open", OP.OP_IF), "branch"],
      [() => fragment("stray", OP.OP_ENDIF), "branch"],
      [() => fragment("fat", new Uint8Array(521)), "push"],
      [
        () =>
          fragment(
            "deep",
            Array.from({ length: 1001 }, () => OP.OP_1),
          ),
        "stack",
      ],
      // 600 on the main stack and 401 on the altstack: together over the limit.
      [
        () =>
          fragment(
            "split",
            Array.from({ length: 1001 }, () => OP.OP_1),
            Array.from({ length: 401 }, () => OP.OP_TOALTSTACK),
          ),
        "stack",
      ],
      [() => fragment("multisig", OP.OP_CHECKMULTISIG), "opcode"],
    ];
    for (const [build, limit] of cases) {
      let err: unknown;
      try {
        build();
      } catch (e) {
        err = e;
      }
      expect(err, limit).to.be.instanceOf(BitvmBuildError);
      const e = err as BitvmBuildError;
      expect(e.limit).to.equal(limit);
      expect(e.message.startsWith(`${e.fragment}: `)).to.equal(true);
    }
    expect(
      fragment(
        "exactly",
        Array.from({ length: 1000 }, () => OP.OP_1),
      ).effect.maxDepth,
    ).to.equal(1000);
    expect(fragment("max push", new Uint8Array(520)).size).to.equal(523);
  });

  it("peephole rewrites keep the result and shrink the script", function () {
    const ops = [
      OP.OP_DUP,
      OP.OP_DROP,
      OP.OP_SWAP,
      OP.OP_SWAP,
      OP.OP_TOALTSTACK,
      OP.OP_FROMALTSTACK,
      num(1),
      OP.OP_PICK,
      num(0),
      OP.OP_ROLL,
      num(1),
      OP.OP_ADD,
      OP.OP_EQUAL,
      OP.OP_VERIFY,
      OP.OP_7,
    ];
    const raw = rawFragment("raw", ops);
    const opt = fragment("opt", ops);
    expect(opt.ops).to.deep.equal([OP.OP_OVER, OP.OP_1ADD, OP.OP_EQUALVERIFY, OP.OP_7]);
    for (const [a, b] of [
      [4, 5],
      [9, 3],
    ]) {
      const r1 = runFragment(raw, [a!, b!]);
      const r2 = runFragment(opt, [a!, b!]);
      expect(r2.ok).to.equal(r1.ok);
      if (r1.ok) expect(r2.stack.map(stackNumber)).to.deep.equal(r1.stack.map(stackNumber));
    }
    expect(runFragment(opt, [4, 5]).ok).to.equal(true); // 5 == 4 + 1
    expect(runFragment(opt, [9, 3]).ok).to.equal(false);
    // Rewrites cascade: DUP SWAP SWAP DROP is nothing at all.
    expect(peephole([OP.OP_DUP, OP.OP_SWAP, OP.OP_SWAP, OP.OP_DROP])).to.deep.equal([]);
    expect(peephole([num(2), OP.OP_ROLL, OP.OP_DROP, OP.OP_DROP])).to.deep.equal([OP.OP_ROT, OP.OP_2DROP]);
  });

  it("the stack tracker emits the right depths for named values", function () {
    const t = new StackTracker("poly", ["x", "y", "z"]);
    // x*2 + y − z, reading each by name in an order that needs PICK and ROLL.
    t.copy("x", "x2");
    t.apply([OP.OP_DUP, OP.OP_ADD], 1, ["x2"]);
    t.move("y");
    t.apply(OP.OP_ADD, 2, ["s"]);
    t.move("z");
    t.apply(OP.OP_SUB, 2, ["r"]);
    t.drop("x");
    const f = t.finish(["r"]);
    for (const [x, y, z] of [
      [3, 4, 5],
      [10, -2, 7],
    ]) {
      const r = runFragment(f, [x!, y!, z!]);
      expect(r.ok).to.equal(true);
      expect(r.stack.map(stackNumber)).to.deep.equal([x! * 2 + y! - z!]);
    }
    expect(() => t.depth("nope")).to.throw(BitvmBuildError, /no value named "nope"/);
    expect(() => t.apply(OP.OP_ADD, 1, ["q"])).to.throw(BitvmBuildError, /take 2/);
  });
});
