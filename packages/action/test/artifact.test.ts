import { describe, expect, it } from 'vitest';
import { bundledActionPerTest } from './bundled-action.js';
import { fakeResultsServicePerTest } from './fake-results-service.js';
import { benchmark, gateResults, writeResultsFile } from './results-fixture.js';

/**
 * The bundled action uploading its files as a workflow artifact (input
 * `artifact`) to a results service that speaks the artifact protocol, and
 * linking it from the PR comment.
 */
const action = bundledActionPerTest();
const service = fakeResultsServicePerTest();

function runWithArtifact(inputs: Record<string, string> = {}, env: Record<string, string> = {}) {
  writeResultsFile(
    action.workspace,
    'shard.json',
    gateResults([benchmark('vggt-forward-20f', 1.08)]),
  );
  return action.run({
    inputs: { results: 'shard.json', artifact: 'perf-gate-pr42', ...inputs },
    env: { ACTIONS_RUNTIME_TOKEN: service.token, ACTIONS_RESULTS_URL: `${service.url}/`, ...env },
  });
}

describe('the artifact input', () => {
  it('uploads the results and both reports as one artifact, and the comment links to it', async () => {
    const run = await runWithArtifact();
    expect(run.exitCode).toBe(1); // the regression still decides the step
    expect(service.created).toEqual([
      expect.objectContaining({
        name: 'perf-gate-pr42',
        workflow_run_backend_id: 'run-backend-1',
        workflow_job_run_backend_id: 'job-backend-1',
      }),
    ]);
    expect(service.finalized).toHaveLength(1);
    const zip = service.uploaded();
    expect(zip?.subarray(0, 4).toString('hex')).toBe('504b0304'); // a zip archive
    for (const file of ['perf-gate-results.json', 'perf-gate-report.md', 'perf-gate-report.html'])
      expect(zip?.includes(Buffer.from(file))).toBe(true);
    const url = 'https://github.com/org/app/actions/runs/7001/artifacts/4242';
    expect(run.outputs['artifact-url']).toBe(url);
    expect(action.github.commentsOn(42)[0]?.body).toContain(`· [results and reports](${url})`);
  });

  it('a re-run of the job names its artifact after the attempt (names are unique in a run)', async () => {
    await runWithArtifact({}, { GITHUB_RUN_ATTEMPT: '2' });
    expect(service.created[0]?.name).toBe('perf-gate-pr42-attempt2');
  });

  it('an upload the service refuses is a warning: no link, the verdict and the comment stand', async () => {
    service.failCreateWith(409);
    const run = await runWithArtifact();
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/::warning::artifact perf-gate-pr42 not uploaded: /);
    expect(run.outputs['artifact-url']).toBeUndefined();
    const body = action.github.commentsOn(42)[0]?.body ?? '';
    expect(body).toContain('vggt-perf-gate run');
    expect(body).not.toContain('results and reports');
  });

  it('outside a job (no runtime token) says why nothing was uploaded', async () => {
    const run = await runWithArtifact({}, { ACTIONS_RUNTIME_TOKEN: '' });
    expect(run.stdout).toContain('ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set');
    expect(service.created).toEqual([]);
  });

  it('a bad artifact name fails the step before anything else, saying what is allowed', async () => {
    const run = await runWithArtifact({ artifact: 'results: all' });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('input "artifact" must be an artifact name');
  });
});
