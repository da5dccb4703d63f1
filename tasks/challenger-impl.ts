/**
 * `bridge:challenge` on a running devnet (loaded by tasks/challenger.ts after the build): the
 * watchtower role with the L1 dev key's coins, its records in `<datadir>/bridge/challenger-cli`,
 * the committee's graphs over its JSON-RPC and the L2 bridge's events as the payout ledger.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import { JsonRpcProvider } from "ethers";

import { BridgeError, FlowStore, asBridgeError } from "../ts/bridge/index.js";
import { BitcoindRpcBackend } from "../ts/btcnode/index.js";
import { Watchtower, lvmPayoutLedger, type KickOffRecord } from "../ts/challenger/index.js";
import type { GraphRecord } from "../ts/committee/index.js";
import { isLvmError } from "../ts/core/index.js";
import { bridgeRpc, devnetWatchedGraphs, l1DevKey, lvmBridge } from "../ts/devnet/clients.js";

export interface ChallengeArgs {
  kickoff: string;
  force: boolean;
  json: boolean;
  datadir: string;
  l1url: string;
  l2url: string;
}

/** Challenges `args.kickoff`; every refusal is a typed error (`ChallengerError` or `BridgeError`). */
export async function challengeKickOff(args: ChallengeArgs): Promise<KickOffRecord> {
  const cookieFile = path.resolve(args.datadir, "btc", ".cookie");
  const committeeFile = path.resolve(args.datadir, "committee.json");
  for (const f of [cookieFile, committeeFile])
    if (!existsSync(f)) throw new BridgeError("RPC_FAILED", `no ${f}: is \`npm start\` running?`, f);
  const committeeUrl = (JSON.parse(readFileSync(committeeFile, "utf8")) as { url: string }).url;
  const l1 = await BitcoindRpcBackend.connect({ url: args.l1url, cookieFile, network: "regtest" });
  const l2 = new JsonRpcProvider(args.l2url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  const store = await FlowStore.open(path.resolve(args.datadir, "bridge", "challenger-cli"), 30_000);
  try {
    const dev = l1DevKey();
    const wt = new Watchtower({
      store,
      l1,
      ledger: lvmPayoutLedger(lvmBridge(l2)),
      graphs: devnetWatchedGraphs(() => bridgeRpc<GraphRecord[]>(committeeUrl, "committee_graphs")),
      secret: dev.secret,
      mineTo: dev.address,
      log: () => undefined,
    });
    return await wt.challenge(args.kickoff, { force: args.force });
  } finally {
    await store.close();
    l2.destroy();
  }
}

/** The task: the record on success; one line (code and message) and exit code 1 on a refusal. */
export async function challenge(args: ChallengeArgs): Promise<void> {
  try {
    const r = await challengeKickOff(args);
    if (args.json)
      console.log(
        JSON.stringify({
          kickOff: r.kickOffTxid,
          pegInConfirm: r.pegInConfirmTxid,
          step: r.step,
          challenge: r.challengeTxid,
          claimedSats: r.claimedSats?.toString(),
          frontedSats: r.frontedSats?.toString(),
          reason: r.reason,
        }),
      );
    else {
      console.log(`  KickOff     ${r.kickOffTxid} (peg-in ${r.pegInConfirmTxid})`);
      console.log(`  check       ${r.reason ?? "-"}${r.forced === true ? " (challenged with --force)" : ""}`);
      console.log(`  Challenge   ${r.challengeTxid ?? "-"}: ${r.step}`);
    }
  } catch (e) {
    const err = isLvmError(e) ? e : asBridgeError(e, "bridge:challenge");
    console.error(`bridge:challenge: ${err.code}: ${err.message.split("\n")[0]}`);
    process.exitCode = 1;
  }
}
