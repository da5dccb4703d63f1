/**
 * Bitcoin Core's RPC methods over a BtcNode: names, parameters (positional and named), result
 * shapes and error codes/messages as bitcoind answers them.
 */
import { createHash } from "node:crypto";

import { Block, tweakXOnly, type BlockHash, type Transaction, type Txid } from "../../bitcoin/index.js";
import { addressToScript, AddressError, scriptToAddress } from "../address.js";
import type { BlockIndex } from "../chain.js";
import { type Coin } from "../coins.js";
import { NodeInputError, RejectError } from "../errors.js";
import type { MempoolEntry } from "../mempool.js";
import type { BtcNode } from "../node.js";
import { descriptorChecksum, witnessProgram, withChecksum } from "../script.js";
import { difficulty, hexToBytes } from "../validation.js";
import {
  HEX,
  HEX64,
  amountFromValue,
  bool,
  decodeTx,
  given,
  hash,
  hex,
  int,
  str,
  typeError,
} from "./args.js";

export { amountFromValue };
import { RpcCode, RpcError } from "./errors.js";
import {
  blockJson,
  headerJson,
  inferDescriptor,
  scriptPubKeyJson,
  txJson,
  type JsonObject,
} from "./format.js";
import { Amount, type JsonOut } from "./json.js";
import { createRawTransaction, signRawTransactionWithKey } from "./rawtx.js";
import type { RpcMethod, RpcTable } from "./server.js";

function fromNodeError(e: unknown): never {
  if (e instanceof NodeInputError) {
    const code =
      e.code === "height-out-of-range" || e.code === "bad-argument"
        ? RpcCode.INVALID_PARAMETER
        : RpcCode.INVALID_ADDRESS_OR_KEY;
    throw new RpcError(code, e.message);
  }
  throw e;
}

/** Usage text for wrong argument counts (Core answers RPC_MISC_ERROR with the help text). */
function method(
  name: string,
  params: readonly string[],
  required: number,
  handler: (args: readonly unknown[]) => Promise<JsonOut> | JsonOut,
): [string, RpcMethod] {
  const usage = `${name} ${params.map((p, i) => (i < required ? p : `( ${p} )`)).join(" ")}`.trim();
  return [
    name,
    {
      params,
      handler: async (args) => {
        const n = args.length;
        let missing = false;
        for (let i = 0; i < required; i++) if (!given(args[i])) missing = true;
        if (n > params.length || missing) throw new RpcError(RpcCode.MISC_ERROR, usage);
        try {
          return await handler(args);
        } catch (e) {
          return fromNodeError(e);
        }
      },
    },
  ];
}

function blockOrThrow(node: BtcNode, h: string): BlockIndex {
  const idx = node.blockIndex(h as BlockHash);
  if (idx === undefined) throw new RpcError(RpcCode.INVALID_ADDRESS_OR_KEY, "Block not found");
  return idx;
}

function confirmations(node: BtcNode, idx: BlockIndex): number {
  return node.isActive(idx) ? node.height - idx.height + 1 : -1;
}

async function headerCtx(node: BtcNode, idx: BlockIndex, block?: Block) {
  const b = block ?? (await node.getBlock(idx.hash).catch(() => undefined));
  return {
    confirmations: confirmations(node, idx),
    mediantime: node.medianTimePast(idx),
    nTx: b?.txs.length ?? 0,
    next: node.next(idx)?.hash,
  };
}

function mempoolEntryJson(node: BtcNode, e: MempoolEntry): JsonObject {
  const anc = node.mempool.ancestors(e);
  const desc = node.mempool.descendants(e);
  const sum = (s: Iterable<MempoolEntry>, f: (x: MempoolEntry) => bigint | number) => {
    let t = 0n;
    for (const x of s) t += BigInt(f(x));
    return t;
  };
  return {
    vsize: e.vsize,
    weight: e.weight,
    time: e.time,
    height: e.height,
    descendantcount: desc.size + 1,
    descendantsize: Number(sum(desc, (x) => x.vsize)) + e.vsize,
    ancestorcount: anc.size + 1,
    ancestorsize: Number(sum(anc, (x) => x.vsize)) + e.vsize,
    wtxid: e.wtxid,
    fees: {
      base: new Amount(e.fee),
      modified: new Amount(e.fee),
      ancestor: new Amount(sum(anc, (x) => x.fee) + e.fee),
      descendant: new Amount(sum(desc, (x) => x.fee) + e.fee),
    },
    depends: [...e.parents].map((p) => p.txid),
    spentby: [...e.children].map((c) => c.txid),
    "bip125-replaceable": e.signalsRbf || [...anc].some((a) => a.signalsRbf),
    unbroadcast: false,
  };
}

function coinJson(node: BtcNode, c: Coin, confirmedHeight: number | undefined): JsonObject {
  return {
    bestblock: node.tip.hash,
    confirmations: confirmedHeight === undefined ? 0 : node.height - confirmedHeight + 1,
    value: new Amount(c.value),
    scriptPubKey: scriptPubKeyJson(c.scriptPubKey, node.params),
    coinbase: c.coinbase,
  };
}

/** Script named by `addr(…)`, `raw(…)`, `pk/pkh/wpkh/sh(wpkh(…))` with hex keys, checksum optional. */
export function descriptorScript(desc: string, node: BtcNode): Uint8Array {
  const bad = (why: string): RpcError => new RpcError(RpcCode.INVALID_ADDRESS_OR_KEY, why);
  let body = desc;
  const hashAt = desc.indexOf("#");
  if (hashAt >= 0) {
    body = desc.slice(0, hashAt);
    const cs = desc.slice(hashAt + 1);
    const expected = descriptorChecksum(body);
    if (cs.length !== 8) throw bad(`Expected 8 character checksum, not ${cs.length} characters`);
    if (cs !== expected)
      throw bad(`Provided checksum '${cs}' does not match computed checksum '${expected ?? ""}'`);
  }
  const m = /^([a-z]+)\((.*)\)$/.exec(body);
  if (m === null) throw bad(`'${body}' is not a valid descriptor function`);
  const [, fn, arg] = m;
  const h160 = (b: Uint8Array) =>
    createHash("ripemd160").update(createHash("sha256").update(b).digest()).digest();
  const key = (s: string): Uint8Array => {
    if (!/^(02|03)[0-9a-fA-F]{64}$/.test(s) && !/^04[0-9a-fA-F]{128}$/.test(s))
      throw bad(`key '${s}' is not valid`);
    return hexToBytes(s);
  };
  const xonlyKey = (s: string): Uint8Array => {
    if (/^[0-9a-fA-F]{64}$/.test(s)) return hexToBytes(s);
    if (/^(02|03)[0-9a-fA-F]{64}$/.test(s)) return hexToBytes(s.slice(2));
    throw bad(`key '${s}' is not valid`);
  };
  switch (fn) {
    case "addr":
      try {
        return addressToScript(arg, node.params);
      } catch {
        throw bad(`Address '${arg}' is not valid`);
      }
    case "raw":
      if (!HEX.test(arg) || arg.length === 0) throw bad(`Raw script is not hex`);
      return hexToBytes(arg);
    case "pk": {
      const k = key(arg);
      return Uint8Array.of(k.length, ...k, 0xac);
    }
    case "pkh":
      return Uint8Array.of(0x76, 0xa9, 20, ...h160(key(arg)), 0x88, 0xac);
    case "wpkh":
      return Uint8Array.of(0, 20, ...h160(key(arg)));
    case "rawtr": {
      const k = xonlyKey(arg);
      return Uint8Array.of(0x51, 32, ...k);
    }
    case "tr": {
      // Key path only (BIP86): a script tree needs miniscript, which this node does not parse.
      if (arg.includes(",")) throw bad("tr() with a script tree is not supported by this node (use rawtr())");
      const tweaked = tweakXOnly(xonlyKey(arg), undefined);
      if (tweaked === undefined) throw bad(`key '${arg}' is not valid`);
      return Uint8Array.of(0x51, 32, ...tweaked.key);
    }
    case "sh": {
      const inner = descriptorScript(arg, node);
      return Uint8Array.of(0xa9, 20, ...h160(inner), 0x87);
    }
    default:
      throw bad(`'${fn}(…)' descriptors are not supported by this node (use addr() or raw())`);
  }
}

/** Core's DescribeAddressVisitor: what kind of output script an address stands for. */
function describeScript(s: Uint8Array): JsonObject {
  const wp = witnessProgram(s);
  if (wp === null) return { isscript: s[0] === 0xa9, iswitness: false };
  // Core 28's pay-to-anchor (bcrt1pfees…): witness v1, two bytes 4e73, no version/program shown.
  if (wp.version === 1 && hex(wp.program) === "4e73") return { isscript: true, iswitness: true };
  const known =
    (wp.version === 0 && (wp.program.length === 20 || wp.program.length === 32)) ||
    (wp.version === 1 && wp.program.length === 32);
  return {
    ...(known ? { isscript: !(wp.version === 0 && wp.program.length === 20) } : {}),
    iswitness: true,
    witness_version: wp.version,
    witness_program: hex(wp.program),
  };
}

function rejectToRpc(e: RejectError): RpcError {
  if (e.kind === "missing-inputs")
    return new RpcError(RpcCode.VERIFY_ERROR, "bad-txns-inputs-missingorspent");
  if (e.kind === "already-known" && e.reason === "txn-already-known")
    return new RpcError(RpcCode.VERIFY_ALREADY_IN_CHAIN, "Transaction outputs already in utxo set");
  if (e.reason === "max-fee-exceeded")
    return new RpcError(
      RpcCode.VERIFY_ERROR,
      "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)",
    );
  return new RpcError(RpcCode.VERIFY_REJECTED, e.message);
}

const DEFAULT_MAX_FEE_RATE = 10_000_000n; // 0.10 BTC/kvB, as Core's sendrawtransaction

/** Per-process facts the RPC reports (uptime, version). */
export interface RpcContext {
  readonly startedAt: number;
  /** Called by the `stop` RPC. */
  readonly stop?: () => void;
}

export function nodeMethods(node: BtcNode, ctx: RpcContext): RpcTable {
  const params = node.params;
  let ibdLatched = false;
  const initialBlockDownload = (): boolean => {
    if (ibdLatched) return false;
    if (node.tip.header.time < node.now() - 24 * 60 * 60) return true;
    ibdLatched = true;
    return false;
  };

  const entries: [string, RpcMethod][] = [
    method("getblockchaininfo", [], 0, async () => {
      const tip = node.tip;
      let headers = tip.height;
      for (const idx of node.chain.index.values())
        if (idx.height > headers && (idx.status & 12) === 0) headers = idx.height;
      return {
        chain: params.name,
        blocks: tip.height,
        headers,
        bestblockhash: tip.hash,
        difficulty: difficulty(tip.header.bits),
        time: tip.header.time,
        mediantime: node.medianTimePast(tip),
        verificationprogress: 1,
        initialblockdownload: initialBlockDownload(),
        chainwork: tip.chainWork.toString(16).padStart(64, "0"),
        size_on_disk: await node.chain.store.approximateSize(),
        pruned: false,
        warnings: [],
      };
    }),
    method("getblockcount", [], 0, () => node.height),
    method("getbestblockhash", [], 0, () => node.tip.hash),
    method("getdifficulty", [], 0, () => difficulty(node.tip.header.bits)),
    method("getblockhash", ["height"], 1, (a) => {
      const h = int(a[0]);
      if (h < 0 || h > node.height)
        throw new RpcError(RpcCode.INVALID_PARAMETER, "Block height out of range");
      return node.blockHash(h);
    }),
    method("getblockheader", ["blockhash", "verbose"], 1, async (a) => {
      const idx = blockOrThrow(node, hash(a[0], "blockhash"));
      const verbose = given(a[1]) ? bool(a[1]) : true;
      if (!verbose) return hex(idx.header.encode());
      return headerJson(idx, await headerCtx(node, idx));
    }),
    method("getblock", ["blockhash", "verbosity"], 1, async (a) => {
      const idx = blockOrThrow(node, hash(a[0], "blockhash"));
      let verbosity = 1;
      if (typeof a[1] === "boolean") verbosity = a[1] ? 1 : 0;
      else if (given(a[1])) verbosity = int(a[1]);
      const block = await node.chain.readBlock(idx.hash);
      if (block === undefined) throw new RpcError(RpcCode.MISC_ERROR, "Block not available (pruned data)");
      if (verbosity <= 0) return hex(block.encode());
      const undo = verbosity >= 2 ? await node.getBlockUndo(idx.hash) : undefined;
      return blockJson(block, idx, await headerCtx(node, idx, block), params, verbosity, undo);
    }),
    method("getchaintips", [], 0, () => {
      const hasChild = new Set<BlockHash>();
      for (const idx of node.chain.index.values()) if (idx.prev) hasChild.add(idx.prev.hash);
      const tips: JsonObject[] = [];
      for (const idx of node.chain.index.values()) {
        if (hasChild.has(idx.hash) && idx !== node.tip) continue;
        let fork: BlockIndex | undefined = idx;
        while (fork !== undefined && !node.isActive(fork)) fork = fork.prev;
        const status = node.isActive(idx)
          ? "active"
          : idx.status & 12
            ? "invalid"
            : idx.status & 2
              ? "valid-fork"
              : "valid-headers";
        tips.push({
          height: idx.height,
          hash: idx.hash,
          branchlen: idx.height - (fork?.height ?? 0),
          status,
        });
      }
      return tips;
    }),
    method("getrawtransaction", ["txid", "verbosity", "blockhash"], 1, async (a) => {
      const txid = hash(a[0], "parameter 1") as Txid;
      let verbosity = 0;
      if (typeof a[1] === "boolean") verbosity = a[1] ? 1 : 0;
      else if (given(a[1])) verbosity = int(a[1]);
      const bh = given(a[2]) ? (hash(a[2], "parameter 3") as BlockHash) : undefined;
      const found = await node.getTransaction(txid, bh);
      if (found === undefined) {
        if (bh !== undefined)
          throw new RpcError(
            RpcCode.INVALID_ADDRESS_OR_KEY,
            "No such transaction found in the provided block. Use gettransaction for wallet transactions.",
          );
        throw new RpcError(
          RpcCode.INVALID_ADDRESS_OR_KEY,
          "No such mempool or blockchain transaction. Use gettransaction for wallet transactions.",
        );
      }
      if (verbosity === 0) return hex(found.tx.encode());
      const out: JsonObject = {};
      if (bh !== undefined && found.block !== undefined) out.in_active_chain = node.isActive(found.block);
      Object.assign(out, txJson(found.tx, params, { hex: true }));
      if (found.block !== undefined) {
        out.blockhash = found.block.hash;
        out.confirmations = confirmations(node, found.block) < 0 ? 0 : confirmations(node, found.block);
        out.time = found.block.header.time;
        out.blocktime = found.block.header.time;
      }
      return out;
    }),
    method("decoderawtransaction", ["hexstring", "iswitness"], 1, (a) =>
      txJson(decodeTx(a[0], "TX decode failed"), params),
    ),
    method("sendrawtransaction", ["hexstring", "maxfeerate", "maxburnamount"], 1, async (a) => {
      const tx = decodeTx(a[0], "TX decode failed. Make sure the tx has at least one input.");
      const maxFeeRate = given(a[1]) ? amountFromValue(a[1]) : DEFAULT_MAX_FEE_RATE;
      const maxBurn = given(a[2]) ? amountFromValue(a[2]) : 0n;
      for (const o of tx.outputs) {
        const s = o.scriptPubKey;
        if (((s.length > 0 && s[0] === 0x6a) || s.length > 10_000) && o.value > maxBurn)
          throw new RpcError(
            RpcCode.VERIFY_ERROR,
            "Unspendable output exceeds maximum configured by user (maxburnamount)",
          );
      }
      const txid = tx.txid();
      if (node.mempool.get(txid)?.wtxid === tx.wtxid()) return txid;
      try {
        return (await node.sendTransaction(tx, maxFeeRate)).txid;
      } catch (e) {
        if (e instanceof RejectError) throw rejectToRpc(e);
        throw e;
      }
    }),
    method("testmempoolaccept", ["rawtxs", "maxfeerate"], 1, async (a) => {
      if (!Array.isArray(a[0])) throw typeError(a[0], "array");
      const raws = a[0] as unknown[];
      if (raws.length < 1 || raws.length > 25)
        throw new RpcError(RpcCode.INVALID_PARAMETER, "Array must contain between 1 and 25 transactions.");
      const txs = raws.map((r) =>
        decodeTx(r, `TX decode failed: ${typeof r === "string" ? r.slice(0, 16) : ""}`),
      );
      const maxFeeRate = given(a[1]) ? amountFromValue(a[1]) : DEFAULT_MAX_FEE_RATE;
      const results = await node.testAccept(txs, maxFeeRate);
      return results.map((r): JsonObject => {
        if (r.allowed === undefined) return { txid: r.txid, wtxid: r.wtxid };
        if (!r.allowed)
          return { txid: r.txid, wtxid: r.wtxid, allowed: false, "reject-reason": r.rejectReason };
        return {
          txid: r.txid,
          wtxid: r.wtxid,
          allowed: true,
          vsize: r.vsize,
          fees: {
            base: new Amount(r.fee ?? 0n),
            "effective-feerate": new Amount(((r.fee ?? 0n) * 1000n) / BigInt(r.vsize ?? 1)),
            "effective-includes": [r.wtxid],
          },
        };
      });
    }),
    method("getmempoolentry", ["txid"], 1, (a) => {
      const e = node.mempool.get(hash(a[0], "parameter 1") as Txid);
      if (e === undefined) throw new RpcError(RpcCode.INVALID_ADDRESS_OR_KEY, "Transaction not in mempool");
      return mempoolEntryJson(node, e);
    }),
    method("getrawmempool", ["verbose", "mempool_sequence"], 0, (a) => {
      const verbose = given(a[0]) ? bool(a[0]) : false;
      const seq = given(a[1]) ? bool(a[1]) : false;
      if (verbose && seq)
        throw new RpcError(
          RpcCode.INVALID_PARAMETER,
          "Verbose results cannot contain mempool sequence values.",
        );
      const entries = node.mempool.inOrder();
      if (verbose) {
        const out: JsonObject = {};
        for (const e of entries) out[e.txid] = mempoolEntryJson(node, e);
        return out;
      }
      const ids = entries.map((e) => e.txid);
      return seq ? { txids: ids, mempool_sequence: node.mempool.sequence } : ids;
    }),
    method("getmempoolinfo", [], 0, () => ({
      loaded: true,
      size: node.mempool.size,
      bytes: [...node.mempool.entries.values()].reduce((t, e) => t + e.vsize, 0),
      usage: node.mempool.usageBytes,
      total_fee: new Amount([...node.mempool.entries.values()].reduce((t, e) => t + e.fee, 0n)),
      maxmempool: node.mempool.policy.maxMempoolBytes,
      mempoolminfee: new Amount(node.mempool.minFeeRate),
      minrelaytxfee: new Amount(node.mempool.policy.minRelayFeeRate),
      incrementalrelayfee: new Amount(node.mempool.policy.incrementalRelayFeeRate),
      unbroadcastcount: 0,
      fullrbf: node.mempool.policy.rbf === "full",
    })),
    method("gettxout", ["txid", "n", "include_mempool"], 2, (a) => {
      const txid = hash(a[0], "txid") as Txid;
      const n = int(a[1]);
      const includeMempool = given(a[2]) ? bool(a[2]) : true;
      if (n < 0) return null;
      const coin = node.getTxOut({ txid, vout: n }, includeMempool);
      if (coin === undefined) return null;
      const confirmed = node.getTxOut({ txid, vout: n }, false) !== undefined;
      return coinJson(node, coin, confirmed ? coin.height : undefined);
    }),
    method("gettxoutsetinfo", ["hash_type", "hash_or_height", "use_index"], 0, (a) => {
      const hashType = given(a[0]) ? str(a[0]) : "hash_serialized_3";
      if (hashType !== "hash_serialized_3" && hashType !== "none")
        throw new RpcError(RpcCode.INVALID_PARAMETER, `${hashType} is not a valid hash_type`);
      const coins = [...node.allCoins()];
      const txids = new Set<string>();
      let total = 0n;
      let bogo = 0;
      for (const [k, c] of coins) {
        txids.add(k.slice(0, 64));
        total += c.value;
        bogo += 32 + 4 + 4 + 8 + 2 + c.scriptPubKey.length;
      }
      const out: JsonObject = {
        height: node.height,
        bestblock: node.tip.hash,
        txouts: coins.length,
        bogosize: bogo,
      };
      if (hashType === "hash_serialized_3") out.hash_serialized_3 = utxoSetHash(coins);
      out.total_amount = new Amount(total);
      out.transactions = txids.size;
      return out;
    }),
    method("scantxoutset", ["action", "scanobjects"], 1, (a) => {
      const action = str(a[0]);
      if (action === "status") return null;
      if (action === "abort") return false;
      if (action !== "start")
        throw new RpcError(RpcCode.INVALID_PARAMETER, "Invalid action '" + action + "'");
      if (!Array.isArray(a[1]))
        throw new RpcError(RpcCode.MISC_ERROR, "scanobjects argument is required for the start action");
      const scripts = new Map<string, string>();
      for (const o of a[1] as unknown[]) {
        const desc =
          typeof o === "string"
            ? o
            : typeof o === "object" && o !== null && "desc" in o
              ? str((o as { desc: unknown }).desc)
              : undefined;
        if (desc === undefined)
          throw new RpcError(
            RpcCode.INVALID_PARAMETER,
            "Scan object needs to be either a string or an object",
          );
        const s = descriptorScript(desc, node);
        scripts.set(hex(s), desc);
      }
      const found = node.scanUtxos([...scripts.keys()].map(hexToBytes));
      let total = 0n;
      const unspents = found
        .sort((x, y) => x.coin.height - y.coin.height)
        .map(({ outpoint, coin }): JsonObject => {
          total += coin.value;
          return {
            txid: outpoint.txid,
            vout: outpoint.vout,
            scriptPubKey: hex(coin.scriptPubKey),
            desc: inferDescriptor(coin.scriptPubKey, params),
            amount: new Amount(coin.value),
            coinbase: coin.coinbase,
            height: coin.height,
            blockhash: node.blockHash(coin.height),
            confirmations: node.height - coin.height + 1,
          };
        });
      return {
        success: true,
        txouts: node.allCoins().size,
        height: node.height,
        bestblock: node.tip.hash,
        unspents,
        total_amount: new Amount(total),
      };
    }),
    method("estimatesmartfee", ["conf_target", "estimate_mode"], 1, (a) => {
      const target = int(a[0]);
      if (target < 1 || target > 1008)
        throw new RpcError(RpcCode.INVALID_PARAMETER, "Invalid conf_target, must be between 1 and 1008");
      const modeRaw = given(a[1]) ? str(a[1]).toLowerCase() : "economical";
      if (!["unset", "economical", "conservative"].includes(modeRaw))
        throw new RpcError(
          RpcCode.INVALID_PARAMETER,
          'Invalid estimate_mode parameter, must be one of: "unset", "economical", "conservative"',
        );
      const e = node.estimateFee(
        Math.max(target, 2),
        modeRaw === "conservative" ? "conservative" : "economical",
      );
      if (e === undefined) return { errors: ["Insufficient data or no feerate found"], blocks: 0 };
      return { feerate: new Amount(e.feeRate), blocks: e.blocks };
    }),
    method("generatetoaddress", ["nblocks", "address", "maxtries"], 2, async (a) => {
      const n = int(a[0]);
      const addr = str(a[1]);
      const maxTries = given(a[2]) ? int(a[2]) : 1_000_000;
      if (params.name !== "regtest")
        throw new RpcError(RpcCode.MISC_ERROR, "This method can only be used on regtest");
      let script: Uint8Array;
      try {
        script = addressToScript(addr, params);
      } catch (e) {
        if (e instanceof AddressError)
          throw new RpcError(RpcCode.INVALID_ADDRESS_OR_KEY, "Error: Invalid address");
        throw e;
      }
      return node.generate(n, script, maxTries);
    }),
    method("generatetodescriptor", ["num_blocks", "descriptor", "maxtries"], 2, async (a) => {
      const n = int(a[0]);
      const script = descriptorScript(str(a[1]), node);
      return node.generate(n, script, given(a[2]) ? int(a[2]) : 1_000_000);
    }),
    method("generateblock", ["output", "transactions", "submit"], 2, async (a) => {
      const output = str(a[0]);
      let script: Uint8Array;
      try {
        script = output.includes("(") ? descriptorScript(output, node) : addressToScript(output, params);
      } catch {
        throw new RpcError(RpcCode.INVALID_ADDRESS_OR_KEY, "Error: Invalid address or descriptor");
      }
      if (!Array.isArray(a[1])) throw typeError(a[1], "array");
      const txs: Transaction[] = [];
      for (const t of a[1] as unknown[]) {
        const s = str(t);
        if (HEX64.test(s)) {
          const e = node.mempool.get(s.toLowerCase() as Txid);
          if (e === undefined)
            throw new RpcError(RpcCode.INVALID_ADDRESS_OR_KEY, `Transaction ${s} not in mempool.`);
          txs.push(e.tx);
        } else txs.push(decodeTx(s, `Transaction decode failed for ${s}`));
      }
      const submit = given(a[2]) ? bool(a[2]) : true;
      let block: Block;
      try {
        block = await node.generateBlock(script, txs, submit);
      } catch (e) {
        if (e instanceof RejectError)
          throw new RpcError(RpcCode.VERIFY_ERROR, `TestBlockValidity failed: ${e.message}`);
        throw e;
      }
      return submit ? { hash: block.header.hash() } : { hash: block.header.hash(), hex: hex(block.encode()) };
    }),
    method("submitblock", ["hexdata", "dummy"], 1, async (a) => {
      const s = str(a[0]);
      let block: Block;
      try {
        if (!HEX.test(s)) throw new RpcError(RpcCode.DESERIALIZATION_ERROR, "Block decode failed");
        block = Block.decode(hexToBytes(s));
      } catch {
        throw new RpcError(RpcCode.DESERIALIZATION_ERROR, "Block decode failed");
      }
      if (block.txs.length === 0 || !block.txs[0].isCoinbase())
        throw new RpcError(RpcCode.DESERIALIZATION_ERROR, "Block does not start with a coinbase");
      try {
        const r = await node.submitBlock(block);
        if (r === "duplicate") return "duplicate";
        if (r === "side-branch") return "inconclusive";
        return null;
      } catch (e) {
        if (e instanceof RejectError)
          return e.reason === "duplicate-invalid" ? "duplicate-invalid" : e.reason;
        throw e;
      }
    }),
    method("invalidateblock", ["blockhash"], 1, async (a) => {
      const h = hash(a[0], "blockhash") as BlockHash;
      blockOrThrow(node, h);
      await node.invalidateBlock(h);
      return null;
    }),
    method("reconsiderblock", ["blockhash"], 1, async (a) => {
      const h = hash(a[0], "blockhash") as BlockHash;
      blockOrThrow(node, h);
      await node.reconsiderBlock(h);
      return null;
    }),
    method("validateaddress", ["address"], 1, (a) => {
      const addr = str(a[0]);
      let s: Uint8Array;
      try {
        s = addressToScript(addr, params);
      } catch {
        return {
          isvalid: false,
          error_locations: [],
          error: "Invalid or unsupported Segwit (Bech32) or Base58 encoding.",
        };
      }
      return {
        isvalid: true,
        address: scriptToAddress(s, params) ?? addr,
        scriptPubKey: hex(s),
        ...describeScript(s),
      };
    }),
    method("createrawtransaction", ["inputs", "outputs", "locktime", "replaceable"], 2, (a) =>
      createRawTransaction(node, a),
    ),
    method("signrawtransactionwithkey", ["hexstring", "privkeys", "prevtxs", "sighashtype"], 2, (a) =>
      signRawTransactionWithKey(node, a),
    ),
    method("getdescriptorinfo", ["descriptor"], 1, (a) => {
      const d = str(a[0]);
      const body = d.includes("#") ? d.slice(0, d.indexOf("#")) : d;
      descriptorScript(d, node);
      return {
        descriptor: withChecksum(body),
        checksum: descriptorChecksum(body) ?? "",
        isrange: false,
        issolvable: false,
        hasprivatekeys: false,
      };
    }),
    method("setmocktime", ["timestamp"], 1, (a) => {
      const t = int(a[0]);
      if (t < 0) throw new RpcError(RpcCode.INVALID_PARAMETER, "Mocktime cannot be negative: " + t + ".");
      node.setMockTime(t);
      return null;
    }),
    method("getnetworkinfo", [], 0, () => ({
      version: 280000,
      subversion: "/BitlayerLVM:0.1.0/",
      protocolversion: 70016,
      localservices: "0000000000000409",
      localservicesnames: ["NETWORK", "WITNESS", "NETWORK_LIMITED"],
      localrelay: true,
      timeoffset: 0,
      networkactive: false,
      connections: 0,
      connections_in: 0,
      connections_out: 0,
      // No P2P networking: every network is unreachable (Core's shape, as with -listen=0 -connect=0 -onlynet=…).
      networks: ["ipv4", "ipv6", "onion", "i2p", "cjdns"].map((name) => ({
        name,
        limited: true,
        reachable: false,
        proxy: "",
        proxy_randomize_credentials: false,
      })),
      relayfee: new Amount(node.mempool.policy.minRelayFeeRate),
      incrementalfee: new Amount(node.mempool.policy.incrementalRelayFeeRate),
      localaddresses: [],
      warnings: [],
    })),
    method("savemempool", [], 0, () => ({ filename: node.saveMempool() })),
    method("uptime", [], 0, () => Math.floor((Date.now() - ctx.startedAt) / 1000)),
    method("stop", ["wait"], 0, () => {
      setImmediate(() => ctx.stop?.());
      return "Bitcoin Core stopping";
    }),
  ];
  const table: Record<string, RpcMethod> = Object.fromEntries(entries);
  table.help = {
    params: ["command"],
    handler: (a) => {
      if (given(a[0])) {
        const m = table[str(a[0])];
        if (m === undefined) return `help: unknown command: ${String(a[0])}`;
        return `${String(a[0])} ${m.params.join(" ")}`.trim();
      }
      return Object.keys(table).sort().join("\n");
    },
  };
  return table;
}

/** Double SHA-256 over (outpoint, height·2+coinbase, txout) of every coin in key order, as Core's hash_serialized_3. */
function utxoSetHash(coins: [string, Coin][]): string {
  const rows = coins.map(([k, c]) => {
    const txid = Buffer.from(k.slice(0, 64), "hex").reverse();
    return { txid, vout: Number(k.slice(65)), c };
  });
  rows.sort((x, y) => Buffer.compare(x.txid, y.txid) || x.vout - y.vout);
  const h = createHash("sha256");
  for (const { txid, vout, c } of rows) {
    const head = Buffer.alloc(4 + 4 + 8);
    head.writeUInt32LE(vout, 0);
    head.writeUInt32LE(c.height * 2 + (c.coinbase ? 1 : 0), 4);
    head.writeBigInt64LE(c.value, 8);
    const n = c.scriptPubKey.length;
    const len =
      n < 0xfd
        ? Buffer.from([n])
        : n <= 0xffff
          ? Buffer.from([0xfd, n & 0xff, n >> 8])
          : Buffer.from([0xfe, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24]);
    h.update(txid).update(head).update(len).update(c.scriptPubKey);
  }
  return createHash("sha256").update(h.digest()).digest().reverse().toString("hex");
}
