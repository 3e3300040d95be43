// The far end of the network path between two engines (split mode): a TCP server beside the
// server under test, on the server's machine, that the load generator's machine measures the
// path with, so the measurement never touches the server under test. A connection's first byte
// picks what it does: 'e' echoes every byte back (round trips), 's' streams zeros to the client
// until it closes (the link's throughput, server to load generator: the direction GET bodies go).
import net from 'node:net';

export const ECHO = 0x65; // 'e'
export const STREAM = 0x73; // 's'
export const SINK = 0x72; // 'r'
const CHUNK = Buffer.alloc(256 * 1024);

function stream(socket: net.Socket): void {
  const pump = () => {
    while (!socket.destroyed && socket.write(CHUNK));
  };
  socket.on('drain', pump);
  pump();
}

function serve(socket: net.Socket): void {
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  socket.once('data', (first: Buffer) => {
    if (first[0] === ECHO) {
      if (first.length > 1) socket.write(first.subarray(1));
      socket.pipe(socket);
    } else if (first[0] === STREAM) {
      stream(socket);
    } else if (first[0] === SINK) {
      socket.resume();
    } else {
      socket.destroy();
    }
  });
}

/** listens until the process ends; resolves once listening */
export function startPeer(host: string, port: number): Promise<net.Server> {
  const server = net.createServer(serve);
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`cannot listen on ${host}:${port}: ${err.message}`, { cause: err })));
    server.listen(port, host, () => resolve(server));
  });
}
