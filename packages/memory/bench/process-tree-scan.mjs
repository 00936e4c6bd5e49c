// What one scan of a process tree costs (the VRAM sampler re-scans every
// 50 ms, DEFAULT_TREE_RESCAN_MS, so a scan must stay far below that).
//
//   npm run bench -w @vggt-perf-gate/memory
//
// A real tree: a shell with four sleeping children. Each method is timed
// over SCANS scans, ROUNDS times in alternating order; medians are printed
// with the share of the re-scan interval one scan takes.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_TREE_RESCAN_MS, findProcessTree } from '../dist/index.js';

const SCANS = 200;
const ROUNDS = Number(process.env.ROUNDS ?? 7);
/** Target: one scan under 2% of the re-scan interval. */
const TARGET_SHARE = 0.02;

const root = spawn('sh', ['-c', 'for i in 1 2 3 4; do sleep 60 & done; wait'], { stdio: 'ignore' });
try {
  await sleep(200);
  const perScan = { children: [], 'stat-scan': [] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? ['children', 'stat-scan'] : ['stat-scan', 'children'];
    for (const method of order) {
      const start = performance.now();
      for (let i = 0; i < SCANS; i++) findProcessTree(root.pid, { method });
      perScan[method].push((performance.now() - start) / SCANS);
    }
  }
  const rows = Object.entries(perScan).map(([method, times]) => {
    const median = times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
    const share = median / DEFAULT_TREE_RESCAN_MS;
    return {
      method,
      'ms per scan (median)': median.toFixed(3),
      'share of re-scan interval': `${(share * 100).toFixed(2)}%`,
      target: share <= TARGET_SHARE ? 'met' : `MISSED (> ${TARGET_SHARE * 100}%)`,
    };
  });
  console.log(
    `process-tree scan, ${SCANS} scans x ${ROUNDS} rounds, tree of ${findProcessTree(root.pid).pids?.size} processes`,
  );
  console.table(rows);
} finally {
  root.kill('SIGKILL');
  spawn('pkill', ['-P', String(root.pid)]);
}
