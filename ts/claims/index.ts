/** L2 claims on Bitcoin: the statement each claim commits (one-time Winternitz keys), and the claim chain on L1. */
export * from "./statement.js";
export * from "./poster.js";
