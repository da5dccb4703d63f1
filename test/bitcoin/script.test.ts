/** Script byte helpers (ts/bitcoin/script/script.ts), against bitcoinjs-lib and Core's rules. */
import * as bitcoin from "bitcoinjs-lib";
import { expect } from "chai";
import fc from "fast-check";

import {
  OP,
  ScriptParseError,
  disassemble,
  findAndDelete,
  isMinimalPush,
  isP2SH,
  isPushOnly,
  iterOps,
  opEnd,
  pushData,
  readOp,
  removeCodeSeparators,
  witnessProgram,
} from "../../ts/bitcoin/index.js";
import { bytesToHex as hex, hexToBytes as h } from "../../ts/core/index.js";

describe("bitcoin/script: byte helpers", () => {
  it("pushData uses the smallest push opcode, as bitcoinjs-lib's compile does", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70_000 }), fc.integer({ min: 0, max: 255 }), (n, fill) => {
        const data = new Uint8Array(n).fill(fill);
        const ours = pushData(data);
        // bitcoinjs turns 1-byte 1…16 and 0x81 into OP_n / OP_1NEGATE; Core's `<< data` does not.
        if (n === 1 && ((fill >= 1 && fill <= 16) || fill === 0x81))
          expect(hex(ours)).to.equal(`01${hex(data)}`);
        else if (n === 0) expect(hex(ours)).to.equal("00");
        else expect(hex(ours)).to.equal(hex(bitcoin.script.compile([data])));
        const op = readOp(ours, 0)!;
        expect(op.next).to.equal(ours.length);
        expect(hex(op.data!)).to.equal(hex(data));
      }),
      { numRuns: 200 },
    );
    expect(hex(pushData(new Uint8Array(75)).subarray(0, 1))).to.equal("4b");
    expect(hex(pushData(new Uint8Array(76)).subarray(0, 2))).to.equal("4c4c");
    expect(hex(pushData(new Uint8Array(255)).subarray(0, 2))).to.equal("4cff");
    expect(hex(pushData(new Uint8Array(256)).subarray(0, 3))).to.equal("4d0001");
    expect(hex(pushData(new Uint8Array(65535)).subarray(0, 3))).to.equal("4dffff");
    expect(hex(pushData(new Uint8Array(65536)).subarray(0, 5))).to.equal("4e00000100");
  });

  it("readOp reads every push form and refuses truncated lengths and data", () => {
    expect(readOp(h("4c02aabb"), 0)).to.deep.include({ opcode: 0x4c, pc: 0, next: 4 });
    expect(hex(readOp(h("4d0200aabb"), 0)!.data!)).to.equal("aabb");
    expect(readOp(h("4d0200aabb"), 0)!.next).to.equal(5);
    expect(hex(readOp(h("4e02000000aabb"), 0)!.data!)).to.equal("aabb");
    expect(readOp(h("4e02000000aabb"), 0)!.next).to.equal(7);
    expect(readOp(h("0000"), 1)).to.deep.include({ opcode: 0, pc: 1, next: 2 });
    expect(readOp(h("76"), 0)).to.deep.equal({ opcode: 0x76, data: undefined, pc: 0, next: 1 });
    for (const bad of ["4c", "4d01", "4e010000", "4c02aa", "4d0200aa", "4e02000000aa", "02aa"])
      expect(readOp(h(bad), 0), bad).to.equal(undefined);
    expect(readOp(h("76"), 1)).to.equal(undefined);
    expect([...iterOps(h("0051" + "4c01ff" + "76"))].map((o) => o.opcode)).to.deep.equal([
      0, 0x51, 0x4c, 0x76,
    ]);
    try {
      Array.from(iterOps(h("76" + "4c05aa")));
      expect.fail("iterOps read a truncated push");
    } catch (e) {
      expect(e).to.be.instanceOf(ScriptParseError);
      expect((e as ScriptParseError).code).to.equal("BAD_OPCODE");
      expect((e as ScriptParseError).offset).to.equal(1);
    }
  });

  it("opEnd ends every operation where readOp does, and -1 where readOp finds none", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), (bytes) => {
        for (let pc = 0; pc < bytes.length; pc++)
          expect(opEnd(bytes, pc)).to.equal(readOp(bytes, pc)?.next ?? -1);
      }),
      { numRuns: 500 },
    );
    for (const t of ["4c", "4d01", "4e010000", "4c02aa", "4d0200aa", "4e02000000aa", "02aa"])
      expect(opEnd(h(t), 0), t).to.equal(-1);
    expect(opEnd(h("4e02000000aabb"), 0)).to.equal(7);
  });

  it("isMinimalPush follows BIP62 rules 3 and 4", () => {
    expect(isMinimalPush(new Uint8Array(0), OP.OP_0)).to.equal(true);
    expect(isMinimalPush(new Uint8Array(0), 0x4c)).to.equal(false);
    for (let v = 1; v <= 16; v++) expect(isMinimalPush(Uint8Array.of(v), 1), `${v}`).to.equal(false);
    expect(isMinimalPush(Uint8Array.of(0), 1)).to.equal(true);
    expect(isMinimalPush(Uint8Array.of(17), 1)).to.equal(true);
    expect(isMinimalPush(Uint8Array.of(0x81), 1)).to.equal(false);
    expect(isMinimalPush(Uint8Array.of(0x80), 1)).to.equal(true);
    expect(isMinimalPush(new Uint8Array(75), 75)).to.equal(true);
    expect(isMinimalPush(new Uint8Array(75), 0x4c)).to.equal(false);
    expect(isMinimalPush(new Uint8Array(76), 0x4c)).to.equal(true);
    expect(isMinimalPush(new Uint8Array(255), 0x4c)).to.equal(true);
    expect(isMinimalPush(new Uint8Array(255), 0x4d)).to.equal(false);
    expect(isMinimalPush(new Uint8Array(256), 0x4d)).to.equal(true);
    expect(isMinimalPush(new Uint8Array(65535), 0x4d)).to.equal(true);
    expect(isMinimalPush(new Uint8Array(65535), 0x4e)).to.equal(false);
    expect(isMinimalPush(new Uint8Array(65536), 0x4e)).to.equal(true);
  });

  it("classifies P2SH and witness programs exactly (BIP16, BIP141)", () => {
    const p2sh = h("a914" + "11".repeat(20) + "87");
    expect(isP2SH(p2sh)).to.equal(true);
    for (const bad of [
      "a914" + "11".repeat(20) + "88",
      "a913" + "11".repeat(20) + "87",
      "aa14" + "11".repeat(20) + "87",
    ])
      expect(isP2SH(h(bad)), bad).to.equal(false);
    expect(isP2SH(h("a914" + "11".repeat(21) + "87"))).to.equal(false);
    expect(witnessProgram(h("0014" + "22".repeat(20)))).to.deep.equal({
      version: 0,
      program: h("22".repeat(20)),
    });
    expect(witnessProgram(h("5120" + "22".repeat(32)))!.version).to.equal(1);
    expect(witnessProgram(h("6002" + "2222"))!.version).to.equal(16);
    expect(witnessProgram(h("5128" + "22".repeat(40)))!.program.length).to.equal(40);
    for (const bad of [
      "0001" + "22",
      "5129" + "22".repeat(41),
      "4f02" + "2222",
      "6102" + "2222",
      "0015" + "22".repeat(20),
      "0003" + "2222",
    ])
      expect(witnessProgram(h(bad)), bad).to.equal(undefined);
    expect(isPushOnly(h(""))).to.equal(true);
  });

  it("findAndDelete drops matches on operation boundaries only, as Core's FindAndDelete", () => {
    const sig = h("02aabb");
    // <sig> OP_DUP <sig>: both removed; a match inside a push is not an operation boundary.
    const r = findAndDelete(h("02aabb" + "76" + "02aabb"), sig);
    expect(hex(r.script)).to.equal("76");
    expect(r.found).to.equal(2);
    const inside = h("0302aabb");
    const r2 = findAndDelete(inside, sig);
    expect(r2.found).to.equal(0);
    expect(r2.script).to.equal(inside); // unchanged: the same array
    expect(findAndDelete(inside, new Uint8Array(0)).found).to.equal(0);
    // Consecutive matches, and a truncated tail kept as is.
    const r3 = findAndDelete(h("02aabb02aabb" + "51" + "4c"), sig);
    expect(hex(r3.script)).to.equal("514c");
    expect(r3.found).to.equal(2);
    expect(hex(findAndDelete(h("51" + "02aabb"), sig).script)).to.equal("51");
    expect(hex(findAndDelete(h("02aabb" + "52"), sig).script)).to.equal("52");
  });

  it("removeCodeSeparators and disassemble", () => {
    const s = h("ab" + "76" + "02abab" + "ab" + "ac");
    expect(hex(removeCodeSeparators(s))).to.equal("7602ababac");
    const none = h("76021234");
    expect(removeCodeSeparators(none)).to.equal(none); // no 0xab byte: the same array
    expect(hex(removeCodeSeparators(h("7602abab")))).to.equal("7602abab"); // 0xab inside a push stays
    expect(hex(removeCodeSeparators(h("ab" + "4c05aa")))).to.equal("4c05aa");
    expect(disassemble(h("76a914" + "11".repeat(20) + "88ac"))).to.equal(
      `OP_DUP OP_HASH160 ${"11".repeat(20)} OP_EQUALVERIFY OP_CHECKSIG`,
    );
    expect(disassemble(h("00" + "51" + "4c02abcd"))).to.equal("OP_0 OP_1 abcd");
    expect(disassemble(h("51" + "4c05aa"))).to.equal("OP_1 [error: truncated push at 1]");
    expect(disassemble(new Uint8Array(0))).to.equal("");
  });
});
