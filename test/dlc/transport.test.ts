import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { expect } from "chai";
import { sats, txidFromHex } from "../../ts/bitcoin/index.js";
import { winternitzPublicKey } from "../../ts/bitvm/index.js";
import { keyPathOutput, xOnlyKey } from "../../ts/bridge/index.js";
import {
  MAX_COMMITTED_AMOUNT,
  PresignClient,
  PresignDesk,
  StakedOracle,
  channelFingerprint,
  oracleWinternitzKey,
  servePresignRpc,
  signaturesToJson,
  stakeOutput,
  withdrawalIntervals,
  type ChannelSignatures,
  type ChannelSignaturesJson,
  type PresignRpc,
  type StakeTerms,
} from "../../ts/dlc/index.js";
import { serveJsonRpc } from "../../ts/jsonrpc/index.js";
import { interpret } from "./checks.js";
import { channelSetup, expectCode, expectCodeAsync } from "./setup.js";

// The user ↔ federation presignature exchange over our JSON-RPC on a real 127.0.0.1 socket: the
// federation checks every CET adaptor signature, the refund signature and the stake-input
// signatures the user sends, refuses a bad one with a code naming it and stores nothing; a valid
// set is stored with the federation's own signatures before they are answered.

const ID = "0x" + "ab".repeat(32);

describe("dlc: presignature transport over JSON-RPC", function () {
  const w = 87_654_321n;
  const setup = channelSetup({ eventId: "lvm/transport/1", w });
  // an OP-DLC channel: its CETs also spend the oracle's sign transactions (stake-input signatures)
  const wots = oracleWinternitzKey(setup.oracleSecrets[0]!, "lvm/transport/1");
  const oracleKey = setup.announcements[0]!.oraclePublicKey;
  const stakeTerms: StakeTerms = {
    userKey: setup.userKey,
    federationKey: setup.federationKey,
    oracleKey,
    winternitz: winternitzPublicKey(wots),
    requested: w,
    intervals: withdrawalIntervals(w, MAX_COMMITTED_AMOUNT, setup.terms.userCollateral),
    window: 2,
    reclaim: 50,
    timelockValue: sats(1_000n),
    feeRate: 2n,
    returnScript: keyPathOutput(xOnlyKey(oracleKey)).script,
  };
  const staked = new StakedOracle(stakeTerms, {
    txid: txidFromHex("33".repeat(32)),
    vout: 0,
    amount: sats(20_000_000n),
    script: stakeOutput(stakeTerms).script,
  });
  const channel = setup.channel(staked);
  const good = channel.sign(setup.userSecret);

  let dir: string;
  let desk: PresignDesk;
  let rpc: PresignRpc;
  const newDesk = (): PresignDesk => {
    const d = new PresignDesk({ dir, federationSecret: setup.fedSecret });
    d.offer(ID, setup.channel(staked));
    return d;
  };
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "dlc-transport-"));
    desk = newDesk();
    rpc = await servePresignRpc(desk, { port: 0 });
  });
  after(async () => {
    await rpc?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const raw = async (method: string, params: unknown[]) => {
    const r = await fetch(rpc.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 7, method, params }),
    });
    return (await r.json()) as {
      result?: ChannelSignaturesJson | null;
      error?: { code: number; data?: { code?: string; details?: Record<string, unknown> } };
    };
  };
  const unchanged = async () => {
    expect(readdirSync(dir)).to.deep.equal([]);
    expect(desk.userSignatures(ID)).to.equal(undefined);
    expect((await raw("dlc_presigned", [ID])).result).to.equal(null);
  };
  const flipped = (b: Uint8Array): Uint8Array => {
    const c = Uint8Array.from(b);
    c[c.length - 1] ^= 1;
    return c;
  };

  it("refuses each bad presignature with a code naming it, over the socket, and stores nothing", async () => {
    expect(rpc.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(good.stakeInputs.flat().length).to.equal(2 * channel.txs.length); // timelocked + connector per CET
    const client = new PresignClient(rpc.url);
    const send = (s: ChannelSignatures) => client.exchange(ID, channel, s);
    const bad: { sigs: ChannelSignatures; code: string; details: Record<string, unknown> }[] = [];
    for (const k of [0, 17, channel.entries.length - 1]) {
      const cets = good.cets.map((a, i) => (i === k ? { R: a.R, s: flipped(a.s) } : a));
      bad.push({
        sigs: { ...good, cets },
        code: "BAD_ADAPTOR_SIGNATURE",
        details: { signature: "cet", cet: k },
      });
    }
    // R not on the curve: refused as that CET's adaptor signature, too
    const offCurve = { R: Uint8Array.of(2, ...new Uint8Array(32).fill(0xff)), s: good.cets[5]!.s };
    bad.push({
      sigs: { ...good, cets: good.cets.map((a, i) => (i === 5 ? offCurve : a)) },
      code: "BAD_ADAPTOR_SIGNATURE",
      details: { signature: "cet", cet: 5 },
    });
    // the adaptor signatures of another CET in its place (swapped)
    const swapped = good.cets.slice();
    [swapped[2], swapped[3]] = [swapped[3]!, swapped[2]!];
    bad.push({ sigs: { ...good, cets: swapped }, code: "BAD_ADAPTOR_SIGNATURE", details: { cet: 2 } });
    bad.push({ sigs: { ...good, cets: good.cets.slice(1) }, code: "BAD_ADAPTOR_SIGNATURE", details: {} });
    bad.push({
      sigs: { ...good, refund: flipped(good.refund) },
      code: "BAD_SIGNATURE",
      details: { signature: "refund" },
    });
    const stakeInputs = good.stakeInputs.map((tx, t) =>
      tx.map((s, k) => (t === 1 && k === 1 ? flipped(s) : s)),
    );
    bad.push({
      sigs: { ...good, stakeInputs },
      code: "BAD_SIGNATURE",
      details: { signature: "stakeInput", tx: 1, input: 2 },
    });
    // the federation's own signatures sent as the user's
    bad.push({ sigs: channel.sign(setup.fedSecret), code: "BAD_ADAPTOR_SIGNATURE", details: { cet: 0 } });
    for (const b of bad) {
      const e = await expectCodeAsync(() => send(b.sigs), b.code);
      expect(e.details, b.code).to.deep.include({ rpcCode: -32000, ...b.details });
      await unchanged();
    }
  });

  it("refuses malformed parameters (-32602 BAD_PARAMS naming the item) and an unknown channel", async () => {
    const j = signaturesToJson(good);
    const cases: [unknown[], number, string, Record<string, unknown>][] = [
      [
        [{ channelId: ID, signatures: { ...j, cets: [...j.cets.slice(1), "zz"] } }],
        -32602,
        "BAD_PARAMS",
        {
          what: `adaptor signature of CET ${j.cets.length - 1}`,
        },
      ],
      [
        [{ channelId: ID, signatures: { ...j, refund: j.refund.slice(2) } }],
        -32602,
        "BAD_PARAMS",
        {
          what: "refund signature",
        },
      ],
      [
        [{ channelId: ID, signatures: { ...j, stakeInputs: [["00"]] } }],
        -32602,
        "BAD_PARAMS",
        {
          what: "signature of CET 0's stake input 1",
        },
      ],
      [[{ channelId: ID, signatures: { ...j, cets: "x" } }], -32602, "BAD_PARAMS", {}],
      [[{ channelId: "0x12", signatures: j }], -32602, "BAD_PARAMS", {}],
      [[], -32602, "BAD_PARAMS", {}],
      [[{ channelId: "0x" + "cd".repeat(32), signatures: j }], -32000, "UNKNOWN_CHANNEL", {}],
    ];
    for (const [params, code, name, details] of cases) {
      const { error } = await raw("dlc_presign", params);
      expect(error?.code, name).to.equal(code);
      expect(error?.data?.code).to.equal(name);
      if (Object.keys(details).length > 0) expect(error?.data?.details).to.deep.include(details);
      await unchanged();
    }
    // the client reports a refusal as the same DlcError code
    await expectCodeAsync(
      () => new PresignClient(rpc.url).exchange("0x" + "cd".repeat(32), channel, good),
      "UNKNOWN_CHANNEL",
    );
  });

  it("a valid exchange: stored before answering, repeated and after a restart the same signatures; both sides settle", async () => {
    const client = new PresignClient(rpc.url);
    const theirs = await client.exchange(ID, channel, good);
    channel.verify(theirs, "federation");
    expect(readdirSync(dir)).to.deep.equal([`${ID}.presign.json`]);
    expect(signaturesToJson(desk.userSignatures(ID)!)).to.deep.equal(signaturesToJson(good));
    const again = await client.exchange(ID, channel, good);
    expect(signaturesToJson(again)).to.deep.equal(signaturesToJson(theirs));
    expect((await raw("dlc_presigned", [ID])).result).to.deep.equal(signaturesToJson(theirs));
    // a restarted federation (new desk, same directory) answers the same signatures
    const restarted = newDesk();
    expect(signaturesToJson(restarted.exchange(ID, good))).to.deep.equal(signaturesToJson(theirs));
    // a bad set after the exchange is still refused, and the stored one stays
    expectCode(() => restarted.exchange(ID, { ...good, refund: flipped(good.refund) }), "BAD_SIGNATURE");
    expect(signaturesToJson(restarted.userSignatures(ID)!)).to.deep.equal(signaturesToJson(good));
    // another channel under the presigned id is refused
    const other = channelSetup({ eventId: "lvm/transport/2", w: w + 1n });
    expectCode(() => restarted.offer(ID, other.channel()), "BAD_PARAMS");
    expect(channelFingerprint(other.channel())).to.not.equal(channelFingerprint(channel));
    // what was exchanged settles: the user with the federation's, the federation with the user's
    const att = setup.oracles[0]!.attest(setup.announcements[0]!, w);
    const byUser = channel.settle(att, setup.userSecret, theirs);
    const byFed = channel.settle(att, setup.fedSecret, restarted.userSignatures(ID)!);
    expect(byUser.tx.output(0).amount).to.equal(w);
    expect(byFed.tx.txid).to.equal(byUser.tx.txid);
    // every input's script passes our interpreter (funding 2-of-2, timelocked output, connector A)
    expect(byUser.tx.inputCount).to.equal(3);
    expect(interpret(byUser.tx)).to.deep.equal([]);
  });

  it("the client refuses a federation's answer that does not verify", async () => {
    const theirs = channel.sign(setup.fedSecret);
    const j = signaturesToJson(theirs);
    const tampered = { ...j, cets: j.cets.map((c, i) => (i === 9 ? j.cets[10]! : c)) };
    const fake = await serveJsonRpc({ port: 0, methods: { dlc_presign: () => tampered }, cors: false });
    try {
      const e = await expectCodeAsync(
        () => new PresignClient(fake.url).exchange(ID, channel, good),
        "BAD_ADAPTOR_SIGNATURE",
      );
      expect(e.details).to.deep.include({ cet: 9, from: "federation" });
    } finally {
      await fake.close();
    }
  });
});
