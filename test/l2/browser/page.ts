/**
 * What the headless-Chromium test runs inside the page (bundled by esbuild): viem over HTTP and
 * over WebSocket against the L2 node on another origin, a transfer and a bridge withdrawal signed
 * in the page, and the newHeads and logs events seen through eth_subscribe.
 */
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  parseAbi,
  parseAbiItem,
  webSocket,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

export interface PageInput {
  readonly httpUrl: string;
  readonly wsUrl: string;
  readonly chainId: number;
  readonly key: `0x${string}`;
  readonly to: `0x${string}`;
  readonly bridge: `0x${string}`;
}

export interface PageOutput {
  readonly chainIdHttp: number;
  readonly chainIdWs: number;
  readonly transferHash: string;
  readonly transferStatus: string;
  readonly withdrawHash: string;
  readonly heads: string[];
  readonly logTxHashes: string[];
  readonly health: { status: string };
}

async function run(input: PageInput): Promise<PageOutput> {
  const chain = defineChain({
    id: input.chainId,
    name: "lvm",
    nativeCurrency: { name: "Bitcoin", symbol: "BTC", decimals: 18 },
    rpcUrls: { default: { http: [input.httpUrl], webSocket: [input.wsUrl] } },
  });
  const account = privateKeyToAccount(input.key);
  const overHttp = createPublicClient({ chain, transport: http(input.httpUrl) });
  const overWs = createPublicClient({ chain, transport: webSocket(input.wsUrl) });
  const wallet = createWalletClient({ account, chain, transport: http(input.httpUrl) });
  const health = (await (await fetch(input.httpUrl)).json()) as { status: string };

  const heads: string[] = [];
  const logTxHashes: string[] = [];
  const sawHead = new Promise<void>((resolve) => {
    overWs.watchBlocks({
      onBlock: (b) => {
        heads.push(b.hash);
        resolve();
      },
    });
  });
  let sawLog: () => void = () => undefined;
  const logSeen = new Promise<void>((resolve) => (sawLog = resolve));
  overWs.watchEvent({
    address: input.bridge,
    event: parseAbiItem(
      "event WithdrawalInitiated(uint256 indexed id, address indexed sender, uint64 sats, bytes scriptPubKey, bytes32 leaf, bytes32 withdrawalRoot)",
    ),
    onLogs: (logs) => {
      for (const l of logs) logTxHashes.push(l.transactionHash);
      sawLog();
    },
  });

  const transferHash = await wallet.sendTransaction({ to: input.to, value: 12_345n });
  const receipt = await overHttp.waitForTransactionReceipt({ hash: transferHash, pollingInterval: 100 });
  const withdrawHash = await wallet.writeContract({
    address: input.bridge,
    abi: parseAbi(["function withdraw(bytes scriptPubKey) payable returns (uint256)"]),
    functionName: "withdraw",
    args: [`0x0014${"ef".repeat(20)}`],
    value: 10n ** 15n,
  });
  await Promise.all([sawHead, logSeen]);
  return {
    chainIdHttp: await overHttp.getChainId(),
    chainIdWs: await overWs.getChainId(),
    transferHash,
    transferStatus: receipt.status,
    withdrawHash,
    heads,
    logTxHashes,
    health,
  };
}

(globalThis as unknown as { runLvm: typeof run }).runLvm = run;
