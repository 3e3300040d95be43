// Small programs the Docker tests run in containers from the speedlab image.

/** a user's own server (BYO): node -e SERVER PORT LOG; PUT fsyncs, errors answer 500 */
export const BYO_SERVER = `
const http = require('http'), fs = require('fs'), path = require('path');
const [port, log] = process.argv.slice(1);
http.createServer((req, res) => {
  const file = path.join(process.cwd(), req.url.slice(1));
  const done = (code, body = Buffer.alloc(0)) => {
    if (log) fs.appendFileSync(log, req.method + ' ' + req.url + ' ' + code + '\\n');
    res.writeHead(code, { 'content-length': body.length });
    res.end(body);
  };
  if (req.method === 'PUT') {
    const fd = fs.openSync(file, 'w');
    let ok = true;
    req.on('data', (c) => { if (ok) try { fs.writeSync(fd, c); } catch { ok = false; } });
    req.on('end', () => {
      try { if (ok) fs.fsyncSync(fd); } catch { ok = false; }
      fs.closeSync(fd);
      if (!ok) fs.rmSync(file, { force: true });
      done(ok ? 201 : 500);
    });
  } else {
    try { done(200, fs.readFileSync(file)); } catch { done(404); }
  }
}).listen(Number(port), '127.0.0.1');`;

/**
 * a client for inside the server's network namespace: node -e CLIENT URL STEPS_JSON, each step
 * { method, name, bytes?, forMs?, parallel? }; prints one JSON line of results
 */
export const CLIENT = `
const [base, stepsJson] = process.argv.slice(1);
const steps = JSON.parse(stepsJson);
(async () => {
  const out = [];
  for (const s of steps) {
    const t0 = Date.now();
    const counts = {};
    let bytes = 0;
    const one = async (name) => {
      const body = s.bytes ? Buffer.alloc(s.bytes, 97) : undefined;
      try {
        const r = await fetch(base + '/' + name, { method: s.method, body });
        await r.arrayBuffer();
        counts[r.status] = (counts[r.status] || 0) + 1;
        if (r.status < 300 && body) bytes += body.length;
      } catch (e) { counts.error = (counts.error || 0) + 1; }
    };
    if (s.forMs) {
      await Promise.all(Array.from({ length: s.parallel || 1 }, async (_, c) => {
        // atLeast: a count per connection however slow the machine (a window alone may hold none)
        for (let i = 0; Date.now() - t0 < s.forMs || i < (s.atLeast || 0); i++) await one(s.name + c + '_' + i);
      }));
    } else await one(s.name);
    out.push({ counts, bytes, ms: Date.now() - t0 });
  }
  const cpus = require('fs').readFileSync('/proc/self/status', 'utf8').match(/Cpus_allowed_list:\\s*(\\S+)/)[1];
  console.log(JSON.stringify({ steps: out, cpus }));
})();`;

export interface StepResult {
  counts: Record<string, number>;
  bytes: number;
  ms: number;
}
