import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { schnorr } from "@noble/curves/secp256k1.js";
import { expect } from "chai";

import { SIGHASH_DEFAULT, Transaction, bytesToHex, sighashTaproot } from "../../ts/bitcoin/index.js";
import {
  BitcoindRpcBackend,
  REGTEST,
  scriptToAddress,
  startRegtestNode,
  type RunningNode,
} from "../../ts/btcnode/index.js";
import {
  ClaimChainError,
  ClaimChainReader,
  ClaimError,
  ClaimPoster,
  claimFinality,
  claimKey,
  decodeCommitment,
  readClaimChain,
  statementDigest,
  type ClaimStatement,
} from "../../ts/claims/index.js";

const secret = new Uint8Array(32).fill(9);
const h = (b: number) => b.toString(16).padStart(2, "0").repeat(32);
const batch = (n: number): Omit<ClaimStatement, "prevTxid"> => ({
  l2BlockNumber: n,
  l2BlockHash: h(n),
  stateRoot: h(n + 1),
  withdrawalRoot: h(n + 2),
  payoutsRoot: h(n + 3),
});

describe("claims: the claim chain on our regtest node", function () {
  let root: string;
  let running: RunningNode;
  let backend: BitcoindRpcBackend;
  let chainScript: Uint8Array;
  let mineTo: string;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), "lvm-claims-"));
    running = await startRegtestNode({ datadir: path.join(root, "btc"), rpcPort: 0 });
    // The project's RPC client, as a service outside the node's process would use it.
    backend = new BitcoindRpcBackend({ url: running.rpcUrl, cookieFile: running.cookieFile });
    chainScript = claimKey(secret).chainScript;
    const own = scriptToAddress(chainScript, REGTEST)!;
    mineTo = scriptToAddress(Uint8Array.of(0x51, 0x20, ...new Uint8Array(32).fill(2)), REGTEST)!;
    await backend.mine(1, own);
    await backend.mine(100, mineTo);
  });
  after(async () => {
    await running?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it("a restart between intent and broadcast gives exactly one L1 commitment", async () => {
    const dir = path.join(root, "poster");
    let crashed: string | undefined;
    const p1 = await ClaimPoster.open({
      dir,
      backend,
      secret,
      hook: (step, c) => {
        if (step === "intent") {
          crashed = c.txid;
          throw new Error("crash after the intent is written");
        }
      },
    });
    let thrown: unknown;
    await p1.post(batch(10)).catch((e: unknown) => (thrown = e));
    expect((thrown as Error).message).to.match(/crash/);
    await p1.close();
    // Nothing reached L1.
    expect(await backend.getTxStatus(crashed as never)).to.equal(undefined);

    const p2 = await ClaimPoster.open({ dir, backend, secret });
    const [recorded] = await p2.claims();
    expect(recorded!.status).to.equal("intent");
    expect(recorded!.txid).to.equal(crashed);
    await p2.resume();
    // Posting the same batch again is the same claim, not a second transaction.
    const again = await p2.post(batch(10));
    expect(again.txid).to.equal(crashed);
    expect(again.status).to.equal("broadcast");
    await backend.mine(1, mineTo);
    const onL1 = await readClaimChain(backend, { chainScript });
    expect(onL1.map((c) => c.txid)).to.deep.equal([crashed]);
    expect(onL1[0]!.l2BlockNumber).to.equal(10);
    expect(onL1[0]!.l2BlockHash).to.equal(h(10));
    expect(onL1[0]!.digest).to.equal(statementDigest({ ...batch(10), prevTxid: "00".repeat(32) }));
    expect(onL1[0]!.confirmations).to.equal(1);

    // The next claim spends the first; the chain reads back in order.
    const second = await p2.post(batch(20));
    expect(second.statement.prevTxid).to.equal(crashed);
    await backend.mine(1, mineTo);
    const chain = await readClaimChain(backend, { chainScript });
    expect(chain.map((c) => [c.l2BlockNumber, c.confirmations])).to.deep.equal([
      [10, 2],
      [20, 1],
    ]);
    expect(chain[1]!.prevTxid).to.equal(crashed);

    // Refused input changes nothing: a malformed field, an older block, another statement for a claimed block.
    const before = await p2.claims();
    let e1: unknown;
    await p2.post({ ...batch(30), stateRoot: "zz" }).catch((e: unknown) => (e1 = e));
    expect(e1).to.be.instanceOf(ClaimError);
    expect((e1 as ClaimError).code).to.equal("BAD_FIELD");
    let e2: unknown;
    await p2.post(batch(15)).catch((e: unknown) => (e2 = e));
    expect((e2 as ClaimChainError).code).to.equal("NOT_MONOTONIC");
    let e3: unknown;
    await p2.post({ ...batch(20), stateRoot: h(99) }).catch((e: unknown) => (e3 = e));
    expect((e3 as ClaimChainError).code).to.equal("CONFLICT");
    expect(await p2.claims()).to.deep.equal(before);
    await p2.close();
  });

  it("safe and finalized follow the claims' confirmations; a reorg takes a claim back", async () => {
    const reader = new ClaimChainReader(backend, { chainScript });
    const finality = claimFinality(reader, 3);
    // Claims of L2 blocks 10 (2 confs) and 20 (1 conf) from the test above; reads at once (as
    // concurrent RPC requests make them) take turns and agree.
    expect(await Promise.all([finality(), finality()])).to.deep.equal([
      { safe: 20, finalized: 0 },
      { safe: 20, finalized: 0 },
    ]);
    await backend.mine(1, mineTo);
    expect(await finality()).to.deep.equal({ safe: 20, finalized: 10 });
    // Reorg out the last two blocks: claim 20 goes back to the mempool, unconfirmed.
    const h2 = await backend.getBlockHash((await backend.getBlockCount()) - 1);
    await backend.invalidateBlock(h2);
    expect(await finality()).to.deep.equal({ safe: 10, finalized: 0 });
  });

  it("a malformed commitment from the chain's key is a typed error", async () => {
    expect(() => decodeCommitment(Uint8Array.of(0x6a, 0x04, 0x4c, 0x56, 0x4d, 0x43))).to.throw(
      ClaimChainError,
    );
    // The key's holder spending the chain output with a tagged but malformed OP_RETURN: BAD_COMMITMENT.
    const dir = path.join(root, "poster");
    const p = await ClaimPoster.open({ dir, backend, secret });
    await p.resume();
    await backend.mine(1, mineTo);
    const [tip] = (await p.claims()).slice(-1);
    await p.close();
    const spent = Transaction.fromHex(tip!.rawTx);
    const value = spent.outputs[0]!.value;
    const bad = new Transaction({
      inputs: [
        {
          prevout: { txid: tip!.txid, vout: 0 },
          scriptSig: new Uint8Array(),
          sequence: 0xfffffffd,
          witness: [],
        },
      ],
      outputs: [
        { value: value - 1000n, scriptPubKey: chainScript },
        // Tag and version, then 10 bytes instead of 72.
        {
          value: 0n,
          scriptPubKey: Uint8Array.of(0x6a, 0x0f, 0x4c, 0x56, 0x4d, 0x43, 1, ...new Uint8Array(10)),
        },
      ],
    });
    const digest = sighashTaproot(bad, 0, [{ value, scriptPubKey: chainScript }], SIGHASH_DEFAULT);
    bad.inputs[0]!.witness = [schnorr.sign(digest, claimKey(secret).tweaked, new Uint8Array(32))];
    await backend.sendRawTransaction(bytesToHex(bad.encode()));
    await backend.mine(1, mineTo);
    let err: unknown;
    await readClaimChain(backend, { chainScript }).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(ClaimChainError);
    expect((err as ClaimChainError).code).to.equal("BAD_COMMITMENT");
    expect((err as ClaimChainError).value).to.equal(bytesToHex(bad.outputs[1]!.scriptPubKey));
  });

  it("a claim left at its intent reaches L1 before the next one spends it, without resume()", async () => {
    // Its own key and store, so the chain of the tests around it is untouched.
    const secret2 = new Uint8Array(32).fill(7);
    const script2 = claimKey(secret2).chainScript;
    await backend.mine(1, scriptToAddress(script2, REGTEST)!);
    await backend.mine(100, mineTo);
    const dir = path.join(root, "poster-no-resume");
    let left: string | undefined;
    const p1 = await ClaimPoster.open({
      dir,
      backend,
      secret: secret2,
      hook: (step, c) => {
        if (step === "intent") {
          left = c.txid;
          throw new Error("crash after the intent is written");
        }
      },
    });
    await p1.post(batch(10)).catch(() => undefined);
    await p1.close();
    expect(await backend.getTxStatus(left as never)).to.equal(undefined);
    const p2 = await ClaimPoster.open({ dir, backend, secret: secret2 });
    const next = await p2.post(batch(20));
    expect(next.statement.prevTxid).to.equal(left);
    expect((await p2.claims()).map((c) => c.status)).to.deep.equal(["broadcast", "broadcast"]);
    await p2.close();
    await backend.mine(1, mineTo);
    const chain = await readClaimChain(backend, { chainScript: script2 });
    expect(chain.map((c) => [c.l2BlockNumber, c.txid === left])).to.deep.equal([
      [10, true],
      [20, false],
    ]);
  });
});
