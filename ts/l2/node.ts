/** An L2 node: durable log + executor + sequencer + JSON-RPC server, started and stopped as one. */
import { mkdir } from "node:fs/promises";
import path from "node:path";

import type { BatchProver } from "./batch.js";
import { EdrExecutor } from "./edr.js";
import type { ChainSpec, LvmExecutor } from "./executor.js";
import { BRIDGE_ADDRESS } from "./genesis.js";
import { DurableLog } from "./log.js";
import { serveRpc, type RpcHandle, type RpcServerOptions } from "./rpc.js";
import { Sequencer } from "./sequencer.js";

export interface L2NodeOptions {
  /** Where the durable log lives. */
  readonly datadir: string;
  readonly spec: ChainSpec;
  /** Defaults to EDR in process. */
  readonly executor?: LvmExecutor;
  /** JSON-RPC port on 127.0.0.1 (default 8547; 0 picks a free one). */
  readonly port?: number;
  readonly blockTimeMs?: number;
  readonly batchBlocks?: number;
  readonly minTip?: bigint;
  readonly suggestedTip?: bigint;
  readonly prover?: BatchProver;
  /** JSON-RPC server options: CORS, limits, finality, log-query bounds. */
  readonly rpc?: Omit<RpcServerOptions, "port" | "host" | "suggestedTip">;
}

/** Default JSON-RPC port of the L2 node (Hardhat's `lvm` network). */
export const DEFAULT_L2_PORT = 8547;

export class L2Node {
  private constructor(
    readonly sequencer: Sequencer,
    readonly rpc: RpcHandle,
  ) {}

  get url(): string {
    return this.rpc.url;
  }

  static async start(opts: L2NodeOptions): Promise<L2Node> {
    await mkdir(opts.datadir, { recursive: true });
    const log = await DurableLog.open(path.join(opts.datadir, "log"));
    let sequencer: Sequencer;
    try {
      sequencer = await Sequencer.open(opts.executor ?? new EdrExecutor(), opts.spec, log, {
        blockTimeMs: opts.blockTimeMs ?? 1_000,
        batchBlocks: opts.batchBlocks ?? 10,
        minTip: opts.minTip ?? 0n,
        bridge: BRIDGE_ADDRESS,
        ...(opts.prover === undefined ? {} : { prover: opts.prover }),
      });
    } catch (e) {
      await log.close();
      throw e;
    }
    const rpc = await serveRpc(sequencer, {
      ...opts.rpc,
      port: opts.port ?? DEFAULT_L2_PORT,
      suggestedTip: opts.suggestedTip ?? 1_000_000n,
    }).catch(async (e: unknown) => {
      await sequencer.close();
      throw e;
    });
    return new L2Node(sequencer, rpc);
  }

  async stop(): Promise<void> {
    await this.rpc.close();
    await this.sequencer.close();
  }
}
