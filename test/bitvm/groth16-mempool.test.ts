import Client from "bitcoin-core";
import { expect } from "chai";

import { startRegtestNode, type RunningNode } from "../../ts/btcnode/index.js";
import { FQ } from "../../ts/bitvm/bn254/index.js";
import {
  ProgramBuilder,
  assertTransaction,
  assertTransactions,
  buildAssertion,
  checkAssertion,
  compileProgram,
  disproveTransaction,
  disproveTree,
  evaluate,
  leafWitness,
  openAssertion,
  operatorPublicKeys,
} from "../../ts/bitvm/groth16/index.js";
import { outpoint } from "../../ts/core/index.js";
import { hexOf, TestWallet, tmpDir } from "../btcnode/wallet.js";

interface Accept {
  allowed: boolean;
  "reject-reason"?: string;
  vsize?: number;
}

describe("bitvm/groth16: Assert and Disprove transactions in our regtest node's mempool", function () {
  this.timeout(300_000);
  const tmp = tmpDir("g16-");
  const w = new TestWallet(9);
  let running: RunningNode;
  let client: Client;

  before(async () => {
    running = await startRegtestNode({
      datadir: tmp.dir,
      rpcPort: 0,
      rpcUser: "u",
      rpcPassword: "p",
      sync: false,
    });
    client = new Client({ host: running.rpcUrl, username: "u", password: "p" });
    await client.command("generatetoaddress", 102, w.trAddress);
  });
  after(async () => {
    await running.stop();
    tmp.cleanup();
  });

  // A claim a·b = r in Fq2: inputs, one product chunk, one difference chunk, the final zero test.
  const b = new ProgramBuilder("fq2_product_claim");
  const [x, y, r] = [b.input("a", 2), b.input("b", 2), b.input("r", 2)];
  b.final(b.call("fq2_sub", b.call("fq2_mul", x, y), r));
  const program = b.build();
  const seed = new Uint8Array(32).fill(3);
  const pks = operatorPublicKeys(program, seed);
  const compiled = compileProgram(program, pks);
  const tree = disproveTree(compiled);
  const [A, B] = [
    [3n, 5n],
    [7n, 11n],
  ];
  const R = [(21n - 55n + FQ.p) % FQ.p, 68n];
  const honest = evaluate(program, [A, B, R]);

  const fund = async (script: Uint8Array, value: bigint) => {
    const coin = w.coins(running.node)[0]!;
    const tx = w.pay(coin, script, value, 2000n);
    await client.command("sendrawtransaction", hexOf(tx.encode()));
    await client.command("generatetoaddress", 1, w.trAddress);
    return { outpoint: outpoint(tx.txid(), 0), value };
  };
  const accept = async (hex: string): Promise<Accept> =>
    ((await client.command("testmempoolaccept", [hex])) as Accept[])[0]!;

  it("the Disprove transaction of a corrupted product is accepted; with the honest commitment it is not", async () => {
    const values = honest.map((v) => [...v]);
    values[3] = [values[3]![0]!, (values[3]![1]! + 1n) % FQ.p];
    const bad = buildAssertion(program, values, seed);
    const res = checkAssertion(program, pks, bad);
    if (res.valid) return expect.fail("corrupted product accepted");
    expect(res.info).to.include({ kind: "chunk", ref: 0 });
    const prev = await fund(tree.script, 500_000n);
    const tx = disproveTransaction(compiled, tree, res.leafIndex, res.witness, prev, w.trScript, 0n);
    const fee = BigInt(Math.ceil(tx.weight() / 4) * 2);
    const paid = disproveTransaction(compiled, tree, res.leafIndex, res.witness, prev, w.trScript, fee);
    expect(paid.weight()).to.be.at.most(400_000);
    const ok = await accept(hexOf(paid.encode()));
    expect(ok, ok["reject-reason"]).to.include({ allowed: true });

    const good = buildAssertion(program, honest, seed);
    const digits = openAssertion(program, pks, good);
    const w2 = leafWitness(program, res.info, good, digits);
    const refused = await accept(
      hexOf(disproveTransaction(compiled, tree, res.leafIndex, w2, prev, w.trScript, fee).encode()),
    );
    expect(refused.allowed).to.equal(false);
  });

  it("the Assert transaction carrying every commitment is accepted", async () => {
    const assertion = buildAssertion(program, honest, seed);
    const [t] = assertTransactions(program, pks, assertion);
    expect(t!.weight).to.be.at.most(400_000);
    const coin = w.coins(running.node)[0]!;
    const per = 200_000n;
    const funding = w.spend(
      [coin],
      [
        ...t!.chunks.map((c) => ({ to: c.output, value: per })),
        { to: w.trAddress, value: coin.value - per * BigInt(t!.chunks.length) - 5000n },
      ],
    );
    await client.command("sendrawtransaction", hexOf(funding.encode()));
    await client.command("generatetoaddress", 1, w.trAddress);
    const prevouts = t!.chunks.map((_, i) => outpoint(funding.txid(), i));
    const draft = assertTransaction(t!.chunks, prevouts, { scriptPubKey: tree.script, value: 0n });
    const fee = BigInt(Math.ceil(draft.weight() / 4) * 2);
    const value = per * BigInt(t!.chunks.length) - fee;
    const tx = assertTransaction(t!.chunks, prevouts, { scriptPubKey: tree.script, value });
    const ok = await accept(hexOf(tx.encode()));
    expect(ok, ok["reject-reason"]).to.include({ allowed: true });
    // One flipped byte in one signature and the node refuses it.
    const forged = assertTransaction(t!.chunks, prevouts, { scriptPubKey: tree.script, value });
    const item = forged.inputs[0]!.witness[0]!;
    item[0] = item[0]! ^ 1;
    expect((await accept(hexOf(forged.encode()))).allowed).to.equal(false);
  });
});
