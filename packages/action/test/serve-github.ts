/**
 * The local GitHub REST server of the tests as a process of its own, for
 * running the shipped Action by hand or on a GPU machine (see
 * examples/vggt-torch/validation/action-run.sh). Bundled to plain
 * JavaScript by scripts/stage-action-validation.mjs.
 *
 *   node fake-github.mjs <url-file> <comments-file> [token]
 *
 * Writes its URL to <url-file> once listening; on SIGTERM or SIGINT writes
 * every comment and request it saw to <comments-file> (JSON) and exits.
 */
import { writeFileSync } from 'node:fs';
import { FakeGitHub } from './github-server.js';

const [urlFile, commentsFile, token = 'ghs_validationToken0123456789abcdefABCD'] =
  process.argv.slice(2);
if (!urlFile || !commentsFile) {
  console.error('usage: node fake-github.mjs <url-file> <comments-file> [token]');
  process.exit(2);
}
const github = await new FakeGitHub(token).start();
writeFileSync(urlFile, github.url);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    const seen = { comments: github.comments, requests: github.requests };
    writeFileSync(commentsFile, `${JSON.stringify(seen, null, 2)}\n`);
    void github.stop().finally(() => process.exit(0));
  });
}
