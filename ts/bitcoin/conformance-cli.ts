/**
 * `npm run conformance [-- --vectors DIR] [--all-flags] [--verbose]`: run Bitcoin Core's consensus
 * vectors and print one JSON line last, `{"script_tests":{"passed":N,"failed":N},…}`.
 * The vectors directory is a parameter (`--vectors`, else `$BITCOIN_CORE_VECTORS`); the npm script
 * passes the vectors of the shared checkout beside the repository. Exit status 1 when any case fails, 2 on
 * bad usage or a missing vectors directory.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { runConformance, type SetName, type SetResult } from "./conformance.js";

function main(): number {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        vectors: { type: "string", default: process.env.BITCOIN_CORE_VECTORS },
        "all-flags": { type: "boolean", default: false },
        verbose: { type: "boolean", short: "v", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (e) {
    console.error(`conformance: ${(e as Error).message}`);
    return 2;
  }
  if (values.help) {
    console.error("usage: npm run conformance -- [--vectors DIR] [--all-flags] [--verbose]");
    return 0;
  }
  const dir = values.vectors;
  if (dir === undefined) {
    console.error("conformance: no vectors directory (pass --vectors DIR or set BITCOIN_CORE_VECTORS)");
    return 2;
  }
  if (!existsSync(path.join(dir, "script_tests.json"))) {
    console.error(`conformance: no Bitcoin Core vectors in ${dir} (set --vectors or BITCOIN_CORE_VECTORS)`);
    return 2;
  }
  const started = Date.now();
  const report = runConformance(dir, {
    allFlags: values["all-flags"],
    onSet: (name: SetName, r: SetResult) => {
      console.error(
        `${name}: ${r.passed} passed, ${r.failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
      if (values.verbose) for (const f of r.failures) console.error(`  ✗ ${f}`);
    },
  });
  const line: Record<string, unknown> = {};
  let failed = 0;
  for (const [name, r] of Object.entries(report)) {
    line[name] = { passed: r.passed, failed: r.failed };
    failed += r.failed;
  }
  line.all_flags = values["all-flags"];
  line.wall_s = (Date.now() - started) / 1000;
  console.log(JSON.stringify(line));
  return failed === 0 ? 0 : 1;
}

process.exitCode = main();
