import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { expect } from "chai";

import { PTAU_CACHE_DIR, PTAU_DIR_ENV, findPtau, ptauDirs } from "../../ts/zk/index.js";

describe("zk: where a powers-of-tau file comes from (no path outside the repository unless given)", () => {
  let a: string;
  let b: string;
  before(async () => {
    a = await mkdtemp(path.join(os.tmpdir(), "lvm-ptau-a-"));
    b = await mkdtemp(path.join(os.tmpdir(), "lvm-ptau-b-"));
    await writeFile(path.join(a, "pot16.ptau"), "");
    await writeFile(path.join(b, "pot12.ptau"), "");
    await writeFile(path.join(b, "pot14.ptau"), "");
  });
  after(async () => {
    await rm(a, { recursive: true, force: true });
    await rm(b, { recursive: true, force: true });
  });

  it("searches $LVM_PTAU_DIR's directories in order, then only the build cache", () => {
    expect(ptauDirs({})).to.deep.equal([PTAU_CACHE_DIR]);
    expect(ptauDirs({ [PTAU_DIR_ENV]: [a, b].join(path.delimiter) })).to.deep.equal([a, b, PTAU_CACHE_DIR]);
    expect(ptauDirs({}).some((d) => d.includes(`${path.sep}shared${path.sep}`))).to.equal(false);
  });

  it("takes the smallest file that fits, from the first directory that has one", () => {
    expect(findPtau(13, [b])).to.equal(path.join(b, "pot14.ptau"));
    expect(findPtau(12, [b])).to.equal(path.join(b, "pot12.ptau"));
    expect(findPtau(14, [a, b])).to.equal(path.join(a, "pot16.ptau"));
    expect(findPtau(17, [a, b])).to.equal(undefined);
    expect(findPtau(12, [])).to.equal(undefined);
  });
});
