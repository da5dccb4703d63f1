pragma circom 2.1.0;

include "../lib/withdrawals.circom";

// Unit-test wrapper for test/zk/templates.test.ts: SubtreeRoot over 4 leaves.
component main = SubtreeRoot(2);
