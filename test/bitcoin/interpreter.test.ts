import { expect } from "chai";
import fc from "fast-check";
import {
  castToBool,
  executeScript,
  OP,
  parseFlags,
  scriptNum,
  ScriptNumError,
  type TraceStep,
} from "../../ts/bitcoin/index.js";
import { decodeNum } from "../../ts/bitcoin/script/num.js";

const s = (...ops: (number | Uint8Array)[]): Uint8Array => {
  const out: number[] = [];
  for (const o of ops) {
    if (typeof o === "number") out.push(o);
    else {
      if (o.length >= 0x4c) throw new Error("test helper pushes short data only");
      out.push(o.length, ...o);
    }
  }
  return Uint8Array.from(out);
};
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const h = (x: string): Uint8Array => Uint8Array.from(Buffer.from(x, "hex"));

describe("bitcoin/script: numbers", () => {
  it("encodes minimally, with the sign in the top bit", () => {
    expect(hex(scriptNum(0))).to.equal("");
    expect(hex(scriptNum(1))).to.equal("01");
    expect(hex(scriptNum(-1))).to.equal("81");
    expect(hex(scriptNum(127))).to.equal("7f");
    expect(hex(scriptNum(128))).to.equal("8000");
    expect(hex(scriptNum(-128))).to.equal("8080");
    expect(hex(scriptNum(0x7fffffff))).to.equal("ffffff7f");
    expect(hex(scriptNum(-0x7fffffffn))).to.equal("ffffffff");
    expect(hex(scriptNum(2n ** 32n))).to.equal("0000000001");
  });

  it("decodes what it encodes, for any 4-byte range value", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -0x7fffffff, max: 0x7fffffff }),
        (n) => decodeNum(scriptNum(n), true) === n,
      ),
      { numRuns: 2000 },
    );
  });

  it("rejects non-minimal and oversized numbers when asked", () => {
    expect(() => decodeNum(Uint8Array.of(0x01, 0x00), true)).to.throw(/non-minimally/);
    expect(decodeNum(Uint8Array.of(0x01, 0x00), false)).to.equal(1);
    expect(() => decodeNum(Uint8Array.of(0x80), true)).to.throw(/non-minimally/); // negative zero
    expect(decodeNum(Uint8Array.of(0x80), false)).to.equal(-0);
    expect(() => decodeNum(new Uint8Array(5).fill(1), false)).to.throw(/overflow/);
    expect(decodeNum(new Uint8Array(5).fill(1), false, 5)).to.equal(0x0101010101);
    // A 0x80 low byte needs the extra sign byte, so 0x8000 (128) and 0x8080 (-128) are minimal.
    expect(decodeNum(Uint8Array.of(0x80, 0x00), true)).to.equal(128);
    expect(decodeNum(Uint8Array.of(0x80, 0x80), true)).to.equal(-128);
    expect(() => decodeNum(Uint8Array.of(0x00), true)).to.throw(ScriptNumError);
    expect(() => decodeNum(Uint8Array.of(0x7f, 0x00), true)).to.throw(ScriptNumError);
    expect(() => decodeNum(Uint8Array.of(0x7f, 0x80), true)).to.throw(ScriptNumError);
    try {
      decodeNum(new Uint8Array(5), false);
    } catch (e) {
      expect(e).to.be.instanceOf(ScriptNumError);
      expect((e as ScriptNumError).code).to.equal("SCRIPTNUM");
    }
  });

  it("encodes bigints exactly as numbers, and refuses numbers that are not safe integers", () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), (n) => {
        expect(hex(scriptNum(BigInt(n)))).to.equal(hex(scriptNum(n)));
      }),
      { numRuns: 1000 },
    );
    for (const n of [0, 1, -1, 127, 128, -128, 255, -255, 256, 0x7fffffff, -0x80000000])
      expect(hex(scriptNum(BigInt(n))), `${n}`).to.equal(hex(scriptNum(n)));
    expect(hex(scriptNum(-(2n ** 64n)))).to.equal("000000000000000081");
    expect(() => scriptNum(0.5)).to.throw(ScriptNumError);
    expect(() => scriptNum(2 ** 53)).to.throw(ScriptNumError);
    // Encodings outside the cached range (-1 … 1024) agree with the cached ones' rule.
    expect(hex(scriptNum(1025))).to.equal("0104");
    expect(hex(scriptNum(-2))).to.equal("82");
  });

  it("casts to bool as Core: every zero, including negative zero, is false", () => {
    for (const f of ["", "00", "0000", "80", "0080", "000080"]) expect(castToBool(h(f)), f).to.equal(false);
    for (const t of ["01", "0001", "8000", "81", "000081", "ff", "800080"])
      expect(castToBool(h(t)), t).to.equal(true);
  });
});

describe("bitcoin/script: executeScript", () => {
  it("runs arithmetic and leaves the result", () => {
    const r = executeScript(s(OP.OP_2, OP.OP_3, OP.OP_ADD, OP.OP_5, OP.OP_NUMEQUAL));
    expect(r.ok).to.equal(true);
    expect(r.stack.map(hex)).to.deep.equal(["01"]);
  });

  it("reports Core's error code and the failing offset", () => {
    const r = executeScript(s(OP.OP_1, OP.OP_2, OP.OP_EQUALVERIFY));
    expect(r.ok).to.equal(false);
    if (r.ok) return;
    expect(r.error).to.equal("EQUALVERIFY");
    expect(r.pc).to.equal(2);
  });

  it("counts executed operations only, skipping untaken branches", () => {
    // 1 IF 2 ELSE 3 4 5 ENDIF: executes 1, IF, 2, ELSE, ENDIF (3 4 5 skipped)
    const r = executeScript(
      s(OP.OP_1, OP.OP_IF, OP.OP_2, OP.OP_ELSE, OP.OP_3, OP.OP_4, OP.OP_5, OP.OP_ENDIF),
    );
    expect(r.ok).to.equal(true);
    expect(r.stats.opcodes).to.equal(5);
    expect(r.stats.scriptBytes).to.equal(8);
    expect(r.stack.map(hex)).to.deep.equal(["02"]);
  });

  it("tracks the deepest stack + altstack", () => {
    const r = executeScript(
      s(OP.OP_1, OP.OP_2, OP.OP_3, OP.OP_TOALTSTACK, OP.OP_TOALTSTACK, OP.OP_4, OP.OP_5),
    );
    expect(r.ok).to.equal(true);
    expect(r.stats.maxStackDepth).to.equal(5);
    expect(r.stack.length).to.equal(3);
  });

  it("traces each executed step with its offset and stacks", () => {
    const steps: { pc: number; name: string; depth: number; alt: number }[] = [];
    const trace = (t: TraceStep): void => {
      steps.push({ pc: t.pc, name: t.name, depth: t.stack.length, alt: t.altstack.length });
    };
    executeScript(s(Uint8Array.of(0xaa, 0xbb), OP.OP_TOALTSTACK, OP.OP_FROMALTSTACK), { trace });
    expect(steps).to.deep.equal([
      { pc: 0, name: "OP_PUSHBYTES_2", depth: 1, alt: 0 },
      { pc: 3, name: "OP_TOALTSTACK", depth: 0, alt: 1 },
      { pc: 4, name: "OP_FROMALTSTACK", depth: 1, alt: 0 },
    ]);
  });

  it("enforces 1,000 stack items and 520-byte pushes", () => {
    const many = new Uint8Array(1001).fill(OP.OP_1);
    const r1 = executeScript(many);
    expect(r1.ok ? "OK" : r1.error).to.equal("STACK_SIZE");
    expect(executeScript(many.subarray(0, 1000)).ok).to.equal(true);
    const big = new Uint8Array(3 + 521);
    big.set([OP.OP_PUSHDATA2, 521 & 0xff, 521 >> 8]);
    const r2 = executeScript(big);
    expect(r2.ok ? "OK" : r2.error).to.equal("PUSH_SIZE");
    // Altstack items count too.
    const alt = new Uint8Array(1001).fill(OP.OP_1);
    for (let i = 1; i < 1001; i += 2) alt[i] = OP.OP_TOALTSTACK;
    expect(executeScript(s(...alt, OP.OP_1, OP.OP_1)).ok).to.equal(true);
  });

  it("applies the 201-op and 10,000-byte limits to legacy scripts only", () => {
    const nops = new Uint8Array(202).fill(OP.OP_NOP);
    const base = executeScript(nops, { sigVersion: "base" });
    expect(base.ok ? "OK" : base.error).to.equal("OP_COUNT");
    expect(executeScript(nops, { sigVersion: "tapscript" }).ok).to.equal(true);
    const long = new Uint8Array(10_001).fill(OP.OP_NOP);
    const big = executeScript(long, { sigVersion: "witness_v0" });
    expect(big.ok ? "OK" : big.error).to.equal("SCRIPT_SIZE");
    expect(executeScript(long).ok).to.equal(true);
  });

  it("requires minimal IF arguments in tapscript", () => {
    const r = executeScript(s(OP.OP_2, OP.OP_IF, OP.OP_ENDIF));
    expect(r.ok ? "OK" : r.error).to.equal("TAPSCRIPT_MINIMALIF");
    const b = executeScript(s(OP.OP_2, OP.OP_IF, OP.OP_1, OP.OP_ENDIF), { sigVersion: "base" });
    expect(b.ok).to.equal(true);
  });

  it("takes only empty and 0x01 as IF/NOTIF arguments under tapscript and segwit v0 MINIMALIF", () => {
    // Core's vectors have no one-byte 0x00 case; consensus (tapscript) refuses it like 0x02 or 0x0100.
    const minimalif = parseFlags("MINIMALIF");
    const run = (arg: number[], op: number, sigVersion: "tapscript" | "witness_v0"): string => {
      const r = executeScript(s(op, OP.OP_1, OP.OP_ELSE, OP.OP_1, OP.OP_ENDIF), {
        sigVersion,
        flags: minimalif,
        stack: [Uint8Array.from(arg)],
      });
      return r.ok ? "OK" : r.error;
    };
    for (const op of [OP.OP_IF, OP.OP_NOTIF]) {
      for (const good of [[], [0x01]]) {
        expect(run(good, op, "tapscript"), `tapscript ${hex(Uint8Array.from(good))}`).to.equal("OK");
        expect(run(good, op, "witness_v0"), `v0 ${hex(Uint8Array.from(good))}`).to.equal("OK");
      }
      for (const bad of [[0x00], [0x02], [0x80], [0x81], [0x01, 0x00], [0x00, 0x00]]) {
        const what = hex(Uint8Array.from(bad));
        expect(run(bad, op, "tapscript"), `tapscript ${what}`).to.equal("TAPSCRIPT_MINIMALIF");
        expect(run(bad, op, "witness_v0"), `v0 ${what}`).to.equal("MINIMALIF");
      }
    }
  });

  it("succeeds immediately on OP_SUCCESSx in tapscript, fails on it elsewhere", () => {
    const script = s(OP.OP_0, OP.OP_VERIFY, 0x50); // 0x50 = OP_RESERVED, an OP_SUCCESS in tapscript
    expect(executeScript(script).ok).to.equal(true);
    const base = executeScript(script, { sigVersion: "base" });
    expect(base.ok ? "OK" : base.error).to.equal("VERIFY");
  });

  it("rejects disabled opcodes even in untaken branches (outside tapscript, where they are OP_SUCCESS)", () => {
    const script = s(OP.OP_0, OP.OP_IF, OP.OP_CAT, OP.OP_ENDIF, OP.OP_1);
    const r = executeScript(script, { sigVersion: "witness_v0" });
    expect(r.ok ? "OK" : r.error).to.equal("DISABLED_OPCODE");
    expect(executeScript(script).ok).to.equal(true);
  });

  it("reports unbalanced conditionals and truncated pushes", () => {
    const r1 = executeScript(s(OP.OP_1, OP.OP_IF));
    expect(r1.ok ? "OK" : r1.error).to.equal("UNBALANCED_CONDITIONAL");
    const r2 = executeScript(s(OP.OP_ELSE), { sigVersion: "base" });
    expect(r2.ok ? "OK" : r2.error).to.equal("UNBALANCED_CONDITIONAL");
    const r3 = executeScript(Uint8Array.of(OP.OP_PUSHDATA1, 10, 1, 2), { sigVersion: "base" });
    expect(r3.ok ? "OK" : r3.error).to.equal("BAD_OPCODE");
  });

  it("rolls and picks deep in the stack", () => {
    const pushes = Array.from({ length: 10 }, (_, i) => OP.OP_1 + i); // 1..10, 10 on top
    const r = executeScript(s(...pushes, OP.OP_9, OP.OP_ROLL, OP.OP_8, OP.OP_PICK));
    expect(r.ok).to.equal(true);
    expect(r.stack.map(hex)).to.deep.equal([
      "02",
      "03",
      "04",
      "05",
      "06",
      "07",
      "08",
      "09",
      "0a",
      "01",
      "03",
    ]);
  });

  it("fails signature checks without a checker, but an empty signature just pushes false", () => {
    const key = new Uint8Array(32).fill(7);
    const empty = executeScript(s(OP.OP_0, key, OP.OP_CHECKSIG));
    expect(empty.ok).to.equal(true);
    expect(empty.stack.map(hex)).to.deep.equal([""]);
    const sig = new Uint8Array(64).fill(1);
    const withSig = executeScript(Uint8Array.of(64, ...sig, 32, ...key, OP.OP_CHECKSIG));
    expect(withSig.ok ? "OK" : withSig.error).to.equal("SCHNORR_SIG");
  });

  it("honours MINIMALDATA as a flag", () => {
    const nonMinimal = Uint8Array.of(OP.OP_PUSHDATA1, 1, 5);
    const r = executeScript(nonMinimal, { flags: parseFlags("MINIMALDATA") });
    expect(r.ok ? "OK" : r.error).to.equal("MINIMALDATA");
    expect(executeScript(nonMinimal, { flags: 0 }).ok).to.equal(true);
  });

  it("returns copies: mutating a result cannot corrupt later runs", () => {
    const r1 = executeScript(s(OP.OP_1));
    r1.stack[0]![0] = 9;
    const r2 = executeScript(s(OP.OP_1));
    expect(hex(r2.stack[0]!)).to.equal("01");
  });
});
