/**
 * Devnet orchestration behind `npm start`: a list of services started in order, stopped in
 * reverse order on Ctrl-C. Adding a service (the L1 node, the relayer, the bridge's committee …)
 * is one entry in the list handed to {@link runDevnet}.
 */
import { LvmError } from "../core/index.js";

export type DevnetErrorCode = "NOT_STARTED"; // a service's endpoint asked for before its start()

/** A devnet service used out of order. */
export class DevnetError extends LvmError<DevnetErrorCode> {
  override readonly name = "DevnetError";
}

/** The error a service's accessor throws before `start()` (or after `stop()`). */
export const notStarted = (service: string): DevnetError =>
  new DevnetError("NOT_STARTED", `${service} service not started`, { value: service });

/** What a started service tells the user: its name and lines such as RPC URLs and accounts. */
export interface ServiceInfo {
  readonly name: string;
  readonly lines: readonly string[];
  /** Commands to try next, printed after "Devnet running". */
  readonly next?: readonly string[];
}

/** A long-running devnet component. */
export interface DevnetService {
  readonly name: string;
  /** Starts the service; `root` is the devnet state directory (e.g. `.devnet/`). */
  start(root: string): Promise<ServiceInfo>;
  stop(): Promise<void>;
}

/** Starts `services` in order, prints what they report, and stops them in reverse on SIGINT/SIGTERM. */
export async function runDevnet(
  services: readonly DevnetService[],
  root: string,
  print: (line: string) => void = (l) => console.log(l),
): Promise<void> {
  const started: DevnetService[] = [];
  const next: string[] = [];
  const stopAll = async () => {
    for (const s of started.reverse()) {
      try {
        await s.stop();
      } catch (e) {
        print(`${s.name}: stop failed: ${String(e)}`);
      }
    }
  };
  try {
    for (const service of services) {
      const info = await service.start(root);
      started.push(service);
      print(`\n${info.name}`);
      for (const line of info.lines) print(`  ${line}`);
      next.push(...(info.next ?? []));
    }
  } catch (e) {
    await stopAll();
    throw e;
  }
  print("\nDevnet running. Ctrl-C to stop.");
  if (next.length > 0) print(["", "Next, in another terminal:", ...next.map((l) => `  ${l}`)].join("\n"));
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  print("\nStopping…");
  await stopAll();
}
