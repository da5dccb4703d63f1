/**
 * An OpenZeppelin ERC-20 (contracts/l2/test/LvmTestToken.sol) deployed and used through the L2
 * node's JSON-RPC with Hardhat's own tooling: the `lvm` http network from hardhat.config.ts,
 * pointed at a test node, signing locally with the dev mnemonic.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { LVM_DEVNET_CHAIN_ID, devAccounts, type L2Node } from "../../ts/l2/index.js";
import { startTestNode } from "./helpers.js";

describe("l2: ERC-20 over the node's JSON-RPC (hardhat-ethers, lvm network)", function () {
  let node: L2Node;
  let cleanup: () => Promise<void>;
  let connection: Awaited<ReturnType<typeof network.create<"l1">>>;
  const [deployer, holder] = devAccounts(2);
  const SUPPLY = 1_000_000n * 10n ** 18n;

  before(async function () {
    ({ node, cleanup } = await startTestNode());
    connection = await network.create<"l1">({ network: "lvm", override: { url: node.url } });
  });
  after(async function () {
    await connection?.close();
    await cleanup?.();
  });

  it("reaches the node as the lvm network with the dev accounts", async function () {
    const { ethers } = connection;
    expect((await ethers.provider.getNetwork()).chainId).to.equal(LVM_DEVNET_CHAIN_ID);
    const signers = await ethers.getSigners();
    expect(signers[0]?.address).to.equal(deployer.address);
  });

  it("deploys the token, transfers it and emits Transfer", async function () {
    const { ethers } = connection;
    const [owner] = await ethers.getSigners();
    const token = await ethers.deployContract("LvmTestToken", [SUPPLY], owner);
    await token.waitForDeployment();
    const address = await token.getAddress();
    expect(await ethers.provider.getCode(address)).to.not.equal("0x");
    expect(await token.symbol()).to.equal("LVMT");
    expect(await token.balanceOf(deployer.address)).to.equal(SUPPLY);

    const amount = 1234n * 10n ** 18n;
    const tx = await token.transfer(holder.address, amount);
    const receipt = await tx.wait();
    expect(receipt?.status).to.equal(1);
    const events = receipt!.logs
      .map((l) => token.interface.parseLog(l))
      .filter((e) => e !== null && e.name === "Transfer");
    expect(events).to.have.length(1);
    expect(events[0]?.args.getValue("from")).to.equal(deployer.address);
    expect(events[0]?.args.getValue("to")).to.equal(holder.address);
    expect(events[0]?.args.getValue("value")).to.equal(amount);
    // The same event is found by eth_getLogs, which the node answers from the executor.
    const logs = await token.queryFilter(
      token.filters.Transfer(deployer.address, holder.address),
      receipt!.blockNumber,
    );
    expect(logs.map((l) => l.transactionHash)).to.deep.equal([tx.hash]);

    expect(await token.balanceOf(holder.address)).to.equal(amount);
    expect(await token.balanceOf(deployer.address)).to.equal(SUPPLY - amount);
    expect(await token.totalSupply()).to.equal(SUPPLY);
  });

  it("reverts an overdrawn transfer with the token's custom error", async function () {
    const { ethers } = connection;
    const [, holderSigner] = await ethers.getSigners();
    const [owner] = await ethers.getSigners();
    const token = await ethers.deployContract("LvmTestToken", [10n], owner);
    await token.waitForDeployment();
    await expect(token.connect(holderSigner!).transfer(deployer.address, 1n)).to.be.revertedWithCustomError(
      token,
      "ERC20InsufficientBalance",
    );
  });
});
