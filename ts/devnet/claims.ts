/**
 * The devnet's claim poster: each L2 batch's claim committed on the L1 node (ts/claims), state in
 * `<root>/claims`, and the L2's `safe`/`finalized` read back from the claim chain on L1.
 */
import path from "node:path";

import { REGTEST, scriptToAddress, type BitcoinBackend } from "../btcnode/index.js";
import {
  ClaimChainError,
  ClaimChainReader,
  ClaimPoster,
  FINALIZED_CONFIRMATIONS,
  claimFinality,
  claimKey,
} from "../claims/index.js";
import { sha256 } from "../bitcoin/index.js";
import type { Sequencer } from "../l2/index.js";
import { notStarted, type DevnetService, type ServiceInfo } from "./index.js";

export interface ClaimServiceOptions {
  readonly l1: () => BitcoinBackend;
  readonly sequencer: () => Sequencer;
  /** Where the L1's maturing blocks go (the dev key). */
  readonly mineTo: string;
  readonly pollMs?: number;
  readonly log?: (line: string) => void;
}

/** The devnet's claim key: public, deterministic, like the other dev keys. */
export const devnetClaimSecret = (): Uint8Array =>
  sha256(new TextEncoder().encode("bitlayer-lvm devnet claim key 0"));

export function claimService(opts: ClaimServiceOptions): DevnetService & {
  finality(): Promise<{ safe: number; finalized: number }>;
  poster(): ClaimPoster;
} {
  let poster: ClaimPoster | undefined;
  let finality: (() => Promise<{ safe: number; finalized: number }>) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  /** The first batch not yet looked at (batches are formed in order and never change). */
  let next = 0;
  let waiting = false;
  const log = opts.log ?? ((l: string) => console.log(l));

  /** Posts the claim of every formed batch past the last claimed block, in order. */
  async function catchUp(p: ClaimPoster): Promise<void> {
    const last = (await p.claims()).at(-1)?.statement.l2BlockNumber ?? -1;
    const seq = opts.sequencer();
    for (; ; next++) {
      const b = (await seq.batch(next))?.batch;
      if (b === undefined) return;
      if (b.toBlock <= last) continue;
      const c = await p.post({
        l2BlockNumber: b.toBlock,
        l2BlockHash: b.blockHash,
        stateRoot: b.stateRoot,
        withdrawalRoot: b.withdrawalRoot,
        // The operator's payouts are claimed by its KickOff (docs/bridge.md); not committed here yet.
        payoutsRoot: "00".repeat(32),
      });
      log(`claims: batch ${b.index} (L2 #${b.toBlock}) committed on L1 in ${c.txid}`);
    }
  }

  return {
    name: "claims",
    finality: () => (finality === undefined ? Promise.resolve({ safe: 0, finalized: 0 }) : finality()),
    poster(): ClaimPoster {
      if (poster === undefined) throw notStarted("claims");
      return poster;
    },
    async start(root: string): Promise<ServiceInfo> {
      const l1 = opts.l1();
      const { chainScript } = claimKey(devnetClaimSecret());
      const p = await ClaimPoster.open({
        dir: path.join(root, "claims"),
        backend: l1,
        secret: devnetClaimSecret(),
      });
      poster = p;
      // The chain's funding: one coinbase of its own (once per chain). It matures with the
      // operator's start (which mines 100 blocks on a new chain) or the user's mining; until then
      // claims wait.
      if ((await p.claims()).length === 0 && !(await l1.scanUtxos(chainScript)).some((u) => u.coinbase))
        await l1.mine(1, scriptToAddress(chainScript, REGTEST)!);
      await p.resume();
      finality = claimFinality(new ClaimChainReader(l1, { chainScript }), FINALIZED_CONFIRMATIONS.devnet);
      const tick = () => {
        running = catchUp(p).catch((e: unknown) => {
          // Waiting for the funding coinbase to mature is said once, not every poll.
          const funds = e instanceof ClaimChainError && e.code === "NO_FUNDS";
          if (!funds || !waiting) log(`claims: not committed yet (retried): ${String(e)}`);
          waiting = funds;
        });
        void running.then(() => {
          if (poster === p) timer = setTimeout(tick, opts.pollMs ?? 1_000);
        });
      };
      tick();
      return {
        name: "Claim poster (each L2 batch's claim committed on L1; safe/finalized from it)",
        lines: [
          `chain:    ${scriptToAddress(chainScript, REGTEST)!}   claims so far: ${(await p.claims()).length}`,
          `finality: safe = claim with 1 L1 confirmation, finalized = ${FINALIZED_CONFIRMATIONS.devnet} (mine L1 blocks to move them)`,
        ],
      };
    },
    async stop(): Promise<void> {
      const p = poster;
      poster = undefined;
      finality = undefined;
      if (timer !== undefined) clearTimeout(timer);
      await running;
      await p?.close();
    },
  };
}
