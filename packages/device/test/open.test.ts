import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NVML_RECORDING_ENV, openGpuReader } from '../src/open.js';
import { probeDevice } from '../src/probe.js';

const BUSY = new URL('../fixtures/nvml-busy.json', import.meta.url).pathname;

describe('a recorded NVML snapshot in place of the driver', () => {
  it('answers every reader opened while it is named, and the probe says so', () => {
    const reader = openGpuReader({ nvmlRecording: BUSY, prefer: 'nvml', only: true });
    expect(reader.inventory().source).toBe('nvml');
    expect(reader.inventory().gpus[0]?.name).toContain('H100');
    reader.close();
    const probe = probeDevice({ nvmlRecording: BUSY });
    expect(probe.state).toBe('ok');
    if (probe.state === 'ok')
      expect(probe.warnings[0]).toContain(`NVML recording ${BUSY} (${NVML_RECORDING_ENV})`);
  });

  it('a recording that cannot be read is an error naming the file, never a quiet fallback', () => {
    const dir = mkdtempSync(join(tmpdir(), 'perf-gate-recording-'));
    const notJson = join(dir, 'nvml.json');
    writeFileSync(notJson, '{ not json');
    expect(() => openGpuReader({ nvmlRecording: notJson })).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining(notJson),
      }),
    );
    const notRecording = join(dir, 'other.json');
    writeFileSync(notRecording, '{"hello": 1}');
    expect(() => openGpuReader({ nvmlRecording: notRecording })).toThrow(
      /is not an NVML recording/,
    );
  });
});
