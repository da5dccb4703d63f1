/**
 * Script-check worker thread (started by `ScriptCheckPool`): verifies the inputs of the
 * transactions it is sent and answers with the first failure of each batch, or none.
 */
import { parentPort } from "node:worker_threads";

import { secp256k1BackendNamed, setSecp256k1Backend, Transaction } from "../bitcoin/index.js";
import { checkInputScripts } from "./sigcache.js";
import type { CheckBatch, CheckReply } from "./script-workers.js";

const port = parentPort;
if (port === null) throw new Error("script-worker.ts runs as a worker thread");

port.on("message", (batch: CheckBatch) => {
  let reply: CheckReply;
  try {
    setSecp256k1Backend(secp256k1BackendNamed(batch.backend));
    reply = { id: batch.id, checked: 0 };
    for (const job of batch.jobs) {
      const tx = Transaction.decode(job.tx);
      const f = checkInputScripts(tx, job.prevouts, batch.flags);
      reply.checked += tx.inputs.length;
      if (f !== undefined) {
        reply = { id: batch.id, checked: reply.checked, failure: { tx: job.index, ...f } };
        break;
      }
    }
  } catch (e) {
    reply = { id: batch.id, checked: 0, crash: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
});
