// The SQLite store's own thread: better-sqlite3 is synchronous, so its statements and each
// commit's fsync would otherwise stop the gateway's event loop. Calls arrive as messages; the
// store's group commit batches those that arrive together.
import { parentPort, workerData } from 'node:worker_threads';
import { GatewayError } from '../errors/index.js';
import { SqliteMessageStore } from './sqlite.js';
import { type StoreCall, type StoreReply, storeMethod, toBuffers } from './thread-protocol.js';
import { DuplicateMessageError, InvalidCursorError } from './types.js';

const port = parentPort!;
let store: SqliteMessageStore;
/** Every method reads the clock as it starts, before any await: the time of the call in hand. */
let callNow: string | undefined;
try {
  store = new SqliteMessageStore((workerData as { path: string }).path, () =>
    callNow === undefined ? new Date() : new Date(callNow),
  );
  port.postMessage([{ id: 0, ok: true, value: 'ready' }] satisfies StoreReply[]);
} catch (error) {
  port.postMessage([{ id: 0, ok: false, error: describe(error) }] satisfies StoreReply[]);
  process.exit(1);
}

// Replies settled in one turn go back in one message, as calls come (see ThreadedSqliteStore.send).
const replies: StoreReply[] = [];
let closing = false;
function reply(value: StoreReply): void {
  replies.push(value);
  if (replies.length === 1)
    setImmediate(() => {
      port.postMessage(replies.splice(0));
      if (closing) port.close();
    });
}

port.on('message', (calls: StoreCall[]) => {
  for (const call of calls) receive(call);
});

function receive(call: StoreCall): void {
  callNow = call.now;
  let result: Promise<unknown>;
  try {
    result = storeMethod(store, call.method)(...(toBuffers(call.args) as unknown[]));
  } catch (error) {
    result = Promise.reject(error);
  }
  callNow = undefined;
  result.then(
    (value) => {
      if (call.method === 'close') closing = true;
      reply({ id: call.id, ok: true, value });
    },
    (error: unknown) => {
      if (call.method === 'close') closing = true;
      reply({ id: call.id, ok: false, error: describe(error) });
    },
  );
}

function describe(error: unknown): NonNullable<StoreReply['error']> {
  if (error instanceof DuplicateMessageError) return { ...error.toJSON(), messageId: error.messageId };
  if (error instanceof InvalidCursorError) return { ...error.toJSON(), cursor: error.cursor };
  if (error instanceof GatewayError) return error.toJSON();
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message };
}
