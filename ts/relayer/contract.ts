import {
  Contract,
  type ContractRunner,
  type Interface,
  type Log,
  isCallException,
  isHexString,
} from "ethers";

import { RelayerError } from "./errors.js";
import type { Height, InternalHash, LightClientPort, SubmitReceipt } from "./types.js";

/** The part of BtcLightClient's ABI the relayer uses (contracts/bitcoin/IBtcLightClient.sol). */
export const LIGHT_CLIENT_ABI = [
  "function submitHeaders(bytes headers)",
  "function bestBlock() view returns (bytes32 hash, uint256 height, uint256 chainWork)",
  "function isInBestChain(bytes32 blockHash, uint256 confirmations) view returns (bool)",
  "event ChainExtended(bytes32 indexed tip, uint256 height, uint256 fromHeight)",
  "event Reorg(bytes32 indexed oldTip, bytes32 indexed newTip, uint256 forkHeight, uint256 oldHeight, uint256 newHeight)",
  "error HeaderBatchLength(uint256 length)",
  "error UnknownParent(uint256 index, bytes32 headerHash, bytes32 prevHash, uint256 parentHeight)",
  "error BrokenLink(uint256 index, bytes32 headerHash, bytes32 expectedPrev, bytes32 actualPrev)",
  "error UnexpectedBits(uint256 index, bytes32 headerHash, uint32 expected, uint32 actual)",
  "error InsufficientProofOfWork(uint256 index, bytes32 headerHash, uint256 target)",
  "error ForkNotHeavier(bytes32 branchTip, uint256 branchWork, uint256 bestWork)",
] as const;

/** BtcLightClient reached through ethers (any EVM JSON-RPC node, or Hardhat's EDR). */
export class EthersLightClient implements LightClientPort {
  readonly contract: Contract;
  readonly #iface: Interface;

  constructor(address: string, runner: ContractRunner) {
    this.contract = new Contract(address, LIGHT_CLIENT_ABI, runner);
    this.#iface = this.contract.interface;
  }

  async bestBlock(): Promise<{ hash: InternalHash; height: Height }> {
    const [hash, height] = (await this.contract.getFunction("bestBlock").staticCall()) as [
      string,
      bigint,
      bigint,
    ];
    return { hash: hash as InternalHash, height: Number(height) as Height };
  }

  async isInBestChain(hash: InternalHash, confirmations: number): Promise<boolean> {
    return (await this.contract.getFunction("isInBestChain").staticCall(hash, confirmations)) as boolean;
  }

  async submitHeaders(headers: readonly Uint8Array[]): Promise<SubmitReceipt> {
    const data = Buffer.concat(headers.map((h) => Buffer.from(h)));
    try {
      const tx = await this.contract.getFunction("submitHeaders")(data);
      const receipt = await tx.wait();
      if (receipt === null) throw new RelayerError("SUBMIT_FAILED", "transaction dropped", tx.hash);
      const reorg = receipt.logs.some((l: Log) => this.#iface.parseLog(l)?.name === "Reorg");
      return { txHash: receipt.hash, gasUsed: receipt.gasUsed, reorg };
    } catch (e) {
      if (e instanceof RelayerError) throw e;
      const revert = this.#iface.parseError(revertData(e) ?? "0x");
      if (revert !== null) {
        const code = revert.name === "ForkNotHeavier" ? "FORK_NOT_HEAVIER" : "SUBMIT_FAILED";
        throw new RelayerError(
          code,
          `light client refused the headers: ${revert.signature}`,
          [...revert.args].map(String),
        );
      }
      throw new RelayerError("SUBMIT_FAILED", e instanceof Error ? e.message : String(e), headers.length);
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
