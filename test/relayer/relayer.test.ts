import { sha256 } from "@noble/hashes/sha2.js";
import { expect } from "chai";
import { network } from "hardhat";

import {
  EthersLightClient,
  Relayer,
  RelayerError,
  decodeLightClientError,
  displayToInternal,
  internalToDisplay,
  type HeaderSource,
  type InternalHash,
  type RelayEvent,
} from "../../ts/relayer/index.js";
import { LvmError } from "../../ts/core/index.js";

const REGTEST_BITS = 0x207fffff;
const REGTEST_POW_LIMIT = 0x7fffffn << 232n;

const hash256 = (b: Uint8Array): Uint8Array => sha256(sha256(b));
const toInternal = (h: Uint8Array): InternalHash => `0x${Buffer.from(h).toString("hex")}` as InternalHash;

let salt = 0;
/** Mines a regtest-difficulty header (about two attempts each). */
function mineHeader(prev: Uint8Array, time: number): Uint8Array {
  const h = new Uint8Array(80);
  const v = new DataView(h.buffer);
  v.setUint32(0, 4, true);
  h.set(prev, 4);
  h.set(sha256(new TextEncoder().encode(`root ${++salt}`)), 36);
  v.setUint32(68, time, true);
  v.setUint32(72, REGTEST_BITS, true);
  for (let nonce = 0; ; nonce++) {
    v.setUint32(76, nonce, true);
    const pow = BigInt(`0x${Buffer.from(hash256(h)).reverse().toString("hex")}`);
    if (pow <= REGTEST_POW_LIMIT) return h;
  }
}

/**
 * A Bitcoin header chain served the way `BitcoinBackend` serves it (display hashes, headers
 * with `encode()`); `reorgAt` swaps its best chain for a longer branch.
 */
class MinedChain implements HeaderSource {
  chain: Uint8Array[];
  constructor(genesis: Uint8Array) {
    this.chain = [genesis];
  }
  mine(n: number): void {
    for (let i = 0; i < n; i++) {
      const prev = this.chain[this.chain.length - 1];
      this.chain.push(mineHeader(hash256(prev), 1_700_000_000 + this.chain.length * 600));
    }
  }
  reorgAt(height: number, n: number): void {
    this.chain = this.chain.slice(0, height + 1);
    this.mine(n);
  }
  hashAt(h: number): InternalHash {
    return toInternal(hash256(this.chain[h]));
  }
  async getBlockCount(): Promise<number> {
    return this.chain.length - 1;
  }
  async getBlockHash(height: number): Promise<string> {
    return internalToDisplay(this.hashAt(height));
  }
  async getBlockHeader(hash: string): Promise<{ encode(): Uint8Array }> {
    const h = this.chain.findIndex((x) => toInternal(hash256(x)) === displayToInternal(hash));
    if (h < 0) throw new Error(`unknown block ${hash}`);
    return { encode: () => this.chain[h] };
  }
}

describe("relayer → BtcLightClient", function () {
  async function setup(): Promise<{ source: MinedChain; client: EthersLightClient }> {
    const { ethers } = await network.create();
    const genesis = mineHeader(new Uint8Array(32), 1_700_000_000);
    const lc = await ethers.deployContract("BtcLightClient", [genesis, 0, REGTEST_POW_LIMIT, false]);
    const [signer] = await ethers.getSigners();
    return { source: new MinedChain(genesis), client: new EthersLightClient(await lc.getAddress(), signer) };
  }

  it("relays a chain in batches, resumes without resubmitting, and follows a reorg", async function () {
    const { source, client } = await setup();
    source.mine(25);
    const events: RelayEvent[] = [];
    const relayer = new Relayer({ source, client, batchSize: 10, onEvent: (e) => events.push(e) });

    const first = await relayer.syncOnce();
    expect(first.submitted).to.equal(25);
    expect(first.transactions).to.equal(3);
    expect(first.tip).to.deep.equal({ hash: source.hashAt(25), height: 25 });

    // A fresh relayer (a restart) reads its progress from the contract: nothing to send.
    const restarted = new Relayer({ source, client, batchSize: 10 });
    const again = await restarted.syncOnce();
    expect(again.submitted).to.equal(0);
    expect(again.transactions).to.equal(0);

    source.mine(4);
    expect((await restarted.syncOnce()).submitted).to.equal(4);

    // Bitcoin reorganises below the tip (fork at 26, new branch 6 long → height 32).
    const stale = source.hashAt(28);
    source.reorgAt(26, 6);
    const r = await restarted.syncOnce();
    expect(r.reorg).to.equal(true);
    expect(r.submitted).to.equal(6);
    expect(r.tip).to.deep.equal({ hash: source.hashAt(32), height: 32 });
    expect(await client.isInBestChain(stale, 1)).to.equal(false);
    expect(await client.isInBestChain(source.hashAt(27), 6)).to.equal(true);
    expect(events.filter((e) => e.kind === "submitted").length).to.equal(3);
  });

  it("reports a branch the contract finds no heavier with a typed error and leaves the tip", async function () {
    const { source, client } = await setup();
    source.mine(5);
    const relayer = new Relayer({ source, client });
    await relayer.syncOnce();
    // Same height: equal work, the contract keeps the first chain it saw.
    source.reorgAt(3, 2);
    const err = await relayer.syncOnce().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(RelayerError);
    expect(err).to.be.instanceOf(LvmError);
    expect((err as RelayerError).code, (err as Error).message).to.equal("FORK_NOT_HEAVIER");
    // Decoded by name and arguments from the revert data, the provider's error kept as cause.
    const { details, cause } = err as RelayerError;
    expect(details.error).to.equal("ForkNotHeavier");
    const args = details.args as Record<string, unknown>;
    expect(args.branchTip).to.equal(source.hashAt(5));
    expect(args.branchWork).to.equal(args.bestWork);
    expect(cause).to.not.equal(undefined);
    expect((await client.bestBlock()).height).to.equal(5);
  });

  it("names any other refusal of the light client with its custom error and arguments", async function () {
    const { source, client } = await setup();
    source.mine(2);
    // Header 2 without header 1: its parent is unknown to the contract.
    const orphan = source.chain[2]!;
    const err = await client.submitHeaders([orphan]).catch((e: unknown) => e);
    expect((err as RelayerError).code).to.equal("SUBMIT_FAILED");
    expect((err as RelayerError).details).to.deep.equal({
      error: "UnknownParent",
      args: { index: 0n, headerHash: source.hashAt(2), prevHash: source.hashAt(1), parentHeight: 0n },
    });
    // Revert data that is not the light client's, or does not decode, is not misnamed.
    expect(await decodeLightClientError("0xdeadbeef")).to.equal(undefined);
    expect(await decodeLightClientError("0x08c379a0")).to.equal(undefined);
  });

  it("refuses a branch deeper than maxReorgDepth before sending anything", async function () {
    const { source, client } = await setup();
    source.mine(6);
    await new Relayer({ source, client }).syncOnce();
    source.reorgAt(1, 8);
    const relayer = new Relayer({ source, client, maxReorgDepth: 4 });
    const err = await relayer.syncOnce().catch((e: unknown) => e);
    expect((err as RelayerError).code).to.equal("REORG_TOO_DEEP");
    expect((await client.bestBlock()).height).to.equal(6);
  });

  it("runs as a service: polls, relays new blocks, reports failed rounds and keeps going", async function () {
    const { source, client } = await setup();
    source.mine(3);
    let failNext = true;
    const flaky: HeaderSource = {
      getBlockCount: async () => {
        if (failNext) {
          failNext = false;
          throw new Error("connection refused");
        }
        return source.getBlockCount();
      },
      getBlockHash: (h) => source.getBlockHash(h),
      getBlockHeader: (h) => source.getBlockHeader(h),
    };
    const events: RelayEvent[] = [];
    let reached: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (reached = resolve));
    const relayer = new Relayer({
      source: flaky,
      client,
      pollMs: 5,
      onEvent: (e) => {
        events.push(e);
        if (e.kind === "submitted" && e.to === 3) reached();
      },
    });
    relayer.start();
    await done;
    await relayer.stop();
    expect(events[0].kind).to.equal("error");
    expect((await client.bestBlock()).hash).to.equal(source.hashAt(3));
  });
});
