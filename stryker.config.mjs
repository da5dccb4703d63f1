// StrykerJS mutation testing, not part of `npm test` or CI. `npm run mutate` mutates all three
// folders below against their unit tests (hours on 2 cores); `MUTATE_SET=txpool npm run mutate`
// takes one folder, and `-- --mutate <files>` narrows it further. Scores: docs/mutation.md.
// Tests run under tsx in a sandbox copy of the repository; its parent links `shared/`, so tests
// find ../shared as they do in the repository.
const SETS = {
  script: {
    mutate: ["ts/bitcoin/script/**/*.ts"],
    // The conformance vectors catch more, but take seconds per mutant: run them with
    // MUTATE_CONFORMANCE=1 on a machine with time to spare.
    spec: [
      "test/bitcoin/interpreter.test.ts",
      "test/bitcoin/script.test.ts",
      "test/btcnode/policy.test.ts",
      ...(process.env.MUTATE_CONFORMANCE
        ? ["test/bitcoin/conformance.test.ts", "test/bitcoin/differential.test.ts"]
        : []),
    ],
  },
  txpool: { mutate: ["ts/l2/txpool.ts"], spec: ["test/l2/rules.test.ts", "test/l2/rawtx.test.ts"] },
  bridge: {
    mutate: ["ts/bridge/**/*.ts"],
    spec: [
      "test/bridge/graph.test.ts",
      "test/bridge/musig2-vectors.test.ts",
      "test/bridge/types.test.ts",
      "test/bridge/credit-retry.test.ts",
    ],
  },
};
const chosen = (process.env.MUTATE_SET ?? Object.keys(SETS).join(",")).split(",").map((k) => {
  if (!(k in SETS))
    throw new Error(`MUTATE_SET: unknown set "${k}" (known: ${Object.keys(SETS).join(", ")})`);
  return SETS[k];
});

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "mocha",
  testRunnerNodeArgs: ["--import", "tsx"],
  mochaOptions: {
    spec: chosen.flatMap((s) => s.spec),
    "no-config": true,
    "no-package": true,
    "no-opts": true,
  },
  mutate: chosen.flatMap((s) => s.mutate),
  coverageAnalysis: "perTest",
  ignoreStatic: true,
  checkers: [],
  concurrency: 2,
  timeoutMS: 60_000,
  timeoutFactor: 2,
  reporters: ["clear-text", "progress", "json"],
  jsonReporter: { fileName: `build/mutation/${process.env.MUTATE_SET ?? "all"}.json` },
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
  ignorePatterns: [
    "build",
    "artifacts",
    "cache",
    ".devnet",
    "coverage",
    "ignition/deployments",
    ".stryker-tmp*",
  ],
};
