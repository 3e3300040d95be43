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
const textResponses = new Map<string, Buffer>();

/**
 * A whole response whose body is the reason phrase and a newline (errors, PUT results);
 * an answer to HEAD carries the same head and no body.
 */
export function textResponse(status: number, close: boolean, headOnly = false): Buffer {
  const key = `${status}${close ? 'c' : ''}${headOnly ? 'h' : ''}`;
  let response = textResponses.get(key);
  if (!response) {
    const body = `${reason(status)}\n`;
    response = Buffer.from(responseHead(status, Buffer.byteLength(body), close) + (headOnly ? '' : body), 'latin1');
    textResponses.set(key, response);
  }
  return response;
}
