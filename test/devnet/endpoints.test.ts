import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { expect } from "chai";

import {
  ENDPOINTS_FILE,
  EndpointsError,
  readEndpoints,
  removeEndpoints,
  resolveEndpoints,
  writeEndpoints,
} from "../../tasks/endpoints.js";

function code(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).to.be.instanceOf(EndpointsError);
    return (e as EndpointsError).code;
  }
  return expect.fail("no EndpointsError");
}

describe("tasks: a running devnet's endpoints, found without flags", function () {
  let dir: string;
  const rec = {
    pid: process.pid,
    startedAt: "2026-01-01T00:00:00.000Z",
    l1: "http://127.0.0.1:1111",
    l2: "http://127.0.0.1:2222",
  };
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "endpoints-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("takes the URLs the devnet wrote; flags given win", function () {
    writeEndpoints(dir, rec);
    const args = { datadir: dir, l1url: "", l2url: "", amount: "1" };
    expect(resolveEndpoints(args)).to.deep.equal({ ...args, l1url: rec.l1, l2url: rec.l2 });
    expect(resolveEndpoints({ ...args, l2url: "http://x:3" })).to.include({
      l1url: rec.l1,
      l2url: "http://x:3",
    });
    // Both given: the file is not even read (no devnet needed).
    rmSync(path.join(dir, ENDPOINTS_FILE));
    expect(resolveEndpoints({ datadir: dir, l1url: "http://a:1", l2url: "http://b:2" }).l2url).to.equal(
      "http://b:2",
    );
  });

  it("says which devnet is missing, dead or malformed", function () {
    const args = { datadir: dir, l1url: "", l2url: "" };
    expect(code(() => resolveEndpoints(args))).to.equal("NO_DEVNET");
    writeEndpoints(dir, { ...rec, pid: 424242 });
    expect(code(() => resolveEndpoints(args, () => false))).to.equal("STALE_DEVNET");
    try {
      readEndpoints(dir, () => false);
    } catch (e) {
      expect((e as Error).message)
        .to.contain("pid 424242")
        .and.contain("no longer running");
    }
    writeFileSync(path.join(dir, ENDPOINTS_FILE), "{");
    expect(code(() => resolveEndpoints(args))).to.equal("BAD_ENDPOINTS_FILE");
    writeFileSync(path.join(dir, ENDPOINTS_FILE), JSON.stringify({ pid: process.pid, l1: "x" }));
    expect(code(() => resolveEndpoints(args))).to.equal("BAD_ENDPOINTS_FILE");
  });

  it("a stopping devnet removes only its own file", function () {
    writeEndpoints(dir, { ...rec, pid: 424242 });
    removeEndpoints(dir);
    expect(JSON.parse(readFileSync(path.join(dir, ENDPOINTS_FILE), "utf8"))).to.include({ pid: 424242 });
    removeEndpoints(dir, 424242);
    expect(code(() => readEndpoints(dir))).to.equal("NO_DEVNET");
  });
});
