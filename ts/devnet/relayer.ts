/**
 * The header relayer as a devnet service: deploys BtcLightClient on the L2 once (checkpointed at
 * the regtest genesis, address kept in `<root>/relayer.json`) and keeps it at the L1's best chain.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

import { ContractFactory, JsonRpcProvider, Wallet, type InterfaceAbi } from "ethers";

import type { BitcoinBackend } from "../btcnode/index.js";
import { EthersLightClient, Relayer } from "../relayer/index.js";
import {
  DEVNET_COMMITTEE_SIZE,
  bridgeInvariant,
  configureDevnetBridge,
  lvmBridge,
  setDevnetBatchVerifier,
} from "./bridge.js";
import type { DevnetService, ServiceInfo } from "./index.js";

export interface RelayerServiceOptions {
  /** Resolved once the L1 service started. */
  readonly l1: () => BitcoinBackend;
  readonly l2Url: () => string;
  /** Key paying the relayer's L2 gas (a dev account). */
  readonly privateKey: string;
  readonly lightClient: { abi: InterfaceAbi; bytecode: string };
  /** The batch circuit's generated verifier, deployed and set on the bridge if it has none. */
  readonly batchVerifier?: { abi: InterfaceAbi; bytecode: string };
  readonly pollMs?: number;
}

const REGTEST_POW_LIMIT = 0x7fffffn << 232n;

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
      const signer = new Wallet(opts.privateKey, provider);
      const stateFile = path.join(root, "relayer.json");
      let address: string | undefined;
      if (existsSync(stateFile)) {
        const saved = JSON.parse(readFileSync(stateFile, "utf8")) as { lightClient?: string };
        // Reuse only if the L2 still has it (a wiped L2 datadir means a fresh deployment).
        if (saved.lightClient && (await provider.getCode(saved.lightClient)) !== "0x")
          address = saved.lightClient;
      }
      if (address === undefined) {
        const genesis = (await source.getBlockHeader(await source.getBlockHash(0))).encode();
        const factory = new ContractFactory(opts.lightClient.abi, opts.lightClient.bytecode, signer);
        const lc = await factory.deploy(genesis, 0, REGTEST_POW_LIMIT, false);
        await lc.waitForDeployment();
        address = await lc.getAddress();
        // Write-then-rename: a crash never leaves a half-written state file.
        writeFileSync(`${stateFile}.tmp`, JSON.stringify({ lightClient: address }, null, 2));
        renameSync(`${stateFile}.tmp`, stateFile);
      }
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
      // The relayer's account governs the devnet bridge: point it at this light client and the
      // devnet committee's pool, once.
      const bridge = lvmBridge(signer);
      const configured = await configureDevnetBridge(bridge, address);
      let verifierLine = "batch proofs: not verified on the L2 (no verifier given)";
      if (opts.batchVerifier !== undefined) {
        let verifier = await bridge.batchVerifier();
        if (verifier === "0x0000000000000000000000000000000000000000") {
          const v = await new ContractFactory(
            opts.batchVerifier.abi,
            opts.batchVerifier.bytecode,
            signer,
          ).deploy();
          await v.waitForDeployment();
          verifier = await v.getAddress();
          await setDevnetBatchVerifier(bridge, verifier);
        }
        verifierLine = `batch proofs: verified on the L2 by WithdrawalBatch8Verifier ${verifier}`;
      }
      const [lc, depth, pool] = await bridge.config();
      return {
        name: "Header relayer (L1 → BtcLightClient on L2) and bridge",
        lines: [
          `light client: ${address}`,
          `synced:       L1 height ${best.height}, following new blocks`,
          `bridge:       ${configured ? "configured now" : "configured"}: light client ${lc}, ${depth} confirmation(s)`,
          `pool key:     ${pool} (devnet committee of ${DEVNET_COMMITTEE_SIZE}, public test keys)`,
          verifierLine,
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
