import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";

import { bitsToTarget, Block, merkleRoot } from "../../ts/bitcoin/index.js";
import { BtcNode, MAINNET, RejectError } from "../../ts/btcnode/index.js";
import { tmpDir } from "./wallet.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const DAT = path.resolve(here, "../../../shared/vectors/mainnet/blocks-1-256.dat");

/** The blocks of the btcd-style file: magic, 4-byte little-endian length, block. */
function readBlocks(): Uint8Array[] {
  const buf = readFileSync(DAT);
  const out: Uint8Array[] = [];
  let o = 0;
  while (o < buf.length) {
    expect(buf.readUInt32LE(o)).to.equal(0xd9b4bef9);
    const len = buf.readUInt32LE(o + 4);
    out.push(Uint8Array.from(buf.subarray(o + 8, o + 8 + len)));
    o += 8 + len;
  }
  return out;
}

describe("btcnode: mainnet blocks from blocks-1-256.dat under mainnet rules", function () {
  const tmp = tmpDir();
  let node: BtcNode;
  const raw = readBlocks();

  before(async () => {
    node = await BtcNode.open({ datadir: tmp.dir, chain: "main", sync: false });
  });
  after(async () => {
    await node.close();
    tmp.cleanup();
  });

  it("starts at the mainnet genesis block", () => {
    expect(node.blockHash(0)).to.equal(MAINNET.genesisHash);
    expect(Block.decode(raw[0]).header.prevHash).to.equal(MAINNET.genesisHash);
  });

  it("rejects a tampered block 170 (signature changed, merkle root recommitted) and keeps the tip", async () => {
    for (let i = 0; i < 169; i++) expect(await node.submitBlock(Block.decode(raw[i]))).to.equal("new-tip");
    const b170 = Block.decode(raw[169]);
    const spend = b170.txs[1];
    expect(spend.isCoinbase()).to.equal(false);
    // Flip a bit inside the DER signature of the P2PK spend, and recommit the merkle root.
    const sig = Uint8Array.from(spend.inputs[0].scriptSig);
    sig[20] ^= 1;
    spend.inputs[0].scriptSig = sig;
    b170.header.merkleRoot = merkleRoot(b170.txs.map((t) => t.hashBytes()));
    // Difficulty 1 is out of reach here, so this block also fails proof of work first: check both paths.
    let err: unknown;
    try {
      await node.submitBlock(b170);
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(RejectError);
    expect((err as RejectError).reason).to.equal("high-hash");
    expect(BigInt("0x" + b170.header.hash()) > bitsToTarget(b170.header.bits)).to.equal(true);
    expect(node.height).to.equal(169);
  });

  it("validates every block of the file, scripts included, and ends on its last block", async () => {
    // The file is named 1-256 but holds 255 blocks (heights 1..255).
    expect(raw.length).to.be.at.least(255);
    for (let i = node.height; i < raw.length; i++)
      expect(await node.submitBlock(Block.decode(raw[i]))).to.equal("new-tip");
    expect(node.height).to.equal(raw.length);
    expect(node.tip.hash).to.equal(Block.decode(raw[raw.length - 1]).header.hash());
    // Block 170 spent block 9's coinbase output: it is gone, its two outputs exist.
    const b9 = Block.decode(raw[8]);
    const b170 = Block.decode(raw[169]);
    expect(b170.txs[1].inputs[0].prevout.txid).to.equal(b9.txs[0].txid());
    expect(node.getTxOut({ txid: b9.txs[0].txid(), vout: 0 }, false)).to.equal(undefined);
    expect(node.getTxOut({ txid: b170.txs[1].txid(), vout: 0 }, false)?.value).to.equal(10_00000000n);
    let expected = 0;
    for (const r of raw)
      for (const t of Block.decode(r).txs)
        expected += t.outputs.length - (t.isCoinbase() ? 0 : t.inputs.length);
    expect(node.allCoins().size).to.equal(expected);
    expect((await node.verifyUtxoSet()).ok).to.equal(true);
  });
});
