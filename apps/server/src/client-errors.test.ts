import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { after, before, it } from 'node:test';
import { answerClientErrors } from './client-errors.js';

let server: Server;
let port = 0;
before(async () => {
  server = createServer((_req, res) => res.end('ok'));
  answerClientErrors(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  port = (server.address() as { port: number }).port;
});
after(() => new Promise<void>((done) => server.close(() => done())));

/** Send `request` as raw bytes and read the whole answer. */
function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let text = '';
    socket.on('data', (d) => {
      text += d.toString();
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { status: number; type: string };

it('headers over Node’s limit are a 431 problem document, not an empty answer', async () => {
  const answer = await raw(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  assert.match(answer, /^HTTP\/1\.1 431 /);
  assert.match(answer, /Content-Type: application\/problem\+json/);
  assert.deepEqual([bodyOf(answer).status, bodyOf(answer).type.endsWith('/headers-too-large')], [431, true]);
});

it('a request Node cannot parse (a control character in a header) is a 400 problem document', async () => {
  const answer = await raw('GET / HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\u0001b\r\n\r\n');
  assert.match(answer, /^HTTP\/1\.1 400 /);
  assert.deepEqual([bodyOf(answer).status, bodyOf(answer).type.endsWith('/malformed-request')], [400, true]);
});

it('a well-formed request is answered by the app as before', async () => {
  assert.match(await raw('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 200 [\s\S]*ok$/);
});
