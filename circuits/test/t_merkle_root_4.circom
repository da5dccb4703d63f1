pragma circom 2.1.0;

include "../lib/merkle.circom";

// Unit-test wrapper for test/zk/templates.test.ts: MerkleRoot over a depth-4 tree.
component main = MerkleRoot(4);
