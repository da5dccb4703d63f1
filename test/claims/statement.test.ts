import { expect } from "chai";

import { runFragment, winternitzVerifyScript } from "../../ts/bitvm/index.js";
import {
  CLAIM_FIELDS,
  ClaimError,
  claimMessages,
  claimPublicKeys,
  claimSecretKeys,
  signClaim,
  statementFromMessages,
  type ClaimStatement,
} from "../../ts/claims/index.js";

const st: ClaimStatement = {
  prevTxid: "11".repeat(32),
  l2BlockNumber: 40,
  l2BlockHash: "22".repeat(32),
  stateRoot: "33".repeat(32),
  withdrawalRoot: "44".repeat(32),
  payoutsRoot: "55".repeat(32),
};
const seed = new Uint8Array(32).fill(7);

describe("claims: statement", () => {
  it("round-trips through its messages", () => {
    expect(statementFromMessages(claimMessages(st))).to.deep.equal(st);
  });
  it("each field's witness passes its verify script in our interpreter; a changed digit fails", () => {
    const sk = claimSecretKeys(seed, 0);
    const pk = claimPublicKeys(sk);
    const w = signClaim(sk, st);
    for (const f of CLAIM_FIELDS) {
      expect(runFragment(winternitzVerifyScript(pk[f]), w[f]).ok, f).to.equal(true);
      const bad = w[f].slice();
      bad[0] = new Uint8Array(20).fill(1);
      expect(runFragment(winternitzVerifyScript(pk[f]), bad).ok, f).to.equal(false);
    }
  });
  it("keys differ per claim index", () => {
    const a = claimPublicKeys(claimSecretKeys(seed, 0)).stateRoot.hashes[0]!;
    const b = claimPublicKeys(claimSecretKeys(seed, 1)).stateRoot.hashes[0]!;
    expect(Buffer.from(a).equals(Buffer.from(b))).to.equal(false);
  });
  it("malformed fields get a typed error", () => {
    expect(() => claimMessages({ ...st, stateRoot: "zz" })).to.throw(ClaimError, /stateRoot/);
    expect(() => claimMessages({ ...st, l2BlockNumber: -1 })).to.throw(ClaimError, /l2BlockNumber/);
  });
});
