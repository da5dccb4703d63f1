/** L2 claims on Bitcoin: the statement each claim commits, with one-time Winternitz keys. */
export * from "./statement.js";
