/**
 * An executor that drives any EVM node over JSON-RPC (a `hardhat node`, anvil …) that speaks the
 * Hardhat dialect for mining control. The node's own genesis is kept; the chain spec's
 * allocation is applied with `hardhat_setBalance` / `hardhat_setCode` when the node is fresh.
 */
import { L2Error } from "./errors.js";
import { RpcDialectExecutor, type ChainSpec, type RpcAnswer } from "./executor.js";
import type { BlockHeader } from "./types.js";

export class JsonRpcExecutor extends RpcDialectExecutor {
  readonly kind = "json-rpc";
  // Nodes other than EDR-with-our-config usually refuse equal timestamps.
  readonly allowsSameTimestamp = false;
  #id = 0;

  constructor(readonly url: string) {
    super();
  }

  async start(spec: ChainSpec): Promise<BlockHeader> {
    const chainId = BigInt((await this.request("eth_chainId", [])) as string);
    if (chainId !== spec.chainId) {
      throw new L2Error(
        "EXECUTOR",
        `node at ${this.url} has chain id ${chainId}, expected ${spec.chainId}`,
        chainId,
      );
    }
    await this.request("evm_setAutomine", [false]);
    // Rules rather than genesis, so applied on every start: priority fees go to the sequencer's
    // fee account, and the node must fit every block the sequencer builds (Hardhat's default
    // limit differs from the spec's, and a smaller one would silently defer transactions).
    await this.request("hardhat_setCoinbase", [spec.coinbase]);
    await this.request("evm_setBlockGasLimit", [`0x${spec.blockGasLimit.toString(16)}`]);
    const head = await this.block("latest");
    if (head === undefined) throw new L2Error("EXECUTOR", "node has no head block", this.url);
    if (head.number === 0) {
      for (const a of spec.alloc) {
        await this.request("hardhat_setBalance", [a.address, `0x${a.balance.toString(16)}`]);
        if (a.code !== undefined) await this.request("hardhat_setCode", [a.address, a.code]);
        for (const [slot, value] of Object.entries(a.storage ?? {}))
          await this.request("hardhat_setStorageAt", [a.address, slot, value]);
      }
    }
    return head;
  }

  protected async send(method: string, params: readonly unknown[]): Promise<RpcAnswer> {
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: this.#id++, method, params }),
      });
    } catch (e) {
      throw new L2Error("EXECUTOR", `cannot reach ${this.url}: ${(e as Error).message}`, this.url);
    }
    const text = await res.text();
    try {
      return JSON.parse(text) as RpcAnswer;
    } catch {
      // A proxy error page or a dying node: report it as the executor's fault, not a SyntaxError.
      throw new L2Error(
        "EXECUTOR",
        `${this.url} answered HTTP ${res.status}: ${text.slice(0, 200)}`,
        this.url,
      );
    }
  }

  async close(): Promise<void> {}
}
