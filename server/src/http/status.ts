const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
};

function reason(status: number): string {
  return REASONS[status] ?? 'Unknown';
}

/** Response head; every response carries Content-Length. */
export function responseHead(status: number, contentLength: number, close: boolean): string {
  return `HTTP/1.1 ${status} ${reason(status)}\r\nContent-Length: ${contentLength}\r\n${close ? 'Connection: close\r\n' : ''}\r\n`;
}

/** built once each: every PUT's answer is one of a few; sockets only read the bytes they are given */
const answers = new Map<string, Buffer>();

/**
 * A whole response without content: 201 and every error status, to any method (DESIGN §2). As the
 * course's reference server does, it is the status line and `Content-Length: 0`, nothing else, even
 * when the connection closes after it. A PUT that replaced a file (200) keeps its `OK\n` body.
 */
export function answerResponse(status: number, close: boolean): Buffer {
  const key = status === 200 && close ? '200c' : String(status);
  let response = answers.get(key);
  if (!response) {
    const text = status === 200 ? `${responseHead(200, 3, close)}OK\n` : `HTTP/1.1 ${status} ${reason(status)}\r\nContent-Length: 0\r\n\r\n`;
    response = Buffer.from(text, 'latin1');
    answers.set(key, response);
  }
  return response;
}
