// An operations team stops one API server (SIGTERM: a deploy, a scale-down) while a load balancer
// still has requests on it: a write in progress must be answered, not cut off, or its caller cannot
// tell whether it happened.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { ADMIN_KEY, startServer, tempDataDir, type RunningServer } from './support/server.js';

let server: RunningServer | undefined;
after(async () => server?.stop());

/** Resolves with everything the socket received once it closes, or the error that closed it. */
function received(socket: Socket): { text: () => string; closed: Promise<string> } {
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString()));
  const closed = new Promise<string>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('close', () => resolve(text));
  });
  return { text: () => text, closed };
}

async function until(what: string, ok: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never happened: ${what}`);
}

describe('a server stopped while it answers', () => {
  it('answers the write it was receiving when SIGTERM came, then exits', async () => {
    server = await startServer({ DATABASE_URL: join(tempDataDir(), 'tierkit.db'), DEMO_CUSTOMERS: '20', DEMO_TOKENS: 'off' });
    const { port } = new URL(server.url);
    const body = JSON.stringify({ metrics: [{ metric: 'avg_daily_balance', period: '2026-10', value: 123_456 }] });
    const socket = connect(Number(port), '127.0.0.1');
    const answer = received(socket);
    // `Expect: 100-continue`: the server says when it has the request's headers, so the request is
    // certainly in progress when the signal comes.
    socket.write(
      'PUT /v1/subjects/C000001/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        `Authorization: Bearer ${ADMIN_KEY}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
    );
    await until('the server took the headers', () => answer.text().includes('100 Continue'));
    const stopped = server.stop();
    // The body is sent only once the server has stopped listening: it is shutting down for certain.
    await until('the server stopped taking connections', () =>
      fetch(`${server!.url}/healthz`).then(
        () => false,
        () => true,
      ),
    );
    socket.write(body);
    const response = await answer.closed;
    await stopped;
    assert.match(response, /HTTP\/1\.1 200 OK[\s\S]*"assignments"/, `the write is answered:\n${response}\n${server.output()}`);
    assert.match(server.output(), /SIGTERM: shutting down/);
  });
});

describe('a server stopped while a console follows a job', () => {
  it("ends the job's event stream cleanly when SIGTERM comes, rather than holding the stop until it is cut", async () => {
    // No worker: the job stays running, so its stream would never end by itself.
    server = await startServer({
      DATABASE_URL: join(tempDataDir(), 'tierkit.db'),
      DEMO_CUSTOMERS: '20',
      DEMO_TOKENS: 'off',
      TIERKIT_WORKER: 'off',
    });
    const auth = { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' };
    const created = await fetch(`${server.url}/v1/jobs`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ kind: 'retier', period: '2025-11', allowOpenMonth: true, reason: 'month end' }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const { id } = (await created.json()) as { id: string };
    const events = await fetch(`${server.url}/v1/jobs/${id}/events`, { headers: auth });
    assert.equal(events.status, 200);
    const reader = events.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    assert.match(first, /event: progress/);
    const stopped = server.stop();
    // A stream cut by the server's grace deadline (or the process dying) rejects here ("terminated");
    // one the server ended itself reads to its end.
    for (;;) if ((await reader.read()).done) break;
    await stopped;
    assert.match(server.output(), /SIGTERM: shutting down/);
  });
});
