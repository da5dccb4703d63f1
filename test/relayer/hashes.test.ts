import { expect } from "chai";

import { RelayerError, displayToInternal, headerHash, internalToDisplay } from "../../ts/relayer/index.js";

const GENESIS_HEADER = Buffer.from(
  "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c",
  "hex",
);
const GENESIS_DISPLAY = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";

describe("relayer: hash byte orders", function () {
  it("maps Core's display hash to the contract's internal order and back", function () {
    const internal = displayToInternal(GENESIS_DISPLAY);
    expect(internal).to.equal("0x6fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000");
    expect(headerHash(GENESIS_HEADER)).to.equal(internal);
    expect(internalToDisplay(internal)).to.equal(GENESIS_DISPLAY);
  });

  it("rejects malformed hashes and headers with typed errors", function () {
    expect(() => displayToInternal("xyz"))
      .to.throw(RelayerError)
      .with.property("code", "BAD_HEADER");
    expect(() => headerHash(GENESIS_HEADER.subarray(0, 79)))
      .to.throw(RelayerError)
      .with.property("value", 79);
  });
});
