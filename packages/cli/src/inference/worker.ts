/**
 * A worker of the image pool (see runner.ts): loads the model once, then processes one image
 * per `task` message and answers with its result or its error, until `close`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type LoadedModel, openModel } from './model.js';
import { processImage } from './process.js';
import {
  type FromWorker,
  modelInfo,
  type ToWorker,
  toWireError,
  type WorkerInit,
} from './runner.js';

const port = parentPort;
if (port === null) throw new Error('inference/worker.js must run in a worker thread');
const init = workerData as WorkerInit;
const post = (message: FromWorker) => port.postMessage(message);

let model: LoadedModel | undefined;
const start = performance.now();
try {
  model = await openModel(init.cardPath, init.open);
  const info = modelInfo(model, performance.now() - start);
  post({ type: 'ready', info });
} catch (error) {
  post({ type: 'init-error', error: toWireError(error) });
}

port.on('message', async (message: ToWorker) => {
  if (message.type === 'close') {
    await model?.dispose();
    port.close();
    return;
  }
  if (model === undefined) return;
  try {
    post({ type: 'result', result: await processImage(model, message.task, message.options) });
  } catch (error) {
    post({ type: 'failed', index: message.task.index, error: toWireError(error) });
  }
});
