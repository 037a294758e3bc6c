import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ProblemError } from '@tierkit/api';

/**
 * Answer requests Node's HTTP parser refuses before the app sees them (headers over its limit, a
 * control character in a header, a malformed request line) with a problem document, as the API
 * answers everything else: Node's own answer is an empty 400 or 431 a client cannot tell apart.
 */
export function answerClientErrors(server: Pick<Server, 'on'>): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A peer that went away, or a socket already answered: nothing to say, and no one to say it to.
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const problem = new ProblemError(
      err.code === 'HPE_HEADER_OVERFLOW' ? 'headers-too-large' : 'malformed-request',
      err.code === 'HPE_HEADER_OVERFLOW' ? 'The request line and headers must fit in 16 KB.' : undefined,
    );
    const body = JSON.stringify(problem.toProblem());
    socket.end(
      `HTTP/1.1 ${problem.status} ${problem.status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        'Content-Type: application/problem+json\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
