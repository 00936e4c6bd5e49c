import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server that speaks the GitHub REST endpoints the action uses
 * (issue comments: list with Link-header pagination, create, update), with
 * GitHub's status codes and error bodies, so the bundled action can run
 * against it exactly as against api.github.com (GITHUB_API_URL). Faults are
 * queued per route: the next matching requests get them instead. Every
 * request is logged as it arrives, so tests count tries from the server's
 * side. For "connection refused", see closedPortUrl().
 */
export interface StoredComment {
  id: number;
  issue: number;
  body: string;
  html_url: string;
  user: { login: string; type: 'User' | 'Bot' };
  author_association: string;
}

/** What a faulty request gets instead of its normal answer. */
export type Fault = Answer | Silence | Drop;

/** An answer with this status and body. */
export interface Answer {
  /** Apply the request first, then answer with this fault (a write that landed but looked failed). */
  afterWrite?: boolean;
  status: number;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is instead of `body` (malformed JSON, an HTML page), with `content-type` from headers. */
  raw?: string;
}

/** The connection is closed with no answer (a reset). */
export interface Drop {
  drop: true;
  afterWrite?: never;
}

/** No answer at all: the request hangs until the client gives up (or the server stops). */
export interface Silence {
  hang: true;
  /** Apply the request first (a write that landed, then the answer never came). */
  afterWrite?: boolean;
}

export interface LoggedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

/** GitHub's maximum comment body, in characters. */
const MAX_BODY = 65_536;

export class FakeGitHub {
  readonly comments: StoredComment[] = [];
  readonly requests: LoggedRequest[] = [];
  /** When true, writes answer 403 like a fork PR's read-only token. */
  readOnly = false;
  private nextId = 1000;
  private readonly faults: Array<{ method: string; path: RegExp; fault: Fault }> = [];
  private server: Server | null = null;
  url = '';

  constructor(
    readonly token: string,
    readonly repository = 'org/app',
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server?.close(() => resolve()));
    // Requests left hanging on purpose would keep close() waiting forever.
    this.server?.closeAllConnections();
    await closed;
  }

  /** The next request matching method and path gets `fault` (queue several to fail repeatedly). */
  fail(method: string, path: RegExp, ...faults: Fault[]): void {
    for (const fault of faults) this.faults.push({ method, path, fault });
  }

  /** Comments already on the PR, before the action runs: by a contributor unless `as` says otherwise. */
  seed(
    issue: number,
    bodies: string[],
    as: { login: string; type: 'User' | 'Bot'; association: string } = {
      login: 'someone',
      type: 'User',
      association: 'CONTRIBUTOR',
    },
  ): void {
    for (const body of bodies) this.add(issue, body, as.login, as.type, as.association);
  }

  commentsOn(issue: number): StoredComment[] {
    return this.comments.filter((c) => c.issue === issue);
  }

  private add(
    issue: number,
    body: string,
    login: string,
    type: 'User' | 'Bot' = 'Bot',
    association = 'NONE',
  ): StoredComment {
    const id = this.nextId++;
    const comment: StoredComment = {
      id,
      issue,
      body,
      html_url: `https://github.com/${this.repository}/pull/${issue}#issuecomment-${id}`,
      user: { login, type },
      author_association: association,
    };
    this.comments.push(comment);
    return comment;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    this.requests.push({
      method,
      path: url.pathname + url.search,
      authorization: req.headers.authorization,
    });
    const body = await readBody(req);
    const send = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(data));
    };
    const faultAt = this.faults.findIndex((f) => f.method === method && f.path.test(url.pathname));
    const fault =
      faultAt === -1 ? null : (this.faults.splice(faultAt, 1)[0] as { fault: Fault }).fault;
    const answer = (f: Fault) => {
      if ('hang' in f) return; // never answered: the socket stays open until the client aborts
      if ('drop' in f) {
        req.socket.destroy();
        return;
      }
      if (f.raw === undefined) send(f.status, f.body ?? { message: 'fault' }, f.headers);
      else {
        res.writeHead(f.status, f.headers);
        res.end(f.raw);
      }
    };
    let after: Fault | null = null;
    if (fault?.afterWrite) after = fault;
    else if (fault) {
      answer(fault);
      return;
    }
    const auth = req.headers.authorization ?? '';
    if (auth !== `token ${this.token}` && auth !== `Bearer ${this.token}`) {
      send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      return;
    }
    const repo = `/repos/${this.repository}`;
    const list = url.pathname.match(new RegExp(`^${repo}/issues/(\\d+)/comments$`));
    const one = url.pathname.match(new RegExp(`^${repo}/issues/comments/(\\d+)$`));
    if (list && method === 'GET') {
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      const page = Number(url.searchParams.get('page') ?? 1);
      const all = this.commentsOn(Number(list[1]));
      const last = Math.max(1, Math.ceil(all.length / perPage));
      const link = (p: number, rel: string) =>
        `<${this.url}${url.pathname}?per_page=${perPage}&page=${p}>; rel="${rel}"`;
      const links = page < last ? [link(page + 1, 'next'), link(last, 'last')] : [];
      send(
        200,
        all.slice((page - 1) * perPage, page * perPage),
        links.length ? { link: links.join(', ') } : {},
      );
      return;
    }
    if ((list && method === 'POST') || (one && method === 'PATCH')) {
      if (this.readOnly) {
        send(403, { message: 'Resource not accessible by integration', status: '403' });
        return;
      }
      const text = String((JSON.parse(body || '{}') as { body?: unknown }).body ?? '');
      if (text.length > MAX_BODY) {
        send(422, {
          message: 'Validation Failed',
          errors: [
            {
              resource: 'IssueComment',
              code: 'custom',
              field: 'body',
              message: `body is too long (maximum is ${MAX_BODY} characters)`,
            },
          ],
        });
        return;
      }
      if (list) {
        const created = this.add(Number(list[1]), text, 'github-actions[bot]');
        if (after) answer(after);
        else send(201, created);
        return;
      }
      const comment = this.comments.find((c) => c.id === Number(one?.[1]));
      if (!comment) {
        send(404, { message: 'Not Found' });
        return;
      }
      comment.body = text;
      send(200, comment);
      return;
    }
    send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      data += chunk;
    });
    req.on('end', () => resolve(data));
  });
}

/**
 * A URL on 127.0.0.1 where nothing listens: a port that was just bound and
 * released, so connecting to it is refused (ECONNREFUSED).
 */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
