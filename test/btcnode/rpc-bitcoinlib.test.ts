/**
 * The L1 node driven by an independent client: Debian's python3-bitcoinlib builds, signs, sends,
 * mines and reorgs through `bitcoin.rpc.Proxy`, and parses the node's raw blocks and transactions
 * with its own code. `.ci/run` installs the package with apt; without it this test is skipped and
 * says so.
 */
import { execFile, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";

import { startRegtestNode, type RunningNode } from "../../ts/btcnode/index.js";
import { tmpDir } from "./wallet.js";

/** Debian's interpreter (where apt installs the package), else whatever python3 is on PATH. */
const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
const hasBitcoinlib = () => spawnSync(PYTHON, ["-c", "import bitcoin.rpc"], { stdio: "ignore" }).status === 0;

describe("btcnode: driven by python-bitcoinlib (an independent client)", function () {
  let running: RunningNode;
  const tmp = tmpDir();

  before(async function () {
    if (!hasBitcoinlib()) {
      console.warn(
        `    python3-bitcoinlib is not installed for ${PYTHON} (apt-get install python3-bitcoinlib): skipped`,
      );
      this.skip();
    }
    running = await startRegtestNode({
      datadir: tmp.dir,
      rpcPort: 0,
      rpcUser: "lvm",
      rpcPassword: "pw",
      sync: false,
    });
  });
  after(async () => {
    await running?.stop();
    tmp.cleanup();
  });

  it("builds, signs, sends, mines and reorgs", async function () {
    const url = running.rpcUrl.replace("http://", "http://lvm:pw@");
    const script = path.join(import.meta.dirname, "python", "bitcoinlib_client.py");
    // The node runs in this process: the client runs as a child, asynchronously.
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(PYTHON, [script, url], { timeout: 120_000 }, (err, out, errOut) =>
        err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out),
      );
    });
    const seen = JSON.parse(stdout.trim().split("\n").pop()!) as Record<string, unknown>;
    expect(seen).to.deep.equal({
      validateaddress: seen.validateaddress,
      mined: 101,
      block_hash_matches: true,
      header_matches: true,
      legacy_txid_matches: true,
      legacy_in_mempool: true,
      legacy_confirmations: 1,
      legacy_output_value: 50 * 100_000_000 - 10_000,
      segwit_txid_matches: true,
      segwit_roundtrip: true,
      node_signed_complete: true,
      node_signature_verified_by_bitcoinlib: true,
      reorg_tip_back: true,
      reorg_tx_back_in_mempool: true,
      reorg_height: 2,
      reorg_new_tip: true,
      reorg_tx_confirmed_on_branch: 2,
      reorg_longer_branch_kept: true,
      chaintips: ["active", "valid-fork"],
      spent_coin_gone: true,
      // Core: its input is spent ("bad-txns-inputs-missingorspent", RPC_TRANSACTION_ERROR).
      double_spend_refused: -25,
      segwit_block: true,
    });
    expect(seen.validateaddress).to.match(/^bcrt1q/);
  });
});
