// Parses the head of one HTTP/1.1 request (request line and headers), already split off at CRLFCRLF.

export const MAX_HEAD_BYTES = 8192;

interface RequestHead {
  /** the request line as received, for FAIL log entries */
  line: string;
  method: string;
  target: string;
  /** Content-Length, or null when absent */
  contentLength: number | null;
  close: boolean;
}

type HeadResult =
  | { ok: true; head: RequestHead }
  /** line: the request line if it could be read (for the FAIL entry); reason for diagnostics */
  | { ok: false; line: string; reason: string };

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function parseRequestHead(text: string): HeadResult {
  const lines = text.split('\r\n');
  const line = lines[0] ?? '';
  const parts = line.split(' ');
  if (parts.length !== 3) return { ok: false, line, reason: 'malformed request line' };
  const [method, target, version] = parts as [string, string, string];
  if (!TOKEN.test(method)) return { ok: false, line, reason: 'malformed method' };
  if (version !== 'HTTP/1.1') return { ok: false, line, reason: `unsupported version ${version}` };
  if (target.length === 0) return { ok: false, line, reason: 'empty target' };

  let contentLength: number | null = null;
  let close = false;
  for (let i = 1; i < lines.length; i++) {
    const header = lines[i]!;
    const colon = header.indexOf(':');
    if (colon <= 0) return { ok: false, line, reason: 'malformed header' };
    const key = header.slice(0, colon);
    if (!TOKEN.test(key)) return { ok: false, line, reason: 'malformed header name' };
    const value = header.slice(colon + 1).trim();
    switch (key.toLowerCase()) {
      case 'content-length': {
        if (!/^\d{1,15}$/.test(value)) return { ok: false, line, reason: 'bad Content-Length' };
        const n = Number(value);
        if (contentLength !== null && contentLength !== n) return { ok: false, line, reason: 'conflicting Content-Length' };
        contentLength = n;
        break;
      }
      case 'transfer-encoding':
        return { ok: false, line, reason: 'Transfer-Encoding is not supported' };
      case 'connection':
        if (value.toLowerCase().split(',').some((t) => t.trim() === 'close')) close = true;
        break;
    }
  }
  return { ok: true, head: { line, method, target, contentLength, close } };
}
