import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach } from 'vitest';

/**
 * The Actions results service as the artifact client meets it in a job: the
 * twirp ArtifactService (CreateArtifact, then FinalizeArtifact) and the blob
 * storage its signed URL points at (blocks staged, then committed). What was
 * created, and the bytes uploaded, are kept for the test to look at.
 */
export interface FakeResultsService {
  url: string;
  /** A runtime token whose scope names a run and a job, as the runner's does. */
  token: string;
  created: Array<Record<string, unknown>>;
  finalized: Array<Record<string, unknown>>;
  /** The uploaded artifact's bytes, once committed. */
  uploaded: () => Buffer | null;
  /** Makes CreateArtifact answer this status from now on (e.g. 409 for a name taken). */
  failCreateWith: (status: number) => void;
}

const SERVICE = '/twirp/github.actions.results.api.v1.ArtifactService/';
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A fresh fake service for each test of the file that calls this (at its top level). */
export function fakeResultsServicePerTest(): FakeResultsService {
  const blocks = new Map<string, Buffer>();
  let committed: Buffer | null = null;
  let createStatus = 200;
  const state: FakeResultsService = {
    url: '',
    token: `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ scp: 'Actions.Results:run-backend-1:job-backend-1' })}.x`,
    created: [],
    finalized: [],
    uploaded: () => committed,
    failCreateWith: (status) => {
      createStatus = status;
    },
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const json = (status: number, data: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(data));
    if (url.pathname === `${SERVICE}CreateArtifact`) {
      if (createStatus !== 200)
        return json(createStatus, {
          code: 'already_exists',
          msg: 'an artifact with this name exists',
        });
      state.created.push(JSON.parse(body.toString()));
      return json(200, {
        ok: true,
        signed_upload_url: `${state.url}/blob/artifact.zip?sig=signed`,
      });
    }
    if (url.pathname === `${SERVICE}FinalizeArtifact`) {
      state.finalized.push(JSON.parse(body.toString()));
      return json(200, { ok: true, artifact_id: '4242' });
    }
    if (url.pathname === '/blob/artifact.zip' && req.method === 'PUT') {
      const comp = url.searchParams.get('comp');
      if (comp === 'block') blocks.set(url.searchParams.get('blockid') ?? '', body);
      if (comp === 'blocklist') {
        const ids = [
          ...body.toString().matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]+)</g),
        ].map((m) => m[1]!);
        committed = Buffer.concat(ids.map((id) => blocks.get(id) ?? Buffer.alloc(0)));
      }
      if (comp === null) committed = body;
      res
        .writeHead(201, {
          etag: '"0x1"',
          'last-modified': new Date().toUTCString(),
          'x-ms-request-id': '1',
        })
        .end();
      return;
    }
    json(404, { msg: `no route ${req.method} ${url.pathname}` });
  });
  beforeEach(async () => {
    blocks.clear();
    committed = null;
    createStatus = 200;
    state.created.length = 0;
    state.finalized.length = 0;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return state;
}
