pragma circom 2.1.0;

include "../lib/withdrawals.circom";

// Unit-test wrapper for test/zk/templates.test.ts: WithdrawalLeaf alone.
component main = WithdrawalLeaf();
