/** The admission path's transaction decoder, held to ethers' decoding on random and mutated bytes. */
import { expect } from "chai";
import { Transaction, Wallet, decodeRlp, encodeRlp, getBytes, hexlify, keccak256, toBeHex } from "ethers";
import fc from "fast-check";

import { decodeTransaction } from "../../ts/l2/index.js";
import { RawTxError, decodeSignedTx, type SignedTxFields } from "../../ts/l2/rawtx.js";

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const wallet = new Wallet("0x" + "42".repeat(32));

const arbTx = fc.record({
  type: fc.constantFrom(0, 1, 2, 4),
  chainId: fc.oneof(fc.bigInt({ min: 1n, max: 1000n }), fc.bigInt({ min: 1n, max: 2n ** 64n })),
  nonce: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  create: fc.boolean(),
  // Around RLP's 55-byte short form, for the payload and for the whole list.
  data: fc.uint8Array({ maxLength: 300 }),
  value: fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
  fee: fc.bigInt({ min: 0n, max: 2n ** 100n }),
  tip: fc.bigInt({ min: 0n, max: 2n ** 100n }),
  gas: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  keys: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
  /** EIP-7702 authorizations (type 4): chain id 0 (any chain) or a number, a nonce. */
  auths: fc.array(
    fc.record({
      chainId: fc.bigInt({ min: 0n, max: 2n ** 64n }),
      nonce: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    }),
    {
      minLength: 1,
      maxLength: 3,
    },
  ),
});

type ArbTx = typeof arbTx extends fc.Arbitrary<infer T> ? T : never;

function sign(a: ArbTx): Transaction {
  const tx = Transaction.from({
    type: a.type,
    chainId: a.chainId,
    nonce: a.nonce,
    // EIP-7702 transactions cannot create contracts.
    to: a.create && a.type !== 4 ? null : wallet.address,
    data: hexlify(a.data),
    value: a.value,
    gasLimit: a.gas,
    // ethers will not sign a tip above the fee cap (the sequencer refuses one after decoding).
    ...(a.type === 2 || a.type === 4
      ? { maxFeePerGas: a.fee, maxPriorityFeePerGas: a.tip > a.fee ? a.fee : a.tip }
      : { gasPrice: a.fee }),
    ...(a.type === 4
      ? {
          authorizationList: a.auths.map((x, i) =>
            wallet.authorizeSync({
              address: "0x" + (i + 7).toString(16).padStart(40, "0"),
              nonce: x.nonce,
              chainId: x.chainId,
            }),
          ),
        }
      : {}),
    ...(a.type === 0
      ? {}
      : {
          accessList: a.keys.map((k, i) => ({
            address: "0x" + (i + 1).toString(16).padStart(40, "0"),
            storageKeys: Array.from({ length: k }, (_, j) => "0x" + (j + 1).toString(16).padStart(64, "0")),
          })),
        }),
  });
  tx.signature = wallet.signingKey.sign(tx.unsignedHash);
  return tx;
}

/** ethers' reading of the same bytes, in our shape; throws where ethers refuses. */
function ethersFields(tx: Transaction): Omit<SignedTxFields, "signingPayload"> & { signingHash: string } {
  const sig = tx.signature!;
  const feeCap = tx.type === 2 || tx.type === 4 ? tx.maxFeePerGas! : tx.gasPrice!;
  return {
    type: tx.type as 0 | 1 | 2 | 4,
    chainId: tx.chainId,
    nonce: BigInt(tx.nonce),
    maxPriorityFeePerGas: tx.type === 2 || tx.type === 4 ? tx.maxPriorityFeePerGas! : feeCap,
    maxFeePerGas: feeCap,
    gasLimit: tx.gasLimit,
    to: tx.to === null ? null : getBytes(tx.to),
    value: tx.value,
    data: getBytes(tx.data),
    accessListKeys: (tx.accessList ?? []).map((e) => e.storageKeys.length),
    authorizations: tx.type === 4 ? (tx.authorizationList ?? []).length : 0,
    yParity: sig.yParity,
    signature: getBytes(sig.r + sig.s.slice(2)),
    signingHash: tx.unsignedHash,
  };
}

function ours(bytes: Uint8Array): ReturnType<typeof ethersFields> {
  const f = decodeSignedTx(bytes);
  const { signingPayload, ...rest } = f;
  return { ...rest, signingHash: keccak256(signingPayload) };
}

/** Whether a well-encoded type-4 transaction holds an authorization whose y_parity is above 1. */
function authorizationParityAboveOne(bytes: Uint8Array): boolean {
  const fields = decodeRlp(bytes.subarray(1));
  const auths = Array.isArray(fields) ? fields[9] : undefined;
  if (!Array.isArray(auths)) return false;
  return auths.some(
    (a) => Array.isArray(a) && typeof a[3] === "string" && BigInt(a[3] === "0x" ? 0 : a[3]) > 1n,
  );
}

const comparable = (f: ReturnType<typeof ethersFields>) => ({
  ...f,
  to: f.to === null ? null : hexlify(f.to),
  data: hexlify(f.data),
  signature: hexlify(f.signature),
});

describe("l2: raw transaction decoder (rawtx.ts) against ethers", function () {
  it("decodes every field of random signed transactions of types 0, 1, 2 and 4 as ethers does", function () {
    fc.assert(
      fc.property(arbTx, (a) => {
        const tx = sign(a);
        expect(comparable(ours(getBytes(tx.serialized)))).to.deep.equal(comparable(ethersFields(tx)));
      }),
      { numRuns: 300 },
    );
  });

  it("admission recovers the signer and hash of every such transaction the sequencer can take", function () {
    // What decodeTransaction checks after decoding, fixed so every case passes it: a wrong
    // signing payload would recover some other key, so the sender would differ.
    fc.assert(
      fc.property(arbTx, (a) => {
        const tx = sign({ ...a, gas: 1_000_000n, fee: a.fee + 1n, tip: 1n });
        const decoded = decodeTransaction(tx.serialized, {
          chainId: a.chainId,
          blockGasLimit: 30_000_000n,
          baseFee: 0n,
          minTip: 0n,
        });
        expect(decoded.from).to.equal(wallet.address.toLowerCase());
        expect(decoded.hash).to.equal(tx.hash);
      }),
      { numRuns: 150 },
    );
  });

  it("is never looser than ethers on mutated bytes, and takes every canonical low-s encoding ethers takes", function () {
    const mutation = fc.record({
      kind: fc.constantFrom("flip", "insert", "delete", "truncate", "append"),
      at: fc.nat(),
      byte: fc.integer({ min: 0, max: 255 }),
    });
    fc.assert(
      fc.property(arbTx, mutation, (a, m) => {
        const good = getBytes(sign(a).serialized);
        const at = m.at % good.length;
        const bytes = Uint8Array.from(good);
        let mutated: Uint8Array;
        if (m.kind === "flip") {
          bytes[at] = m.byte === bytes[at] ? m.byte ^ 1 : m.byte;
          mutated = bytes;
        } else if (m.kind === "insert")
          mutated = Uint8Array.from([...good.slice(0, at), m.byte, ...good.slice(at)]);
        else if (m.kind === "delete")
          mutated = Uint8Array.from([...good.slice(0, at), ...good.slice(at + 1)]);
        else if (m.kind === "truncate") mutated = good.slice(0, at);
        else mutated = Uint8Array.from([...good, m.byte]);

        // ethers' reading, or undefined where it refuses (some refusals only show on use).
        let theirs: ReturnType<typeof ethersFields> | undefined;
        let canonicalLowS = false;
        try {
          const tx = Transaction.from(hexlify(mutated));
          theirs = ethersFields(tx);
          const s = BigInt(tx.signature!.s);
          canonicalLowS = tx.serialized === hexlify(mutated) && s <= N / 2n && BigInt(tx.signature!.r) !== 0n;
        } catch {
          theirs = undefined;
        }
        let mine: ReturnType<typeof ethersFields> | undefined;
        try {
          mine = ours(mutated);
        } catch (e) {
          expect(e).to.be.instanceOf(RawTxError);
          mine = undefined;
        }
        // A tip above the fee cap is well encoded: ethers refuses it, the sequencer does after decoding.
        if (mine !== undefined && mine.maxPriorityFeePerGas > mine.maxFeePerGas) return;
        // Nonces past 2^53 are valid Ethereum but beyond ethers (the sequencer refuses them later).
        if (mine !== undefined && mine.nonce > BigInt(Number.MAX_SAFE_INTEGER)) return;
        // EIP-7702 bounds an authorization's y_parity by 2^8 and skips the authorization (not the
        // transaction) when it is above 1, as geth does; ethers refuses the whole transaction.
        if (mine !== undefined && mine.type === 4 && authorizationParityAboveOne(mutated)) return;
        if (mine !== undefined) {
          expect(theirs, `we accepted bytes ethers refuses: ${hexlify(mutated)}`).to.not.equal(undefined);
          expect(comparable(mine)).to.deep.equal(comparable(theirs!));
        } else {
          // ethers is looser on encodings (it re-encodes), so only its canonical, low-s reads count.
          expect(canonicalLowS, `we refused canonical bytes ethers takes: ${hexlify(mutated)}`).to.equal(
            false,
          );
        }
      }),
      { numRuns: 1500 },
    );
  });

  it("refuses non-canonical RLP, trailing bytes, wrong field counts, high s and unknown types, by kind", function () {
    const base: ArbTx = {
      type: 2,
      chainId: 5n,
      nonce: 1,
      create: false,
      data: new Uint8Array(0),
      value: 1n,
      fee: 10n,
      tip: 1n,
      gas: 21_000n,
      keys: [],
      auths: [],
    };
    const tx = sign(base);
    const good = getBytes(tx.serialized);
    const kind = (bytes: Uint8Array | string): string => {
      try {
        decodeSignedTx(typeof bytes === "string" ? getBytes(bytes) : bytes);
        return "accepted";
      } catch (e) {
        return e instanceof RawTxError ? `${e.kind} | ${e.message}` : `untyped | ${String(e)}`;
      }
    };
    expect(kind(good)).to.equal("accepted");
    expect(kind(Uint8Array.from([...good, 0]))).to.match(/^rlp \| rlp: .*more than one value/);
    expect(kind(good.slice(0, -1))).to.match(/^rlp \| rlp: /);
    expect(kind(new Uint8Array(0))).to.match(/^rlp \| rlp: /);
    // The nonce 1 as 0x81 0x01: a single byte below 0x80 must be its own encoding.
    const nonceAt = good.indexOf(0x01, 3);
    const longNonce = Uint8Array.from([...good.slice(0, nonceAt), 0x81, ...good.slice(nonceAt)]);
    longNonce[2] = (longNonce[2] as number) + 1; // the list grew by one byte
    expect(kind(longNonce)).to.match(/^rlp \| rlp: non-canonical size/);
    // The same nonce with a leading zero byte: a non-minimal integer.
    const padded = Uint8Array.from([...good.slice(0, nonceAt), 0x82, 0x00, ...good.slice(nonceAt)]);
    padded[2] = (padded[2] as number) + 2;
    expect(kind(padded)).to.match(/^rlp \| rlp: non-canonical integer/);
    // s replaced by n - s: the same signer, the malleable encoding EIP-2 outlaws.
    const items = decodeRlp(good.slice(1)) as string[];
    const s = BigInt(items[11]!);
    items[9] = items[9] === "0x" ? "0x01" : "0x";
    items[11] = toBeHex(N - s);
    const high = { serialized: "0x02" + encodeRlp(items).slice(2) };
    expect(kind(high.serialized)).to.equal("signature | invalid transaction v, r, s values");
    expect(kind("0x03" + tx.serialized.slice(4))).to.equal("type | transaction type not supported");
    expect(kind("0x7f")).to.equal("type | transaction type not supported");
    // A one-byte string in the long form meant for strings over 55 bytes.
    const withData = getBytes(sign({ ...base, data: Uint8Array.of(0x99) }).serialized);
    const dataAt = withData.findIndex((b, i) => b === 0x81 && withData[i + 1] === 0x99);
    const longForm = Uint8Array.from([
      ...withData.slice(0, dataAt),
      0xb8,
      0x01,
      ...withData.slice(dataAt + 1),
    ]);
    expect(withData[1]).to.equal(0xf8); // the list itself is long: bump its one-byte length
    longForm[2] = (longForm[2] as number) + 1;
    expect(kind(withData)).to.equal("accepted");
    expect(kind(longForm)).to.match(/^rlp \| rlp: non-canonical size/);
    // A type-2 list of two fields, and the signed list without its s.
    expect(kind(Uint8Array.from([0x02, 0xc2, 0x05, 0x01]))).to.match(
      /^rlp \| rlp: a type-2 transaction has 12 fields, not 2/,
    );
    expect(kind("0x02" + encodeRlp(items.slice(0, 11)).slice(2))).to.match(/has 12 fields, not 11/);
    // EIP-7702: accepted with authorizations; refused with none, or as a contract creation.
    const t4 = getBytes(sign({ ...base, type: 4, auths: [{ chainId: 5n, nonce: 0n }] }).serialized);
    expect(kind(t4)).to.equal("accepted");
    const f4 = decodeRlp(t4.slice(1)) as string[];
    expect(kind("0x04" + encodeRlp([...f4.slice(0, 9), [] as string[], ...f4.slice(10)]).slice(2))).to.equal(
      "type | EIP-7702 transaction with empty auth list",
    );
    expect(kind("0x04" + encodeRlp([...f4.slice(0, 5), "0x", ...f4.slice(6)]).slice(2))).to.match(
      /^rlp \| rlp: to must be 20 bytes/,
    );
    expect(kind("0x04" + encodeRlp([...f4.slice(0, 9), [["0x05"]], ...f4.slice(10)]).slice(2))).to.match(
      /authorization has 6 fields/,
    );
    // An authorization's y_parity is a uint8 (EIP-7702): 2 is well encoded (the EVM skips that
    // authorization, as geth does), 256 is not.
    const auth = (f4[9] as unknown as string[][])[0]!;
    const withParity = (p: string) =>
      "0x04" +
      encodeRlp([...f4.slice(0, 9), [[...auth.slice(0, 3), p, ...auth.slice(4)]], ...f4.slice(10)]).slice(2);
    expect(kind(withParity("0x02"))).to.equal("accepted");
    expect(kind(withParity("0xff"))).to.equal("accepted");
    expect(kind(withParity("0x0100"))).to.match(/authorization yParity/);
  });
});
