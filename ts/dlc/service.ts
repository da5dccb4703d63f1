/**
 * The oracle federation's service: it reads withdrawal requests from the L2 `DlcChannels`
 * contract, attests exactly the requested amount (dlcspecs attestation, BIP340 per digit), and,
 * for an OP-DLC channel whose stake and user presignatures were registered, broadcasts its sign
 * transaction committing the same amount. Every step is durable: the attestation is written to
 * disk before anyone can read it, the sign transaction before it is broadcast, and a restarted
 * service resumes from its files (`<datadir>/dlc-oracle/<channel id>.json`), never attesting one
 * event twice.
 *
 * Start it with the L1 backend, the L2 RPC URL and the contract address:
 *   const svc = new OracleService({ backend, l2RpcUrl, contract, datadir, oracleSecret });
 *   await svc.start(); … await svc.stop();
 * (`npx hardhat build` first: the contract binding is the generated typechain type.)
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { JsonRpcProvider, type ContractRunner } from "ethers";
import { Transaction, txidFromHex } from "../bitcoin/index.js";
import type { BitcoinBackend } from "../btcnode/index.js";
import { DlcChannels__factory } from "../../types/factories/dlc/DlcChannels__factory.js";
import type { DlcChannels } from "../../types/dlc/DlcChannels.js";
import { DlcError } from "./errors.js";
import {
  Oracle,
  decodeAttestation,
  encodeAttestation,
  type DigitDescriptor,
  type OracleAnnouncement,
  type OracleAttestation,
} from "./oracle.js";
import {
  readJson,
  stakeTermsFromJson,
  stakeTermsToJson,
  unhex,
  hex,
  utxoFromJson,
  utxoToJson,
  writeAtomic,
} from "./persist.js";
import type { StakeTermsJson, UtxoJson } from "./persist.js";
import { StakedOracle, oracleWinternitzKey } from "./stake.js";

/** The digit layout of every withdrawal event: 31 binary digits of the amount in sats. */
export const WITHDRAWAL_DESCRIPTOR: DigitDescriptor = { base: 2, nbDigits: 31, unit: "sats", precision: 0 };

/** The oracle event of a channel's withdrawal. */
export const withdrawalEventId = (channelId: string): string => `lvm/dlc/${channelId.toLowerCase()}`;

export interface OracleServiceOptions {
  readonly backend: BitcoinBackend;
  readonly l2RpcUrl: string;
  /** Address of the DlcChannels contract. */
  readonly contract: string;
  /** Optional L2 signer (the federation's account) for recording channels. */
  readonly signer?: ContractRunner;
  readonly datadir: string;
  readonly oracleSecret: Uint8Array;
  readonly pollMs?: number;
  readonly log?: (line: string) => void;
}

interface ChannelState {
  channelId: string;
  eventId: string;
  sats: string;
  attestation: string;
  /** Set once a stake is registered. */
  stake?: { terms: StakeTermsJson; utxo: UtxoJson; userSignSigs: string[] };
  /** Written before the broadcast. */
  oracleSign?: { txid: string; raw: string };
}

export class OracleService {
  readonly oracle: Oracle;
  readonly #dir: string;
  readonly #contract: DlcChannels;
  readonly #provider: JsonRpcProvider;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;
  #queue: Promise<void> = Promise.resolve();

  constructor(readonly opts: OracleServiceOptions) {
    this.#dir = path.join(opts.datadir, "dlc-oracle");
    this.#provider = new JsonRpcProvider(opts.l2RpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
    this.#contract = DlcChannels__factory.connect(opts.contract, opts.signer ?? this.#provider);
    // What was attested before a restart binds the oracle: an event never gets a second value.
    this.oracle = new Oracle(
      opts.oracleSecret,
      this.#states().map((s) => [s.eventId, BigInt(s.sats)]),
    );
  }

  #file(channelId: string): string {
    return path.join(this.#dir, `${channelId.toLowerCase()}.json`);
  }

  #states(): ChannelState[] {
    if (!existsSync(this.#dir)) return [];
    return readdirSync(this.#dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => readJson<ChannelState>(path.join(this.#dir, f)));
  }

  #state(channelId: string): ChannelState | undefined {
    const f = this.#file(channelId);
    return existsSync(f) ? readJson<ChannelState>(f) : undefined;
  }

  /** The announcement of a channel's withdrawal event (deterministic: nonces derive from the key). */
  announcement(channelId: string): OracleAnnouncement {
    return this.oracle.announce(withdrawalEventId(channelId), 0, WITHDRAWAL_DESCRIPTOR);
  }

  /** The attestation of a channel's withdrawal, once the L2 recorded it and the oracle attested. */
  attestation(channelId: string): OracleAttestation | undefined {
    const s = this.#state(channelId);
    return s === undefined ? undefined : decodeAttestation(unhex(s.attestation));
  }

  /** The sign transaction broadcast for a channel, if any. */
  oracleSignTxid(channelId: string): string | undefined {
    return this.#state(channelId)?.oracleSign?.txid;
  }

  /**
   * Registers an OP-DLC stake for a channel: the terms, the stake UTXO and the user's
   * presignatures of every OracleSign_j. Checked before it is stored; the requested amount in the
   * terms must be the one the L2 recorded.
   */
  async registerStake(
    channelId: string,
    staked: StakedOracle,
    userSignSigs: readonly Uint8Array[],
  ): Promise<void> {
    staked.verifyUser(userSignSigs);
    const sats = await this.#requested(channelId);
    if (sats === undefined || sats !== staked.terms.requested)
      throw new DlcError("BAD_AMOUNT", "the stake's requested amount is not the L2's request", {
        value: staked.terms.requested,
        details: { l2: sats },
      });
    const s = this.#state(channelId) ?? (await this.#attest(channelId, sats));
    writeAtomic(this.#file(channelId), {
      ...s,
      stake: {
        terms: stakeTermsToJson(staked.terms),
        utxo: utxoToJson(staked.stakeUtxo),
        userSignSigs: userSignSigs.map(hex),
      },
    } satisfies ChannelState);
  }

  async #requested(channelId: string): Promise<bigint | undefined> {
    const w = await this.#contract.withdrawals(channelId);
    return w.requestedAtBlock === 0n ? undefined : w.sats;
  }

  async #attest(channelId: string, sats: bigint): Promise<ChannelState> {
    const eventId = withdrawalEventId(channelId);
    const attestation = this.oracle.attest(this.announcement(channelId), sats);
    const state: ChannelState = {
      channelId: channelId.toLowerCase(),
      eventId,
      sats: sats.toString(),
      attestation: hex(encodeAttestation(attestation)),
    };
    writeAtomic(this.#file(channelId), state); // durable before anyone can read it
    this.opts.log?.(`dlc oracle: attested ${sats} sats for channel ${channelId}`);
    return state;
  }

  /** Steps that read and write a channel's file run one at a time. */
  #exclusive<T>(f: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(f, f);
    this.#queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** One pass: attest new requests, broadcast due sign transactions. Safe to run again at any point. */
  tick(): Promise<void> {
    return this.#exclusive(() => this.#tick());
  }

  async #tick(): Promise<void> {
    const count = await this.#contract.channelCount();
    for (let i = 0n; i < count; i++) {
      const id = await this.#contract.channelIds(i);
      if (this.#state(id) !== undefined) continue;
      const sats = await this.#requested(id);
      if (sats !== undefined) await this.#attest(id, sats);
    }
    for (const s of this.#states()) if (s.stake !== undefined) await this.#sign(s);
  }

  async #sign(s: ChannelState): Promise<void> {
    const { backend } = this.opts;
    if (s.oracleSign === undefined) {
      const staked = new StakedOracle(stakeTermsFromJson(s.stake!.terms), utxoFromJson(s.stake!.utxo));
      const wots = oracleWinternitzKey(this.opts.oracleSecret, s.eventId);
      const tx = staked.completeSign(
        BigInt(s.sats),
        wots,
        this.opts.oracleSecret,
        s.stake!.userSignSigs.map(unhex),
      );
      s.oracleSign = { txid: tx.txid, raw: hex(tx.toBytes()) };
      writeAtomic(this.#file(s.channelId), s); // before the broadcast
    }
    const status = await backend.getTxStatus(txidFromHex(s.oracleSign.txid));
    if (status !== undefined) return; // in the mempool or mined
    await backend.sendTransaction(Transaction.decode(unhex(s.oracleSign.raw)));
    this.opts.log?.(`dlc oracle: broadcast OracleSign ${s.oracleSign.txid} for channel ${s.channelId}`);
  }

  async start(): Promise<void> {
    if (!this.#stopped) return;
    this.#stopped = false;
    const loop = async (): Promise<void> => {
      if (this.#stopped) return;
      this.#running = this.tick().catch((e: unknown) => {
        this.opts.log?.(`dlc oracle: ${e instanceof Error ? e.message : String(e)} (retrying)`);
      });
      await this.#running;
      if (!this.#stopped) this.#timer = setTimeout(() => void loop(), this.opts.pollMs ?? 1000);
    };
    await loop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#running;
    this.#provider.destroy();
  }
}

/** What `dlc:status` prints about one channel. */
export interface ChannelStatus {
  readonly id: string;
  readonly owner: string;
  readonly fundedSats: string;
  readonly userCollateralSats: string;
  /** Funding outpoint, txid in display order. */
  readonly funding: string;
  readonly withdrawalSats?: string;
  readonly attestedSats?: string;
  readonly oracleSignTxid?: string;
}

/** Every channel the contract records, with its request and (from `datadir`) the oracle's state. */
export async function channelStatuses(contract: DlcChannels, datadir?: string): Promise<ChannelStatus[]> {
  const out: ChannelStatus[] = [];
  const count = await contract.channelCount();
  for (let i = 0n; i < count; i++) {
    const id = await contract.channelIds(i);
    const c = await contract.channels(id);
    const w = await contract.withdrawals(id);
    const file =
      datadir === undefined ? undefined : path.join(datadir, "dlc-oracle", `${id.toLowerCase()}.json`);
    const s = file !== undefined && existsSync(file) ? readJson<ChannelState>(file) : undefined;
    out.push({
      id,
      owner: c.owner,
      fundedSats: c.fundedSats.toString(),
      userCollateralSats: c.userCollateralSats.toString(),
      funding: `${Buffer.from(c.fundingTxid.slice(2), "hex").reverse().toString("hex")}:${c.vout}`,
      ...(w.requestedAtBlock === 0n ? {} : { withdrawalSats: w.sats.toString() }),
      ...(s === undefined ? {} : { attestedSats: s.sats }),
      ...(s?.oracleSign === undefined ? {} : { oracleSignTxid: s.oracleSign.txid }),
    });
  }
  return out;
}

/** The stake the oracle service registered for a channel (what a challenger watches), if any. */
export function registeredStake(datadir: string, channelId: string): StakedOracle | undefined {
  const file = path.join(datadir, "dlc-oracle", `${channelId.toLowerCase()}.json`);
  if (!existsSync(file)) return undefined;
  const s = readJson<ChannelState>(file);
  return s.stake === undefined
    ? undefined
    : new StakedOracle(stakeTermsFromJson(s.stake.terms), utxoFromJson(s.stake.utxo));
}

/** Binds the DlcChannels contract at `address`. */
export const dlcChannels = (address: string, runner: ContractRunner): DlcChannels =>
  DlcChannels__factory.connect(address, runner);

/** The DLC half of the bridge invariant: what the L2 records as locked in open channels, against L1. */
export interface DlcInvariant {
  /** Σ fundedSats of the channels whose funding output is unspent on L1 (confirmed). */
  readonly l2ChannelSats: bigint;
  /** Σ value of those funding outputs on L1. */
  readonly l1LockedSats: bigint;
  readonly openChannels: number;
  /** Every open channel's funding output holds exactly what the L2 recorded. */
  readonly holds: boolean;
}

/**
 * Checks every channel `contract` records against the L1 UTXO set: an open channel (funding
 * output unspent) must be backed by exactly the sats the L2 recorded from its SPV proof; a
 * settled or refunded channel (funding spent) locks nothing on either side.
 */
export async function dlcInvariant(l1: BitcoinBackend, contract: DlcChannels): Promise<DlcInvariant> {
  let l2ChannelSats = 0n;
  let l1LockedSats = 0n;
  let openChannels = 0;
  let holds = true;
  const count = await contract.channelCount();
  for (let i = 0n; i < count; i++) {
    const c = await contract.channels(await contract.channelIds(i));
    const txid = txidFromHex(Buffer.from(c.fundingTxid.slice(2), "hex").reverse().toString("hex"));
    const out = await l1.getTxOut({ txid, vout: Number(c.vout) }, false);
    if (out === undefined) continue;
    openChannels++;
    l2ChannelSats += c.fundedSats;
    l1LockedSats += out.value;
    if (out.value !== c.fundedSats) holds = false;
  }
  return { l2ChannelSats, l1LockedSats, openChannels, holds: holds && l2ChannelSats <= l1LockedSats };
}
