// Time a CPU function and compare two implementations.
//   node packages/timing/examples/cpu-function.mjs
import { compare, measure } from '@vggt-perf-gate/timing';

const values = Float64Array.from({ length: 100_000 }, (_, i) => Math.sin(i));

const sumLoop = () => {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
};
const sumReduce = () => values.reduce((a, b) => a + b, 0);

const base = await measure(sumLoop);
const head = await measure(sumReduce);
console.log(
  `loop:   median ${base.stats.median.toFixed(4)} ms ± ${(base.stats.relativePrecision * 100).toFixed(2)}% (${base.samples.length} samples, stopped on ${base.stopReason})`,
);
console.log(
  `reduce: median ${head.stats.median.toFixed(4)} ms ± ${(head.stats.relativePrecision * 100).toFixed(2)}% (${head.samples.length} samples, stopped on ${head.stopReason})`,
);

const result = compare(base, head, { threshold: 0.05 });
console.log(result.verdict, '-', result.explanation);
