/**
 * Issue 20: Foundry's `cast` (from npm, @foundry-rs/cast) as an independent client of the L2:
 * reads blocks, receipts and logs, sends type-2 and type-4 (EIP-7702) transactions, and replays
 * one with `cast run` (which forks the chain over our RPC and re-executes it locally).
 */
import { execFile } from "node:child_process";
import path from "node:path";

import { expect } from "chai";

import { BRIDGE_ADDRESS, LVM_DEVNET_CHAIN_ID, devAccounts, type L2Node } from "../../ts/l2/index.js";
import { root, startTestNode } from "./helpers.js";

const CAST = path.join(root, "node_modules", ".bin", "cast");

describe("l2: Foundry's cast against the node (issue 20)", function () {
  let node: L2Node;
  let cleanup: () => Promise<void>;
  const [, , , , , , , alice, bob] = devAccounts(9);

  /** cast runs as a child, asynchronously: the node serves from this process meanwhile. */
  const cast = (...args: string[]) =>
    new Promise<string>((resolve, reject) =>
      execFile(CAST, [...args, "--rpc-url", node.url], { timeout: 120_000 }, (err, out, errOut) =>
        err ? reject(new Error(`cast ${args.join(" ")}: ${err.message}\n${errOut}`)) : resolve(out.trim()),
      ),
    );
  const json = async <T>(...args: string[]) => JSON.parse(await cast(...args, "--json")) as T;

  before(async function () {
    ({ node, cleanup } = await startTestNode());
  });
  after(async () => cleanup());

  interface Receipt {
    type: string;
    status: string;
    transactionHash: string;
    blockNumber: string;
    logs: { address: string }[];
  }

  it("reads the chain: chain id, blocks (also by safe/finalized), balances", async function () {
    expect(await cast("chain-id")).to.equal(LVM_DEVNET_CHAIN_ID.toString());
    const block = await json<{ number: string; hash: string }>("block", "latest");
    expect(block.hash).to.match(/^0x[0-9a-f]{64}$/);
    expect((await json<{ number: string }>("block", "finalized")).number).to.equal("0x0");
    expect(BigInt(await cast("balance", alice.address))).to.equal(10_000n * 10n ** 18n);
  });

  it("sends type-2 and type-4 transactions, reads receipts and logs, and replays with cast run", async function () {
    const transfer = await json<Receipt>(
      "send",
      bob.address,
      "--value",
      "1000",
      "--private-key",
      alice.privateKey,
    );
    expect(transfer.status).to.equal("0x1");
    expect(transfer.type).to.equal("0x2");
    const replay = await cast("run", transfer.transactionHash);
    expect(replay).to.contain("Transaction successfully executed.");
    expect(replay).to.contain("Gas used: 21000");

    // EIP-7702: cast signs the authorization with the sender's key (self-sponsored).
    const delegated = await json<Receipt>(
      "send",
      bob.address,
      "--auth",
      BRIDGE_ADDRESS,
      "--private-key",
      alice.privateKey,
    );
    expect(delegated.status).to.equal("0x1");
    expect(delegated.type).to.equal("0x4");
    expect(await cast("code", alice.address)).to.equal("0xef0100" + BRIDGE_ADDRESS.slice(2).toLowerCase());

    const withdraw = await json<Receipt>(
      "send",
      BRIDGE_ADDRESS,
      "withdraw(bytes)",
      "0x0014" + "ab".repeat(20),
      "--value",
      "0.001ether",
      "--private-key",
      bob.privateKey,
    );
    expect(withdraw.status).to.equal("0x1");
    const n = String(Number(withdraw.blockNumber));
    const logs = await json<{ transactionHash: string }[]>(
      "logs",
      "--from-block",
      n,
      "--to-block",
      n,
      "--address",
      BRIDGE_ADDRESS,
    );
    expect(logs.map((l) => l.transactionHash)).to.deep.equal([withdraw.transactionHash]);
    const receipt = await json<Receipt>("receipt", withdraw.transactionHash);
    expect(receipt.logs).to.have.length(1);
    const trace = await cast("run", withdraw.transactionHash);
    expect(trace).to.contain("emit topic 0");
    expect(trace).to.contain("Transaction successfully executed.");
  });
});
