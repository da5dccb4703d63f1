pragma circom 2.1.0;

include "../lib/merkle.circom";

// Unit-test wrapper for test/zk/templates.test.ts: MerkleInclusion in a depth-4 tree, root and leaf public as in merkle_inclusion.circom.
component main {public [root, leaf]} = MerkleInclusion(4);
