import { expect } from "chai";

import { blake3 } from "@noble/hashes/blake3.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";

import { CatalogError, catalog, catalogEntry, runFragment } from "../../ts/bitvm/index.js";

describe("bitvm: the fragment catalog behind bitvm:compile / bitvm:run", function () {
  it("every fragment runs its example and reads back the expected result", function () {
    this.timeout(900_000); // builds and runs SHA-256, BLAKE3 and every BN254 fragment in Script (slow on a shared machine)
    const expected: Record<string, string> = {
      u32_add: "0x11111110", // 0x12345678 + 0xfedcba98 mod 2^32
      u32_sub: "0x13579be0",
      u32_xor: "0xece8ece0",
      u32_and: "0x12141218",
      u32_rotr7: "0xf02468ac",
      u32_lt: "1",
    };
    for (const e of catalog()) {
      const r = runFragment(e.build(), e.input(e.example));
      expect(r.ok, e.name).to.equal(true);
      const out = e.output(r.stack);
      if (e.name.startsWith("winternitz")) expect(out, e.name).to.equal(e.example);
      else if (e.name.endsWith("_64")) {
        const message = hexToBytes(e.example.slice(2));
        const digest = e.name.startsWith("sha256") ? sha256(message) : blake3(message);
        expect(out, e.name).to.equal("0x" + bytesToHex(digest));
      } else if (expected[e.name] !== undefined) expect(out, e.name).to.equal(expected[e.name]);
    }
  });

  it("names the problem with a bad fragment name or input", function () {
    expect(() => catalogEntry("sha512")).to.throw(CatalogError, /no fragment named "sha512"/);
    expect(() => catalogEntry("u32_add").input("0x1")).to.throw(CatalogError, /2 comma-separated/);
    expect(() => catalogEntry("u32_add").input("0x1,0x100000000")).to.throw(CatalogError, /not a u32/);
    expect(() => catalogEntry("winternitz_verify_20").input("0x00")).to.throw(CatalogError, /20 bytes/);
  });
});
