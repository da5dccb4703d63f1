/**
 * The OP-DLC bridge as a devnet service: deploys `DlcChannels` through its Ignition module
 * (deploy/modules/DlcChannels.ts, journal in `<root>/dlc/ignition`, so a restart sends nothing)
 * with the bridge's light client and depth, runs the oracle federation's `OracleService` and its
 * JSON-RPC, and records both in `<root>/dlc.json` (read by the `dlc:*` tasks and the dashboard).
 * The federation's L2 account is dev account #3 (`dlc:open --fedaccount`'s default); the oracle's
 * key is a public test key, like the mnemonic.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { schnorr } from "@noble/curves/secp256k1.js";
import { JsonRpcProvider, Wallet } from "ethers";

import { bytesToHex } from "../bitcoin/index.js";
import type { BitcoinBackend } from "../btcnode/index.js";
import { serveOracleRpc, writeAtomic, type OracleRpc } from "../dlc/index.js";
import { OracleService } from "../dlc/service.js";
import { devAccounts } from "../l2/index.js";
import { lvmBridge } from "./bridge.js";
import { notStarted, type DevnetService, type ServiceInfo } from "./index.js";
import { deploymentKey, recordDeployment, warmDeployment } from "./warm-deploy.js";

/** What `<root>/dlc.json` records: where the OP-DLC bridge's contract and oracle are. */
export interface DlcEndpoints {
  /** DlcChannels on the L2. */
  readonly contract: string;
  /** The oracle federation's JSON-RPC (dlc_announcement, dlc_attestation, …). */
  readonly oracleUrl: string;
  /** The oracle's BIP340 key (x-only hex). */
  readonly oracleKey: string;
  /** The L2 account that records channels. */
  readonly federation: string;
}

export const DLC_ENDPOINTS_FILE = "dlc.json";

/** `<root>/dlc.json`, if a devnet wrote it. */
export function readDlcEndpoints(root: string): DlcEndpoints | undefined {
  const file = path.join(root, DLC_ENDPOINTS_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as DlcEndpoints) : undefined;
}

/** The devnet oracle's key: public, deterministic (never on a real network). */
export const devnetOracleSecret = (): Uint8Array =>
  schnorr.utils.taggedHash("LVM/dlc/devnet/oracle-key", new TextEncoder().encode("oracle 0"));

/** Dev account index of the federation's L2 account. */
export const DLC_FEDERATION_ACCOUNT = 3;

export interface DlcServiceOptions {
  readonly l1: () => BitcoinBackend;
  readonly l2Url: () => string;
  /** The oracle's JSON-RPC port on 127.0.0.1 (0 picks one). */
  readonly port: number;
  readonly pollMs?: number;
  /** Hardhat's artifacts folder (default: the repository's). */
  readonly artifacts?: string;
  readonly log?: (line: string) => void;
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** DlcChannels through its Ignition module (loaded here only: a warm restart does without it). */
async function deployDlcChannels(
  fed: Wallet & { readonly provider: JsonRpcProvider },
  journal: string,
  artifacts: string,
  parameters: { lightClient: string; confirmations: bigint; federation: string },
): Promise<string> {
  const [{ DeploymentResultType, deploy }, { artifactsDir, DeployError, DlcChannelsModule, walletProvider }] =
    await Promise.all([import("@nomicfoundation/ignition-core"), import("../../deploy/index.js")]);
  // A journal whose contract the chain no longer has (the L2 state was wiped): deploy afresh.
  const recorded = path.join(journal, "deployed_addresses.json");
  if (existsSync(recorded)) {
    const saved = JSON.parse(readFileSync(recorded, "utf8")) as Record<string, string>;
    const at = saved[DlcChannelsModule.results.dlcChannels.id];
    if (at === undefined || (await fed.provider.getCode(at)) === "0x") rmSync(journal, { recursive: true });
  }
  const result = await deploy({
    config: { requiredConfirmations: 1 },
    artifactResolver: artifactsDir(artifacts),
    provider: walletProvider(fed),
    deploymentDir: journal,
    ignitionModule: DlcChannelsModule,
    deploymentParameters: { DlcChannels: parameters },
    accounts: [fed.address],
    defaultSender: fed.address,
  });
  if (result.type !== DeploymentResultType.SUCCESSFUL_DEPLOYMENT)
    throw new DeployError("DEPLOY_FAILED", `dlc: DlcChannels deployment failed (${result.type})`, {
      value: result.type,
      details: { result },
    });
  return result.contracts[DlcChannelsModule.results.dlcChannels.id]!.address;
}

export function dlcService(opts: DlcServiceOptions): DevnetService & { endpoints(): DlcEndpoints } {
  let provider: JsonRpcProvider | undefined;
  let svc: OracleService | undefined;
  let rpc: OracleRpc | undefined;
  let endpoints: DlcEndpoints | undefined;
  return {
    name: "dlc",
    endpoints(): DlcEndpoints {
      if (endpoints === undefined) throw notStarted("dlc");
      return endpoints;
    },
    async start(root: string): Promise<ServiceInfo> {
      provider = new JsonRpcProvider(opts.l2Url(), undefined, {
        staticNetwork: true,
        cacheTimeout: -1,
        pollingInterval: 250,
      });
      const fed = new Wallet(devAccounts()[DLC_FEDERATION_ACCOUNT]!.privateKey, provider) as Wallet & {
        readonly provider: JsonRpcProvider;
      };
      // The bridge's light client and depth (configured by the relayer, which starts first).
      const [lightClient, confirmations] = await lvmBridge(provider).config();
      const journal = path.join(root, "dlc", "ignition");
      const artifacts = opts.artifacts ?? path.join(REPO_ROOT, "artifacts");
      const parameters = { lightClient, confirmations, federation: fed.address };
      const key = deploymentKey(artifacts, parameters);
      // A warm restart with nothing changed: the recorded address, checked on the L2; else Ignition.
      const contract =
        (await warmDeployment<{ contract: string }>(journal, key, provider))?.contract ??
        (await deployDlcChannels(fed, journal, artifacts, parameters));
      recordDeployment(journal, key, { contract });
      const oracleSecret = devnetOracleSecret();
      svc = new OracleService({
        backend: opts.l1(),
        l2RpcUrl: opts.l2Url(),
        contract,
        signer: fed,
        datadir: root,
        oracleSecret,
        ...(opts.pollMs === undefined ? {} : { pollMs: opts.pollMs }),
        log: opts.log ?? ((l) => console.log(l)),
      });
      await svc.start();
      rpc = await serveOracleRpc(svc, { port: opts.port });
      endpoints = {
        contract,
        oracleUrl: rpc.url,
        oracleKey: bytesToHex(schnorr.getPublicKey(oracleSecret)),
        federation: fed.address,
      };
      writeAtomic(path.join(root, DLC_ENDPOINTS_FILE), endpoints);
      return {
        name: "OP-DLC bridge (DlcChannels on L2, oracle federation)",
        lines: [
          `DlcChannels: ${contract}   (federation: dev account #${DLC_FEDERATION_ACCOUNT} ${fed.address})`,
          `oracle RPC:  ${rpc.url}   key ${endpoints.oracleKey} (public test key)`,
          `recorded in: ${path.join(root, DLC_ENDPOINTS_FILE)}`,
        ],
        next: ["npx hardhat dlc:open --amount 1            # then dlc:withdraw, dlc:status"],
      };
    },
    async stop(): Promise<void> {
      await rpc?.close();
      rpc = undefined;
      await svc?.stop();
      svc = undefined;
      provider?.destroy();
      provider = undefined;
    },
  };
}
