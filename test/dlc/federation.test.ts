import { expect } from "chai";
import { winternitzPublicKey, winternitzSign } from "../../ts/bitvm/index.js";
import {
  DlcChannel,
  Oracle,
  Point,
  adaptorDecrypt,
  amountMessage,
  attestationSecret,
  disproveLeaf,
  oracleWinternitzKey,
  subsets,
  withdrawalIntervals,
  type OracleAttestation,
} from "../../ts/dlc/index.js";
import { bitcoinjsCheck, interpret, secpVerify } from "./checks.js";
import { executeScript } from "./script.js";
import { DESCRIPTOR, channelSetup, expectCode, rand32 } from "./setup.js";

// A t-of-N oracle federation (dlcspecs multi-oracle): one CET set per t-subset, each CET's adaptor
// point the sum of the subset's digit-prefix points. Any t oracles attesting the same outcome
// complete a CET; t − 1 cannot; one cheating oracle is disproved by its Winternitz commitment and
// cannot open a CET of its outcome.

describe("dlc: a t-of-N oracle federation", () => {
  const N = 3;
  const T = 2;
  const eventId = "lvm/withdrawal/fed/1";
  const descriptor = DESCRIPTOR;
  const w = 123_456_789n;
  const setup = channelSetup({ eventId, w, federation: { n: N, threshold: T }, txidByte: "22" });
  const {
    userSecret,
    fedSecret,
    userKey,
    federationKey,
    terms,
    fundingUtxo,
    oracleSecrets,
    oracles,
    announcements,
  } = setup;
  const channel = setup.channel();
  const fromUser = channel.sign(userSecret);
  const fromFed = channel.sign(fedSecret);
  const honest = (i: number): OracleAttestation => oracles[i]!.attest(announcements[i]!, w);

  it("presigns C(N, t) CET sets: 3 × 32 adaptor signatures for 2-of-3, verified by the counterparty", () => {
    expect(subsets(3, 2)).to.deep.equal([
      [0, 1],
      [0, 2],
      [1, 2],
    ]);
    expect(subsets(5, 3).length).to.equal(10);
    expect(channel.entries.length).to.equal(3 * 32);
    expect(channel.txs.length).to.equal(2); // the CET transactions are shared by the subsets
    channel.verify(fromUser, "user");
    channel.verify(fromFed, "federation");
  });

  it("any t honest oracles settle: the user gets exactly the amount, on our interpreter and libsecp256k1", () => {
    for (const pair of subsets(N, T)) {
      const { tx, value, oracles: used } = channel.settle(pair.map(honest), userSecret, fromFed);
      expect(value).to.equal(w);
      expect(used).to.deep.equal(pair);
      expect(tx.output(0).amount).to.equal(w);
      expect(interpret(tx)).to.deep.equal([]);
      expect(bitcoinjsCheck(tx, 0, 0, federationKey)).to.equal(true);
      expect(bitcoinjsCheck(tx, 0, 1, userKey)).to.equal(true);
    }
    // all three attest: the first two by index are used
    const all = channel.settle([2, 0, 1].map(honest), fedSecret, fromUser);
    expect(all.oracles).to.deep.equal([0, 1]);
    expect(interpret(all.tx)).to.deep.equal([]);
  });

  it("t − 1 oracles cannot settle, nor one oracle attesting twice", () => {
    expectCode(() => channel.settle([honest(1)], userSecret, fromFed), "THRESHOLD_NOT_MET");
    expectCode(() => channel.settle([honest(1), honest(1)], userSecret, fromFed), "THRESHOLD_NOT_MET");
    expectCode(() => channel.settle([], userSecret, fromFed), "THRESHOLD_NOT_MET");
    // an oracle outside the federation
    const stranger = new Oracle(rand32());
    const a = stranger.announce(eventId, 0, descriptor);
    expectCode(() => channel.settle([honest(0), stranger.attest(a, w)], userSecret, fromFed), "WRONG_EVENT");
  });

  it("one cheating oracle: its commitment is disproved by Script, and it cannot open a CET of its outcome", () => {
    const cheat = w + 1_000n; // an amount the L2 never requested
    const bad = new Oracle(oracleSecrets[2]!).attest(announcements[2]!, cheat); // forgets its record
    // with one honest oracle it reaches neither outcome's threshold
    expectCode(() => channel.settle([honest(0), bad], userSecret, fromFed), "THRESHOLD_NOT_MET");
    // with both honest ones, the honest outcome settles and the cheater is outvoted
    const { value, oracles: used, tx } = channel.settle([honest(0), bad, honest(1)], userSecret, fromFed);
    expect(value).to.equal(w);
    expect(used).to.deep.equal([0, 1]);
    expect(interpret(tx)).to.deep.equal([]);
    // the cheater's attestation secret alone (or with an honest one) does not complete any CET of
    // its outcome: decrypting the subset {0,2} CET of `cheat` with honest(0)+bad fails BIP340
    const entry = channel.entryFor(cheat, [0, 2]);
    const m = channel.txs[channel.entries[entry]!.tx]!.sighash(0, channel.funding.leaves.multisig);
    const len = channel.entries[entry]!.prefix.length;
    const sum = (atts: OracleAttestation[]): Uint8Array => {
      let t = 0n;
      for (const a of atts) t += BigInt("0x" + Buffer.from(attestationSecret(a, len)).toString("hex"));
      return Uint8Array.from(Buffer.from((t % Point.Fn.ORDER).toString(16).padStart(64, "0"), "hex"));
    };
    const forged = adaptorDecrypt(fromFed.cets[entry]!, sum([honest(0), bad]));
    expect(secpVerify(forged, m, federationKey)).to.equal(false);
    // two colluding oracles (a fresh instance of oracle 0 forgets its record) would open it: t matters
    const colluding = adaptorDecrypt(
      fromFed.cets[entry]!,
      sum([new Oracle(oracleSecrets[0]!).attest(announcements[0]!, cheat), bad]),
    );
    expect(secpVerify(colluding, m, federationKey)).to.equal(true);
    // slashing: its Winternitz commitment of `cheat` makes the Disprove leaf (requested w) true
    const sk = oracleWinternitzKey(oracleSecrets[2]!, eventId);
    const leaf = disproveLeaf(winternitzPublicKey(sk), w);
    const r = executeScript(leaf, { stack: winternitzSign(sk, amountMessage(cheat)) });
    expect(r.ok && r.stack.length === 1 && r.stack[0]![0] === 1).to.equal(true);
    const h = oracleWinternitzKey(oracleSecrets[0]!, eventId);
    const rh = executeScript(disproveLeaf(winternitzPublicKey(h), w), {
      stack: winternitzSign(h, amountMessage(w)),
    });
    expect(rh.ok && rh.stack.length === 1 && rh.stack[0]!.length === 0).to.equal(true); // honest: not disprovable
  });

  it("refuses a bad threshold, a duplicate oracle and another digit layout", () => {
    const ivs = withdrawalIntervals(w, 2n ** 31n - 1n, terms.userCollateral);
    for (const threshold of [0, 4, 1.5])
      expectCode(
        () => new DlcChannel({ ...terms, federation: { announcements, threshold } }, fundingUtxo, ivs),
        "BAD_PARAMS",
      );
    expectCode(
      () =>
        new DlcChannel(
          { ...terms, federation: { announcements: [announcements[0]!, announcements[0]!], threshold: 2 } },
          fundingUtxo,
          ivs,
        ),
      "BAD_ANNOUNCEMENT",
    );
    const other = oracles[1]!.announce("lvm/withdrawal/fed/20", 0, { ...descriptor, nbDigits: 20 });
    expectCode(
      () =>
        new DlcChannel(
          { ...terms, federation: { announcements: [announcements[0]!, other], threshold: 2 } },
          fundingUtxo,
          ivs,
        ),
      "BAD_ANNOUNCEMENT",
    );
  });
});
