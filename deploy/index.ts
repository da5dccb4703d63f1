/**
 * Deploys the system contracts through the same Ignition modules as
 * `npx hardhat ignition deploy deploy/modules/LvmSystem.ts`, from code: the devnet, tests and
 * scripts call {@link deploySystem} with any EIP-1193 provider that can send from the governor
 * (a Hardhat network connection's `provider`, or {@link walletProvider} over an ethers Wallet).
 *
 * With a `deploymentDir` the deployment keeps Ignition's journal there: a second call (a
 * restart) reconciles with it and sends nothing, and a call interrupted half-way resumes.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { errorDeploymentResultToExceptionMessage } from "@nomicfoundation/hardhat-ignition/helpers";
import {
  DeploymentResultType,
  deploy,
  type Artifact,
  type ArtifactResolver,
  type DeploymentParameters,
  type EIP1193Provider,
} from "@nomicfoundation/ignition-core";
import { isError, type JsonRpcProvider, type TransactionRequest, type Wallet } from "ethers";

import { LvmError } from "../ts/core/index.js";
import { BRIDGE_ADDRESS } from "../ts/l2/index.js";
import LvmSystem from "./modules/LvmSystem.js";

export { default as BatchVerifierModule } from "./modules/BatchVerifier.js";
export { default as BridgeConfigModule } from "./modules/BridgeConfig.js";
export { default as LightClientModule } from "./modules/LightClient.js";
export { default as DlcChannelsModule } from "./modules/DlcChannels.js";
export { default as WrappedBTCModule } from "./modules/WrappedBTC.js";
export { LvmSystem as LvmSystemModule };

export type DeployErrorCode =
  | "NO_SENDER" // the provider has no account to send from
  | "NO_BRIDGE" // no contract at the bridge address (the LVM genesis predeploys it)
  | "NOT_GOVERNOR" // the sender is not the bridge's governor: configure would revert
  | "DEPLOY_FAILED" // Ignition reported a validation, reconciliation or execution error
  | "STALE_JOURNAL" // the journal names a contract the chain does not have (chain wiped)
  | "UNKNOWN_ARTIFACT"; // no compiled contract of that name (run `npx hardhat build`)

/** A failed deployment of the system contracts. */
export class DeployError extends LvmError<DeployErrorCode> {
  override readonly name = "DeployError";
}

/** BtcLightClient's constructor: see deploy/modules/LightClient.ts. */
export interface LightClientParameters {
  /** The trusted 80-byte header, hex (0x-prefixed). */
  readonly checkpoint: string;
  readonly height: number;
  readonly powLimit: bigint;
  readonly retargeting: boolean;
}

/** LvmBridge.configure's arguments but the light client: see deploy/modules/BridgeConfig.ts. */
export interface BridgeParameters {
  /** Default: the LVM predeploy, BRIDGE_ADDRESS. */
  readonly bridge?: string;
  readonly confirmations: number;
  /** x-only taproot output key of the committee's pool (bytes32 hex). */
  readonly poolKey: string;
}

export interface SystemParameters {
  readonly lightClient: LightClientParameters;
  readonly bridge: BridgeParameters;
}

/** Where the system contracts are. */
export interface SystemAddresses {
  readonly lightClient: string;
  readonly batchVerifier: string;
  readonly bridge: string;
  readonly wrappedBtc: string;
}

export interface DeploySystemOptions {
  readonly provider: EIP1193Provider;
  /** Hardhat's artifacts folder, or a resolver (e.g. hardhat-ignition's over `hre.artifacts`). */
  readonly artifacts?: string | ArtifactResolver;
  readonly parameters: SystemParameters;
  /** Default: the provider's first account. It must be the bridge's governor. */
  readonly sender?: string;
  /** Ignition's journal; without it the deployment is not resumable. */
  readonly deploymentDir?: string;
  /** Blocks to wait for each transaction (default 1: a devnet or a test). */
  readonly requiredConfirmations?: number;
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The parameters file Ignition takes (`--parameters`), keyed by module id. */
export function ignitionParameters(p: SystemParameters): DeploymentParameters {
  return {
    LightClient: {
      checkpoint: p.lightClient.checkpoint,
      height: BigInt(p.lightClient.height),
      powLimit: p.lightClient.powLimit,
      retargeting: p.lightClient.retargeting,
    },
    BridgeConfig: {
      bridge: p.bridge.bridge ?? BRIDGE_ADDRESS,
      confirmations: BigInt(p.bridge.confirmations),
      poolKey: p.bridge.poolKey,
    },
  };
}

/** The parameters of an Ignition parameters file (e.g. deploy/parameters/devnet.json). */
export function readSystemParameters(file: string): SystemParameters {
  const p = JSON.parse(readFileSync(file, "utf8")) as {
    LightClient: { checkpoint: string; height: string | number; powLimit: string; retargeting: boolean };
    BridgeConfig: { bridge?: string; confirmations: string | number; poolKey: string };
  };
  // Ignition writes bigints as "123n".
  const big = (v: string | number): bigint => BigInt(typeof v === "string" ? v.replace(/n$/, "") : v);
  return {
    lightClient: {
      checkpoint: p.LightClient.checkpoint,
      height: Number(big(p.LightClient.height)),
      powLimit: big(p.LightClient.powLimit),
      retargeting: p.LightClient.retargeting,
    },
    bridge: {
      ...(p.BridgeConfig.bridge === undefined ? {} : { bridge: p.BridgeConfig.bridge }),
      confirmations: Number(big(p.BridgeConfig.confirmations)),
      poolKey: p.BridgeConfig.poolKey,
    },
  };
}

/** deploy/parameters/devnet.json: the regtest genesis, the devnet committee's pool, one confirmation. */
export const DEVNET_PARAMETERS_FILE = path.join(REPO_ROOT, "deploy", "parameters", "devnet.json");

/**
 * Deploys (or, with a journal, resumes or confirms) the light client, the batch verifier,
 * WrappedBTC, and configures the bridge with the first two. Checks before sending anything that
 * the bridge exists and the sender governs it, and after that every contract has code.
 */
export async function deploySystem(opts: DeploySystemOptions): Promise<SystemAddresses> {
  const { provider } = opts;
  const accounts = (await provider.request({ method: "eth_accounts" })) as string[];
  const sender = opts.sender ?? accounts[0];
  if (sender === undefined) throw new DeployError("NO_SENDER", "the provider has no account to send from");

  const bridge = opts.parameters.bridge.bridge ?? BRIDGE_ADDRESS;
  if ((await codeAt(provider, bridge)) === "0x")
    throw new DeployError("NO_BRIDGE", `no bridge contract at ${bridge}`, { value: bridge });
  // The generated binding exists after `npx hardhat build`, which callers run after importing this.
  const { LvmBridge__factory } = await import("../types/index.js").catch((e: unknown) => {
    throw new DeployError("UNKNOWN_ARTIFACT", "no typechain bindings in types/: run `npx hardhat build`", {
      value: "types/",
      cause: e,
    });
  });
  const iface = LvmBridge__factory.createInterface();
  const [governor] = iface.decodeFunctionResult(
    "governor",
    (await provider.request({
      method: "eth_call",
      params: [{ to: bridge, data: iface.encodeFunctionData("governor") }, "latest"],
    })) as string,
  ) as unknown as [string];
  if (governor.toLowerCase() !== sender.toLowerCase())
    throw new DeployError("NOT_GOVERNOR", `${sender} is not the bridge's governor ${governor}`, {
      value: sender,
      details: { governor, bridge },
    });

  const result = await deploy({
    config: { requiredConfirmations: opts.requiredConfirmations ?? 1 },
    artifactResolver:
      typeof opts.artifacts === "object"
        ? opts.artifacts
        : artifactsDir(opts.artifacts ?? path.join(REPO_ROOT, "artifacts")),
    provider,
    ...(opts.deploymentDir === undefined ? {} : { deploymentDir: opts.deploymentDir }),
    ignitionModule: LvmSystem,
    deploymentParameters: ignitionParameters(opts.parameters),
    accounts,
    defaultSender: sender,
  });
  if (result.type !== DeploymentResultType.SUCCESSFUL_DEPLOYMENT)
    throw new DeployError("DEPLOY_FAILED", errorDeploymentResultToExceptionMessage(result), {
      details: { result: result.type },
    });

  // Deployed contracts are keyed by future id ("LightClient#BtcLightClient").
  const at = (name: keyof SystemAddresses): string => {
    const c = result.contracts[LvmSystem.results[name].id];
    if (c === undefined)
      throw new DeployError("DEPLOY_FAILED", `Ignition reported no ${name}`, { value: name });
    return c.address;
  };
  const addresses: SystemAddresses = {
    lightClient: at("lightClient"),
    batchVerifier: at("batchVerifier"),
    bridge: at("bridge"),
    wrappedBtc: at("wrappedBtc"),
  };
  for (const [name, address] of Object.entries(addresses))
    if ((await codeAt(provider, address)) === "0x")
      throw new DeployError("STALE_JOURNAL", `the journal's ${name} ${address} has no code on this chain`, {
        value: address,
        details: { deploymentDir: opts.deploymentDir },
      });
  return addresses;
}

async function codeAt(provider: EIP1193Provider, address: string): Promise<string> {
  return (await provider.request({ method: "eth_getCode", params: [address, "latest"] })) as string;
}

/**
 * Ignition's artifact resolver over a Hardhat artifacts folder (`artifacts/contracts/**`), for
 * callers without a Hardhat runtime. Build info is not needed to deploy, so none is stored.
 */
export function artifactsDir(dir: string): ArtifactResolver {
  let index: Map<string, string> | undefined;
  const find = (name: string): string => {
    index ??= indexArtifacts(path.join(dir, "contracts"));
    const file = index.get(name);
    if (file === undefined)
      throw new DeployError("UNKNOWN_ARTIFACT", `no artifact for ${name} under ${dir}`, { value: name });
    return file;
  };
  return {
    loadArtifact: async (name) => JSON.parse(readFileSync(find(name), "utf8")) as Artifact,
    getBuildInfo: async () => undefined,
  };
}

function indexArtifacts(dir: string, out = new Map<string, string>()): Map<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) indexArtifacts(full, out);
    else if (entry.name.endsWith(".json") && !entry.name.endsWith(".dbg.json"))
      out.set(entry.name.slice(0, -".json".length), full);
  }
  return out;
}

interface RpcTransaction {
  from: string;
  to?: string;
  data?: string;
  value?: string;
  nonce?: string;
  gas?: string;
  gasPrice?: string;
  maxFeePerGas?: string;
  maxPriorityFeePerGas?: string;
}

/**
 * An EIP-1193 provider that sends as `wallet`: `eth_accounts` is the wallet's address,
 * `eth_sendTransaction` is signed locally and sent raw (nodes like the LVM L2 hold no keys);
 * everything else goes to the wallet's JSON-RPC provider, JSON-RPC errors kept as they are.
 */
export function walletProvider(wallet: Wallet & { readonly provider: JsonRpcProvider }): EIP1193Provider {
  const rpc = wallet.provider;
  const send = async (method: string, params: unknown[]): Promise<unknown> => {
    try {
      return await rpc.send(method, params);
    } catch (e) {
      // ethers wraps the node's error; Ignition reads `code`, `message` and `data` (revert data).
      if (isError(e, "UNKNOWN_ERROR") || isError(e, "CALL_EXCEPTION")) {
        const inner = (e as { error?: { code?: number; message?: string; data?: unknown } }).error;
        if (inner?.code !== undefined)
          throw Object.assign(new Error(inner.message ?? e.message), { code: inner.code, data: inner.data });
      }
      throw e;
    }
  };
  return {
    async request({ method, params }) {
      const args = (params ?? []) as unknown[];
      if (method === "eth_accounts" || method === "eth_requestAccounts") return [wallet.address];
      if (method !== "eth_sendTransaction") return send(method, args);
      const tx = args[0] as RpcTransaction;
      if (tx.from.toLowerCase() !== wallet.address.toLowerCase())
        throw new DeployError("NO_SENDER", `cannot sign for ${tx.from}`, { value: tx.from });
      const big = (v: string | undefined): bigint | undefined => (v === undefined ? undefined : BigInt(v));
      const request: TransactionRequest = {
        to: tx.to ?? null,
        data: tx.data ?? "0x",
        value: big(tx.value) ?? 0n,
        ...(tx.nonce === undefined ? {} : { nonce: Number(tx.nonce) }),
        ...(tx.gas === undefined ? {} : { gasLimit: big(tx.gas) }),
        ...(tx.gasPrice === undefined
          ? { maxFeePerGas: big(tx.maxFeePerGas), maxPriorityFeePerGas: big(tx.maxPriorityFeePerGas) }
          : { gasPrice: big(tx.gasPrice) }),
      };
      const signed = await wallet.signTransaction(await wallet.populateTransaction(request));
      return send("eth_sendRawTransaction", [signed]);
    },
  };
}
