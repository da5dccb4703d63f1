/**
 * Every component's errors extend LvmError: a code (a string, stable), the offending value and
 * the cause. These are the classes that joined last: signature hashes, the Core RPC client's
 * transport, Core's RPC error (whose numeric code stays on the wire as `rpcCode`), the devnet's
 * and the dashboard's services used before their start.
 */
import { expect } from "chai";

import { SighashError, Transaction, sighashTaproot, sighashWitnessV0 } from "../../ts/bitcoin/index.js";
import { JsonRpcClient, RpcCode, RpcError, RpcTransportError } from "../../ts/btcnode/index.js";
import { LvmError, outpoint } from "../../ts/core/index.js";
import { DashboardError, dashboardService } from "../../ts/dashboard/index.js";
import { DevnetError } from "../../ts/devnet/index.js";
import { testDevnet } from "../devnet/helpers.js";

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return expect.fail("expected a throw");
}

async function rejected(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  return expect.fail("expected a rejection");
}

describe("core: every error is an LvmError with a code", () => {
  const tx = new Transaction({
    inputs: [
      { prevout: outpoint("11".repeat(32), 0), scriptSig: new Uint8Array(), sequence: 0, witness: [] },
    ],
    outputs: [],
  });
  const prevouts = [{ value: 1000n, scriptPubKey: Uint8Array.of(0x51, 0x20, ...new Uint8Array(32)) }];

  it("sighash: bad hash type, input index, prevouts, SIGHASH_SINGLE without output", () => {
    const cases: [() => unknown, string, unknown][] = [
      [() => sighashTaproot(tx, 0, prevouts, 0x04), "BAD_HASHTYPE", 0x04],
      [() => sighashTaproot(tx, 1, prevouts, 0x00), "BAD_INPUT_INDEX", 1],
      [() => sighashWitnessV0(tx, 2, new Uint8Array(), 1000n, 0x01), "BAD_INPUT_INDEX", 2],
      [() => sighashTaproot(tx, 0, [], 0x00), "MISSING_PREVOUTS", 0],
      [() => sighashTaproot(tx, 0, prevouts, 0x03), "NO_SINGLE_OUTPUT", 0],
    ];
    for (const [f, code, value] of cases) {
      const e = thrown(f);
      expect(e).to.be.instanceOf(SighashError).and.instanceOf(LvmError);
      expect([(e as SighashError).code, (e as SighashError).value]).to.deep.equal([code, value]);
    }
  });

  it("Core RPC errors: a named code, Core's number kept as rpcCode", () => {
    const e = new RpcError(RpcCode.VERIFY_REJECTED, "dust");
    expect(e).to.be.instanceOf(LvmError);
    expect([e.code, e.rpcCode, e.name]).to.deep.equal(["VERIFY_REJECTED", -26, "RpcError"]);
    expect(new RpcError(RpcCode.INVALID_ADDRESS_OR_KEY, "x").code).to.equal("INVALID_ADDRESS_OR_KEY");
    expect([new RpcError(-4242, "x").code, new RpcError(-4242, "x").rpcCode]).to.deep.equal([
      "RPC_ERROR",
      -4242,
    ]);
  });

  it("the RPC client: an unreachable node is UNREACHABLE, with the URL and the socket's error as cause", async () => {
    const url = "http://127.0.0.1:1/";
    const e = await rejected(new JsonRpcClient({ url, timeoutMs: 5_000 }).call("getblockcount"));
    expect(e).to.be.instanceOf(RpcTransportError).and.instanceOf(LvmError);
    expect([(e as RpcTransportError).code, (e as RpcTransportError).value]).to.deep.equal([
      "UNREACHABLE",
      url,
    ]);
    expect((e as RpcTransportError).cause).to.be.instanceOf(Error);
  });

  it("devnet services and the dashboard used before start: NOT_STARTED", async () => {
    const devnet = await testDevnet();
    const calls: [string, () => unknown][] = [
      ["l1", () => devnet.l1.backend()],
      ["l1", () => devnet.l1.rpc()],
      ["l2", () => devnet.l2.url()],
      ["operator", () => devnet.operator.operator()],
    ];
    for (const [service, f] of calls) {
      const e = thrown(f);
      expect(e).to.be.instanceOf(DevnetError);
      expect([(e as DevnetError).code, (e as DevnetError).value]).to.deep.equal(["NOT_STARTED", service]);
    }
    const dashboard = dashboardService({
      port: 0,
      l1: () => ({ url: "http://127.0.0.1:1/" }),
      l2Url: () => "http://127.0.0.1:1/",
      records: async () => ({ graphs: [], claims: [], payouts: [] }),
    });
    const e = thrown(() => dashboard.url());
    expect(e).to.be.instanceOf(DashboardError);
    expect([(e as DashboardError).code, (e as DashboardError).status]).to.deep.equal(["NOT_STARTED", 503]);
  });
});
