import { task } from "hardhat/config";
import type { NewTaskDefinition } from "hardhat/types/tasks";

/** Every command-line task of the project; each action is loaded lazily so `hardhat --help` stays fast. */
export const projectTasks: NewTaskDefinition[] = [
  task("devnet", "Run the local devnet (L2 EDR JSON-RPC node with the system contracts) until Ctrl-C")
    .addOption({ name: "port", description: "JSON-RPC port on 127.0.0.1", defaultValue: "8545" })
    .setAction(() => import("./devnet.js"))
    .build(),
];
