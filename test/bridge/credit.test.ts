/**
 * The peg-in, end to end across both chains: a deposit and its PegInConfirm validated and mined
 * by our regtest node, the headers relayed to the light client on our L2 node, and the bridge
 * predeploy crediting the recipient from the SPV proof — once, at depth, and only into its pool.
 */
import { readFileSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { schnorr } from "@noble/curves/secp256k1.js";
import * as bitcoin from "bitcoinjs-lib";
import { expect } from "chai";
import { Contract, ContractFactory, Interface, JsonRpcProvider, Wallet, type InterfaceAbi } from "ethers";
import * as ecc from "tiny-secp256k1";

import { Transaction, bytesToHex } from "../../ts/bitcoin/index.js";
import {
  buildPegOutGraph,
  completePegInConfirm,
  keyPathOutput,
  spvProof,
  poolOutput,
  presignGraph,
  sats,
  txid,
  xOnlyKey,
  type SpvProof,
  type Utxo,
} from "../../ts/bridge/index.js";
import { BtcNode, EmbeddedBackend, type BitcoinBackend } from "../../ts/btcnode/index.js";
import { BRIDGE_ADDRESS, devAccounts, loadBridgeCode, lvmChainSpec, type L2Node } from "../../ts/l2/index.js";
import { EthersLightClient, Relayer } from "../../ts/relayer/index.js";
import { root, startTestNode } from "../l2/helpers.js";
import { RECIPIENT, makeWorld } from "./fixture.js";

bitcoin.initEccLib(ecc);

const artifact = (p: string): { abi: InterfaceAbi; bytecode: string } =>
  JSON.parse(readFileSync(path.join(root, "artifacts", "contracts", p), "utf8")) as {
    abi: InterfaceAbi;
    bytecode: string;
  };

describe("bridge: a PegInConfirm on our L1 node credited on our L2 node by SPV", function () {
  let dir: string;
  let backend: BitcoinBackend;
  let node: L2Node;
  let cleanup: () => Promise<void>;
  let bridge: Contract;
  let relayer: Relayer;
  let errors: Interface;
  let provider: JsonRpcProvider;
  let lightClient: string;
  const depositorSecret = schnorr.utils.randomSecretKey();
  const depScript = keyPathOutput(xOnlyKey(schnorr.getPublicKey(depositorSecret))).script;
  const depAddress = bitcoin.address.fromOutputScript(depScript, bitcoin.networks.regtest);
  const governor = devAccounts(10)[9]!;

  before(async function () {
    dir = mkdtempSync(path.join(os.tmpdir(), "bridge-credit-"));
    backend = new EmbeddedBackend(await BtcNode.open({ datadir: dir, sync: false }), true);
    await backend.mine(101, depAddress);
    const spec = lvmChainSpec({
      bridgeCode: await loadBridgeCode(root),
      devAccounts: devAccounts().map((a) => a.address),
      bridgeGovernor: governor.address,
    });
    ({ node, cleanup } = await startTestNode({ spec, batchBlocks: 1000 }));
    provider = new JsonRpcProvider(node.url, undefined, {
      staticNetwork: true,
      pollingInterval: 50,
      cacheTimeout: -1,
    });
    const gov = new Wallet(governor.privateKey, provider);
    const lcArtifact = artifact("bitcoin/BtcLightClient.sol/BtcLightClient.json");
    const genesis = (await backend.getBlockHeader(await backend.getBlockHash(0))).encode();
    const lc = await new ContractFactory(lcArtifact.abi, lcArtifact.bytecode, gov).deploy(
      genesis,
      0,
      0x7fffffn << 232n,
      false,
    );
    await lc.waitForDeployment();
    relayer = new Relayer({
      source: backend,
      client: new EthersLightClient(await lc.getAddress(), gov),
      batchSize: 500,
    });
    const bridgeAbi = artifact("bridge/LvmBridge.sol/LvmBridge.json").abi;
    bridge = new Contract(BRIDGE_ADDRESS, bridgeAbi, gov);
    errors = new Interface([...(bridgeAbi as unknown[]), ...(lcArtifact.abi as unknown[])] as InterfaceAbi);
    lightClient = await lc.getAddress();
  });

  after(async function () {
    await cleanup?.();
    await backend?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  async function coin(index: number): Promise<Utxo> {
    const all = (await backend.scanUtxos(depScript))
      .filter((u) => u.coinbase)
      .sort((a, b) => a.height - b.height);
    const u = all[index]!;
    return {
      txid: txid(u.outpoint.txid),
      vout: u.outpoint.vout,
      amount: sats(u.value),
      script: u.scriptPubKey,
    };
  }

  /** Runs `creditPegIn` and returns the custom error's name, or undefined when it succeeded. */
  async function credit(id: string, proof?: SpvProof): Promise<string | undefined> {
    const p = proof ?? (await spvProof(backend, txid(id)));
    try {
      const tx = (await bridge.getFunction("creditPegIn")(p.rawTx, p.header, p.txIndex, p.merkleBranch)) as {
        wait(): Promise<unknown>;
      };
      await tx.wait();
      return undefined;
    } catch (e) {
      const data = (e as { data?: string; info?: { error?: { data?: string } } }).data;
      const parsed = data === undefined || data === null ? null : errors.parseError(data);
      if (parsed === null) throw e;

      return parsed.name;
    }
  }

  async function pegIn(index: number): Promise<{ confirmTxid: string; amount: bigint; pool: Uint8Array }> {
    const w = makeWorld({ depositorSecret, fundingUtxo: await coin(index) });
    await backend.sendTransaction(Transaction.decode(w.depositRaw));
    await backend.mine(1, depAddress);
    const g = buildPegOutGraph(w.input);
    const p = presignGraph(w.input, w.depositRaw, w.members);
    await backend.sendTransaction(Transaction.decode(completePegInConfirm(g, p, w.depositorSecret)));
    await backend.mine(1, depAddress);
    await relayer.syncOnce();
    return {
      confirmTxid: g.pegInConfirm.txid,
      amount: g.pegInConfirm.output(0).amount,
      pool: poolOutput(w.committee).outputKey,
    };
  }

  it("credits once, at depth, into the configured pool only", async function () {
    const first = await pegIn(0);
    // Before configuration nothing can be credited.
    expect(await credit(first.confirmTxid)).to.equal("NotConfigured");
    await (
      (await bridge.getFunction("configure")(lightClient, 2, "0x" + bytesToHex(first.pool))) as {
        wait(): Promise<unknown>;
      }
    ).wait();

    // One confirmation is below the configured depth of two.
    expect(await credit(first.confirmTxid)).to.equal("SpvInsufficientConfirmations");
    await backend.mine(1, depAddress);
    await relayer.syncOnce();

    const recipient = "0x" + bytesToHex(RECIPIENT);
    const before = await provider.getBalance(recipient);
    const bridgeBefore = await provider.getBalance(BRIDGE_ADDRESS);
    expect(await credit(first.confirmTxid)).to.equal(undefined);
    expect(await provider.getBalance(recipient)).to.equal(before + first.amount * 10n ** 10n);
    expect(bridgeBefore - (await provider.getBalance(BRIDGE_ADDRESS))).to.equal(first.amount * 10n ** 10n);
    expect(await bridge.getFunction("peggedInSats")()).to.equal(first.amount);

    // The same PegInConfirm again: refused, nothing moves.
    expect(await credit(first.confirmTxid)).to.equal("PegInAlreadyCredited");
    expect(await provider.getBalance(recipient)).to.equal(before + first.amount * 10n ** 10n);

    // Another committee's deposit pays another pool: refused.
    const other = await pegIn(1);
    await backend.mine(1, depAddress);
    await relayer.syncOnce();
    expect(await credit(other.confirmTxid)).to.equal("PegInTxNotPool");

    // A reorged-out block: the proof against its header no longer counts.
    const third = await pegIn(2);
    await backend.mine(1, depAddress);
    const stale = await spvProof(backend, txid(third.confirmTxid));
    await backend.invalidateBlock(await backend.getBlockHash((await backend.getBlockCount()) - 1));
    await backend.mine(3, depAddress);
    expect((await relayer.syncOnce()).reorg).to.equal(true);
    expect(await credit(third.confirmTxid, stale)).to.equal("SpvBlockNotInBestChain");
  });
});
