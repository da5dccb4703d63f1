/**
 * The devnet watchtower: the challenger role (`ts/challenger`, its records in
 * `<root>/bridge/watchtower`) with its own public test key, the committee's graphs in process, the
 * L2 bridge's events as its payout ledger, a round every `pollMs`, and regtest mining of the block
 * a Challenge waits for. On a fresh chain it mines itself one coinbase (what funds Challenges).
 *
 * The operator's SINGLE|ANYONECANPAY Challenge presignature is part of what an operator publishes
 * with its graph; on the devnet the operator's key is a public test key, so the watchtower derives
 * that signature itself.
 */
import path from "node:path";

import { sha256 } from "@noble/hashes/sha2.js";
import { schnorr } from "@noble/curves/secp256k1.js";
import { JsonRpcProvider } from "ethers";

import {
  FlowStore,
  buildPegOutGraph,
  graphInputFromJson,
  keyPathOutput,
  lvmBridge,
  operatorChallengeSignature,
  presignaturesFromJson,
  taprootAddress,
  xOnlyKey,
} from "../bridge/index.js";
import type { BitcoinBackend } from "../btcnode/index.js";
import {
  Watchtower,
  lvmPayoutLedger,
  type KickOffRecord,
  type WatchedGraph,
  type WatchtowerEvent,
} from "../challenger/index.js";
import type { GraphRecord } from "../committee/index.js";
import { devnetOperatorSecret } from "./bridge.js";
import { notStarted, type DevnetService, type ServiceInfo } from "./index.js";

/** The devnet watchtower's L1 key (public: anyone can derive it). */
export const devnetWatchtowerSecret = (): Uint8Array =>
  sha256(new TextEncoder().encode("bitlayer-lvm devnet watchtower 0"));

/**
 * The committee's graph records as the watchtower watches them, each built once (keyed by its
 * PegInConfirm txid), with the devnet operator's Challenge presignature and the committee's
 * presignatures (AssertTimeout's is what the watchtower uses).
 */
export function devnetWatchedGraphs(
  records: () => Promise<readonly GraphRecord[]>,
): () => Promise<WatchedGraph[]> {
  const cache = new Map<string, WatchedGraph>();
  return async () => {
    const out: WatchedGraph[] = [];
    for (const r of await records()) {
      let w = cache.get(r.pegInConfirmTxid);
      if (w === undefined) {
        const input = graphInputFromJson(r.input);
        w = {
          input,
          challengeSig: operatorChallengeSignature(buildPegOutGraph(input), devnetOperatorSecret()),
          presigned: presignaturesFromJson(r.presigned),
        };
        cache.set(r.pegInConfirmTxid, w);
      }
      out.push(w);
    }
    return out;
  };
}

export interface WatchtowerServiceOptions {
  readonly l1: () => BitcoinBackend;
  readonly l2Url: () => string;
  readonly graphs: () => Promise<readonly GraphRecord[]>;
  /** Regtest address the watchtower mines to when a Challenge waits for its block. */
  readonly mineTo: string;
  readonly pollMs?: number;
  readonly log?: (line: string) => void;
  readonly hook?: (event: WatchtowerEvent, record: KickOffRecord) => void | Promise<void>;
}

export function watchtowerService(
  opts: WatchtowerServiceOptions,
): DevnetService & { tick(): Promise<void>; watchtower(): Watchtower } {
  let provider: JsonRpcProvider | undefined;
  let store: FlowStore | undefined;
  let wt: Watchtower | undefined;
  const log = opts.log ?? ((l: string) => console.log(l));
  const started = (): Watchtower => {
    if (wt === undefined) throw notStarted("watchtower");
    return wt;
  };
  return {
    name: "watchtower",
    tick: () => started().tick(),
    watchtower: started,
    async start(root: string): Promise<ServiceInfo> {
      const l1 = opts.l1();
      const key = xOnlyKey(schnorr.getPublicKey(devnetWatchtowerSecret()));
      const address = taprootAddress(keyPathOutput(key), "regtest");
      // Its funds for Challenges: one mature coinbase of its own (once per chain).
      if (!(await l1.scanUtxos(keyPathOutput(key).script)).some((u) => u.coinbase)) {
        await l1.mine(1, address);
        await l1.mine(100, opts.mineTo);
      }
      store = await FlowStore.open(path.join(root, "bridge", "watchtower"));
      provider = new JsonRpcProvider(opts.l2Url(), undefined, { staticNetwork: true, cacheTimeout: -1 });
      wt = new Watchtower({
        store,
        l1,
        ledger: lvmPayoutLedger(lvmBridge(provider)),
        graphs: devnetWatchedGraphs(opts.graphs),
        secret: devnetWatchtowerSecret(),
        mineTo: opts.mineTo,
        log,
        ...(opts.hook === undefined ? {} : { hook: opts.hook }),
      });
      const final = ["honest", "missed", "upheld", "disproved", "timedOut"];
      const open = (await wt.records()).filter((r) => !final.includes(r.step)).length;
      wt.start(opts.pollMs ?? 2_000); // resumes unfinished challenges right away
      return {
        name: "Watchtower (devnet, public test key)",
        lines: [
          `L1 wallet:  ${address} (funds Challenges)`,
          `records:    ${store.dir} (${open} KickOff(s) to resume)`,
          "checks every KickOff against the L2's proven payouts, challenges a claim they do not cover,",
          "then checks the Assert (Disprove) or slashes an operator that never asserts (AssertTimeout)",
        ],
      };
    },
    async stop(): Promise<void> {
      await wt?.stop();
      provider?.destroy();
      await store?.close();
      store = undefined;
      wt = undefined;
    },
  };
}
