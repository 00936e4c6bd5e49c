import { afterEach, beforeEach, expect } from 'vitest';
import type { RetryPolicy } from '../src/github-api.js';
import { FakeGitHub } from './github-server.js';

/** The pull request the tests comment on, and the route of its comments. */
export const PR = { owner: 'org', repo: 'app', number: 42 };
export const COMMENTS = /\/issues\/42\/comments$/;

/**
 * For requests that are answered: short waits between tries, so a test
 * sleeps well under a second (no count depends on them), and a time-out so
 * long that no loaded machine turns a slow answer into an extra try.
 */
export const ANSWERED: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 1,
  maxWaitMs: 5_000,
  requestTimeoutMs: 10_000,
  deadlineMs: 120_000,
};

/**
 * A fake GitHub of its own for each test of the file that calls this (at
 * its top level): started before each test and stopped after it, so no
 * comment, request or queued fault is left over from another test.
 */
export function fakeGitHubPerTest(token: string): { readonly github: FakeGitHub } {
  let current: FakeGitHub | undefined;
  beforeEach(async () => {
    current = await new FakeGitHub(token).start();
  });
  afterEach(async () => {
    await current?.stop();
    current = undefined;
  });
  return {
    get github(): FakeGitHub {
      if (!current) throw new Error('the fake GitHub runs only during a test');
      return current;
    },
  };
}

/** The error message of a call that must fail. */
export async function failure(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, 'the call should have failed').toBeInstanceOf(Error);
  return (error as Error).message;
}
