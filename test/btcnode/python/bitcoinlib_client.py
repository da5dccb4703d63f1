"""Drives the L1 node with python-bitcoinlib (Debian's python3-bitcoinlib): an independent
client that builds, signs and parses transactions and blocks with its own code. Prints one JSON
object with what it saw; test/btcnode/rpc-bitcoinlib.test.ts asserts on it.

usage: bitcoinlib_client.py <rpc url with user:password>
"""
import json
import sys

import bitcoin
import bitcoin.rpc
from bitcoin.core import (
    COIN,
    COutPoint,
    CMutableTransaction,
    CMutableTxIn,
    CMutableTxOut,
    CTxInWitness,
    CTxWitness,
    Hash160,
    b2lx,
    b2x,
)
from bitcoin.core.script import (
    CScript,
    CScriptWitness,
    OP_0,
    OP_CHECKSIG,
    OP_DUP,
    OP_EQUALVERIFY,
    OP_HASH160,
    SIGHASH_ALL,
    SIGVERSION_WITNESS_V0,
    SignatureHash,
)
from bitcoin.core.scripteval import SCRIPT_VERIFY_P2SH, VerifyScript
from bitcoin.wallet import CBitcoinSecret, P2PKHBitcoinAddress, P2WPKHBitcoinAddress

bitcoin.SelectParams("regtest")
proxy = bitcoin.rpc.Proxy(service_url=sys.argv[1])
out = {}

key = CBitcoinSecret.from_secret_bytes(b"\x07" * 32)
p2pkh = P2PKHBitcoinAddress.from_pubkey(key.pub)
p2wpkh = P2WPKHBitcoinAddress.from_scriptPubKey(CScript([OP_0, Hash160(key.pub)]))
pkh_code = CScript([OP_DUP, OP_HASH160, Hash160(key.pub), OP_EQUALVERIFY, OP_CHECKSIG])
out["validateaddress"] = str(proxy.validateaddress(str(p2wpkh))["address"])

start = proxy.getblockcount()
hashes = list(proxy.generatetoaddress(101, str(p2pkh)))
out["mined"] = proxy.getblockcount() - start
block = proxy.getblock(hashes[0])  # parsed by bitcoinlib from the node's raw block
out["block_hash_matches"] = block.GetHash() == hashes[0]
out["header_matches"] = proxy.getblockheader(hashes[0]).GetHash() == hashes[0]
coinbase = block.vtx[0]
value = coinbase.vout[0].nValue

# 1. Legacy P2PKH spend, built and signed by bitcoinlib, to a P2WPKH output.
tx = CMutableTransaction(
    [CMutableTxIn(COutPoint(coinbase.GetTxid(), 0))],
    [CMutableTxOut(value - 10_000, p2wpkh.to_scriptPubKey())],
)
sighash = SignatureHash(coinbase.vout[0].scriptPubKey, tx, 0, SIGHASH_ALL)
tx.vin[0].scriptSig = CScript([key.sign(sighash) + bytes([SIGHASH_ALL]), key.pub])
VerifyScript(tx.vin[0].scriptSig, coinbase.vout[0].scriptPubKey, tx, 0, (SCRIPT_VERIFY_P2SH,))
txid1 = proxy.sendrawtransaction(tx)
out["legacy_txid_matches"] = txid1 == tx.GetTxid()
out["legacy_in_mempool"] = txid1 in proxy.getrawmempool()
list(proxy.generatetoaddress(1, str(p2pkh)))
coin = proxy.gettxout(COutPoint(txid1, 0))
out["legacy_confirmations"] = coin["confirmations"]
out["legacy_output_value"] = coin["txout"].nValue

# 2. P2WPKH spend, BIP143 signature by bitcoinlib.
tx2 = CMutableTransaction(
    [CMutableTxIn(COutPoint(txid1, 0))],
    [CMutableTxOut(value - 20_000, p2pkh.to_scriptPubKey())],
)
sighash2 = SignatureHash(pkh_code, tx2, 0, SIGHASH_ALL, amount=value - 10_000, sigversion=SIGVERSION_WITNESS_V0)
tx2.wit = CTxWitness([CTxInWitness(CScriptWitness([key.sign(sighash2) + bytes([SIGHASH_ALL]), key.pub]))])
txid2 = proxy.sendrawtransaction(tx2)
out["segwit_txid_matches"] = txid2 == tx2.GetTxid()
fetched = proxy.getrawtransaction(txid2)  # parsed by bitcoinlib, witness included
out["segwit_roundtrip"] = fetched.serialize() == tx2.serialize()
mined2 = list(proxy.generatetoaddress(1, str(p2pkh)))[0]

# 3. The node builds and signs (createrawtransaction + signrawtransactionwithkey with bitcoinlib's WIF).
raw = proxy.call("createrawtransaction", [{"txid": b2lx(txid2), "vout": 0}], [{str(p2wpkh): (value - 30_000) / COIN}])
signed = proxy.call("signrawtransactionwithkey", raw, [str(key)])
out["node_signed_complete"] = signed["complete"]
node_tx = bitcoin.core.CTransaction.deserialize(bytes.fromhex(signed["hex"]))
VerifyScript(node_tx.vin[0].scriptSig, p2pkh.to_scriptPubKey(), node_tx, 0, (SCRIPT_VERIFY_P2SH,))
out["node_signature_verified_by_bitcoinlib"] = True
txid3 = proxy.sendrawtransaction(node_tx)
tip_before = proxy.getbestblockhash()
height_before = proxy.getblockcount()
mined3 = list(proxy.generatetoaddress(1, str(p2pkh)))[0]

# 4. Reorg: invalidate the block holding tx 3; it returns to the mempool; a longer branch confirms it again.
proxy.call("invalidateblock", b2lx(mined3))
out["reorg_tip_back"] = proxy.getbestblockhash() == tip_before
out["reorg_tx_back_in_mempool"] = txid3 in proxy.getrawmempool()
branch = list(proxy.generatetoaddress(2, str(p2wpkh)))
out["reorg_height"] = proxy.getblockcount() - height_before
out["reorg_new_tip"] = proxy.getbestblockhash() == branch[-1]
out["reorg_tx_confirmed_on_branch"] = proxy.gettxout(COutPoint(txid3, 0))["confirmations"]
proxy.call("reconsiderblock", b2lx(mined3))
out["reorg_longer_branch_kept"] = proxy.getbestblockhash() == branch[-1]
tips = proxy.call("getchaintips")
out["chaintips"] = sorted(t["status"] for t in tips)
try:
    proxy.gettxout(COutPoint(txid2, 0))
    out["spent_coin_gone"] = False
except IndexError:
    out["spent_coin_gone"] = True
try:
    proxy.sendrawtransaction(tx2)
    out["double_spend_refused"] = False
except bitcoin.rpc.JSONRPCError as e:
    out["double_spend_refused"] = e.error["code"]
out["segwit_block"] = b2x(mined2) != ""
print(json.dumps(out))
