/**
 * The OP-DLC panel's data: every channel DlcChannels records (through `ts/dlc`'s `channelStatuses`,
 * which also reads the oracle federation's per-channel records in the devnet's state directory),
 * its state as L1 has it (funding output spent or not), and the oracle's stake for each
 * withdrawal (`registeredStake`) with whether its output is still locked on L1.
 */
import type { BitcoinBackend } from "../btcnode/index.js";
import { channelStatuses, dlcChannels, registeredStake } from "../dlc/service.js";
import type { ContractRunner } from "ethers";

import type { DlcChannelView, DlcView } from "./source.js";

/** Where the OP-DLC bridge is (ts/devnet's `DlcEndpoints`). */
export interface DlcEndpointsLike {
  readonly contract: string;
  readonly oracleUrl: string;
  readonly oracleKey: string;
}

export interface DlcReaderOptions {
  readonly l1: BitcoinBackend;
  readonly l2: ContractRunner;
  /** The bridge's endpoints; undefined while (or when) the devnet runs no DLC service. */
  readonly endpoints: () => DlcEndpointsLike | undefined;
  /** The devnet's state directory (the oracle's records: `<datadir>/dlc-oracle/`). */
  readonly datadir: string;
}

const outpoint = (s: string): { txid: string; vout: number } => {
  const [txid, vout] = s.split(":");
  return { txid: txid!, vout: Number(vout) };
};

/** Reads the panel; undefined when there is no DLC bridge. */
export function dlcReader(opts: DlcReaderOptions): () => Promise<DlcView | undefined> {
  return async () => {
    const e = opts.endpoints();
    if (e === undefined) return undefined;
    const contract = dlcChannels(e.contract, opts.l2);
    const unspent = async (o: { txid: string; vout: number }): Promise<boolean> =>
      (await opts.l1.getTxOut({ txid: o.txid as never, vout: o.vout }, true)) !== undefined;
    let lockedTotal = 0n;
    const channels: DlcChannelView[] = [];
    for (const c of await channelStatuses(contract, opts.datadir)) {
      const s = registeredStake(opts.datadir, c.id);
      const stake =
        s === undefined
          ? undefined
          : {
              outpoint: `${s.stakeUtxo.txid}:${s.stakeUtxo.vout}`,
              sats: s.stakeUtxo.amount.toString(),
              locked: await unspent(s.stakeUtxo),
            };
      if (stake?.locked) lockedTotal += BigInt(stake.sats);
      const open = await unspent(outpoint(c.funding));
      const [state, waitsFor]: [DlcChannelView["state"], string | null] = !open
        ? ["closed", null]
        : c.oracleSignTxid !== undefined
          ? ["oracle-signed", "the challenge window, then the settle-CET on L1"]
          : stake !== undefined
            ? ["staked", "the oracle's OracleSign on L1"]
            : c.attestedSats !== undefined
              ? ["attested", "the oracle's stake for this withdrawal"]
              : c.withdrawalSats !== undefined
                ? ["withdrawal-requested", "the oracle federation's attestation of the amount"]
                : ["open", null];
      channels.push({
        id: c.id,
        owner: c.owner,
        fundedSats: c.fundedSats,
        userCollateralSats: c.userCollateralSats,
        funding: c.funding,
        state,
        waitsFor,
        ...(c.withdrawalSats === undefined ? {} : { withdrawalSats: c.withdrawalSats }),
        ...(c.attestedSats === undefined ? {} : { attestedSats: c.attestedSats }),
        ...(stake === undefined ? {} : { stake }),
        ...(c.oracleSignTxid === undefined ? {} : { oracleSignTxid: c.oracleSignTxid }),
      });
    }
    return {
      contract: e.contract,
      oracleKey: e.oracleKey,
      oracleUrl: e.oracleUrl,
      channels,
      stakeLockedSats: lockedTotal.toString(),
    };
  };
}
