// Every benchmark, one after the other, on the same backends:
//   npm run bench [-- --backend wasm,cpu]
import { backendsFromArgs } from './backend';
import { runAsScript } from './harness';
import { reportInferBench, runInferBench } from './infer';
import { reportMaskBench, runMaskBench } from './mask';
import { reportSizeBench, runSizeBench } from './size';
import { reportTrainBench, runTrainBench } from './train';

/** Every benchmark's results, each report run (so every table prints); whether every target passed. */
async function runAll(): Promise<boolean> {
  const backends = backendsFromArgs();
  const train = await runTrainBench(backends);
  const mask = await runMaskBench(backends);
  // File sizes do not depend on the backend: measured once, on the first.
  const size = await runSizeBench(backends[0]);
  const infer = await runInferBench(backends);
  // Every table at the end, together.
  const passed = [
    reportTrainBench(train),
    reportMaskBench(mask),
    reportSizeBench(size),
    reportInferBench(infer),
  ];
  return !passed.includes(false);
}

runAsScript(runAll, (passed) => passed);
