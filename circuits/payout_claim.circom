pragma circom 2.1.0;

include "lib/withdrawals.circom";

// Payouts tree of depth 20.
component main = PayoutClaim(20);
