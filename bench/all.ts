// Every benchmark, one after the other, on the same backends:
//   npm run bench [-- --backend wasm,cpu]
import { backendsFromArgs } from './backend';
import { reportInferBench, runInferBench } from './infer';
import { reportMaskBench, runMaskBench } from './mask';
import { reportSizeBench, runSizeBench } from './size';
import { reportTrainBench, runTrainBench } from './train';

async function main(): Promise<void> {
  const backends = backendsFromArgs();
  const train = await runTrainBench(backends);
  const mask = await runMaskBench(backends);
  // File sizes do not depend on the backend: measured once, on the first.
  const size = await runSizeBench(backends[0]);
  const infer = await runInferBench(backends);
  // Every table at the end, together; each report runs, so every table prints.
  const passed = [
    reportTrainBench(train),
    reportMaskBench(mask),
    reportSizeBench(size),
    reportInferBench(infer),
  ];
  if (passed.includes(false)) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
