import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";

import { REPO_ROOT, compileCircuit, releaseZk } from "../../ts/zk/index.js";

/** A circuit whose include holds its constraint count: `n` squarings. */
async function writeCircuit(dir: string, n: number): Promise<string> {
  await writeFile(
    path.join(dir, "lib.circom"),
    `pragma circom 2.1.0;\ntemplate Sq() { signal input a; signal output b; b <== a * a; }\n` +
      `template Chain() { signal input x; signal output y; signal s[${n + 1}]; component q[${n}]; s[0] <== x;\n` +
      `  for (var i = 0; i < ${n}; i++) { q[i] = Sq(); q[i].a <== s[i]; s[i + 1] <== q[i].b; } y <== s[${n}]; }\n`,
  );
  const main = path.join(dir, "cache_probe.circom");
  await writeFile(main, `pragma circom 2.1.0;\ninclude "lib.circom";\ncomponent main = Chain();\n`);
  return path.relative(REPO_ROOT, main);
}

describe("zk: compileCircuit caches by the digest of the circuit and its includes", function () {
  this.timeout(120_000);
  const dir = path.join(REPO_ROOT, "build", "zk-test-cache");

  before(() => mkdir(dir, { recursive: true }));
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(path.join(REPO_ROOT, "build", "zk", "circuits", "cache_probe"), {
      recursive: true,
      force: true,
    });
    await releaseZk();
  });

  it("reuses unchanged outputs without running circom, and recompiles when an include changes", async function () {
    const src = await writeCircuit(dir, 3);
    const first = await compileCircuit(src);
    expect(first.constraints).to.equal(3);
    const mtime = (await stat(first.r1cs)).mtimeMs;

    const again = await compileCircuit(src);
    expect(again).to.deep.equal(first);
    expect((await stat(again.r1cs)).mtimeMs, "r1cs rewritten: circom ran again").to.equal(mtime);

    // Only the included file changes: the cache must notice.
    await writeCircuit(dir, 5);
    const changed = await compileCircuit(src);
    expect(changed.constraints).to.equal(5);
    expect(changed.r1csHash).to.not.equal(first.r1csHash);

    // Outputs deleted behind the cache's back: compiled afresh, not a dangling answer.
    await rm(changed.r1cs);
    const rebuilt = await compileCircuit(src);
    expect(rebuilt.r1csHash).to.equal(changed.r1csHash);
    expect((await stat(rebuilt.r1cs)).isFile()).to.equal(true);
  });
});
