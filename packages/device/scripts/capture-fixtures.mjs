// Captures the test fixtures of @vggt-perf-gate/device on a machine with an
// NVIDIA GPU and PyTorch: raw NVML values (through koffi) and nvidia-smi
// output, once idle and once while a PyTorch process (with a child that also
// allocates) holds known amounts of memory.
//
//   npm run build -w @vggt-perf-gate/device
//   node packages/device/scripts/capture-fixtures.mjs <output-dir>
//
// The committed fixtures in packages/device/fixtures/ were made this way.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  APP_FIELDS,
  GPU_FIELDS,
  LEGACY_GPU_FIELDS,
  loadNvml,
  recordNvml,
  runNvidiaSmi,
} from '@vggt-perf-gate/device';

const out = process.argv[2] ?? 'fixtures';
mkdirSync(out, { recursive: true });
const write = (name, data) => {
  writeFileSync(
    join(out, name),
    typeof data === 'string' ? data : `${JSON.stringify(data, null, 2)}\n`,
  );
  console.log(`wrote ${join(out, name)}`);
};

// A parent that allocates 2 GiB and starts a child that allocates 1 GiB; both print
// torch's own numbers and hold the memory until stdin closes.
const HOLDER = `
import json, os, subprocess, sys, torch
size = int(sys.argv[1])
x = torch.empty(size, dtype=torch.uint8, device='cuda')
torch.cuda.synchronize()
child = None
if len(sys.argv) > 2:
    child = subprocess.Popen([sys.executable, '-c', sys.argv[2], sys.argv[3]], stdin=subprocess.PIPE, stdout=sys.stdout)
    child.stdin.flush()
print(json.dumps({'pid': os.getpid(), 'reserved': torch.cuda.memory_reserved(), 'allocated': torch.cuda.memory_allocated(), 'torch': torch.__version__, 'cuda': torch.version.cuda}), flush=True)
sys.stdin.read()
if child: child.stdin.close(); child.wait()
`;

async function withHolders(run) {
  const child = spawn('python3', ['-c', HOLDER, String(2 * 2 ** 30), HOLDER, String(2 ** 30)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = [];
  await new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const parts = buffer.split('\n');
      buffer = parts.pop();
      for (const line of parts) if (line.trim()) lines.push(JSON.parse(line));
      if (lines.length >= 2) resolve();
    });
    child.on('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
  try {
    return await run(lines);
  } finally {
    child.stdin.end();
  }
}

function smi(name, args) {
  try {
    write(name, runNvidiaSmi(args));
  } catch (error) {
    write(name.replace(/\.txt$/, '.error.txt'), `${error.message}\n`);
  }
}

const snapshot = (label) => {
  const nvml = loadNvml();
  try {
    write(
      `nvml-${label}.json`,
      recordNvml(nvml, `recordNvml (koffi) via capture-fixtures.mjs, ${label}`),
    );
  } finally {
    nvml.shutdown();
  }
  smi(`smi-gpu-${label}.txt`, [
    `--query-gpu=${GPU_FIELDS.join(',')}`,
    '--format=csv,noheader,nounits',
  ]);
  smi(`smi-apps-${label}.txt`, [
    `--query-compute-apps=${APP_FIELDS.join(',')}`,
    '--format=csv,noheader,nounits',
  ]);
};

snapshot('idle');
smi('smi-gpu-legacy-idle.txt', [
  `--query-gpu=${LEGACY_GPU_FIELDS.join(',')}`,
  '--format=csv,noheader,nounits',
]);
smi('smi-plain.txt', []);
smi('smi-invalid-field.txt', ['--query-gpu=index,not.a.field', '--format=csv,noheader,nounits']);
await withHolders(async (holders) => {
  write('torch-holders.json', holders);
  snapshot('busy');
});
