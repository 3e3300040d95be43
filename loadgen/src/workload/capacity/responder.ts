// A trivial HTTP responder for measuring a load generator's ceiling: a child of the loadgen's
// process (so on the loadgen's CPUs, but not in its CPU count), it answers every request head with
// a fixed empty 200 and parses nothing else. Requests carry no body here (GET only).
import { spawn } from 'node:child_process';

const RESPONDER = `
const net = require('node:net');
const ANSWER = Buffer.from('HTTP/1.1 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n', 'latin1');
const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  let tail = '';
  socket.on('data', (chunk) => {
    const text = tail + chunk.toString('latin1');
    let heads = 0;
    for (let i = text.indexOf('\\r\\n\\r\\n'); i >= 0; i = text.indexOf('\\r\\n\\r\\n', i + 4)) heads++;
    tail = text.slice(-3);
    if (heads === 1) socket.write(ANSWER);
    else if (heads > 1) socket.write(Buffer.concat(Array(heads).fill(ANSWER)));
  });
  socket.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => process.stdout.write('port ' + server.address().port + '\\n'));
`;

interface Responder {
  port: number;
  close(): Promise<void>;
}

export async function startResponder(): Promise<Responder> {
  const child = spawn(process.execPath, ['-e', RESPONDER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the responder exited with code ${code} before listening`)));
  });
  return {
    port,
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
