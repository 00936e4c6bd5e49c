import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readInputs } from '../src/inputs.js';

const actionYml = parse(readFileSync(new URL('../../../action.yml', import.meta.url), 'utf8')) as {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, unknown>;
  runs: { using: string; main: string };
};
const mainSource = readFileSync(new URL('../src/main.ts', import.meta.url), 'utf8');

describe('action.yml and the code agree', () => {
  it('every input in action.yml is read, and the code reads no other', () => {
    const asked = new Set<string>();
    readInputs((name) => {
      asked.add(name);
      return '';
    });
    expect([...asked].sort()).toEqual(Object.keys(actionYml.inputs).sort());
  });

  it("action.yml's defaults are valid inputs", () => {
    const defaults = (name: string) => {
      const value = actionYml.inputs[name]?.default ?? '';
      return value.startsWith('${{') ? 'a-token' : value;
    };
    const inputs = readInputs(defaults);
    expect(inputs).toMatchObject({
      failOn: 'regression',
      comment: 'always',
      commentKey: 'default',
    });
  });

  it('every output the code sets is declared', () => {
    const set = [...mainSource.matchAll(/setOutput\('([a-z-]+)'/g)].map((m) => m[1]);
    expect(new Set(set)).toEqual(new Set(Object.keys(actionYml.outputs)));
  });

  it('docs/action.md lists every input and output', () => {
    const docs = readFileSync(new URL('../../../docs/action.md', import.meta.url), 'utf8');
    for (const name of [...Object.keys(actionYml.inputs), ...Object.keys(actionYml.outputs)])
      expect(docs, `docs/action.md lacks a row for ${name}`).toContain(`| \`${name}\``);
  });

  it('the workflows pass the action only inputs it declares', () => {
    const root = new URL('../../../', import.meta.url);
    const files = ['.github/workflows', 'examples/workflows'].flatMap((dir) =>
      readdirSync(new URL(dir, root))
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => `${dir}/${f}`),
    );
    expect(files.length).toBeGreaterThan(4);
    for (const file of files) {
      const workflow = parse(readFileSync(new URL(file, root), 'utf8')) as {
        jobs?: Record<string, { steps?: Array<{ uses?: string; with?: Record<string, unknown> }> }>;
      };
      for (const job of Object.values(workflow.jobs ?? {}))
        for (const step of job.steps ?? [])
          if (/^org\/vggt-perf-gate@/.test(step.uses ?? ''))
            for (const key of Object.keys(step.with ?? {}))
              expect(Object.keys(actionYml.inputs), `${file} passes "${key}"`).toContain(key);
    }
  });

  it('runs the committed bundle on a Node runtime GitHub supports', () => {
    expect(actionYml.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });
});
