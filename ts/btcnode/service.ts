/** The node as a service: database + JSON-RPC server, started and stopped as one unit. */
import { EmbeddedBackend } from "./backend.js";
import { BtcNode, type NodeOptions } from "./node.js";
import { nodeMethods } from "./rpc/methods.js";
import { startRpcServer } from "./rpc/server.js";

export interface RegtestNodeOptions extends NodeOptions {
  /** 0 picks a free port. Default 18443 (bitcoind's regtest port). */
  readonly rpcPort?: number;
  readonly rpcHost?: string;
  /** Without a password the server writes `<datadir>/.cookie` (`__cookie__:<secret>`), as bitcoind does. */
  readonly rpcUser?: string;
  readonly rpcPassword?: string;
  /** Called when a client sends the `stop` RPC. */
  readonly onStopRequest?: () => void;
}

export interface RunningNode {
  readonly rpcUrl: string;
  readonly rpcPort: number;
  readonly cookieFile: string | undefined;
  readonly node: BtcNode;
  readonly backend: EmbeddedBackend;
  stop(): Promise<void>;
}

export async function startRegtestNode(opts: RegtestNodeOptions): Promise<RunningNode> {
  const node = await BtcNode.open(opts);
  let server;
  try {
    server = await startRpcServer({
      port: opts.rpcPort ?? node.params.defaultRpcPort,
      host: opts.rpcHost ?? "127.0.0.1",
      user: opts.rpcUser,
      password: opts.rpcPassword,
      cookieDir: opts.datadir,
      methods: nodeMethods(node, { startedAt: Date.now(), stop: opts.onStopRequest }),
    });
  } catch (e) {
    await node.close();
    throw e;
  }
  let stopped: Promise<void> | undefined;
  return {
    rpcUrl: server.url,
    rpcPort: server.port,
    cookieFile: server.cookieFile,
    node,
    backend: new EmbeddedBackend(node),
    stop: () => {
      stopped ??= (async () => {
        await server.close();
        await node.close();
      })();
      return stopped;
    },
  };
}
