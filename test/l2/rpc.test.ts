import { expect } from "chai";
import { Contract, JsonRpcProvider, Transaction, Wallet, parseEther, toBeHex } from "ethers";
import {
  createPublicClient,
  createWalletClient,
  http,
  defineChain,
  parseEther as viemParseEther,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

import {
  BRIDGE_ADDRESS,
  LVM_DEVNET_CHAIN_ID,
  TOTAL_SUPPLY_WEI,
  devAccounts,
  type L2Node,
} from "../../ts/l2/index.js";
import { rpc, startTestNode } from "./helpers.js";

const BRIDGE_ABI = [
  "function withdraw(bytes scriptPubKey) payable returns (uint256)",
  "function withdrawalRoot() view returns (bytes32)",
  "function withdrawalCount() view returns (uint256)",
  "function circulatingSupply() view returns (uint256)",
  "event WithdrawalInitiated(uint256 indexed id, address indexed sender, uint64 sats, bytes scriptPubKey, bytes32 leaf, bytes32 withdrawalRoot)",
];

describe("l2: JSON-RPC node (EDR executor)", function () {
  let node: L2Node;
  let cleanup: () => Promise<void>;
  let provider: JsonRpcProvider;
  const [alice, bob, carol] = devAccounts(3);

  before(async function () {
    ({ node, cleanup } = await startTestNode());
    // ethers caches identical requests for 250 ms by default; with 100 ms blocks that hands back a
    // pre-block balance or nonce, so (as any fast-block chain needs) the cache is off.
    provider = new JsonRpcProvider(node.url, undefined, {
      staticNetwork: true,
      pollingInterval: 50,
      cacheTimeout: -1,
    });
  });
  after(async function () {
    provider.destroy();
    await cleanup();
  });

  it("answers identity methods and holds the supply in the bridge at genesis", async function () {
    expect((await provider.getNetwork()).chainId).to.equal(LVM_DEVNET_CHAIN_ID);
    expect((await rpc(node.url, "net_version", [])).result).to.equal(LVM_DEVNET_CHAIN_ID.toString());
    expect((await rpc(node.url, "web3_clientVersion", [])).result).to.match(/^LVM\//);
    expect(await provider.getBalance(BRIDGE_ADDRESS, 0)).to.equal(TOTAL_SUPPLY_WEI);
    expect(await provider.getBalance(alice.address, 0)).to.equal(parseEther("10000"));
    const fees = await provider.getFeeData();
    expect(typeof fees.maxFeePerGas).to.equal("bigint");
  });

  it("transfers with ethers v6: receipt, balance, pending nonce", async function () {
    const wallet = new Wallet(alice.privateKey, provider);
    const before = await provider.getBalance(carol.address);
    const tx = await wallet.sendTransaction({ to: carol.address, value: parseEther("1.5") });
    // Known to the node before it is mined.
    const seen = await provider.getTransaction(tx.hash);
    expect(seen?.hash).to.equal(tx.hash);
    const receipt = await tx.wait();
    expect(receipt?.status).to.equal(1);
    expect(await provider.getBalance(carol.address)).to.equal(before + parseEther("1.5"));
    expect(await provider.getTransactionCount(alice.address, "pending")).to.equal(tx.nonce + 1);
    const block = await provider.getBlock(receipt!.blockNumber);
    expect(block?.transactions).to.include(tx.hash);
  });

  it("transfers with viem", async function () {
    const chain = defineChain({
      id: Number(LVM_DEVNET_CHAIN_ID),
      name: "lvm",
      nativeCurrency: { name: "Bitcoin", symbol: "BTC", decimals: 18 },
      rpcUrls: { default: { http: [node.url] } },
    });
    const account = privateKeyToAccount(bob.privateKey);
    const wallet = createWalletClient({ account, chain, transport: http(node.url) });
    const client = createPublicClient({ chain, transport: http(node.url), pollingInterval: 50 });
    const before = await client.getBalance({ address: carol.address });
    const hash = await wallet.sendTransaction({ to: carol.address, value: viemParseEther("2") });
    const receipt = await client.waitForTransactionReceipt({ hash });
    expect(receipt.status).to.equal("success");
    expect(await client.getBalance({ address: carol.address })).to.equal(before + viemParseEther("2"));
    // viem caches the block number for its polling interval; ask the node, not the cache.
    expect(await client.getBlockNumber({ cacheTime: 0 })).to.be.greaterThanOrEqual(receipt.blockNumber);
  });

  it("withdraws to the bridge: event, logs, withdrawal root in the batch", async function () {
    const wallet = new Wallet(carol.privateKey, provider);
    const bridge = new Contract(BRIDGE_ADDRESS, BRIDGE_ABI, wallet);
    const p2wpkh = "0x0014" + "ab".repeat(20);
    const tx = await bridge.getFunction("withdraw")(p2wpkh, { value: parseEther("0.001") });
    const receipt = await tx.wait();
    const logs = await provider.getLogs({
      address: BRIDGE_ADDRESS,
      fromBlock: receipt.blockNumber,
      toBlock: receipt.blockNumber,
    });
    expect(logs).to.have.length(1);
    const event = bridge.interface.parseLog(logs[0]!);
    expect(event?.args.getValue("sats")).to.equal(100_000n);
    expect(event?.args.getValue("scriptPubKey")).to.equal(p2wpkh);
    const root = await bridge.getFunction("withdrawalRoot")();
    expect(root).to.equal(event?.args.getValue("withdrawalRoot"));
    // Two blocks per batch in the test node: make sure the batch covering this block exists.
    await wallet.sendTransaction({ to: alice.address, value: 1n }).then((t) => t.wait());
    const index = Math.floor((receipt.blockNumber - 1) / 2);
    let answer = await rpc(node.url, "lvm_getBatch", [index]);
    for (let i = 0; answer.result === null && i < 100; i++) {
      await wallet.sendTransaction({ to: alice.address, value: 1n }).then((t) => t.wait());
      answer = await rpc(node.url, "lvm_getBatch", [index]);
    }
    const batch = (
      answer.result as {
        batch: {
          fromBlock: number;
          toBlock: number;
          withdrawalRoot: string;
          stateRoot: string;
          withdrawalCount: number;
        };
      }
    ).batch;
    expect(batch.fromBlock).to.equal(index * 2 + 1);
    expect(batch.toBlock).to.equal(index * 2 + 2);
    const last = await provider.getBlock(batch.toBlock);
    expect(batch.stateRoot).to.equal(last?.stateRoot);
    expect(batch.withdrawalCount).to.equal(1);
    expect(batch.withdrawalRoot).to.equal(
      await bridge.getFunction("withdrawalRoot")({ blockTag: batch.toBlock }),
    );
  });

  it("rejects bad transactions with geth's codes and messages and keeps running", async function () {
    const wallet = new Wallet(alice.privateKey);
    const nonce = await provider.getTransactionCount(alice.address, "pending");
    const base = {
      to: bob.address,
      value: 1n,
      gasLimit: 21_000n,
      maxFeePerGas: 10n ** 9n,
      maxPriorityFeePerGas: 1n,
      chainId: LVM_DEVNET_CHAIN_ID,
      nonce,
      type: 2,
    };
    const cases: [string, string, number, RegExp][] = [
      ["invalid RLP", "0xf86b80", -32000, /^rlp: /],
      ["not hex", "zz", -32602, /^invalid argument 0/],
      [
        "wrong chain id",
        await wallet.signTransaction({ ...base, chainId: 1n }),
        -32000,
        /^invalid chain id for signer$/,
      ],
      [
        "nonce too low",
        await wallet.signTransaction({ ...base, nonce: 0 }),
        -32000,
        /^nonce too low: address 0x[0-9a-fA-F]{40}, tx: 0 state: \d+$/,
      ],
      [
        "fee cap below base fee",
        await wallet.signTransaction({ ...base, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n }),
        -32000,
        /^transaction underpriced: max fee per gas less than block base fee/,
      ],
      [
        "oversized",
        await wallet.signTransaction({
          ...base,
          gasLimit: 29_000_000n,
          data: "0x" + "01".repeat(130 * 1024),
        }),
        -32000,
        /^oversized data$/,
      ],
      [
        "insufficient funds",
        await wallet.signTransaction({ ...base, value: parseEther("1000000") }),
        -32000,
        /^insufficient funds for gas \* price \+ value/,
      ],
      [
        "intrinsic gas",
        await wallet.signTransaction({ ...base, gasLimit: 20_000n }),
        -32000,
        /^intrinsic gas too low/,
      ],
      [
        "gas above block limit",
        await wallet.signTransaction({ ...base, gasLimit: 40_000_000n }),
        -32000,
        /^exceeds block gas limit$/,
      ],
    ];
    for (const [name, raw, code, message] of cases) {
      const answer = await rpc(node.url, "eth_sendRawTransaction", [raw]);
      expect(answer.error?.code, name).to.equal(code);
      expect(answer.error?.message, name).to.match(message);
    }
    // Unprotected (pre-EIP-155) legacy transactions are refused over RPC, as geth does.
    const legacy = Transaction.from({
      to: bob.address,
      value: 1n,
      gasLimit: 21_000n,
      gasPrice: 10n ** 9n,
      nonce,
      type: 0,
    });
    legacy.signature = new Wallet(alice.privateKey).signingKey.sign(legacy.unsignedHash);
    const unprotected = await rpc(node.url, "eth_sendRawTransaction", [legacy.serialized]);
    expect(unprotected.error?.message).to.equal(
      "only replay-protected (EIP-155) transactions allowed over RPC",
    );
    // Replay: the same signed transaction twice, then again after it is mined.
    const good = await wallet.signTransaction(base);
    expect((await rpc(node.url, "eth_sendRawTransaction", [good])).result).to.equal(
      Transaction.from(good).hash ?? "",
    );
    expect((await rpc(node.url, "eth_sendRawTransaction", [good])).error?.message).to.equal("already known");
    await provider.waitForTransaction(Transaction.from(good).hash ?? "");
    const replayed = await rpc(node.url, "eth_sendRawTransaction", [good]);
    expect(replayed.error?.code).to.equal(-32000);
    expect(replayed.error?.message).to.match(/^nonce too low/);
    // Still serving.
    expect((await rpc(node.url, "eth_blockNumber", [])).result).to.be.a("string");
  });

  it("answers reverts as geth: code 3, execution reverted, the revert bytes as data", async function () {
    const iface = new Contract(BRIDGE_ADDRESS, [
      "function withdraw(bytes scriptPubKey) payable returns (uint256)",
      "error NonStandardScriptPubKey(bytes scriptPubKey)",
    ]).interface;
    const call = {
      from: alice.address,
      to: BRIDGE_ADDRESS,
      value: toBeHex(parseEther("0.001")),
      data: iface.encodeFunctionData("withdraw", ["0x6a"]),
    };
    for (const method of ["eth_call", "eth_estimateGas"]) {
      const answer = await rpc(node.url, method, method === "eth_call" ? [call, "latest"] : [call]);
      expect(answer.error?.code, method).to.equal(3);
      expect(answer.error?.message, method).to.equal("execution reverted");
      const data = (answer.error as { data?: string } | undefined)?.data;
      expect(iface.parseError(data!)?.name, method).to.equal("NonStandardScriptPubKey");
    }
  });

  it("holds nonce gaps and orders by priority fee", async function () {
    const a = new Wallet(alice.privateKey);
    const b = new Wallet(bob.privateKey);
    const na = await provider.getTransactionCount(alice.address, "pending");
    const nb = await provider.getTransactionCount(bob.address, "pending");
    const fee = {
      gasLimit: 21_000n,
      maxFeePerGas: 10n ** 9n,
      chainId: LVM_DEVNET_CHAIN_ID,
      type: 2,
      to: carol.address,
      value: 1n,
    };
    // Pause block production so the three land in one block.
    const seq = node.sequencer;
    const gapped = await a.signTransaction({ ...fee, nonce: na + 1, maxPriorityFeePerGas: 500n });
    const low = await a.signTransaction({ ...fee, nonce: na, maxPriorityFeePerGas: 10n });
    const high = await b.signTransaction({ ...fee, nonce: nb, maxPriorityFeePerGas: 1000n });
    const gappedHash = (await rpc(node.url, "eth_sendRawTransaction", [gapped])).result as string;
    // The gap holds it back: no block can include it yet.
    await seq.produceBlock();
    expect(await provider.getTransactionReceipt(gappedHash)).to.equal(null);
    expect(seq.pool.get(gappedHash.toLowerCase() as `0x${string}`)).to.not.equal(undefined);
    const txs = [low, high];
    const hashes = await Promise.all(
      txs.map(async (raw) => (await rpc(node.url, "eth_sendRawTransaction", [raw])).result as string),
    );
    await Promise.all([...hashes, gappedHash].map((h) => provider.waitForTransaction(h)));
    const receipts = await Promise.all([...hashes, gappedHash].map((h) => provider.getTransactionReceipt(h)));
    const [rLow, rHigh, rGapped] = receipts.map((r) => r!);
    if (rLow.blockNumber === rHigh.blockNumber) expect(rHigh.index).to.be.lessThan(rLow.index);
    // Within a sender, nonce order always wins over fee.
    expect(rGapped.blockNumber * 1000 + rGapped.index).to.be.greaterThan(
      rLow.blockNumber * 1000 + rLow.index,
    );
    expect(toBeHex(rGapped.blockNumber)).to.be.a("string");
  });
});
