import { schnorr } from "@noble/curves/secp256k1.js";
import * as bitcoin from "bitcoinjs-lib";
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as ecc from "tiny-secp256k1";
import { sats, txidFromHex } from "../../ts/bitcoin/index.js";
import { winternitzPublicKey } from "../../ts/bitvm/index.js";
import { keyPathOutput, tweakedSecret, xOnlyKey } from "../../ts/bridge/index.js";
import { BtcNode, EmbeddedBackend, type BitcoinBackend } from "../../ts/btcnode/index.js";
import {
  DlcChannel,
  MAX_COMMITTED_AMOUNT,
  Oracle,
  StakedOracle,
  buildFundingTx,
  fundingOutput,
  oracleWinternitzKey,
  stakeOutput,
  withdrawalIntervals,
  type ChannelTerms,
  type DlcTx,
  type DlcUtxo,
  type StakeTerms,
} from "../../ts/dlc/index.js";
import { interpret } from "./checks.js";
import { DESCRIPTOR, expectCode, rand32 } from "./setup.js";

// OP-DLC with a 2-of-3 oracle federation on our regtest node: every oracle stakes and commits its
// attested amount in its own sign transaction; the settle-CET of a subset spends the funding
// output and, for each oracle of the subset, its timelocked output and connector A. Two honest
// oracles settle after the window (user, federation and both oracles paid exactly); the third
// one's wrong commitment is disproved on its own connector and takes no part.

bitcoin.initEccLib(ecc);

describe("dlc: t-of-N OP-DLC, settle-CETs spending the subset's stake connectors (regtest node)", function () {
  const N = 3;
  const T = 2;
  const WINDOW = 3;
  const eventId = "lvm/fedstake/1";
  let backend: BitcoinBackend;
  let dir: string;
  const userSecret = rand32();
  const fedSecret = rand32();
  const oracleSecrets = Array.from({ length: N }, rand32);
  const userKey = schnorr.getPublicKey(userSecret);
  const fedKey = schnorr.getPublicKey(fedSecret);
  const oracleKeys = oracleSecrets.map((s) => schnorr.getPublicKey(s));
  const script = (k: Uint8Array) => keyPathOutput(xOnlyKey(k)).script;
  const [userScript, fedScript] = [script(userKey), script(fedKey)];
  const oracleScripts = oracleKeys.map(script);
  const challengerScript = script(schnorr.getPublicKey(rand32()));
  const addr = (s: Uint8Array) => bitcoin.address.fromOutputScript(Buffer.from(s), bitcoin.networks.regtest);
  const wallet = (secret: Uint8Array) => (h: Uint8Array) => schnorr.sign(h, tweakedSecret(secret));

  before(async function () {
    dir = mkdtempSync(path.join(os.tmpdir(), "dlc-fedstake-"));
    backend = new EmbeddedBackend(await BtcNode.open({ datadir: dir, sync: false }), true);
    await backend.mine(1, addr(userScript));
    for (const s of oracleScripts) await backend.mine(1, addr(s));
    await backend.mine(101, addr(fedScript));
  });
  after(async () => {
    if (backend !== undefined) await backend.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  async function coin(s: Uint8Array): Promise<DlcUtxo> {
    const u = (await backend.scanUtxos(s)).filter((x) => x.coinbase).sort((a, b) => a.height - b.height)[0]!;
    return {
      txid: txidFromHex(u.outpoint.txid),
      vout: u.outpoint.vout,
      amount: sats(u.value),
      script: u.scriptPubKey,
    };
  }
  const accept = (tx: DlcTx) => backend.testMempoolAccept(tx.toTransaction());
  async function confirm(tx: DlcTx): Promise<void> {
    expect(interpret(tx), tx.name).to.deep.equal([]);
    expect(await accept(tx), tx.name).to.deep.include({ allowed: true });
    await backend.sendTransaction(tx.toTransaction());
    await backend.mine(1, addr(fedScript));
    expect((await backend.getTxStatus(tx.txid))?.confirmations, tx.name).to.equal(1);
  }
  const value = async (tx: DlcTx, vout: number) => (await backend.getTxOut({ txid: tx.txid, vout }))?.value;

  it("2-of-3: two honest oracles settle after the window; the cheater is disproved on its own connector", async () => {
    const w = 87_654_321n;
    const lie = w + 5_000n;
    const oracles = oracleSecrets.map((s) => new Oracle(s));
    const announcements = oracles.map((o) => o.announce(eventId, 0, DESCRIPTOR));
    const terms: ChannelTerms = {
      userKey,
      federationKey: fedKey,
      userCollateral: sats(150_000_000n),
      federationCollateral: sats(60_000_000n),
      userScript,
      federationScript: fedScript,
      announcement: announcements[0]!,
      federation: { announcements, threshold: T },
      refundLocktime: (await backend.getBlockCount()) + 40,
      feeRate: 2n,
    };
    const funding = buildFundingTx(
      [
        {
          coins: [{ utxo: await coin(userScript), sign: wallet(userSecret) }],
          collateral: terms.userCollateral,
          changeScript: userScript,
        },
        {
          coins: [{ utxo: await coin(fedScript), sign: wallet(fedSecret) }],
          collateral: terms.federationCollateral,
          changeScript: fedScript,
        },
      ],
      fundingOutput(terms).script,
      2n,
    );
    await confirm(funding);
    const intervals = withdrawalIntervals(w, MAX_COMMITTED_AMOUNT, terms.userCollateral);
    // each oracle's own stake, one-time key and sign transactions
    const wots = oracleSecrets.map((s) => oracleWinternitzKey(s, eventId));
    const stakes: StakedOracle[] = [];
    for (let o = 0; o < N; o++) {
      const st: StakeTerms = {
        userKey,
        federationKey: fedKey,
        oracleKey: oracleKeys[o]!,
        winternitz: winternitzPublicKey(wots[o]!),
        requested: w,
        intervals,
        window: WINDOW,
        reclaim: 50,
        timelockValue: sats(1_000n),
        feeRate: 2n,
        returnScript: oracleScripts[o]!,
      };
      const stakeTx = buildFundingTx(
        [
          {
            coins: [{ utxo: await coin(oracleScripts[o]!), sign: wallet(oracleSecrets[o]!) }],
            collateral: sats(20_000_000n),
            changeScript: oracleScripts[o]!,
          },
        ],
        stakeOutput(st).script,
        2n,
      );
      await confirm(stakeTx);
      stakes.push(new StakedOracle(st, stakeTx.utxo(0)));
    }
    expectCode(() => new DlcChannel(terms, funding.utxo(0), intervals, stakes.slice(1)), "BAD_PARAMS");
    const channel = new DlcChannel(terms, funding.utxo(0), intervals, stakes);
    // one CET transaction per (interval, subset): its inputs are the subset's stakes
    expect(channel.entries.length).to.equal(3 * 32);
    expect(channel.txs.length).to.equal(intervals.length * 3);
    for (const tx of channel.txs) expect(tx.inputCount).to.equal(1 + 2 * T);
    const fromUser = channel.sign(userSecret);
    const fromFed = channel.sign(fedSecret);
    channel.verify(fromUser, "user");
    channel.verify(fromFed, "federation");
    expect(fromUser.stakeInputs.flat().length).to.equal(channel.txs.length * 2 * T);
    const userSignSigs = stakes.map((s) => s.presignUser(userSecret));

    // oracles 0 and 1 attest and commit w; oracle 2 attests and commits an amount never requested
    const atts = [oracles[0]!.attest(announcements[0]!, w), oracles[1]!.attest(announcements[1]!, w)];
    const bad = oracles[2]!.attest(announcements[2]!, lie);
    const signs = [w, w, lie].map((x, o) =>
      stakes[o]!.completeSign(x, wots[o]!, oracleSecrets[o]!, userSignSigs[o]!),
    );
    // the three sign transactions confirm in one block
    for (const s of signs) {
      expect(interpret(s), s.name).to.deep.equal([]);
      await backend.sendTransaction(s.toTransaction());
    }
    await backend.mine(1, addr(fedScript));
    for (const s of signs) expect((await backend.getTxStatus(s.txid))?.confirmations).to.equal(1);

    // the honest pair's settle-CET: funding + oracle 0's and oracle 1's timelocked output and connector
    const { tx: cet, oracles: used } = channel.settle([bad, ...atts], userSecret, fromFed);
    expect(used).to.deep.equal([0, 1]);
    const prev = cet.prevouts.map((p) => `${p.txid}:${p.vout}`);
    expect(prev).to.deep.equal([
      `${funding.txid}:0`,
      `${signs[0]!.txid}:0`,
      `${signs[0]!.txid}:1`,
      `${signs[1]!.txid}:0`,
      `${signs[1]!.txid}:1`,
    ]);
    expect(interpret(cet)).to.deep.equal([]);
    const early = await accept(cet);
    expect(early.allowed).to.equal(false);
    expect(early.rejectReason).to.match(/non-BIP68-final/);

    // the cheater's connector: anyone's Disprove-CET, inside the window
    const j2 = stakes[2]!.intervalOf(lie);
    const disprove = stakes[2]!.disprove(
      j2,
      StakedOracle.commitment(signs[2]!.toTransaction().inputs[0]!.witness),
      challengerScript,
    );
    await confirm(disprove);
    // nor can the cheater reach a threshold with one honest oracle
    expectCode(() => channel.settle([atts[0]!, bad], userSecret, fromFed), "THRESHOLD_NOT_MET");
    // an honest oracle's connector cannot be disproved
    const d0 = stakes[0]!.disprove(
      stakes[0]!.intervalOf(w),
      StakedOracle.commitment(signs[0]!.toTransaction().inputs[0]!.witness),
      challengerScript,
    );
    expect((await accept(d0)).allowed).to.equal(false);

    await backend.mine(WINDOW - 2, addr(fedScript)); // the Disprove-CET mined one block of the window
    await confirm(cet);
    expect(await value(cet, 0)).to.equal(w); // the user: exactly w
    expect(await value(cet, 1)).to.equal(210_000_000n - w); // the federation: exactly the rest
    const stakeOf = (s: DlcTx) => (s.output(0).amount as bigint) + (s.output(1).amount as bigint);
    const back0 = (await value(cet, 2))!;
    const back1 = (await value(cet, 3))!;
    expect(Buffer.from(cet.output(2).script)).to.deep.equal(Buffer.from(oracleScripts[0]!));
    expect(Buffer.from(cet.output(3).script)).to.deep.equal(Buffer.from(oracleScripts[1]!));
    expect(back0 + back1).to.equal(stakeOf(signs[0]!) + stakeOf(signs[1]!) - cet.fee); // the fee, split
    expect(stakeOf(signs[0]!) - back0 - (stakeOf(signs[1]!) - back1)).to.be.oneOf([0n, 1n]);
    // the cheater's sign transaction outputs: connector spent by the Disprove-CET, never settled
    expect(await value(signs[2]!, 1)).to.equal(undefined);
  });
});
