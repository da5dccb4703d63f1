/** The L2 node as a devnet service: EDR executor, dev accounts funded, state in `<root>/l2`. */
import path from "node:path";

import { formatEther } from "ethers";

import { BRIDGE_ADDRESS, DEV_BALANCE_WEI, L2Node, devAccounts, lvmChainSpec, type Hex } from "../l2/index.js";
import type { DevnetService, ServiceInfo } from "./index.js";

export interface L2ServiceOptions {
  readonly port: number;
  readonly bridgeCode: Hex;
  readonly blockTimeMs?: number;
}

export function l2Service(opts: L2ServiceOptions): DevnetService & { url(): string } {
  let node: L2Node | undefined;
  return {
    name: "l2",
    url(): string {
      if (!node) throw new Error("l2 service not started");
      return node.url;
    },
    async start(root: string): Promise<ServiceInfo> {
      const accounts = devAccounts();
      const spec = lvmChainSpec({ bridgeCode: opts.bridgeCode, devAccounts: accounts.map((a) => a.address) });
      node = await L2Node.start({
        datadir: path.join(root, "l2"),
        spec,
        port: opts.port,
        blockTimeMs: opts.blockTimeMs ?? 1_000,
      });
      node.sequencer.on("error", (e: unknown) => console.error(`l2 sequencer: ${String(e)}`));
      return {
        name: "L2 node (LVM, EDR executor)",
        lines: [
          `RPC:      ${node.url}   (Hardhat network "lvm")`,
          `chain id: ${spec.chainId}   head: #${node.sequencer.head.number}`,
          `bridge:   ${BRIDGE_ADDRESS}`,
          `dev accounts (${formatEther(DEV_BALANCE_WEI)} BTC each, test mnemonic, never use with real funds):`,
          ...accounts.map((a, i) => `  #${i} ${a.address}  ${a.privateKey}`),
        ],
      };
    },
    async stop(): Promise<void> {
      await node?.stop();
      node = undefined;
    },
  };
}
