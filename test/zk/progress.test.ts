/**
 * Groth16 phase 2 reports one climbing percentage with a time estimate, read from snarkjs' own
 * step counters during a real setup (a fresh key cache, so the setup runs).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { expect } from "chai";

import { compileCircuit, findPtau, releaseZk, resolvePtau, setupGroth16 } from "../../ts/zk/index.js";
import { phase2Logger } from "../../ts/zk/pipeline.js";
import { root } from "../l2/helpers.js";

const SHARED = path.resolve(root, "..", "shared", "ptau");

describe("zk: Groth16 phase 2 progress", function () {
  after(() => releaseZk());

  it("climbs to the end of a real setup, with an estimate of the time left", async function () {
    // A small circuit and a small ptau (../shared's pot12, else one generated once and cached).
    const circuit = await compileCircuit("circuits/test/t_merkle_inclusion_4.circom");
    const dir = mkdtempSync(path.join(os.tmpdir(), "zk-progress-"));
    const lines: string[] = [];
    try {
      await setupGroth16(
        circuit,
        await resolvePtau(circuit, findPtau(10, [SHARED])),
        (l) => lines.push(l),
        dir,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const pcts = lines.flatMap((l) => {
      const m = /: (\d+) % \((.+)\), about (\d+) s left$/.exec(l);
      return m ? [Number(m[1])] : [];
    });
    expect(pcts.length, lines.join("\n")).to.be.greaterThan(2);
    expect(pcts.every((p, i) => i === 0 || p > pcts[i - 1]!)).to.equal(true);
    expect(pcts[pcts.length - 1]).to.be.greaterThanOrEqual(80);
    expect(lines[lines.length - 1]).to.match(/^groth16: phase 2 for t_merkle_inclusion_4 done in \d+ s$/);
    // snarkjs' raw lines ("Reading r1cs", hashes) are no longer passed through.
    expect(lines.some((l) => /Reading r1cs|Circuit hash/.test(l))).to.equal(false);
  });

  it("turns step counters into a weighted percentage, throttled", function () {
    let t = 0;
    const lines: string[] = [];
    const log = phase2Logger(
      (l) => lines.push(l),
      "c",
      () => t,
    );
    t = 4_000;
    log.debug("processing constraints: 1000/1000"); // 8 % of the whole after 4 s
    t = 5_000;
    log.debug("writing coeffs: 5/10"); // 9 %: under 3 s and 10 % since the last line, not shown
    t = 8_000;
    log.debug("Writing points end B2: 10/10"); // 88 %
    log.debug("processing constraints: 1/1000"); // an earlier step: never goes back
    expect(lines).to.deep.equal([
      "groth16: phase 2 for c: 8 % (constraints), about 46 s left",
      "groth16: phase 2 for c: 88 % (B2 points), about 2 s left",
    ]);
  });
});
