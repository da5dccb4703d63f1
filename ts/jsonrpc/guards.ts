/**
 * Process-level guards for a long-running process that hosts services (the devnet): an unhandled
 * rejection or an uncaught exception is logged, and the process keeps serving instead of exiting.
 * The servers in this folder do not need them (they catch every request's work); they are the
 * last line for a service's own background work. Installed once, idempotent.
 */
let installed = false;

export function installProcessGuards(
  log: (kind: "unhandledRejection" | "uncaughtException", error: unknown) => void = (kind, e) =>
    console.error(`${kind} (the process keeps running):`, e),
): void {
  if (installed) return;
  installed = true;
  process.on("unhandledRejection", (reason) => log("unhandledRejection", reason));
  process.on("uncaughtException", (error) => log("uncaughtException", error));
}
