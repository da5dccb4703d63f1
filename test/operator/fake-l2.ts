/**
 * An in-memory stand-in for the L2 bridge predeploy, with exactly the calls the operator makes
 * (withdrawals, their events, credited, payouts, provePayout), so the operator's L1 flows run
 * against our regtest node without an L2 node. The SPV proof it is handed is built from the real
 * L1 node and checked here for the one thing the contract would: that it proves the payout.
 */
import { bytesToHex, hexToBytes, Transaction } from "../../ts/bitcoin/index.js";
import type { LvmBridge, SpvProof } from "../../ts/bridge/index.js";

const ZERO = "0x0000000000000000000000000000000000000000";

export interface FakeWithdrawal {
  id: bigint;
  sender: string;
  sats: bigint;
  /** 0x-hex Bitcoin output script. */
  scriptPubKey: string;
}

export function fakeL2(operatorAddress: string, withdrawals: FakeWithdrawal[]) {
  const paid = new Map<bigint, string>();
  const bridge = {
    runner: { getAddress: () => Promise.resolve(operatorAddress) },
    filters: { WithdrawalInitiated: () => "WithdrawalInitiated" },
    withdrawalCount: () => Promise.resolve(BigInt(withdrawals.length)),
    queryFilter: () => Promise.resolve(withdrawals.map((w) => ({ args: w }))),
    credited: () => Promise.resolve(true),
    payouts: (id: bigint) => Promise.resolve([paid.get(id) ?? ZERO]),
    provePayout(id: bigint, _sender: string, sats: bigint, script: string, proof: SpvProof, vout: number) {
      const tx = Transaction.decode(hexToBytes(proof.rawTx.slice(2)));
      const o = tx.outputs[vout];
      if (o === undefined || "0x" + bytesToHex(o.scriptPubKey) !== script || o.value < sats)
        return Promise.reject(new Error("PayoutWrongScript"));
      paid.set(id, operatorAddress);
      return Promise.resolve({ wait: () => Promise.resolve(undefined) });
    },
  };
  return { bridge: bridge as unknown as LvmBridge, paid };
}
