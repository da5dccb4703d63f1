import { schnorr } from "@noble/curves/secp256k1.js";
import { expect } from "chai";
import { sats } from "../../ts/bitcoin/index.js";
import {
  DlcChannel,
  Oracle,
  Point,
  adaptorDecrypt,
  adaptorRecover,
  adaptorSign,
  adaptorVerify,
  attestationSecret,
  coverInterval,
  decodeAnnouncement,
  decodeAttestation,
  digitsFor,
  encodeAnnouncement,
  encodeAttestation,
  fromDigits,
  outcomePoint,
  prefixMatches,
  toDigits,
  verifyAnnouncement,
  verifyAttestation,
  withdrawalIntervals,
  signedRefund,
  type AdaptorSignature,
  type OracleAnnouncement,
} from "../../ts/dlc/index.js";
import { bitcoinjsCheck, interpret, secpVerify, standard } from "./checks.js";
import { channelSetup, expectCode, rand32 } from "./setup.js";

const scalarOf = (b: Uint8Array): bigint => BigInt("0x" + Buffer.from(b).toString("hex"));
const G = Point.BASE;

describe("dlc: Schnorr adaptor signatures", () => {
  it("sign → verify → decrypt is a BIP340 signature (noble and libsecp256k1); recover gives t back", () => {
    const parities = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const x = rand32();
      const P = schnorr.getPublicKey(x);
      const t = rand32();
      const T = G.multiply(scalarOf(t));
      const m = rand32();
      const a = adaptorSign(x, m, T);
      parities.add(a.R[0]!);
      adaptorVerify(a, P, m, T);
      // Not yet a signature: the adaptor scalar alone does not verify.
      const premature = new Uint8Array(64);
      premature.set(a.R.subarray(1), 0);
      premature.set(a.s, 32);
      expect(schnorr.verify(premature, m, P)).to.equal(false);
      const sig = adaptorDecrypt(a, t);
      expect(schnorr.verify(sig, m, P)).to.equal(true);
      expect(secpVerify(sig, m, P)).to.equal(true);
      expect(Buffer.from(adaptorRecover(a, sig, T))).to.deep.equal(Buffer.from(t));
    }
    expect([...parities].sort()).to.deep.equal([2, 3]); // both nonce parities exercised
  });

  it("refuses a wrong key, message, adaptor point or a tampered signature", () => {
    const x = rand32();
    const P = schnorr.getPublicKey(x);
    const t = rand32();
    const T = G.multiply(scalarOf(t));
    const m = rand32();
    const a = adaptorSign(x, m, T);
    expectCode(() => adaptorVerify(a, schnorr.getPublicKey(rand32()), m, T), "BAD_ADAPTOR_SIGNATURE");
    expectCode(() => adaptorVerify(a, P, rand32(), T), "BAD_ADAPTOR_SIGNATURE");
    expectCode(() => adaptorVerify(a, P, m, G.multiply(scalarOf(rand32()))), "BAD_ADAPTOR_SIGNATURE");
    const s = a.s.slice();
    s[31] ^= 1;
    expectCode(() => adaptorVerify({ R: a.R, s }, P, m, T), "BAD_ADAPTOR_SIGNATURE");
    const R = a.R.slice();
    R[0] = R[0] === 2 ? 3 : 2; // the same x with the other parity
    expectCode(() => adaptorVerify({ R, s: a.s }, P, m, T), "BAD_ADAPTOR_SIGNATURE");
    expectCode(() => adaptorVerify({ R: new Uint8Array(33), s: a.s }, P, m, T), "BAD_POINT");
    // decrypting with the wrong secret gives no valid signature, and recovery refuses it
    const wrong = adaptorDecrypt(a, rand32());
    expect(schnorr.verify(wrong, m, P)).to.equal(false);
    expectCode(() => adaptorRecover(a, wrong, T), "BAD_SIGNATURE");
  });
});

describe("dlc: oracle announcements and attestations (dlcspecs v0)", () => {
  const oracle = new Oracle(rand32());
  const desc = { base: 2, nbDigits: 31, unit: "sats", precision: 0 };

  it("announcement: signed over the serialized event, round-trips its TLV, tampering is refused", () => {
    const a = oracle.announce("withdrawal/1", 1_800_000_000, desc);
    verifyAnnouncement(a);
    const bytes = encodeAnnouncement(a);
    // type 55332 as a bigsize (0xfd d8 24), then the length
    expect(Buffer.from(bytes.subarray(0, 3)).toString("hex")).to.equal("fdd824");
    const back = decodeAnnouncement(bytes);
    expect(Buffer.from(encodeAnnouncement(back))).to.deep.equal(Buffer.from(bytes));
    verifyAnnouncement(back);
    const forged: OracleAnnouncement = { ...a, event: { ...a.event, maturity: a.event.maturity + 1 } };
    expectCode(() => verifyAnnouncement(forged), "BAD_ANNOUNCEMENT");
    const short: OracleAnnouncement = { ...a, event: { ...a.event, nonces: a.event.nonces.slice(1) } };
    expectCode(() => verifyAnnouncement(short), "BAD_ANNOUNCEMENT");
    expectCode(() => decodeAnnouncement(bytes.subarray(0, bytes.length - 1)), "BAD_ANNOUNCEMENT");
  });

  it("attestation: BIP340 signatures per digit under the announced nonces, s·G = R + H(R,P,m)·P", () => {
    const a = oracle.announce("withdrawal/2", 0, desc);
    const value = 1_234_567_891n;
    const att = oracle.attest(a, value);
    expect(verifyAttestation(a, att)).to.equal(value);
    expect(att.outcomes.join("")).to.equal(value.toString(2).padStart(31, "0"));
    att.signatures.forEach((sig, i) => {
      const m = schnorr.utils.taggedHash(
        "DLC/oracle/attestation/v0",
        new TextEncoder().encode(att.outcomes[i]),
      );
      expect(secpVerify(sig, m, oracle.publicKey)).to.equal(true);
      expect(
        G.multiply(scalarOf(sig.subarray(32))).equals(
          outcomePoint(oracle.publicKey, a.event.nonces[i]!, att.outcomes[i]!),
        ),
      ).to.equal(true);
    });
    const round = decodeAttestation(encodeAttestation(att));
    expect(verifyAttestation(a, round)).to.equal(value);
    // attesting the same event again with another value would leak the key: refused
    expectCode(() => oracle.attest(a, value + 1n), "NONCE_REUSE");
    expect(verifyAttestation(a, oracle.attest(a, value))).to.equal(value);
  });

  it("refuses an attestation for another nonce, another event, or a flipped digit", () => {
    const a = oracle.announce("withdrawal/3", 0, desc);
    const b = oracle.announce("withdrawal/4", 0, desc);
    const attB = oracle.attest(b, 5n);
    // b's signatures presented as a's: same oracle, other nonces
    expectCode(() => verifyAttestation(a, { ...attB, eventId: a.event.eventId }), "WRONG_NONCE");
    expectCode(() => verifyAttestation(a, attB), "WRONG_EVENT");
    const attA = oracle.attest(a, 5n);
    const outcomes = [...attA.outcomes];
    outcomes[30] = outcomes[30] === "1" ? "0" : "1";
    expectCode(() => verifyAttestation(a, { ...attA, outcomes }), "BAD_ATTESTATION");
    const mallory = new Oracle(rand32());
    const forged = mallory.attest(mallory.announce(a.event.eventId, 0, desc), 5n);
    expectCode(() => verifyAttestation(a, forged), "WRONG_EVENT");
    expectCode(() => mallory.attest(a, 5n), "WRONG_EVENT");
  });
});

describe("dlc: digit decomposition and the interval cover", () => {
  it("digits round-trip; 21 BTC in sats needs 31 binary or 10 decimal digits", () => {
    const max = 21n * 100_000_000n;
    expect(digitsFor(max, 2)).to.equal(31);
    expect(digitsFor(max, 10)).to.equal(10);
    for (const v of [0n, 1n, max, 123_456_789n]) {
      expect(fromDigits(toDigits(v, 2, 31), 2)).to.equal(v);
      expect(fromDigits(toDigits(v, 10, 10), 10)).to.equal(v);
    }
    expectCode(() => toDigits(2n ** 31n, 2, 31), "BAD_OUTCOME");
  });

  it("covers exactly [from, to] with disjoint prefixes (brute force over every value)", () => {
    for (const [base, n] of [
      [2, 8],
      [10, 3],
      [3, 5],
    ] as const) {
      const max = BigInt(base) ** BigInt(n) - 1n;
      for (let k = 0; k < 60; k++) {
        let a = BigInt(Math.floor(Math.random() * Number(max + 1n)));
        let b = BigInt(Math.floor(Math.random() * Number(max + 1n)));
        if (a > b) [a, b] = [b, a];
        const cover = coverInterval(a, b, base, n);
        for (let v = 0n; v <= max; v++) {
          const hits = cover.filter((p) => prefixMatches(p, v, base, n)).length;
          expect(hits, `value ${v} of [${a}, ${b}] base ${base}`).to.equal(v >= a && v <= b ? 1 : 0);
        }
        // the dlcspecs bound: at most 2·(base − 1) prefixes per digit
        expect(cover.length).to.be.at.most(2 * (base - 1) * n);
      }
    }
    expectCode(() => coverInterval(5n, 4n, 2, 8), "BAD_INTERVAL");
  });

  it("a withdrawal of exactly w sats up to 21 BTC: 1 + 31 CETs in base 2, not one per sat", () => {
    const max = 2n ** 31n - 1n;
    for (const w of [0n, 1n, 2_100_000_000n, 1_234_567_891n, max]) {
      const n = withdrawalIntervals(w, max, sats(0n)).reduce(
        (acc, iv) => acc + coverInterval(iv.from, iv.to, 2, 31).length,
        0,
      );
      expect(n, `w = ${w}`).to.equal(32);
    }
  });
});

describe("dlc: a channel's CETs, settlement and refund", () => {
  const w = 123_456_789n;
  const setup = channelSetup({ eventId: "lvm/withdrawal/7", w });
  const { userSecret, fedSecret, userKey, federationKey, terms, fundingUtxo } = setup;
  const oracle = setup.oracles[0]!;
  const announcement = setup.announcements[0]!;
  const channel = setup.channel();
  const fromUser = channel.sign(userSecret);
  const fromFed = channel.sign(fedSecret);

  it("presigns one adaptor signature per CET, each verified by the counterparty", () => {
    expect(channel.entries.length).to.equal(32);
    expect(channel.txs.length).to.equal(2); // two distinct payouts: withdrawal and refund split
    channel.verify(fromUser, "user");
    channel.verify(fromFed, "federation");
  });

  it("the attested amount's CET pays the user exactly w; it verifies in our interpreter and libsecp256k1", () => {
    const att = oracle.attest(announcement, w);
    const { tx, entry, value } = channel.settle(att, userSecret, fromFed);
    expect(value).to.equal(w);
    expect(channel.entries[entry]!.prefix.length).to.equal(31);
    expect(tx.output(0)).to.deep.include({ amount: w });
    expect(Buffer.from(tx.output(0).script)).to.deep.equal(Buffer.from(terms.userScript));
    expect(tx.output(1).amount).to.equal(200_000_000n - w - tx.fee);
    expect(tx.fee).to.equal(BigInt(tx.vsize) * 2n);
    expect(interpret(tx)).to.deep.equal([]);
    expect(bitcoinjsCheck(tx, 0, 0, federationKey)).to.equal(true);
    expect(bitcoinjsCheck(tx, 0, 1, userKey)).to.equal(true);
    expect(standard(tx)).to.equal(true);
    // the federation learns the attestation secret from the broadcast CET and its own adaptor signature
    const witness = tx.toTransaction().inputs[0]!.witness;
    const secret = channel.recoverSecret(entry, fromFed.cets[entry]!, "federation", witness);
    expect(Buffer.from(secret)).to.deep.equal(Buffer.from(attestationSecret(att, 31)));
  });

  it("the federation can settle too, and another outcome settles on the refund split", () => {
    const o2 = new Oracle(rand32());
    const a2 = o2.announce("lvm/withdrawal/8", 0, { base: 2, nbDigits: 31, unit: "sats", precision: 0 });
    const ch = new DlcChannel(
      { ...terms, announcement: a2 },
      fundingUtxo,
      withdrawalIntervals(w, 2n ** 31n - 1n, terms.userCollateral),
    );
    const u = ch.sign(userSecret);
    const { tx, entry } = ch.settle(o2.attest(a2, w + 1n), fedSecret, u);
    expect(ch.entries[entry]!.prefix.length).to.be.lessThan(31);
    expect(tx.output(0).amount).to.equal(terms.userCollateral);
    expect(interpret(tx)).to.deep.equal([]);
  });

  it("refuses a wrong adaptor signature, an attestation for another nonce and an unknown outcome", () => {
    const cets = [...fromFed.cets];
    const bad: AdaptorSignature = { R: cets[3]!.R, s: cets[4]!.s };
    cets[3] = bad;
    expectCode(() => channel.verify({ ...fromFed, cets }, "federation"), "BAD_ADAPTOR_SIGNATURE");
    // a signature by the user's key presented as the federation's
    expectCode(() => channel.verify(fromUser, "federation"), "BAD_ADAPTOR_SIGNATURE");
    // an attestation of the same oracle for another event (other nonces)
    const other = oracle.announce("lvm/withdrawal/9", 0, announcement.event.descriptor);
    const att = oracle.attest(other, w);
    expectCode(
      () => channel.settle({ ...att, eventId: announcement.event.eventId }, userSecret, fromFed),
      "WRONG_NONCE",
    );
    expectCode(() => channel.entryFor(2n ** 31n), "UNKNOWN_OUTCOME");
    // settling with a tampered adaptor signature is refused before anything is signed
    const good = oracle.attest(announcement, w);
    const entry = channel.entryFor(w);
    const tampered = [...fromFed.cets];
    tampered[entry] = bad;
    expectCode(
      () => channel.settle(good, userSecret, { ...fromFed, cets: tampered }),
      "BAD_ADAPTOR_SIGNATURE",
    );
  });

  it("refund: a presigned 2-of-2 with nLockTime = refundLocktime paying each party its collateral", () => {
    const tx = channel.completeRefund(userSecret, fromFed);
    expect(tx.lockTime).to.equal(500);
    expect(tx.output(0).amount).to.equal(terms.userCollateral);
    expect(tx.output(1).amount).to.equal(terms.federationCollateral - tx.fee);
    expect(interpret(tx)).to.deep.equal([]);
    expectCode(
      () => channel.completeRefund(userSecret, { ...fromFed, refund: fromUser.refund }),
      "BAD_SIGNATURE",
    );
    // signed before funding, without the oracle or the payouts: the same transaction
    const early = signedRefund(terms, fundingUtxo, userSecret, fedSecret);
    expect(early.txid).to.equal(tx.txid);
    expect(interpret(early)).to.deep.equal([]);
  });

  it("a payout below the dust limit is left out of the CET (its value goes to the fee)", () => {
    const o = new Oracle(rand32());
    const a = o.announce("lvm/withdrawal/dust", 0, { base: 2, nbDigits: 31, unit: "sats", precision: 0 });
    const ch = new DlcChannel(
      { ...terms, announcement: a },
      fundingUtxo,
      withdrawalIntervals(100n, 2n ** 31n - 1n, terms.userCollateral),
    );
    const { tx } = ch.settle(o.attest(a, 100n), userSecret, ch.sign(fedSecret));
    expect(tx.outputCount).to.equal(1);
    expect(Buffer.from(tx.output(0).script)).to.deep.equal(Buffer.from(terms.federationScript));
    expect(tx.fee).to.equal(BigInt(tx.vsize) * 2n + 100n); // the fee, plus the dropped 100 sats
    expect(interpret(tx)).to.deep.equal([]);
  });

  it("refuses payout intervals with a gap and a funding output of another script", () => {
    const ivs = withdrawalIntervals(w, 2n ** 31n - 1n, terms.userCollateral);
    expectCode(() => new DlcChannel(terms, fundingUtxo, ivs.slice(1)), "BAD_INTERVAL");
    expectCode(() => new DlcChannel(terms, { ...fundingUtxo, script: terms.userScript }, ivs), "BAD_PARAMS");
  });
});
