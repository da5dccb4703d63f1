/**
 * The warm restart's deployment record (ts/devnet/warm-deploy.ts): used only while its key
 * matches and every address has code; a changed build or parameter, or a wiped L2, deploys again.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { expect } from "chai";
import type { JsonRpcProvider } from "ethers";

import { deploymentKey, recordDeployment, warmDeployment } from "../../ts/devnet/warm-deploy.js";

describe("devnet: warm deployment record", function () {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "warm-deploy-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const chain = (code: Record<string, string>): JsonRpcProvider =>
    ({ getCode: async (a: string) => code[a] ?? "0x" }) as unknown as JsonRpcProvider;

  it("is used while key and code match, and not after a build, parameter or chain change", async function () {
    const artifacts = path.join(dir, "artifacts");
    const journal = path.join(dir, "journal");
    expect(deploymentKey(artifacts, { a: 1n }), "no build fingerprint: always deploy").to.equal(undefined);
    // A build writes its fingerprint into the artifacts.
    const fp = path.join(artifacts, ".lvm-build-fingerprint");
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(fp, "build-1\n");
    const key = deploymentKey(artifacts, { confirmations: 1n });
    expect(key).to.be.a("string");
    expect(deploymentKey(artifacts, { confirmations: 2n })).to.not.equal(key);
    recordDeployment(journal, key, { contract: "0xaa" });
    expect(await warmDeployment(journal, key, chain({ "0xaa": "0x60" }))).to.deep.equal({ contract: "0xaa" });
    // The L2 was wiped: no code at the recorded address.
    expect(await warmDeployment(journal, key, chain({}))).to.equal(undefined);
    // Rebuilt contracts: a new fingerprint, a new key.
    writeFileSync(fp, "build-2\n");
    const rebuilt = deploymentKey(artifacts, { confirmations: 1n });
    expect(rebuilt).to.not.equal(key);
    expect(await warmDeployment(journal, rebuilt, chain({ "0xaa": "0x60" }))).to.equal(undefined);
    // A journal without a record (deployed before this existed): deploy through Ignition.
    expect(await warmDeployment(path.join(dir, "none"), key, chain({ "0xaa": "0x60" }))).to.equal(undefined);
  });
});
