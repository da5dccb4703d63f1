import { expect } from "chai";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  runScriptTests,
  runSighash,
  runTaproot,
  runTxInvalid,
  runTxValid,
  type SetResult,
} from "../../ts/bitcoin/conformance.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const VECTORS =
  process.env.BITCOIN_CORE_VECTORS ?? path.resolve(ROOT, "..", "shared", "vectors", "bitcoin-core");

function expectClean(r: SetResult, atLeast: number): void {
  expect(r.failures, r.failures.join("\n")).to.deep.equal([]);
  expect(r.failed).to.equal(0);
  expect(r.passed).to.be.at.least(atLeast);
}

// The same runner as `npm run conformance`, over Bitcoin Core's own vectors.
describe("bitcoin: Bitcoin Core conformance vectors", function () {
  this.timeout(600_000);
  it("script_tests.json: every case gives Core's exact result", () =>
    expectClean(runScriptTests(VECTORS), 1200));
  it("tx_valid.json: every transaction verifies", () => expectClean(runTxValid(VECTORS), 100));
  it("tx_invalid.json: every transaction is rejected", () => expectClean(runTxInvalid(VECTORS), 80));
  it("sighash.json: every legacy signature hash matches", () => expectClean(runSighash(VECTORS), 500));
  it("taproot script_assets_test: all 2,760 cases", () => expectClean(runTaproot(VECTORS), 2760));
});
