pragma circom 2.1.0;

include "../lib/withdrawals.circom";

// Unit-test wrapper for test/zk/templates.test.ts: WithdrawalBatch with batches of 4 in a depth-6 tree.
component main = WithdrawalBatch(6, 2);
