import { expect } from "chai";
import { network } from "hardhat";

describe("smoke", () => {
  it("connects to EDR", async () => {
    const { ethers } = await network.create();
    const [signer] = await ethers.getSigners();
    expect(await ethers.provider.getBalance(signer.address)).to.be.greaterThan(0n);
  });
});
