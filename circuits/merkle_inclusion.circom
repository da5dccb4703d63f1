pragma circom 2.1.0;

include "lib/merkle.circom";

// Example circuit of the pipeline: leaf and root are public, the path is private.
component main {public [root, leaf]} = MerkleInclusion(20);
