// Every benchmark, one after the other, on the same backends:
//   npm run bench [-- --backend wasm,cpu]
import { backendsFromArgs } from './backend';
import { reportMaskBench, runMaskBench } from './mask';
import { reportTrainBench, runTrainBench } from './train';

async function main(): Promise<void> {
  const backends = backendsFromArgs();
  const train = await runTrainBench(backends);
  const mask = await runMaskBench(backends);
  // Both tables at the end, together.
  const trainPassed = reportTrainBench(train);
  const maskPassed = reportMaskBench(mask);
  if (!trainPassed || !maskPassed) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
