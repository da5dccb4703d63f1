import { createRequire } from "node:module";
import path from "node:path";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { defineConfig } from "hardhat/config";

import { projectTasks } from "./tasks/index.js";
import { DEV_MNEMONIC, LVM_DEVNET_CHAIN_ID } from "./ts/l2/genesis.js";

const require = createRequire(import.meta.url);

// The compiler is solc-js from npm: nothing is downloaded. Hardhat labels the build with
// `version`, so it is read from the installed package rather than typed by hand.
const solcPackage = require("solc/package.json") as { version: string };
const solcPath = path.join(path.dirname(require.resolve("solc/package.json")), "soljson.js");

const solcSettings = { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" };
// One build for every command: `ignition deploy` builds with the production profile, npm start and
// the tests with the default one. Hardhat makes production builds isolated (one compilation per
// file) with tool versions in the build info, so switching between them recompiled everything;
// with the same profile twice, each reuses the other's artifacts.
const buildProfile = {
  version: solcPackage.version,
  path: solcPath,
  settings: solcSettings,
  isolated: false,
  toolVersionsInBuildInfo: false,
};

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  tasks: projectTasks,
  solidity: {
    profiles: {
      default: buildProfile,
      production: buildProfile,
    },
  },
  paths: {
    tests: { mocha: "test", solidity: "test" },
    // Ignition modules live in deploy/modules (deployment journals in deploy/deployments).
    ignition: "deploy",
  },
  test: {
    mocha: { timeout: 600_000 },
    solidity: { fuzz: { runs: 256 } },
  },
  networks: {
    hardhat: { type: "edr-simulated", chainType: "l1" },
    localhost: { type: "http", chainType: "l1", url: "http://127.0.0.1:8545" },
    // The L2 node (ts/l2). Its dev accounts are the well-known mnemonic's, funded at genesis on
    // the devnet profile only: never put value behind them.
    lvm: {
      type: "http",
      chainType: "l1",
      url: process.env.LVM_RPC_URL ?? "http://127.0.0.1:8547",
      chainId: Number(LVM_DEVNET_CHAIN_ID),
      accounts: { mnemonic: DEV_MNEMONIC },
    },
  },
  typechain: { outDir: "types" },
});
