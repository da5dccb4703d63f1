/**
 * `npm run bench -- dlc`: adaptor signatures and CETs per channel for withdrawals up to 21 BTC at
 * sat precision (base 2 and base 10 digits), presigning time of a whole channel (both parties sign
 * and verify the other's), and the vbytes and weight of every DLC / OP-DLC transaction, each fully
 * signed. Bitlayer's description (../shared/notes/anchors.md): presignatures grow linearly with
 * the number of CETs; one CET per sat value would be 2.1·10⁹ CETs.
 */
import { schnorr } from "@noble/curves/secp256k1.js";
import os from "node:os";
import { sats, txidFromHex } from "../ts/bitcoin/index.js";
import { winternitzPublicKey } from "../ts/bitvm/index.js";
import { keyPathOutput, spvProof, txid as bridgeTxid, xOnlyKey } from "../ts/bridge/index.js";
import { OracleService } from "../ts/dlc/service.js";
import { DlcWorld, dlcKeys } from "../test/dlc/fixture.js";
import {
  DlcChannel,
  MAX_COMMITTED_AMOUNT,
  Oracle,
  StakedOracle,
  buildFundingTx,
  coverInterval,
  digitsFor,
  fundingOutput,
  oracleWinternitzKey,
  stakeOutput,
  subsets,
  withdrawalIntervals,
  type DlcTx,
  type DlcUtxo,
} from "../ts/dlc/index.js";

const MAX_SATS = 21n * 100_000_000n;
const secret = (i: number) => schnorr.utils.randomSecretKey(new Uint8Array(48).fill(i + 1));
const [userSecret, fedSecret, oracleSecret] = [0, 1, 2].map(secret) as [Uint8Array, Uint8Array, Uint8Array];
const [userKey, fedKey, oracleKey] = [userSecret, fedSecret, oracleSecret].map((s) =>
  schnorr.getPublicKey(s),
) as [Uint8Array, Uint8Array, Uint8Array];
const script = (k: Uint8Array) => keyPathOutput(xOnlyKey(k)).script;
const fakeUtxo = (n: number, amount: bigint, s: Uint8Array): DlcUtxo => ({
  txid: txidFromHex(n.toString(16).padStart(64, "0")),
  vout: 0,
  amount: sats(amount),
  script: s,
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)]! * 10) / 10;
}

function terms(base: number, eventId: string) {
  const nbDigits = base === 2 ? 31 : digitsFor(MAX_SATS, base);
  const oracle = new Oracle(oracleSecret);
  const announcement = oracle.announce(eventId, 0, { base, nbDigits, unit: "sats", precision: 0 });
  return {
    oracle,
    terms: {
      userKey,
      federationKey: fedKey,
      userCollateral: sats(MAX_SATS),
      federationCollateral: sats(100_000_000n),
      userScript: script(userKey),
      federationScript: script(fedKey),
      announcement,
      refundLocktime: 1_000_000,
      feeRate: 10n,
    },
    max: BigInt(base) ** BigInt(nbDigits) - 1n,
  };
}

/** Builds a channel and runs both parties' presigning (sign, then verify the other's). */
function presign(base: number, w: bigint, i: number) {
  const t0 = performance.now();
  const { terms: tm, max } = terms(base, `bench/${base}/${i}`);
  const funding = fakeUtxo(i + 1, tm.userCollateral + tm.federationCollateral, fundingOutput(tm).script);
  const ch = new DlcChannel(tm, funding, withdrawalIntervals(w, max, tm.userCollateral));
  const u = ch.sign(userSecret);
  const f = ch.sign(fedSecret);
  ch.verify(u, "user");
  ch.verify(f, "federation");
  return { ms: performance.now() - t0, ch };
}

const vb = (tx: DlcTx) => ({ vbytes: tx.vsize, weight: tx.weight });

export default async function bench(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const amounts = [1n, 100_000_000n, 1_234_567_891n, MAX_SATS];
  for (const base of [2, 10]) {
    let maxCets = 0;
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const w = amounts[i % amounts.length]!;
      const { ms, ch } = presign(base, w, i);
      if (i > 0) times.push(ms); // the first run warms up the JIT and noble's precomputed tables
      maxCets = Math.max(maxCets, ch.entries.length);
    }
    out[`base${base}_digits`] = base === 2 ? 31 : digitsFor(MAX_SATS, base);
    out[`base${base}_cets_per_withdrawal_max`] = maxCets;
    out[`base${base}_adaptor_sigs_per_party`] = maxCets;
    out[`base${base}_presign_channel_ms_median`] = median(times);
  }
  // A range of outcomes with one payout, as dlcspecs' CET compression covers it: [1 sat, 21 BTC].
  out.cover_1sat_to_21btc_base2_prefixes = coverInterval(1n, MAX_SATS, 2, 31).length;
  out.cover_1sat_to_21btc_base10_prefixes = coverInterval(1n, MAX_SATS, 10, 10).length;
  out.cets_one_per_sat_value = Number(MAX_SATS);

  // Signed transactions and their sizes (base 2, 10 sat/vB).
  const w = 1_234_567_891n;
  const { oracle, terms: tm, max } = terms(2, "bench/tx");
  const fundingTx = buildFundingTx(
    [
      {
        coins: [
          {
            utxo: fakeUtxo(101, 30n * 100_000_000n, script(userKey)),
            sign: (h) => schnorr.sign(h, userSecret),
          },
        ],
        collateral: tm.userCollateral,
        changeScript: script(userKey),
      },
      {
        coins: [
          { utxo: fakeUtxo(102, 5n * 100_000_000n, script(fedKey)), sign: (h) => schnorr.sign(h, fedSecret) },
        ],
        collateral: tm.federationCollateral,
        changeScript: script(fedKey),
      },
    ],
    fundingOutput(tm).script,
    10n,
  );
  const intervals = withdrawalIntervals(w, max, tm.userCollateral);
  const plain = new DlcChannel(tm, fundingTx.utxo(0), intervals);
  const att = oracle.attest(tm.announcement, w);
  const cet = plain.settle(att, userSecret, plain.sign(fedSecret)).tx;
  const refund = plain.completeRefund(userSecret, plain.sign(fedSecret));

  const wots = oracleWinternitzKey(oracleSecret, "bench/tx");
  const stakeTerms = {
    userKey,
    federationKey: fedKey,
    oracleKey,
    winternitz: winternitzPublicKey(wots),
    requested: w,
    intervals: withdrawalIntervals(w, MAX_COMMITTED_AMOUNT, tm.userCollateral),
    window: 1008,
    reclaim: 4032,
    timelockValue: sats(1_000n),
    feeRate: 10n,
    returnScript: script(oracleKey),
  };
  const stakeTx = buildFundingTx(
    [
      {
        coins: [
          {
            utxo: fakeUtxo(103, 3n * 100_000_000n, script(oracleKey)),
            sign: (h) => schnorr.sign(h, oracleSecret),
          },
        ],
        collateral: sats(2n * 100_000_000n), // Bitlayer's example stake: 2 BTC
        changeScript: script(oracleKey),
      },
    ],
    stakeOutput(stakeTerms).script,
    10n,
  );
  const t0 = performance.now();
  const staked = new StakedOracle(stakeTerms, stakeTx.utxo(0));
  const op = new DlcChannel(tm, fundingTx.utxo(0), stakeTerms.intervals, staked);
  const u = op.sign(userSecret);
  const f = op.sign(fedSecret);
  const signSigs = staked.presignUser(userSecret);
  op.verify(u, "user");
  op.verify(f, "federation");
  staked.verifyUser(signSigs);
  out.opdlc_presign_channel_ms = Math.round((performance.now() - t0) * 10) / 10;
  out.opdlc_cets = op.entries.length;
  out.opdlc_cet_txs = op.txs.length;
  out.opdlc_oracle_sign_txs = staked.signTxs.length;
  out.opdlc_sigs_per_user = u.cets.length + u.stakeInputs.flat().length + signSigs.length + 1;
  const sign = staked.completeSign(w, wots, oracleSecret, signSigs);
  const settle = op.settle(att, userSecret, f).tx;
  const lie = staked.completeSign(w - 1n, wots, oracleSecret, signSigs);
  const disprove = staked.disprove(
    staked.intervalOf(w - 1n),
    StakedOracle.commitment(lie.toTransaction().inputs[0]!.witness),
    script(userKey),
  );
  const reclaim = staked.reclaimTx(oracleSecret, script(oracleKey));
  const txs: Record<string, DlcTx> = {
    funding: fundingTx,
    cet: cet,
    refund,
    stake: stakeTx,
    oracle_sign: sign,
    settle_cet: settle,
    disprove_cet: disprove,
    stake_reclaim: reclaim,
  };
  let standard = true;
  for (const [name, tx] of Object.entries(txs)) {
    const { vbytes, weight } = vb(tx);
    out[`${name}_vbytes`] = vbytes;
    standard &&= weight <= 400_000 && witnessItemsStandard(tx);
  }
  out.every_tx_standard = standard;
  for (const [n, t] of [
    [3, 2],
    [5, 3],
  ] as const)
    Object.assign(out, federationPresign(n, t));
  Object.assign(out, await devnetRun());
  // The machine is shared: timings above are only comparable at a similar load.
  out.load_avg_1m = Math.round(os.loadavg()[0]! * 10) / 10;
  return out;
}

/**
 * A t-of-N staked oracle federation (OP-DLC): N oracles announce the withdrawal event, each stakes
 * 2 BTC; the channel has one CET set per t-subset and, per (interval, subset), a settle-CET
 * spending the funding output and each subset oracle's timelocked output and connector A.
 * Presign = build the channel and the N stakes' sign transactions, both parties sign, each
 * verifies the other's, the user presigns every oracle's OracleSign and the federation checks it.
 */
function federationPresign(n: number, t: number): Record<string, number | boolean> {
  const w = 1_234_567_891n;
  const eventId = `bench/fed/${t}of${n}`;
  const base = terms(2, eventId);
  const secrets = Array.from({ length: n }, (_, o) => secret(10 + o));
  const oracles = secrets.map((x) => new Oracle(x));
  const announcements = oracles.map((o) => o.announce(eventId, 0, base.terms.announcement.event.descriptor));
  const tm = { ...base.terms, announcement: announcements[0]!, federation: { announcements, threshold: t } };
  const funding = fakeUtxo(200 + n, tm.userCollateral + tm.federationCollateral, fundingOutput(tm).script);
  const intervals = withdrawalIntervals(w, MAX_COMMITTED_AMOUNT, tm.userCollateral);
  const wots = secrets.map((x) => oracleWinternitzKey(x, eventId));
  const t0 = performance.now();
  const stakes = secrets.map((x, o) => {
    const k = schnorr.getPublicKey(x);
    const st = {
      userKey,
      federationKey: fedKey,
      oracleKey: k,
      winternitz: winternitzPublicKey(wots[o]!),
      requested: w,
      intervals,
      window: 1008,
      reclaim: 4032,
      timelockValue: sats(1_000n),
      feeRate: 10n,
      returnScript: script(k),
    };
    return new StakedOracle(st, fakeUtxo(300 + 10 * n + o, 2n * 100_000_000n, stakeOutput(st).script));
  });
  const ch = new DlcChannel(tm, funding, intervals, stakes);
  const u = ch.sign(userSecret);
  const f = ch.sign(fedSecret);
  const signSigs = stakes.map((st) => st.presignUser(userSecret));
  ch.verify(u, "user");
  ch.verify(f, "federation");
  stakes.forEach((st, o) => st.verifyUser(signSigs[o]!));
  const ms = Math.round((performance.now() - t0) * 10) / 10;
  const atts = oracles.slice(0, t).map((o, i) => o.attest(announcements[i]!, w));
  const settle = ch.settle(atts, userSecret, f).tx;
  const k = `fed_${t}of${n}`;
  return {
    [`${k}_subsets`]: subsets(n, t).length,
    [`${k}_cet_entries`]: ch.entries.length,
    [`${k}_cet_txs`]: ch.txs.length,
    [`${k}_adaptor_sigs_per_party`]: u.cets.length,
    [`${k}_stake_input_sigs_per_party`]: u.stakeInputs.flat().length,
    [`${k}_sigs_per_user`]: u.cets.length + u.stakeInputs.flat().length + 1 + signSigs.flat().length,
    [`${k}_sigs_per_federation`]: f.cets.length + f.stakeInputs.flat().length + 1,
    [`${k}_presign_channel_ms`]: ms,
    [`${k}_settle_cet_inputs`]: settle.inputCount,
    [`${k}_settle_cet_vbytes`]: settle.vsize,
    [`${k}_settle_cet_standard`]: settle.weight <= 400_000 && witnessItemsStandard(settle),
  };
}

/** Tapscript policy: witness stack items (script and control block aside) at most 80 bytes. */
function witnessItemsStandard(tx: DlcTx): boolean {
  return tx
    .toTransaction()
    .inputs.every((i) => i.witness.length <= 2 || i.witness.slice(0, -2).every((x) => x.length <= 80));
}

/**
 * The devnet profile, in process: our regtest node (blocks mined on demand), our L2 node with 1 s
 * blocks, the relayer polling every second into the light client, the oracle service polling
 * every second. open → usable: funding broadcast until the L2 records the channel by SPV;
 * withdraw → settle: the L2 request until the settle-CET is mined (window: 2 blocks, mined at once).
 */
async function devnetRun(): Promise<Record<string, number>> {
  const world = await DlcWorld.start({
    keys: dlcKeys([userSecret, fedSecret, oracleSecret]),
    blockTimeMs: 1000,
    batchBlocks: 1000,
  });
  const { backend, fed, user } = world;
  const { dlc, relayer: makeRelayer } = await world.deploy();
  const relayer = makeRelayer(1000);
  relayer.start();
  const svc = new OracleService({
    backend,
    l2RpcUrl: world.l2.url,
    contract: await dlc.getAddress(),
    datadir: world.dir,
    oracleSecret,
    pollMs: 1000,
  });
  await svc.start();
  try {
    // open → usable on the L2
    const userCollateral = sats(150_000_000n);
    const t0 = performance.now();
    const funding = await world.fund(userCollateral, sats(60_000_000n));
    await world.mined(funding);
    const proof = await spvProof(backend, bridgeTxid(funding.txid));
    const key = "0x" + Buffer.from(funding.output(0).script.subarray(2)).toString("hex");
    for (;;) {
      try {
        await (await dlc.connect(fed).openChannel(user.address, key, userCollateral, 0, proof)).wait();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 200)); // the relayer has not carried the block yet
      }
    }
    const openS = (performance.now() - t0) / 1000;
    const id = await dlc.channelIds(0);

    // withdraw → settle
    const w = 87_654_321n;
    const t1 = performance.now();
    await (await dlc.connect(user).requestWithdrawal(id, w)).wait();
    const staked = await world.stake(id, w, userCollateral);
    const channel = new DlcChannel(
      {
        userKey,
        federationKey: fedKey,
        userCollateral,
        federationCollateral: sats(60_000_000n),
        userScript: script(userKey),
        federationScript: script(fedKey),
        announcement: svc.announcement(id),
        refundLocktime: (await backend.getBlockCount()) + 100,
        feeRate: 2n,
      },
      funding.utxo(0),
      staked.terms.intervals,
      staked,
    );
    const fromFed = channel.sign(fedSecret);
    channel.verify(fromFed, "federation");
    await svc.registerStake(id, staked, staked.presignUser(userSecret));
    let att = svc.attestation(id);
    let signTxid = svc.oracleSignTxid(id);
    while (
      att === undefined ||
      signTxid === undefined ||
      (await backend.getTxStatus(txidFromHex(signTxid))) === undefined
    ) {
      await new Promise((r) => setTimeout(r, 100));
      att = svc.attestation(id);
      signTxid = svc.oracleSignTxid(id);
    }
    await world.mine(2); // the challenge window
    const settle = channel.settle(att, userSecret, fromFed).tx;
    await world.mined(settle);
    if ((await backend.getTxOut({ txid: settle.txid, vout: 0 }))?.value !== w)
      throw new Error("settle did not pay w");
    return {
      devnet_open_to_l2_s: Math.round(openS * 100) / 100,
      devnet_withdraw_to_settle_s: Math.round(((performance.now() - t1) / 1000) * 100) / 100,
    };
  } finally {
    await svc.stop();
    await relayer.stop();
    await world.close();
  }
}
