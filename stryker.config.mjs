// StrykerJS mutation testing: `npm run mutate` (all three folders, slow) or
// `npm run mutate -- --mutate ts/l2/txpool.ts` (a subset). Not part of `npm test` or CI.
// Scores per folder: docs/mutation.md. Tests run under tsx, in a sandbox copy of the repository
// whose parent directory links `shared/`, so tests find ../shared as they do in the repository.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "mocha",
  testRunnerNodeArgs: ["--import", "tsx"],
  mochaOptions: {
    spec: [
      "test/bitcoin/interpreter.test.ts",
      "test/bitcoin/conformance.test.ts",
      "test/bitcoin/differential.test.ts",
      "test/btcnode/policy.test.ts",
      "test/l2/rules.test.ts",
      "test/l2/rawtx.test.ts",
      "test/bridge/graph.test.ts",
      "test/bridge/musig2-vectors.test.ts",
    ],
    "no-config": true,
    "no-package": true,
    "no-opts": true,
  },
  mutate: ["ts/bitcoin/script/**/*.ts", "ts/l2/txpool.ts", "ts/bridge/**/*.ts"],
  coverageAnalysis: "perTest",
  checkers: [],
  concurrency: 2,
  timeoutMS: 60_000,
  timeoutFactor: 2,
  reporters: ["clear-text", "progress", "json"],
  jsonReporter: { fileName: "build/mutation/mutation.json" },
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
  ignorePatterns: ["build", "artifacts", "cache", ".devnet", "coverage", "ignition/deployments"],
};
