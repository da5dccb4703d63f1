import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { expect } from "chai";

import {
  PTAU_CACHE_DIR,
  SHIPPED_PTAU_DIR,
  PTAU_DIR_ENV,
  atomically,
  findPtau,
  ptauDirs,
  removeStaleTemps,
} from "../../ts/zk/index.js";

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
    expect(ptauDirs({})).to.deep.equal([SHIPPED_PTAU_DIR, PTAU_CACHE_DIR]);
    expect(ptauDirs({ [PTAU_DIR_ENV]: [a, b].join(path.delimiter) })).to.deep.equal([
      a,
      b,
      SHIPPED_PTAU_DIR,
      PTAU_CACHE_DIR,
    ]);
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

describe("zk: temp files of a killed writer", () => {
  it("are removed before the next write; a live writer's are kept", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "lvm-stale-"));
    try {
      const final = path.join(dir, "pot14.ptau");
      // pid 2^22 + 1 is above Linux's largest pid_max, so it names no running process.
      const dead = `${final}.tmp-4194305-aaaa`;
      const deadPart = `${final}.tmp-4194305-aaaa.0`;
      const live = `${final}.tmp-${process.ppid}-bbbb`;
      const other = path.join(dir, "pot16.ptau.tmp-4194305-cccc");
      for (const f of [dead, deadPart, live, other]) await writeFile(f, "x");
      const removed = await removeStaleTemps(final);
      expect(removed.sort()).to.deep.equal([dead, deadPart].sort());
      await atomically(final, (tmp) => writeFile(tmp, "done"));
      expect((await readdir(dir)).sort()).to.deep.equal(
        ["pot14.ptau", path.basename(live), path.basename(other)].sort(),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
