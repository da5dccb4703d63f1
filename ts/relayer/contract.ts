import { isCallException, isHexString, type ContractRunner, type ErrorDescription } from "ethers";

import type { BtcLightClient, BtcLightClient__factory } from "../../types/index.js";
import { RelayerError } from "./errors.js";
import type { Height, InternalHash, LightClientPort, SubmitReceipt } from "./types.js";

type Factory = typeof BtcLightClient__factory;
let factory: Promise<Factory> | undefined;

/**
 * The generated binding, loaded on first use: types/ exists only after `npx hardhat build`, which
 * the devnet and relay tasks run after loading this module.
 */
const lightClientFactory = (): Promise<Factory> =>
  (factory ??= import("../../types/index.js").then(
    (m) => m.BtcLightClient__factory,
    (e: unknown) => {
      factory = undefined; // a later build makes it loadable
      throw new RelayerError(
        "NO_BINDINGS",
        "no typechain bindings in types/: run `npx hardhat build`",
        "types/",
        {
          cause: e,
        },
      );
    },
  ));

/** A light-client revert decoded by name, with its arguments by name (bigints as they are). */
export interface DecodedRevert {
  readonly error: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly signature: string;
}

/**
 * Decodes revert data against BtcLightClient's ABI (every custom error of IBtcLightClient, and
 * Solidity's Error/Panic); undefined for data that is none of them or does not decode.
 */
export async function decodeLightClientError(data: string): Promise<DecodedRevert | undefined> {
  const iface = (await lightClientFactory()).createInterface();
  let described: ErrorDescription | null;
  try {
    described = iface.parseError(data);
  } catch {
    return undefined; // a known selector with arguments that do not decode
  }
  if (described === null) return undefined;
  const args: Record<string, unknown> = {};
  described.fragment.inputs.forEach((input, i) => (args[input.name || String(i)] = described.args[i]));
  return { error: described.name, args, signature: described.signature };
}

/** BtcLightClient reached through its typechain binding (any EVM JSON-RPC node, or EDR). */
export class EthersLightClient implements LightClientPort {
  readonly address: string;
  readonly #runner: ContractRunner;
  #contract: Promise<BtcLightClient> | undefined;

  constructor(address: string, runner: ContractRunner) {
    this.address = address;
    this.#runner = runner;
  }

  /** The typed contract. */
  contract(): Promise<BtcLightClient> {
    return (this.#contract ??= lightClientFactory().then((f) => f.connect(this.address, this.#runner)));
  }

  async bestBlock(): Promise<{ hash: InternalHash; height: Height }> {
    const [hash, height] = await (await this.contract()).bestBlock();
    return { hash: hash as InternalHash, height: Number(height) as Height };
  }

  async isInBestChain(hash: InternalHash, confirmations: number): Promise<boolean> {
    return (await this.contract()).isInBestChain(hash, confirmations);
  }

  async submitHeaders(headers: readonly Uint8Array[]): Promise<SubmitReceipt> {
    const lc = await this.contract();
    const data = Buffer.concat(headers.map((h) => Buffer.from(h)));
    try {
      const tx = await lc.submitHeaders(data);
      const receipt = await tx.wait();
      if (receipt === null) throw new RelayerError("SUBMIT_FAILED", "transaction dropped", tx.hash);
      const reorgTopic = lc.interface.getEvent("Reorg").topicHash;
      const reorg = receipt.logs.some(
        (l) => l.address.toLowerCase() === this.address.toLowerCase() && l.topics[0] === reorgTopic,
      );
      return { txHash: receipt.hash, gasUsed: receipt.gasUsed, reorg };
    } catch (e) {
      if (e instanceof RelayerError) throw e;
      const data = revertData(e);
      const revert = data === undefined ? undefined : await decodeLightClientError(data);
      if (revert !== undefined)
        throw new RelayerError(
          revert.error === "ForkNotHeavier" ? "FORK_NOT_HEAVIER" : "SUBMIT_FAILED",
          `light client refused the headers: ${revert.error}(${Object.entries(revert.args)
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(", ")})`,
          headers.length,
          { details: { error: revert.error, args: revert.args }, cause: e },
        );
      throw new RelayerError("SUBMIT_FAILED", e instanceof Error ? e.message : String(e), headers.length, {
        cause: e,
      });
    }
  }
}

/**
 * Revert data of a failed call. ethers puts it in `CallException.data`; providers that reject
 * during gas estimation (Hardhat's EDR, some nodes) nest it in their own error objects.
 */
function revertData(e: unknown, depth = 0): string | undefined {
  if (isCallException(e) && typeof e.data === "string" && e.data.length >= 10) return e.data;
  if (typeof e !== "object" || e === null || depth > 4) return undefined;
  const o = e as Record<string, unknown>;
  if (typeof o.data === "string" && isHexString(o.data) && o.data.length >= 10) return o.data;
  for (const key of ["data", "error", "info", "cause"]) {
    const found = revertData(o[key], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
