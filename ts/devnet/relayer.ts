/**
 * The header relayer as a devnet service. On start it deploys the system contracts through the
 * Ignition modules (deploy/modules/LvmSystem.ts with deploy/parameters/devnet.json: the light
 * client checkpointed at the regtest genesis, the batch verifier, WrappedBTC, the bridge
 * configured with both), journal in `<root>/deploy`, so a restart sends nothing; then it keeps
 * the light client at the L1's best chain.
 */
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";

import { JsonRpcProvider, Wallet } from "ethers";

// deploy/ (Ignition) is loaded only when something is to deploy: see ./warm-deploy.ts.
import type { SystemAddresses } from "../../deploy/index.js";
import type { BitcoinBackend } from "../btcnode/index.js";
import { EthersLightClient, Relayer } from "../relayer/index.js";
import { DEVNET_COMMITTEE_SIZE, bridgeInvariant, lvmBridge } from "./bridge.js";
import type { DevnetService, ServiceInfo } from "./index.js";
import { REPO_ROOT, deploymentKey, recordDeployment, warmDeployment } from "./warm-deploy.js";

export interface RelayerServiceOptions {
  /** Resolved once the L1 service started. */
  readonly l1: () => BitcoinBackend;
  readonly l2Url: () => string;
  /** Key paying the relayer's L2 gas (a dev account); it governs the bridge and deploys the system. */
  readonly privateKey: string;
  /** Hardhat's artifacts folder (default: the repository's `artifacts/`). */
  readonly artifacts?: string;
  readonly pollMs?: number;
}

/**
 * Deploys (or confirms, from the journal in `dir`) the system contracts. A journal whose
 * contracts the L2 lacks (its datadir was wiped) is dropped and the system deployed afresh.
 */
async function deployDevnetSystem(
  signer: Wallet & { readonly provider: JsonRpcProvider },
  dir: string,
  artifacts: string | undefined,
): Promise<SystemAddresses> {
  // A warm restart with nothing changed: the recorded addresses, checked on the L2.
  const parametersFile = path.join(REPO_ROOT, "deploy", "parameters", "devnet.json");
  const key = deploymentKey(
    artifacts ?? path.join(REPO_ROOT, "artifacts"),
    readFileSync(parametersFile, "utf8"),
  );
  const warm = await warmDeployment<SystemAddresses & Record<string, string>>(dir, key, signer.provider);
  if (warm !== undefined) return warm;
  const { DeployError, deploySystem, readSystemParameters, walletProvider } =
    await import("../../deploy/index.js");
  const opts = {
    provider: walletProvider(signer),
    parameters: readSystemParameters(parametersFile),
    deploymentDir: dir,
    ...(artifacts === undefined ? {} : { artifacts }),
  };
  let addresses: SystemAddresses;
  try {
    addresses = await deploySystem(opts);
  } catch (e) {
    if (!(e instanceof DeployError && e.code === "STALE_JOURNAL")) throw e;
    rmSync(dir, { recursive: true, force: true });
    addresses = await deploySystem(opts);
  }
  recordDeployment(dir, key, { ...addresses });
  return addresses;
}

export function relayerService(opts: RelayerServiceOptions): DevnetService {
  let relayer: Relayer | undefined;
  let provider: JsonRpcProvider | undefined;
  let stopping = false;
  return {
    name: "relayer",
    async start(root: string): Promise<ServiceInfo> {
      const source = opts.l1();
      provider = new JsonRpcProvider(opts.l2Url(), undefined, {
        staticNetwork: true,
        polling: true,
        pollingInterval: 250,
        // ethers' 250 ms request cache would serve a pre-block nonce on a chain this fast.
        cacheTimeout: -1,
      });
      const signer = new Wallet(opts.privateKey, provider) as Wallet & { readonly provider: JsonRpcProvider };
      const system = await deployDevnetSystem(signer, path.join(root, "deploy"), opts.artifacts);
      const address = system.lightClient;
      const client = new EthersLightClient(address, signer);
      relayer = new Relayer({
        source,
        client,
        pollMs: opts.pollMs ?? 1_000,
        onEvent: (e) => {
          if (e.kind === "error") console.error(`relayer: ${e.error.message}`);
          // Every new L1 block: BTC outside the L2 bridge must be backed by the pool on L1.
          if (e.kind === "submitted" && !stopping)
            void bridgeInvariant(source, lvmBridge(provider!)).then(
              (inv) => {
                if (!inv.holds)
                  console.error(
                    `BRIDGE INVARIANT BROKEN: ${inv.l2OutsideSats} sats outside the L2 bridge, ${inv.l1LockedSats} locked on L1`,
                  );
              },
              (err: unknown) => {
                if (!stopping) console.error(`bridge invariant check failed: ${String(err)}`);
              },
            );
        },
      });
      await relayer.syncOnce();
      relayer.start();
      const best = await client.bestBlock();
      const [lc, depth, pool] = await lvmBridge(provider).config();
      return {
        name: "Header relayer (L1 → BtcLightClient on L2) and bridge",
        lines: [
          `light client: ${address}`,
          `synced:       L1 height ${best.height}, following new blocks`,
          `bridge:       configured: light client ${lc}, ${depth} confirmation(s)`,
          `pool key:     ${pool} (devnet committee of ${DEVNET_COMMITTEE_SIZE}, public test keys)`,
          `batch verifier: WithdrawalBatch8Verifier ${system.batchVerifier}`,
          `WrappedBTC:   ${system.wrappedBtc}`,
          `deployed by:  the Ignition modules in deploy/modules (journal ${path.join(root, "deploy")})`,
        ],
      };
    },
    async stop(): Promise<void> {
      stopping = true;
      await relayer?.stop();
      relayer = undefined;
      provider?.destroy();
    },
  };
}
