pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "merkle.circom";

// Leaf of the withdrawal tree: Poseidon(id, amount, scriptPubKey hash), or 0 for an unused slot
// so that a short batch still fills its aligned subtree and the tree stays append-only.
template WithdrawalLeaf() {
    signal input enabled;
    signal input id;
    signal input amount;
    signal input spkHash;
    signal output leaf;

    enabled * (1 - enabled) === 0;
    // Amounts are satoshis: 64 bits rules out a field-wrapped "negative" amount.
    component range = Num2Bits(64);
    range.in <== amount;

    component h = Poseidon(3);
    h.inputs[0] <== id;
    h.inputs[1] <== amount;
    h.inputs[2] <== spkHash;
    leaf <== enabled * h.out;
}

// Root of a complete binary Poseidon tree over 2^height leaves.
template SubtreeRoot(height) {
    var n = 1 << height;
    signal input leaves[n];
    signal output root;

    component hashers[n - 1];
    signal nodes[2 * n - 1];
    for (var i = 0; i < n; i++) nodes[n - 1 + i] <== leaves[i];
    for (var i = n - 2; i >= 0; i--) {
        hashers[i] = Poseidon(2);
        hashers[i].inputs[0] <== nodes[2 * i + 1];
        hashers[i].inputs[1] <== nodes[2 * i + 2];
        nodes[i] <== hashers[i].out;
    }
    root <== nodes[0];
}

// Appending a batch of 2^batchHeight withdrawals to the tree of the given depth moves its root
// from oldRoot to newRoot. The batch occupies an aligned, previously empty subtree: proving the
// subtree position held the empty-subtree hash under oldRoot and holds the batch's subtree under
// newRoot costs 2 * (depth - batchHeight) hashes instead of 2 * depth per withdrawal.
// The single public input binds (oldRoot, newRoot, start index, batch subtree root).
template WithdrawalBatch(depth, batchHeight) {
    var n = 1 << batchHeight;
    var upper = depth - batchHeight;

    signal input oldRoot;
    signal input newRoot;
    signal input startIndex;
    signal input enabled[n];
    signal input ids[n];
    signal input amounts[n];
    signal input spkHashes[n];
    // Siblings of the batch subtree from its root up to the tree root; bits give its position.
    signal input pathElements[upper];
    signal input pathIndices[upper];
    signal output commitment;

    component leaves[n];
    component sub = SubtreeRoot(batchHeight);
    for (var i = 0; i < n; i++) {
        leaves[i] = WithdrawalLeaf();
        leaves[i].enabled <== enabled[i];
        leaves[i].id <== ids[i];
        leaves[i].amount <== amounts[i];
        leaves[i].spkHash <== spkHashes[i];
        sub.leaves[i] <== leaves[i].leaf;
        // Used slots come first: a batch cannot hide an unused slot between withdrawals.
        if (i > 0) { enabled[i] * (1 - enabled[i - 1]) === 0; }
    }

    // The empty subtree of height batchHeight: computed at compile time.
    component zeroHash[batchHeight];
    signal zeros[batchHeight + 1];
    zeros[0] <== 0;
    for (var h = 0; h < batchHeight; h++) {
        zeroHash[h] = Poseidon(2);
        zeroHash[h].inputs[0] <== zeros[h];
        zeroHash[h].inputs[1] <== zeros[h];
        zeros[h + 1] <== zeroHash[h].out;
    }

    component before = MerkleRoot(upper);
    component after = MerkleRoot(upper);
    before.leaf <== zeros[batchHeight];
    after.leaf <== sub.root;
    var index = 0;
    for (var i = 0; i < upper; i++) {
        before.pathElements[i] <== pathElements[i];
        before.pathIndices[i] <== pathIndices[i];
        after.pathElements[i] <== pathElements[i];
        after.pathIndices[i] <== pathIndices[i];
        index += pathIndices[i] * (1 << i);
    }
    before.root === oldRoot;
    after.root === newRoot;
    startIndex === index * n;

    component c = Poseidon(4);
    c.inputs[0] <== oldRoot;
    c.inputs[1] <== newRoot;
    c.inputs[2] <== startIndex;
    c.inputs[3] <== sub.root;
    commitment <== c.out;
}

// "(withdrawal, operator, payout txid) is in the payouts root of claim C". The txid is split in
// two 128-bit halves (a 256-bit value does not fit the field). The single public input is
// Poseidon(claimId, payoutsRoot, withdrawalId, operator, txidHi, txidLo).
template PayoutClaim(depth) {
    signal input claimId;
    signal input payoutsRoot;
    signal input withdrawalId;
    signal input operator;
    signal input txidHi;
    signal input txidLo;
    signal input pathElements[depth];
    signal input pathIndices[depth];
    signal output commitment;

    component hiBits = Num2Bits(128);
    hiBits.in <== txidHi;
    component loBits = Num2Bits(128);
    loBits.in <== txidLo;

    component leaf = Poseidon(4);
    leaf.inputs[0] <== withdrawalId;
    leaf.inputs[1] <== operator;
    leaf.inputs[2] <== txidHi;
    leaf.inputs[3] <== txidLo;

    component tree = MerkleRoot(depth);
    tree.leaf <== leaf.out;
    for (var i = 0; i < depth; i++) {
        tree.pathElements[i] <== pathElements[i];
        tree.pathIndices[i] <== pathIndices[i];
    }
    tree.root === payoutsRoot;

    component c = Poseidon(6);
    c.inputs[0] <== claimId;
    c.inputs[1] <== payoutsRoot;
    c.inputs[2] <== withdrawalId;
    c.inputs[3] <== operator;
    c.inputs[4] <== txidHi;
    c.inputs[5] <== txidLo;
    commitment <== c.out;
}
