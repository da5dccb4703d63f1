import { schnorr } from "@noble/curves/secp256k1.js";
import * as bitcoin from "bitcoinjs-lib";
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as ecc from "tiny-secp256k1";
import { sats, txidFromHex, type Sats } from "../../ts/bitcoin/index.js";
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
  type DlcTx,
  type DlcUtxo,
  type StakeTerms,
  watchStake,
} from "../../ts/dlc/index.js";
import { interpret } from "./checks.js";

// OP-DLC on our regtest node: the oracle stakes, commits the attested amount with its one-time
// key in its sign transaction, and either (honest) the settle-CET confirms after the window paying
// the user exactly the requested amount, or (cheating) anyone's Disprove-CET spends the stake
// connector — half burned, half to the challenger — and the settle-CET can never confirm.

bitcoin.initEccLib(ecc);

describe("dlc: OP-DLC staked oracle on the embedded regtest node", function () {
  let backend: BitcoinBackend;
  let dir: string;
  const userSecret = schnorr.utils.randomSecretKey();
  const fedSecret = schnorr.utils.randomSecretKey();
  const oracleSecret = schnorr.utils.randomSecretKey();
  const challengerSecret = schnorr.utils.randomSecretKey();
  const [userKey, fedKey, oracleKey] = [userSecret, fedSecret, oracleSecret].map((s) =>
    schnorr.getPublicKey(s),
  );
  const script = (k: Uint8Array) => keyPathOutput(xOnlyKey(k)).script;
  const [userScript, fedScript, oracleScript] = [userKey!, fedKey!, oracleKey!].map(script);
  const challengerScript = script(schnorr.getPublicKey(challengerSecret));
  const addr = (s: Uint8Array) => bitcoin.address.fromOutputScript(Buffer.from(s), bitcoin.networks.regtest);
  const WINDOW = 3;
  const STAKE = sats(20_000_000n);

  before(async function () {
    dir = mkdtempSync(path.join(os.tmpdir(), "dlc-opdlc-"));
    backend = new EmbeddedBackend(await BtcNode.open({ datadir: dir, sync: false }), true);
    await backend.mine(3, addr(userScript!));
    await backend.mine(3, addr(oracleScript!));
    await backend.mine(101, addr(fedScript!));
  });
  after(async () => {
    if (backend !== undefined) await backend.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  async function coin(s: Uint8Array, index: number): Promise<DlcUtxo> {
    const all = (await backend.scanUtxos(s)).filter((u) => u.coinbase).sort((a, b) => a.height - b.height);
    const u = all[index]!;
    return {
      txid: txidFromHex(u.outpoint.txid),
      vout: u.outpoint.vout,
      amount: sats(u.value),
      script: u.scriptPubKey,
    };
  }
  const wallet = (secret: Uint8Array) => (h: Uint8Array) => schnorr.sign(h, tweakedSecret(secret));

  async function accept(tx: DlcTx): Promise<{ allowed: boolean; rejectReason?: string }> {
    return backend.testMempoolAccept(tx.toTransaction());
  }
  async function confirm(tx: DlcTx): Promise<void> {
    expect(interpret(tx), tx.name).to.deep.equal([]);
    expect(await accept(tx), tx.name).to.deep.include({ allowed: true });
    expect(tx.weight).to.be.at.most(400_000);
    await backend.sendTransaction(tx.toTransaction());
    await backend.mine(1, addr(fedScript!));
    expect((await backend.getTxStatus(tx.txid))?.confirmations, tx.name).to.equal(1);
  }
  const value = async (tx: DlcTx, vout: number): Promise<bigint | undefined> =>
    (await backend.getTxOut({ txid: tx.txid, vout }))?.value;

  /** A withdrawal of `w` sats: the funded channel, the stake, and both parties' presignatures. */
  async function world(index: number, w: bigint) {
    const eventId = `lvm/opdlc/${index}`;
    const oracle = new Oracle(oracleSecret);
    const announcement = oracle.announce(eventId, 0, { base: 2, nbDigits: 31, unit: "sats", precision: 0 });
    const wots = oracleWinternitzKey(oracleSecret, eventId);
    const height = await backend.getBlockCount();
    const terms = {
      userKey: userKey!,
      federationKey: fedKey!,
      userCollateral: sats(150_000_000n),
      federationCollateral: sats(60_000_000n),
      userScript: userScript!,
      federationScript: fedScript!,
      announcement,
      refundLocktime: height + 30,
      feeRate: 2n,
    };
    const funding = buildFundingTx(
      [
        {
          coins: [{ utxo: await coin(userScript!, 0), sign: wallet(userSecret) }],
          collateral: terms.userCollateral,
          changeScript: userScript!,
        },
        {
          coins: [{ utxo: await coin(fedScript!, 0), sign: wallet(fedSecret) }],
          collateral: terms.federationCollateral,
          changeScript: fedScript!,
        },
      ],
      fundingOutput(terms).script,
      2n,
    );
    await confirm(funding);
    const intervals = withdrawalIntervals(w, MAX_COMMITTED_AMOUNT, terms.userCollateral);
    const stakeTerms: StakeTerms = {
      userKey: userKey!,
      federationKey: fedKey!,
      oracleKey: oracleKey!,
      winternitz: winternitzPublicKey(wots),
      requested: w,
      intervals,
      window: WINDOW,
      reclaim: 50,
      timelockValue: sats(1_000n),
      feeRate: 2n,
      returnScript: oracleScript!,
    };
    const stakeTx = buildFundingTx(
      [
        {
          coins: [{ utxo: await coin(oracleScript!, 0), sign: wallet(oracleSecret) }],
          collateral: STAKE,
          changeScript: oracleScript!,
        },
      ],
      stakeOutput(stakeTerms).script,
      2n,
    );
    await confirm(stakeTx);
    const staked = new StakedOracle(stakeTerms, stakeTx.utxo(0));
    const channel = new DlcChannel(terms, funding.utxo(0), intervals, staked);
    const fromUser = channel.sign(userSecret);
    const fromFed = channel.sign(fedSecret);
    const userSignSigs = staked.presignUser(userSecret);
    channel.verify(fromUser, "user");
    channel.verify(fromFed, "federation");
    staked.verifyUser(userSignSigs);
    return { oracle, announcement, wots, terms, funding, staked, channel, fromUser, fromFed, userSignSigs };
  }

  it("honest: OracleSign commits w, the disprove fails, the settle-CET confirms after the window", async () => {
    const w = 87_654_321n;
    const x = await world(0, w);
    const att = x.oracle.attest(x.announcement, w);
    const sign = x.staked.completeSign(w, x.wots, oracleSecret, x.userSignSigs);
    expect(await watchStake(backend, x.staked, w, challengerScript)).to.deep.equal({ status: "unsigned" });
    await confirm(sign);
    expect(await watchStake(backend, x.staked, w, challengerScript)).to.deep.equal({
      status: "honest",
      interval: 1,
      committed: w,
    });

    // Nobody can disprove an honest commitment: the disprove leaf evaluates to false.
    const j = x.staked.intervalOf(w);
    const commitment = StakedOracle.commitment(sign.toTransaction().inputs[0]!.witness);
    const disprove = x.staked.disprove(j, commitment, challengerScript);
    expect(interpret(disprove)).to.have.length(1);
    expect((await accept(disprove)).allowed).to.equal(false);

    const { tx: cet } = x.channel.settle(att, userSecret, x.fromFed);
    expect(interpret(cet)).to.deep.equal([]);
    const early = await accept(cet);
    expect(early.allowed).to.equal(false);
    expect(early.rejectReason).to.match(/non-BIP68-final/);
    await backend.mine(WINDOW - 1, addr(fedScript!));
    await confirm(cet);
    expect(await value(cet, 0)).to.equal(w); // the user: exactly the requested amount
    expect(await value(cet, 1)).to.equal(210_000_000n - w); // the federation: exactly the rest
    const stakeBack = (sign.output(0).amount as bigint) + (sign.output(1).amount as bigint) - cet.fee;
    expect(await value(cet, 2)).to.equal(stakeBack); // the oracle: its stake, less the fee
  });

  it("cheating: OracleSign commits an amount never requested, Disprove-CET slashes, settle never confirms", async () => {
    const w = 50_000_000n;
    const lie = 1_000n; // pays the user less than it asked for
    const x = await world(1, w);
    const att = x.oracle.attest(x.announcement, lie);
    const sign = x.staked.completeSign(lie, x.wots, oracleSecret, x.userSignSigs);
    await confirm(sign);
    const { tx: cet } = x.channel.settle(att, fedSecret, x.fromUser); // the federation would settle
    expect(cet.output(0).amount).to.equal(x.terms.userCollateral); // the lie's CET: refund split

    // the challenger's watcher reads the commitment off the chain and disproves it
    const j = x.staked.intervalOf(lie);
    const seen = await watchStake(backend, x.staked, w, challengerScript);
    expect(seen).to.deep.include({ status: "disproved", interval: j, committed: lie });
    const disprove = x.staked.disprove(
      j,
      StakedOracle.commitment(sign.toTransaction().inputs[0]!.witness),
      challengerScript,
    );
    expect(seen.status === "disproved" && seen.txid).to.equal(disprove.txid);
    expect(interpret(disprove)).to.deep.equal([]);
    await backend.mine(1, addr(fedScript!));
    expect((await backend.getTxStatus(disprove.txid))?.confirmations).to.equal(1);
    const connector = sign.output(1).amount as Sats;
    expect(disprove.output(0)).to.deep.equal({ script: Uint8Array.of(0x6a), amount: connector / 2n }); // burned
    expect(await value(disprove, 0)).to.equal(undefined); // OP_RETURN: never in the UTXO set
    expect(await value(disprove, 1)).to.equal(connector - connector / 2n - disprove.fee); // challenger
    expect(await watchStake(backend, x.staked, w, challengerScript)).to.deep.include({
      status: "settled-or-spent",
    });

    await backend.mine(WINDOW, addr(fedScript!));
    const late = await accept(cet);
    expect(late.allowed).to.equal(false);
    expect(late.rejectReason).to.match(/missing|spent/);

    // The funding output is untouched: the user's refund confirms at refundLocktime.
    const refund = x.channel.completeRefund(userSecret, x.fromFed);
    while ((await backend.getBlockCount()) < x.terms.refundLocktime) await backend.mine(1, addr(fedScript!));
    await confirm(refund);
    expect(await value(refund, 0)).to.equal(x.terms.userCollateral);
  });

  it("OracleSign cannot commit an amount outside the interval of its presigned leaf", async () => {
    const w = 70_000_000n;
    const x = await world(2, w);
    // Build OracleSign for w's interval but commit another amount: the range check refuses it.
    const honest = x.staked.completeSign(w, x.wots, oracleSecret, x.userSignSigs);
    const other = x.staked.completeSign(w + 1n, x.wots, oracleSecret, x.userSignSigs);
    const wit = other.toTransaction().inputs[0]!.witness;
    const mixed = x.staked.completeSign(w, x.wots, oracleSecret, x.userSignSigs);
    const hw = honest.toTransaction().inputs[0]!.witness;
    mixed.setWitness(0, [...hw.slice(0, 2), ...StakedOracle.commitment(wit), ...hw.slice(hw.length - 2)]);
    expect(interpret(mixed)).to.have.length(1);
    expect((await accept(mixed)).allowed).to.equal(false);
    expect((await accept(honest)).allowed).to.equal(true);
  });
});
