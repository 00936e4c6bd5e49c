#!/usr/bin/env node
/**
 * `vggt-perf-gate-probe`: what GPU is here and what it can do.
 *
 *   vggt-perf-gate-probe [--json] [--source nvml|nvidia-smi] [--dtypes cpu|cuda|tensorrt]
 *
 * Exit codes: 0 a GPU was found (or --dtypes ran), 1 no GPU, 2 usage error,
 * 3 a driver or provider error.
 */
import { parseArgs } from 'node:util';
import { DeviceError } from './errors.js';
import { formatDeviceProbe } from './format.js';
import { formatDtypeProbe } from './onnx/format.js';
import { PROBE_PROVIDERS, type ProbeProvider, probeDtypes } from './onnx/probe.js';
import { probeDevice } from './probe.js';
import { VERSION } from './version.js';

const USAGE = `usage: vggt-perf-gate-probe [--json] [--source nvml|nvidia-smi] [--dtypes cpu|cuda|tensorrt]
  --json     print JSON instead of a table
  --source   read the GPU through this source only (default: NVML, falling back to nvidia-smi)
  --dtypes   also run tiny ONNX models per dtype on this onnxruntime execution provider
  --version  print this package's version`;

async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.values.help) {
    console.log(USAGE);
    return 0;
  }
  if (args.values.version) {
    console.log(VERSION);
    return 0;
  }
  const source = args.values.source;
  if (source !== undefined && source !== 'nvml' && source !== 'nvidia-smi') {
    console.error(`--source must be nvml or nvidia-smi, not ${JSON.stringify(source)}\n${USAGE}`);
    return 2;
  }
  const provider = args.values.dtypes;
  if (provider !== undefined && !PROBE_PROVIDERS.includes(provider as ProbeProvider)) {
    console.error(
      `--dtypes must be one of ${PROBE_PROVIDERS.join(', ')}, not ${JSON.stringify(provider)}\n${USAGE}`,
    );
    return 2;
  }
  try {
    const device = probeDevice(source ? { prefer: source, only: true } : {});
    const dtypes = provider ? await probeDtypes({ provider: provider as ProbeProvider }) : null;
    if (args.values.json) console.log(JSON.stringify({ device, dtypes }, null, 2));
    else {
      console.log(formatDeviceProbe(device));
      if (dtypes) console.log(`\n${formatDtypeProbe(dtypes)}`);
    }
    return device.state === 'ok' || dtypes ? 0 : 1;
  } catch (error) {
    console.error(error instanceof DeviceError ? `${error.code}: ${error.message}` : String(error));
    return 3;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean' },
      source: { type: 'string' },
      dtypes: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
    strict: true,
  });
}

process.exitCode = await main(process.argv.slice(2));
