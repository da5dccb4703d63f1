/**
 * `npm run bench -- l1-node [--inputs N] [--noble-inputs M] [--rpc R]`: the L1 node's validation
 * speed, libsecp256k1 (the native addon, or its WASM build where the addon does not load; the
 * figures name it as `secp256k1_backend` and the addon file) and @noble/curves (pure JS) in the
 * same run.
 *
 * For each of three block kinds — P2WPKH spends, P2TR key-path spends, P2TR script-path spends
 * (`<key> OP_CHECKSIG` leaf) — a miner node receives one-input transactions through
 * `sendrawtransaction` over JSON-RPC (timed: transactions per second) and mines them into one
 * block. Two verifier nodes then connect that block: a cold one that has never seen its
 * transactions (every script runs, spread over the worker threads), and a warm one that accepted
 * them into its mempool first (Core's script execution cache skips them). Figures are µs per
 * input of block validation (`submitBlock`, everything included). The machine may be shared, so
 * each cold figure is also given in units of one bare single-thread verification of that kind
 * measured just before it (`…_in_bare_verifies`; below 1 means the threads more than paid for
 * everything else), and the run ends with bare verification times and the load average.
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";

import * as ecc from "tiny-secp256k1";

import {
  nativeSecp256k1File,
  nobleSecp256k1,
  secp256k1BackendNamed,
  wasmSecp256k1,
  OP,
  secp256k1Backend,
  setSecp256k1Backend,
  sighashTaproot,
  tapleafHash,
  TAPROOT_LEAF_TAPSCRIPT,
  type Block,
  type Secp256k1Backend,
  type Transaction,
} from "../ts/bitcoin/index.js";
import { BtcNode, JsonRpcClient, startRegtestNode } from "../ts/btcnode/index.js";
import {
  outputsOf,
  spendTaprootLeaf,
  taprootLeaf,
  TestWallet,
  tmpDir,
  type WalletCoin,
} from "../test/btcnode/wallet.js";

type Kind = "p2wpkh" | "p2tr_key" | "p2tr_script";
const KINDS: readonly Kind[] = ["p2wpkh", "p2tr_key", "p2tr_script"];

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} wants a positive integer, got ${args[i + 1]}`);
  return v;
}

/** One bare verification per kind on `backend`, µs (single thread, same run). */
function calibrate(backend: Secp256k1Backend, n: number): { ecdsa_us: number; schnorr_us: number } {
  const sk = new Uint8Array(randomBytes(32));
  const msg = new Uint8Array(randomBytes(32));
  const pub = ecc.pointFromScalar(sk, true)!;
  const xonly = ecc.xOnlyPointFromScalar(sk);
  const ecdsa = ecc.sign(msg, sk);
  const bip340 = ecc.signSchnorr(msg, sk);
  const time = (f: () => boolean): number => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) if (!f()) throw new Error("calibration signature did not verify");
    return Number((((performance.now() - t0) * 1000) / n).toFixed(1));
  };
  return {
    ecdsa_us: time(() => backend.ecdsa(ecdsa, msg, pub)),
    schnorr_us: time(() => backend.schnorr(bip340, msg, xonly)),
  };
}

export default async function (args: string[]): Promise<Record<string, unknown>> {
  const inputs = option(args, "--inputs", 2000);
  const nobleInputs = option(args, "--noble-inputs", 300);
  const rpcRequests = option(args, "--rpc", 2000);
  // libsecp256k1: the addon where it loads, else its WASM build; the figures name which one ran.
  const fast = secp256k1BackendNamed("native");
  const dirs = [tmpDir("l1bench-miner-"), tmpDir("l1bench-cold-"), tmpDir("l1bench-warm-")];
  const w = new TestWallet(9);
  const leaf = Uint8Array.of(0x20, ...w.xonly, OP.OP_CHECKSIG);
  const tapLeaf = taprootLeaf(w.xonly, leaf);
  const leafHash = tapleafHash(TAPROOT_LEAF_TAPSCRIPT, leaf);
  const secret = w.key.privateKey as Uint8Array;
  const miner = await startRegtestNode({
    datadir: dirs[0]!.dir,
    rpcPort: 0,
    sync: false,
    rpcUser: "b",
    rpcPassword: "b",
  });
  const cold = await BtcNode.open({ datadir: dirs[1]!.dir, sync: false });
  const warm = await BtcNode.open({ datadir: dirs[2]!.dir, sync: false });
  const previous = secp256k1Backend();
  try {
    const node = miner.node;
    const rpc = new JsonRpcClient({ url: miner.rpcUrl, user: "b", password: "b" });
    const follow = async (): Promise<void> => {
      for (const v of [cold, warm])
        for (let h = v.height + 1; h <= node.height; h++)
          await v.submitBlock(await node.getBlock(node.blockHash(h)));
    };
    await node.generate(100 + 2 * KINDS.length, w.trScript);
    // A running node has its script-check threads up long before a big block arrives.
    for (const v of [cold, warm])
      if ((await v.chain.scriptChecks.ready()) === 0) throw new Error("script-check workers did not start");

    /** One-input spends of `count` fresh coins of `kind`. */
    const spends = async (kind: Kind, count: number): Promise<Transaction[]> => {
      const [coin] = w.coins(node).filter((c) => c.value >= 10_000_000n);
      const each = (coin!.value - 2_000_000n) / BigInt(count);
      const to = kind === "p2wpkh" ? w.wpkhAddress : kind === "p2tr_key" ? w.trAddress : tapLeaf.script;
      const fan = w.spend(
        [coin!],
        Array.from({ length: count }, () => ({ to, value: each })),
      );
      await node.sendTransaction(fan);
      await node.generate(1, w.trScript);
      const coins: WalletCoin[] =
        kind === "p2tr_script"
          ? fan.outputs
              .map((o, vout) => ({
                outpoint: { txid: fan.txid(), vout },
                value: o.value,
                script: o.scriptPubKey,
              }))
              .filter(
                (c) => c.script.length === 34 && Buffer.from(c.script).equals(Buffer.from(tapLeaf.script)),
              )
          : outputsOf(fan, w);
      return coins.map((c) => {
        if (kind !== "p2tr_script") return w.pay(c, w.trAddress, each - 1000n, 1000n);
        const outputs = [{ to: w.trScript, value: each - 1000n }];
        const unsigned = spendTaprootLeaf(c, [new Uint8Array(64)], tapLeaf.reveal, outputs);
        const prevouts = [{ value: c.value, scriptPubKey: c.script }];
        const msg = sighashTaproot(unsigned, 0, prevouts, 0, { leafHash });
        return spendTaprootLeaf(c, [ecc.signSchnorr(msg, secret)], tapLeaf.reveal, outputs);
      });
    };

    const measure = async (backend: Secp256k1Backend, count: number, suffix: string) => {
      setSecp256k1Backend(backend);
      const out: Record<string, number> = {};
      let sent = 0;
      let sendSeconds = 0;
      for (const kind of KINDS) {
        const txs = await spends(kind, count);
        await follow();
        const hexes = txs.map((t) => t.toHex());
        const t0 = performance.now();
        for (const h of hexes) await rpc.call("sendrawtransaction", [h]);
        sendSeconds += (performance.now() - t0) / 1000;
        sent += hexes.length;
        const [hash] = await node.generate(1, w.trScript);
        const block: Block = await node.getBlock(hash!);
        if (block.txs.length !== count + 1) throw new Error(`${kind} block has ${block.txs.length} txs`);
        for (const t of txs) await warm.sendTransaction(t);
        // One bare verification of this kind on one thread, just before: the unit the load sets.
        const bare = calibrate(backend, 40)[kind === "p2wpkh" ? "ecdsa_us" : "schnorr_us"]!;
        for (const [name, v] of [
          ["cold", cold],
          ["warm", warm],
        ] as const) {
          const t1 = performance.now();
          const r = await v.submitBlock(block);
          const s = (performance.now() - t1) / 1000;
          if (r !== "new-tip") throw new Error(`${name} verifier did not take the ${kind} block: ${r}`);
          out[`${kind}_${name}_us_per_input${suffix}`] = Math.round((s * 1e6) / count);
          if (name === "cold") {
            out[`${kind}_cold_per_input_in_bare_verifies${suffix}`] = Number(
              ((s * 1e6) / count / bare).toFixed(2),
            );
            const split = v.chain.scriptChecks.lastCheck;
            out[`${kind}_cold_inputs_on_workers_pct${suffix}`] = Math.round(
              (100 * split.byWorkers) / split.inputs,
            );
          }
        }
      }
      out[`sendrawtransaction_per_s${suffix}`] = Math.round(sent / sendSeconds);
      return out;
    };

    const figures: Record<string, unknown> = {
      secp256k1_backend: fast.name,
      secp256k1_addon:
        nativeSecp256k1File === undefined ? null : path.relative(process.cwd(), nativeSecp256k1File),
      inputs_per_block: inputs,
      noble_inputs_per_block: nobleInputs,
    };
    Object.assign(figures, await measure(fast, inputs, ""));
    Object.assign(figures, await measure(nobleSecp256k1, nobleInputs, "_noble"));
    setSecp256k1Backend(previous);

    const t0 = performance.now();
    for (let i = 0; i < rpcRequests; i++) await rpc.call("getblockcount");
    figures.rpc_getblockcount_per_s = Math.round(rpcRequests / ((performance.now() - t0) / 1000));
    figures.script_check_threads = cold.chain.scriptChecks.threads + 1;
    const nat = calibrate(fast, 500);
    const js = calibrate(nobleSecp256k1, 50);
    figures[`${fast.name}_ecdsa_verify_us`] = nat.ecdsa_us;
    figures[`${fast.name}_schnorr_verify_us`] = nat.schnorr_us;
    if (fast.name !== "wasm") {
      const wasm = calibrate(wasmSecp256k1, 50);
      figures.wasm_ecdsa_verify_us = wasm.ecdsa_us;
      figures.wasm_schnorr_verify_us = wasm.schnorr_us;
    }
    figures.noble_ecdsa_verify_us = js.ecdsa_us;
    figures.noble_schnorr_verify_us = js.schnorr_us;
    // The machine is shared: the load says how far these figures are from an idle one.
    figures.load_avg_1m = Number(os.loadavg()[0]!.toFixed(2));
    return figures;
  } finally {
    setSecp256k1Backend(previous);
    await cold.close();
    await warm.close();
    await miner.stop();
    for (const d of dirs) d.cleanup();
  }
}
