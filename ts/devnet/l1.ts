/** The embedded Bitcoin regtest node as a devnet service: state in `<root>/btc`, a funded dev key. */
import path from "node:path";

import { schnorr } from "@noble/curves/secp256k1.js";

import { bytesToHex, sha256, tweakXOnly } from "../bitcoin/index.js";
import {
  REGTEST,
  scriptToAddress,
  startRegtestNode,
  type BitcoinBackend,
  type RunningNode,
} from "../btcnode/index.js";
import { notStarted, type DevnetService, type ServiceInfo } from "./index.js";

export interface L1ServiceOptions {
  /** JSON-RPC port on 127.0.0.1 (bitcoind's regtest default 18443; 0 picks one). */
  readonly rpcPort: number;
}

/** Deterministic dev key: the devnet is reproducible and the key is public, like Hardhat's mnemonic. */
export function l1DevKey(): { secret: Uint8Array; address: string } {
  const secret = sha256(new TextEncoder().encode("bitlayer-lvm devnet L1 key 0"));
  const output = tweakXOnly(schnorr.getPublicKey(secret), undefined)!;
  const address = scriptToAddress(Uint8Array.of(0x51, 0x20, ...output.key), REGTEST)!;
  return { secret, address };
}

/** Coinbase outputs mature after 100 blocks; 101 gives the dev key one spendable coinbase. */
const MATURE_HEIGHT = 101;

export function l1Service(opts: L1ServiceOptions): DevnetService & {
  backend(): BitcoinBackend;
  rpcUrl(): string;
  rpc(): { url: string; cookieFile?: string };
} {
  let running: RunningNode | undefined;
  return {
    name: "l1",
    rpcUrl(): string {
      if (!running) throw notStarted("l1");
      return running.rpcUrl;
    },
    backend(): BitcoinBackend {
      if (!running) throw notStarted("l1");
      return running.backend;
    },
    /** The node's Core-compatible JSON-RPC, for clients outside the process's services. */
    rpc(): { url: string; cookieFile?: string } {
      if (!running) throw notStarted("l1");
      return { url: running.rpcUrl, ...(running.cookieFile ? { cookieFile: running.cookieFile } : {}) };
    },
    async start(root: string): Promise<ServiceInfo> {
      running = await startRegtestNode({ datadir: path.join(root, "btc"), rpcPort: opts.rpcPort });
      const dev = l1DevKey();
      const missing = MATURE_HEIGHT - running.node.height;
      if (missing > 0) await running.backend.mine(missing, dev.address);
      return {
        name: "L1 node (embedded Bitcoin regtest, Bitcoin Core JSON-RPC)",
        lines: [
          `RPC:      ${running.rpcUrl}   cookie: ${running.cookieFile ?? "(user/password)"}`,
          `height:   ${running.node.height}   tip: ${running.node.tip.hash}`,
          `dev key (taproot key path, public test key, never use with real funds):`,
          `  address ${dev.address}`,
          `  secret  ${bytesToHex(dev.secret)}`,
        ],
      };
    },
    async stop(): Promise<void> {
      await running?.stop();
      running = undefined;
    },
  };
}
