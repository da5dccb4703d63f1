import { OracleAnnouncementV0 } from "@node-dlc/messaging/dist/messages/OracleAnnouncementV0.js";
import { OracleAttestationV0 } from "@node-dlc/messaging/dist/messages/OracleAttestationV0.js";
import { schnorr } from "@noble/curves/secp256k1.js";
import { expect } from "chai";
import { Oracle, decodeAnnouncement, encodeAnnouncement, encodeAttestation } from "../../ts/dlc/index.js";

// Cross-check of our dlcspecs messages against an independent implementation: node-dlc
// (@node-dlc/messaging 1.1.7) parses our bytes, re-serializes them byte for byte, and verifies the
// announcement and every digit's attestation signature with its own Schnorr code (bip-schnorr).

describe("dlc: oracle messages against @node-dlc/messaging", () => {
  const oracle = new Oracle(schnorr.utils.randomSecretKey());

  for (const [base, nbDigits, value] of [
    [2, 31, 2_100_000_000n],
    [10, 10, 987_654_321n],
  ] as const) {
    it(`announcement and attestation, base ${base} × ${nbDigits} digits`, () => {
      const a = oracle.announce(`lvm/withdrawal/b${base}`, 1_800_000_000, {
        base,
        nbDigits,
        unit: "sats",
        precision: 0,
      });
      const bytes = encodeAnnouncement(a);
      const theirs = OracleAnnouncementV0.deserialize(Buffer.from(bytes));
      theirs.validate(); // throws on a bad signature
      expect(theirs.oraclePubkey.toString("hex")).to.equal(Buffer.from(a.oraclePublicKey).toString("hex"));
      expect(theirs.oracleEvent.oracleNonces.length).to.equal(nbDigits);
      expect(Buffer.from(theirs.serialize()).toString("hex")).to.equal(Buffer.from(bytes).toString("hex"));
      // and back: their serialization is ours
      expect(encodeAnnouncement(decodeAnnouncement(theirs.serialize()))).to.deep.equal(bytes);

      const att = oracle.attest(a, value);
      const attBytes = encodeAttestation(att);
      const theirAtt = OracleAttestationV0.deserialize(Buffer.from(attBytes));
      theirAtt.validate();
      expect(theirAtt.outcomes.join("")).to.equal(value.toString(base).padStart(nbDigits, "0"));
      expect(Buffer.from(theirAtt.serialize()).toString("hex")).to.equal(
        Buffer.from(attBytes).toString("hex"),
      );

      // a tampered announcement signature is refused by node-dlc too
      const forged = bytes.slice();
      forged[10] ^= 1;
      expect(() => OracleAnnouncementV0.deserialize(Buffer.from(forged)).validate()).to.throw();
    });
  }
});
