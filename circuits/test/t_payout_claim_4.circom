pragma circom 2.1.0;

include "../lib/withdrawals.circom";

// Unit-test wrapper for test/zk/templates.test.ts: PayoutClaim over a depth-4 payouts tree.
component main = PayoutClaim(4);
