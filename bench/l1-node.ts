/**
 * l1-node: (1) seconds to validate a block of 2,000 segwit v0 + taproot key-path spends on a node
 * that has not seen them before (all scripts verified), (2) sendrawtransaction round trips per second
 * over JSON-RPC (each a full mempool acceptance), (3) plain RPC requests per second (getblockcount).
 */
import { BtcNode, JsonRpcClient, startRegtestNode } from "../ts/btcnode/index.js";
import { outputsOf, TestWallet, tmpDir } from "../test/btcnode/wallet.js";

export default async function (args: string[]): Promise<Record<string, unknown>> {
  const spends = Number(args[0] ?? 2000);
  const rpcRequests = Number(args[1] ?? 2000);
  const a = tmpDir("l1bench-a-");
  const b = tmpDir("l1bench-b-");
  const w = new TestWallet(9);
  const running = await startRegtestNode({
    datadir: a.dir,
    rpcPort: 0,
    sync: false,
    rpcUser: "b",
    rpcPassword: "b",
  });
  const verifier = await BtcNode.open({ datadir: b.dir, sync: false });
  try {
    const node = running.node;
    const rpc = new JsonRpcClient({ url: running.rpcUrl, user: "b", password: "b" });
    await node.generate(101, w.trScript);

    // Fan out one coinbase into `spends` outputs, half taproot, half P2WPKH.
    const [coin] = w.coins(node);
    const each = (coin.value - 1_000_000n) / BigInt(spends);
    const outs = Array.from({ length: spends }, (_, i) => ({
      to: i % 2 === 0 ? w.trAddress : w.wpkhAddress,
      value: each,
    }));
    const fan = w.spend([coin], outs);
    await node.sendTransaction(fan);
    await node.generate(1, w.trScript);
    const coins = outputsOf(fan, w);
    const txs = coins.map((c) => w.pay(c, w.trAddress, each - 1000n, 1000n));
    const hexes = txs.map((t) => Buffer.from(t.encode()).toString("hex"));

    let t0 = performance.now();
    for (const h of hexes) await rpc.call("sendrawtransaction", [h]);
    const sendSeconds = (performance.now() - t0) / 1000;

    const [hash] = await node.generate(1, w.trScript);
    const block = await node.getBlock(hash);
    if (block.txs.length !== spends + 1)
      throw new Error(`block has ${block.txs.length} txs, expected ${spends + 1}`);

    for (let h = 1; h < node.height; h++) await verifier.submitBlock(await node.getBlock(node.blockHash(h)));
    t0 = performance.now();
    const result = await verifier.submitBlock(block);
    const validateSeconds = (performance.now() - t0) / 1000;
    if (result !== "new-tip") throw new Error(`verifier did not accept the block: ${result}`);

    t0 = performance.now();
    for (let i = 0; i < rpcRequests; i++) await rpc.call("getblockcount");
    const rpcSeconds = (performance.now() - t0) / 1000;

    return {
      spends_in_block: spends,
      block_weight_wu: block.weight(),
      block_validate_s: Number(validateSeconds.toFixed(3)),
      block_validate_us_per_input: Math.round((validateSeconds * 1e6) / spends),
      sendrawtransaction_per_s: Math.round(spends / sendSeconds),
      rpc_getblockcount_per_s: Math.round(rpcRequests / rpcSeconds),
    };
  } finally {
    await verifier.close();
    await running.stop();
    a.cleanup();
    b.cleanup();
  }
}
