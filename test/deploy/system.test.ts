/**
 * The Ignition modules in deploy/modules: deployed in-process (Hardhat's ignition helper and
 * deploySystem), then by the CLI a user runs, `hardhat ignition deploy … --network lvm`, against
 * a foreign EVM node (anvil from npm, chain id set to the LVM devnet's). Each run checks the
 * wiring: the light client's checkpoint and rules, the bridge's configuration and verifier, and
 * WrappedBTC. The bridge is the LVM genesis' predeploy; on other nodes the test installs its code
 * and governor the way the genesis does (setCode + the governor slot).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";
import { JsonRpcProvider, Wallet, zeroPadValue, type Provider } from "ethers";
import { network } from "hardhat";

import {
  DEVNET_PARAMETERS_FILE,
  DeployError,
  type DeployErrorCode,
  LvmSystemModule,
  deploySystem,
  readSystemParameters,
  walletProvider,
  type SystemAddresses,
  type SystemParameters,
} from "../../deploy/index.js";
import { sha256d } from "../../ts/bitcoin/index.js";
import { bridgeParams } from "../../ts/bridge/index.js";
import { REGTEST, genesisBlock } from "../../ts/btcnode/index.js";
import { devnetPoolKey } from "../../ts/devnet/bridge.js";
import { BRIDGE_ADDRESS, BRIDGE_GOVERNOR_SLOT, LVM_DEVNET_CHAIN_ID, devAccounts } from "../../ts/l2/index.js";
import { BtcLightClient__factory, LvmBridge__factory, WrappedBTC__factory } from "../../types/index.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const PARAMETERS_FILE = DEVNET_PARAMETERS_FILE;

/** deploy/parameters/devnet.json as deploySystem takes it. */
const PARAMS: SystemParameters = readSystemParameters(PARAMETERS_FILE);

const accounts = devAccounts();
const governor = accounts[9]!;
const runtimeOf = (artifact: string): string =>
  (
    JSON.parse(readFileSync(path.join(REPO_ROOT, "artifacts/contracts", `${artifact}.json`), "utf8")) as {
      deployedBytecode: string;
    }
  ).deployedBytecode;
const bridgeRuntime = runtimeOf("bridge/LvmBridge.sol/LvmBridge");

type Rpc = (method: string, params: unknown[]) => Promise<unknown>;

/** Installs LvmBridge at `address` governed by `gov`, as the LVM genesis does. */
async function predeployBridge(rpc: Rpc, prefix: "hardhat" | "anvil", address: string, gov: string) {
  await rpc(`${prefix}_setCode`, [address, bridgeRuntime]);
  await rpc(`${prefix}_setStorageAt`, [address, BRIDGE_GOVERNOR_SLOT, zeroPadValue(gov, 32)]);
}

/** A regtest-difficulty header on `prev` (about two attempts). */
function mineHeader(prev: Uint8Array): Uint8Array {
  const h = new Uint8Array(80);
  const v = new DataView(h.buffer);
  v.setUint32(0, 4, true);
  h.set(prev, 4);
  v.setUint32(68, 1_700_000_000, true);
  v.setUint32(72, 0x207fffff, true);
  for (let nonce = 0; ; nonce++) {
    v.setUint32(76, nonce, true);
    if (BigInt(`0x${Buffer.from(sha256d(h)).reverse().toString("hex")}`) <= PARAMS.lightClient.powLimit)
      return h;
  }
}

/** What the modules must have wired, read back through the typechain bindings. */
async function checkWiring(provider: Provider, a: SystemAddresses, bridgeAddress = BRIDGE_ADDRESS) {
  const checkpoint = Buffer.from(PARAMS.lightClient.checkpoint.slice(2), "hex");
  const lc = BtcLightClient__factory.connect(a.lightClient, provider);
  const [tip, height] = await lc.bestBlock();
  expect(tip).to.equal(`0x${Buffer.from(sha256d(checkpoint)).toString("hex")}`);
  expect(height).to.equal(BigInt(PARAMS.lightClient.height));
  expect(await lc.powLimit()).to.equal(PARAMS.lightClient.powLimit);
  expect(await lc.retargeting()).to.equal(PARAMS.lightClient.retargeting);

  expect(a.bridge.toLowerCase()).to.equal(bridgeAddress.toLowerCase());
  const bridge = LvmBridge__factory.connect(a.bridge, provider);
  const [lightClient, confirmations, poolKey] = await bridge.config();
  expect(lightClient).to.equal(a.lightClient);
  expect(confirmations).to.equal(BigInt(PARAMS.bridge.confirmations));
  expect(poolKey).to.equal(PARAMS.bridge.poolKey);
  expect(await bridge.batchVerifier()).to.equal(a.batchVerifier);
  expect(await provider.getCode(a.batchVerifier)).to.equal(
    runtimeOf("zk/WithdrawalBatch8Verifier.sol/WithdrawalBatch8Verifier"),
  );
  const wbtc = WrappedBTC__factory.connect(a.wrappedBtc, provider);
  expect(await wbtc.symbol()).to.equal("WBTC");
  expect(await wbtc.totalSupply()).to.equal(0n);
  return { lc, checkpoint };
}

describe("deploy: the system contracts through Ignition", function () {
  it("deploy/parameters/devnet.json is the devnet's configuration", function () {
    const genesis = genesisBlock(REGTEST).header.encode();
    expect(PARAMS.lightClient.checkpoint).to.equal(`0x${Buffer.from(genesis).toString("hex")}`);
    // Core's regtest powLimit, 0x7fffff·2^232 (bits 0x207fffff), and no retargeting.
    expect(PARAMS.lightClient.powLimit).to.equal(0x7fffffn << 232n);
    expect(REGTEST.powLimitBits).to.equal(0x207fffff);
    expect(PARAMS.lightClient.retargeting).to.equal(!REGTEST.powNoRetargeting);
    expect(PARAMS.bridge.poolKey).to.equal(devnetPoolKey());
    expect(PARAMS.bridge.confirmations).to.equal(bridgeParams("devnet").pegInConfirmations);
  });

  it("deploys in-process with Hardhat's ignition helper, and the light client follows its checkpoint", async function () {
    const conn = await network.create();
    const rpc: Rpc = (method, params) => conn.provider.request({ method, params });
    await predeployBridge(rpc, "hardhat", BRIDGE_ADDRESS, governor.address);
    const deployed = await conn.ignition.deploy(LvmSystemModule, {
      parameters: PARAMETERS_FILE,
      defaultSender: governor.address,
    });
    const a: SystemAddresses = {
      lightClient: await deployed.lightClient.getAddress(),
      batchVerifier: await deployed.batchVerifier.getAddress(),
      bridge: await deployed.bridge.getAddress(),
      wrappedBtc: await deployed.wrappedBtc.getAddress(),
    };
    const signer = await conn.ethers.getSigner(governor.address);
    const { lc, checkpoint } = await checkWiring(conn.ethers.provider, a);
    // The checkpoint is the regtest genesis: a header mined on it extends the client.
    await (await lc.connect(signer).submitHeaders(mineHeader(sha256d(checkpoint)))).wait();
    expect((await lc.bestBlock())[1]).to.equal(1n);
    // The bridge was configured once: a second configuration is refused by name.
    await expect(
      LvmBridge__factory.connect(a.bridge, signer).configure(a.lightClient, 1, PARAMS.bridge.poolKey),
    ).to.be.revertedWithCustomError(LvmBridge__factory.connect(a.bridge, signer), "AlreadyConfigured");
  });

  it("deploySystem resumes from its journal, and refuses a missing bridge, a non-governor, a stale journal", async function () {
    const conn = await network.create();
    const rpc: Rpc = (method, params) => conn.provider.request({ method, params });
    const journal = mkdtempSync(path.join(tmpdir(), "lvm-deploy-"));
    try {
      const opts = {
        provider: conn.provider,
        parameters: PARAMS,
        sender: governor.address,
        deploymentDir: journal,
      };
      await rejectsWith(deploySystem(opts), "NO_BRIDGE");
      await predeployBridge(rpc, "hardhat", BRIDGE_ADDRESS, governor.address);
      await rejectsWith(deploySystem({ ...opts, sender: accounts[0]!.address }), "NOT_GOVERNOR");

      const first = await deploySystem(opts);
      await checkWiring(conn.ethers.provider, first);
      const nonce = await conn.ethers.provider.getTransactionCount(governor.address);
      expect(nonce).to.equal(5); // three contracts, two bridge calls
      // A restart: the journal says everything is done, nothing is sent again.
      expect(await deploySystem(opts)).to.deep.equal(first);
      expect(await conn.ethers.provider.getTransactionCount(governor.address)).to.equal(nonce);

      // A wiped chain under the same journal: refused, not reported as deployed.
      const fresh = await network.create();
      await predeployBridge(
        (method, params) => fresh.provider.request({ method, params }),
        "hardhat",
        BRIDGE_ADDRESS,
        governor.address,
      );
      await rejectsWith(deploySystem({ ...opts, provider: fresh.provider }), "STALE_JOURNAL");
    } finally {
      rmSync(journal, { recursive: true, force: true });
    }
  });

  describe("on an anvil node", function () {
    let anvil: ChildProcess | undefined;
    let url: string;
    let rpc: Rpc;
    const deploymentId = `test-anvil-${process.pid}`;

    before(async function () {
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      // Interval mining (1 s): the CLI waits for Ignition's default confirmations on a live chain.
      anvil = spawn(
        path.join(REPO_ROOT, "node_modules", ".bin", "anvil"),
        [
          "--host",
          "127.0.0.1",
          "--port",
          String(port),
          "--chain-id",
          String(LVM_DEVNET_CHAIN_ID),
          "--block-time",
          "1",
        ],
        { stdio: "ignore" },
      );
      rpc = async (method, params) => {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
        });
        const body = (await res.json()) as { result?: unknown; error?: { message: string } };
        if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
        return body.result;
      };
      for (let i = 0; ; i++) {
        try {
          await rpc("eth_chainId", []);
          break;
        } catch (e) {
          if (i > 100 || anvil.exitCode !== null)
            throw new Error(`anvil did not start at ${url}`, { cause: e });
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    });

    after(function () {
      anvil?.kill("SIGTERM");
      rmSync(path.join(REPO_ROOT, "deploy", "deployments", deploymentId), { recursive: true, force: true });
    });

    it("`hardhat ignition deploy deploy/modules/LvmSystem.ts --network lvm` wires the system", async function () {
      await predeployBridge(rpc, "anvil", BRIDGE_ADDRESS, governor.address);
      const out = await run(
        path.join(REPO_ROOT, "node_modules", ".bin", "hardhat"),
        [
          "ignition",
          "deploy",
          "deploy/modules/LvmSystem.ts",
          "--network",
          "lvm",
          "--parameters",
          "deploy/parameters/devnet.json",
          "--default-sender",
          governor.address,
          "--deployment-id",
          deploymentId,
          // The profile this test run built (the production one has the same settings): no
          // second compilation of the whole project.
          "--build-profile",
          "default",
        ],
        { LVM_RPC_URL: url, HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: "1" },
      );
      const deployed = JSON.parse(
        readFileSync(
          path.join(REPO_ROOT, "deploy", "deployments", deploymentId, "deployed_addresses.json"),
          "utf8",
        ),
      ) as Record<string, string>;
      const a: SystemAddresses = {
        lightClient: deployed["LightClient#BtcLightClient"]!,
        batchVerifier: deployed["BatchVerifier#WithdrawalBatch8Verifier"]!,
        bridge: deployed["BridgeConfig#LvmBridge"]!,
        wrappedBtc: deployed["WrappedBTC#WrappedBTC"]!,
      };
      expect(out, out).to.include(a.lightClient);
      const provider = new JsonRpcProvider(url, Number(LVM_DEVNET_CHAIN_ID), { staticNetwork: true });
      await checkWiring(provider, a);
      provider.destroy();
    });

    it("deploySystem over walletProvider (a node without keys) configures another bridge", async function () {
      const other = "0x0000000000000000000000000000000000002000";
      const operatorKey = accounts[8]!;
      await predeployBridge(rpc, "anvil", other, operatorKey.address);
      const provider = new JsonRpcProvider(url, Number(LVM_DEVNET_CHAIN_ID), {
        staticNetwork: true,
        cacheTimeout: -1,
      });
      const wallet = new Wallet(operatorKey.privateKey, provider) as Wallet & { provider: JsonRpcProvider };
      const a = await deploySystem({
        provider: walletProvider(wallet),
        parameters: { ...PARAMS, bridge: { ...PARAMS.bridge, bridge: other } },
      });
      await checkWiring(provider, a, other);
      provider.destroy();
    });
  });
});

/** Awaits `p`, which must reject with a DeployError of `code`. */
async function rejectsWith(p: Promise<unknown>, code: DeployErrorCode): Promise<void> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, `expected ${code}`).to.be.instanceOf(DeployError);
  expect((e as DeployError).code).to.equal(code);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Runs a command in the repository; resolves with its output, rejects on a non-zero exit. */
function run(cmd: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}:\n${out}`)),
    );
  });
}
