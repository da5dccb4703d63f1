import * as bitcoin from "bitcoinjs-lib";
import Client from "bitcoin-core";
import { expect } from "chai";

import { startRegtestNode, type RunningNode } from "../../ts/btcnode/index.js";
import { TestWallet, tmpDir } from "./wallet.js";

const net = bitcoin.networks.regtest;

interface Signed {
  hex: string;
  complete: boolean;
  errors?: {
    txid: string;
    vout: number;
    witness: string[];
    scriptSig: string;
    sequence: number;
    error: string;
  }[];
}

async function rpcError(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: number; message: string };
  }
  return expect.fail("expected an RPC error");
}

describe("btcnode: Core's raw-transaction calls without a wallet, and address/network facts", function () {
  const tmp = tmpDir();
  const w = new TestWallet(21);
  const other = new TestWallet(22);
  let running: RunningNode;
  let client: Client;
  const cmd = <T>(method: string, ...args: unknown[]) => client.command(method, ...args) as Promise<T>;
  const p2pkh = bitcoin.payments.p2pkh({ pubkey: w.key.publicKey, network: net });
  const p2shWpkh = bitcoin.payments.p2sh({
    redeem: bitcoin.payments.p2wpkh({ pubkey: w.key.publicKey, network: net }),
    network: net,
  });

  before(async () => {
    running = await startRegtestNode({
      datadir: tmp.dir,
      rpcPort: 0,
      rpcUser: "u",
      rpcPassword: "p",
      sync: false,
    });
    client = new Client({ host: running.rpcUrl, username: "u", password: "p" });
    await cmd("generatetoaddress", 2, w.wpkhAddress);
    await cmd("generatetoaddress", 2, w.trAddress);
    await cmd("generatetoaddress", 100, other.trAddress);
  });
  after(async () => {
    await running.stop();
    tmp.cleanup();
  });

  const coinbaseOf = async (height: number) => {
    const block = await cmd<{ tx: string[] }>("getblock", await cmd("getblockhash", height));
    return block.tx[0]!;
  };

  it("createrawtransaction builds what bitcoinjs-lib builds, with Core's sequence rules and errors", async function () {
    const txid = await coinbaseOf(1);
    const outputs = [{ [p2pkh.address!]: 1.5 }, { [other.trAddress]: "0.25" }, { data: "cafe" }];
    const hex = await cmd<string>("createrawtransaction", [{ txid, vout: 0 }], outputs);
    const ref = new bitcoin.Transaction();
    ref.version = 2;
    ref.addInput(Buffer.from(txid, "hex").reverse(), 0, 0xffffffff);
    ref.addOutput(p2pkh.output!, 150_000_000n);
    ref.addOutput(other.trScript, 25_000_000n);
    ref.addOutput(bitcoin.payments.embed({ data: [Buffer.from("cafe", "hex")] }).output!, 0n);
    expect(hex).to.equal(ref.toHex());
    // Sequences: final; non-final with a locktime; BIP125 when replaceable; as given.
    const seq = async (...extra: unknown[]) =>
      (
        await cmd<{ vin: { sequence: number }[]; locktime: number }>(
          "decoderawtransaction",
          await cmd("createrawtransaction", [{ txid, vout: 0 }], outputs, ...extra),
        )
      ).vin[0]!.sequence;
    expect(await seq()).to.equal(0xffffffff);
    expect(await seq(500)).to.equal(0xfffffffe);
    expect(await seq(0, true)).to.equal(0xfffffffd);
    expect(await cmd<string>("createrawtransaction", [{ txid, vout: 0, sequence: 7 }], [])).to.match(
      /07000000/,
    );
    // The older single-object form of outputs.
    expect(await cmd("createrawtransaction", [{ txid, vout: 0 }], { [p2pkh.address!]: 1.5 })).to.equal(
      await cmd("createrawtransaction", [{ txid, vout: 0 }], [{ [p2pkh.address!]: 1.5 }]),
    );
    expect(await rpcError(cmd("createrawtransaction", [{ txid }], []))).to.deep.include({
      code: -8,
      message: "Invalid parameter, missing vout key",
    });
    expect(await rpcError(cmd("createrawtransaction", [{ txid, vout: -1 }], []))).to.deep.include({
      code: -8,
      message: "Invalid parameter, vout cannot be negative",
    });
    expect(await rpcError(cmd("createrawtransaction", [{ txid: "ab", vout: 0 }], []))).to.deep.include({
      code: -8,
      message: "txid must be of length 64 (not 2, for 'ab')",
    });
    expect(await rpcError(cmd("createrawtransaction", [], [{ nope: 1 }]))).to.deep.include({
      code: -5,
      message: "Invalid Bitcoin address: nope",
    });
    expect(
      await rpcError(cmd("createrawtransaction", [], [{ [w.trAddress]: 1 }, { [w.trAddress]: 2 }])),
    ).to.deep.include({ code: -8, message: `Invalid parameter, duplicated address: ${w.trAddress}` });
    expect(await rpcError(cmd("createrawtransaction", [], [], -1))).to.deep.include({
      code: -8,
      message: "Invalid parameter, locktime out of range",
    });
  });

  it("signrawtransactionwithkey signs P2WPKH, P2TR, P2PKH and P2SH-P2WPKH coins the node accepts", async function () {
    // A P2WPKH coinbase and a P2TR coinbase fund a P2PKH and a P2SH-P2WPKH output.
    const fund = await cmd<string>(
      "createrawtransaction",
      [
        { txid: await coinbaseOf(1), vout: 0 },
        { txid: await coinbaseOf(3), vout: 0 },
      ],
      [{ [p2pkh.address!]: 40 }, { [p2shWpkh.address!]: 59.999 }],
    );
    const unsigned = await cmd<Signed>("signrawtransactionwithkey", fund, []);
    expect(unsigned.complete).to.equal(false);
    // Core's words: a P2WPKH witness without two items is a "hash mismatch".
    expect(unsigned.errors?.map((e) => e.error)).to.deep.equal([
      "Witness program hash mismatch",
      "Witness program was passed an empty witness",
    ]);
    const signed = await cmd<Signed>("signrawtransactionwithkey", fund, [w.key.toWIF()]);
    expect(signed).to.deep.equal({ hex: signed.hex, complete: true });
    const decoded = bitcoin.Transaction.fromHex(signed.hex);
    expect(decoded.ins[0]!.witness).to.have.length(2);
    expect(decoded.ins[1]!.witness).to.have.length(1);
    expect(decoded.ins[1]!.witness[0]).to.have.length(64); // SIGHASH_DEFAULT: no hash-type byte
    const fundTxid = await cmd<string>("sendrawtransaction", signed.hex);
    await cmd("generatetoaddress", 1, other.trAddress);

    // Spend both new outputs; ALL|ANYONECANPAY this time.
    const spend = await cmd<string>(
      "createrawtransaction",
      [
        { txid: fundTxid, vout: 0 },
        { txid: fundTxid, vout: 1 },
      ],
      [{ [other.trAddress]: 99.99 }],
    );
    const partial = await cmd<Signed>("signrawtransactionwithkey", spend, [other.key.toWIF()]);
    expect(partial.complete).to.equal(false);
    expect(partial.errors?.map((e) => [e.vout, e.error])).to.deep.equal([
      [0, "Unable to sign input, invalid stack size (possibly missing key)"],
      // P2SH with an empty scriptSig: OP_HASH160 on an empty stack.
      [1, "Unable to sign input, invalid stack size (possibly missing key)"],
    ]);
    const full = await cmd<Signed>(
      "signrawtransactionwithkey",
      spend,
      [w.key.toWIF()],
      [],
      "ALL|ANYONECANPAY",
    );
    expect(full.complete).to.equal(true);
    const sig = bitcoin.script.decompile(
      bitcoin.Transaction.fromHex(full.hex).ins[0]!.script,
    )![0] as Uint8Array;
    expect(sig[sig.length - 1]).to.equal(0x81);
    // Core grinds for low R: 71-byte DER signatures or shorter.
    expect(sig.length).to.be.at.most(72);
    const txid = await cmd<string>("sendrawtransaction", full.hex);
    await cmd("generatetoaddress", 1, other.trAddress);
    expect((await cmd<{ confirmations: number }>("getrawtransaction", txid, true)).confirmations).to.equal(1);
  });

  it("signrawtransactionwithkey uses prevtxs, and refuses what Core refuses", async function () {
    const txid = await coinbaseOf(2);
    const spend = await cmd<string>(
      "createrawtransaction",
      [
        { txid, vout: 0 },
        { txid: "11".repeat(32), vout: 3 },
      ],
      [{ [other.trAddress]: 10 }],
    );
    const out = await cmd<Signed>("signrawtransactionwithkey", spend, [w.key.toWIF()]);
    expect(out.complete).to.equal(false);
    expect(out.errors).to.have.length(1);
    expect(out.errors![0]).to.deep.include({
      txid: "11".repeat(32),
      vout: 3,
      error: "Input not found or already spent",
    });
    // The unknown coin given in prevtxs (a P2WPKH of ours): both inputs sign.
    const prev = {
      txid: "11".repeat(32),
      vout: 3,
      scriptPubKey: Buffer.from(w.wpkhScript).toString("hex"),
      amount: 1,
    };
    expect(
      (await cmd<Signed>("signrawtransactionwithkey", spend, [w.key.toWIF()], [prev])).complete,
    ).to.equal(true);
    const { amount: _, ...noAmount } = prev;
    expect(
      (await cmd<Signed>("signrawtransactionwithkey", spend, [w.key.toWIF()], [noAmount])).errors?.[0]?.error,
    ).to.equal("Missing amount");
    expect(await rpcError(cmd("signrawtransactionwithkey", spend, ["notakey"]))).to.deep.include({
      code: -5,
      message: "Invalid private key",
    });
    expect(
      await rpcError(cmd("signrawtransactionwithkey", spend, [w.key.toWIF()], [], "EVERYTHING")),
    ).to.deep.include({
      code: -8,
      message: "'EVERYTHING' is not a valid sighash parameter.",
    });
    expect(await rpcError(cmd("signrawtransactionwithkey", "zz", []))).to.deep.include({
      code: -22,
      message: "TX decode failed. Make sure the tx has at least one input.",
    });
    const wrong = { ...prev, txid, vout: 0, scriptPubKey: "51" };
    expect((await rpcError(cmd("signrawtransactionwithkey", spend, [], [wrong]))).code).to.equal(-22);
  });

  it("validateaddress reports Core 28's fields", async function () {
    const v = (a: string) => cmd<Record<string, unknown>>("validateaddress", a);
    expect(await v(w.wpkhAddress)).to.deep.equal({
      isvalid: true,
      address: w.wpkhAddress,
      scriptPubKey: Buffer.from(w.wpkhScript).toString("hex"),
      isscript: false,
      iswitness: true,
      witness_version: 0,
      witness_program: Buffer.from(w.wpkhScript.subarray(2)).toString("hex"),
    });
    expect(await v(w.trAddress)).to.deep.include({ isscript: true, iswitness: true, witness_version: 1 });
    expect(await v(p2pkh.address!)).to.deep.include({ isscript: false, iswitness: false });
    expect(await v(p2shWpkh.address!)).to.deep.include({ isscript: true, iswitness: false });
    expect(await v("bcrt1pfeesnyr2tx")).to.deep.equal({
      isvalid: true,
      address: "bcrt1pfeesnyr2tx",
      scriptPubKey: "51024e73",
      isscript: true,
      iswitness: true,
    });
    expect(await v("nope")).to.deep.equal({
      isvalid: false,
      error_locations: [],
      error: "Invalid or unsupported Segwit (Bech32) or Base58 encoding.",
    });
  });

  it("getnetworkinfo names its services and networks; scantxoutset takes the rawtr() it prints", async function () {
    const info = await cmd<Record<string, unknown>>("getnetworkinfo");
    expect(info.localservicesnames).to.deep.equal(["NETWORK", "WITNESS", "NETWORK_LIMITED"]);
    expect((info.networks as { name: string }[]).map((n) => n.name)).to.deep.equal([
      "ipv4",
      "ipv6",
      "onion",
      "i2p",
      "cjdns",
    ]);
    const coinbase = await coinbaseOf(4);
    const out = await cmd<{ scriptPubKey: { desc: string } }>("gettxout", coinbase, 0);
    expect(out.scriptPubKey.desc).to.match(/^rawtr\([0-9a-f]{64}\)#[a-z0-9]{8}$/);
    const scan = await cmd<{ success: boolean; unspents: { txid: string }[] }>("scantxoutset", "start", [
      out.scriptPubKey.desc,
    ]);
    expect(scan.success).to.equal(true);
    expect(scan.unspents.map((u) => u.txid)).to.include(coinbase);
    // tr(KEY): the BIP86 key path of the wallet's internal key, the same coins.
    const tr = await cmd<{ unspents: { txid: string }[] }>("scantxoutset", "start", [
      `tr(${Buffer.from(w.xonly).toString("hex")})`,
    ]);
    expect(tr.unspents.map((u) => u.txid).sort()).to.deep.equal(scan.unspents.map((u) => u.txid).sort());
  });
});
