pragma circom 2.1.0;

include "lib/withdrawals.circom";

// Withdrawal tree of depth 20, batches of 32.
component main = WithdrawalBatch(20, 5);
