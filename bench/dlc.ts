/**
 * `npm run bench -- dlc`: adaptor signatures and CETs per channel for withdrawals up to 21 BTC at
 * sat precision (base 2 and base 10 digits), presigning time of a whole channel (both parties sign
 * and verify the other's), and the vbytes and weight of every DLC / OP-DLC transaction, each fully
 * signed. Bitlayer's description (../shared/notes/anchors.md): presignatures grow linearly with
 * the number of CETs; one CET per sat value would be 2.1·10⁹ CETs.
 */
import { schnorr } from "@noble/curves/secp256k1.js";
import * as bitcoin from "bitcoinjs-lib";
import { JsonRpcProvider, Wallet } from "ethers";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as ecc from "tiny-secp256k1";
import { sats, txidFromHex } from "../ts/bitcoin/index.js";
import { winternitzPublicKey } from "../ts/bitvm/index.js";
import { keyPathOutput, spvProof, tweakedSecret, txid as bridgeTxid, xOnlyKey } from "../ts/bridge/index.js";
import { startRegtestNode } from "../ts/btcnode/index.js";
import { OracleService, withdrawalEventId } from "../ts/dlc/service.js";
import { L2Node, devAccounts, loadBridgeCode, lvmChainSpec } from "../ts/l2/index.js";
import { EthersLightClient, Relayer } from "../ts/relayer/index.js";
import { BtcLightClient__factory } from "../types/factories/bitcoin/BtcLightClient__factory.js";
import { DlcChannels__factory } from "../types/factories/dlc/DlcChannels__factory.js";
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
  Object.assign(out, await devnetRun());
  // The machine is shared: timings above are only comparable at a similar load.
  out.load_avg_1m = Math.round(os.loadavg()[0]! * 10) / 10;
  return out;
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
  bitcoin.initEccLib(ecc);
  const dir = mkdtempSync(path.join(os.tmpdir(), "dlc-bench-"));
  const root = path.resolve(import.meta.dirname, "..");
  const l1 = await startRegtestNode({ datadir: path.join(dir, "btc"), rpcPort: 0, sync: false });
  const backend = l1.backend;
  const addr = (s: Uint8Array) => bitcoin.address.fromOutputScript(Buffer.from(s), bitcoin.networks.regtest);
  const wallet = (secret: Uint8Array) => (h: Uint8Array) => schnorr.sign(h, tweakedSecret(secret));
  const coin = async (s: Uint8Array): Promise<DlcUtxo> => {
    const u = (await backend.scanUtxos(s)).filter((x) => x.coinbase).sort((a, b) => a.height - b.height)[0]!;
    return {
      txid: txidFromHex(u.outpoint.txid),
      vout: u.outpoint.vout,
      amount: sats(u.value),
      script: u.scriptPubKey,
    };
  };
  const mined = async (tx: DlcTx) => {
    await backend.sendTransaction(tx.toTransaction());
    await backend.mine(1, addr(script(fedKey)));
  };
  await backend.mine(1, addr(script(userKey)));
  await backend.mine(1, addr(script(oracleKey)));
  await backend.mine(101, addr(script(fedKey)));
  const l2 = await L2Node.start({
    port: 0,
    blockTimeMs: 1000,
    batchBlocks: 1000,
    datadir: path.join(dir, "l2"),
    spec: lvmChainSpec({
      bridgeCode: await loadBridgeCode(root),
      devAccounts: devAccounts().map((a) => a.address),
    }),
  });
  const provider = new JsonRpcProvider(l2.url, undefined, {
    staticNetwork: true,
    pollingInterval: 100,
    cacheTimeout: -1,
  });
  const [, , , fedAcct, userAcct] = devAccounts();
  const fed = new Wallet(fedAcct!.privateKey, provider);
  const user = new Wallet(userAcct!.privateKey, provider);
  const genesis = (await backend.getBlockHeader(await backend.getBlockHash(0))).encode();
  const lc = await new BtcLightClient__factory(fed).deploy(genesis, 0, 0x7fffffn << 232n, false);
  await lc.waitForDeployment();
  const dlc = await new DlcChannels__factory(fed).deploy(await lc.getAddress(), 1, fed.address);
  await dlc.waitForDeployment();
  const relayer = new Relayer({
    source: backend,
    client: new EthersLightClient(await lc.getAddress(), fed),
    pollMs: 1000,
  });
  relayer.start();
  const svc = new OracleService({
    backend,
    l2RpcUrl: l2.url,
    contract: await dlc.getAddress(),
    datadir: dir,
    oracleSecret,
    pollMs: 1000,
  });
  await svc.start();
  try {
    // open → usable on the L2
    const userCollateral = sats(150_000_000n);
    const t0 = performance.now();
    const funding = buildFundingTx(
      [
        {
          coins: [{ utxo: await coin(script(userKey)), sign: wallet(userSecret) }],
          collateral: userCollateral,
          changeScript: script(userKey),
        },
        {
          coins: [{ utxo: await coin(script(fedKey)), sign: wallet(fedSecret) }],
          collateral: sats(60_000_000n),
          changeScript: script(fedKey),
        },
      ],
      fundingOutput({ userKey, federationKey: fedKey }).script,
      2n,
    );
    await mined(funding);
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
    const wots = oracleWinternitzKey(oracleSecret, withdrawalEventId(id));
    const intervals = withdrawalIntervals(w, MAX_COMMITTED_AMOUNT, userCollateral);
    const stakeTerms = {
      userKey,
      federationKey: fedKey,
      oracleKey,
      winternitz: winternitzPublicKey(wots),
      requested: w,
      intervals,
      window: 2,
      reclaim: 50,
      timelockValue: sats(1_000n),
      feeRate: 2n,
      returnScript: script(oracleKey),
    };
    const stakeTx = buildFundingTx(
      [
        {
          coins: [{ utxo: await coin(script(oracleKey)), sign: wallet(oracleSecret) }],
          collateral: sats(20_000_000n),
          changeScript: script(oracleKey),
        },
      ],
      stakeOutput(stakeTerms).script,
      2n,
    );
    await mined(stakeTx);
    const staked = new StakedOracle(stakeTerms, stakeTx.utxo(0));
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
      intervals,
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
    await backend.mine(2, addr(script(fedKey))); // the challenge window
    const settle = channel.settle(att, userSecret, fromFed).tx;
    await mined(settle);
    if ((await backend.getTxOut({ txid: settle.txid, vout: 0 }))?.value !== w)
      throw new Error("settle did not pay w");
    return {
      devnet_open_to_l2_s: Math.round(openS * 100) / 100,
      devnet_withdraw_to_settle_s: Math.round(((performance.now() - t1) / 1000) * 100) / 100,
    };
  } finally {
    await svc.stop();
    await relayer.stop();
    provider.destroy();
    await l2.stop();
    await l1.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
