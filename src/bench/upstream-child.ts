// The relay benchmark's upstream, in its own process so it does not share a thread with the load
// generator: answers GET /echo/ping with a small JSON document, as a gateway's health route would.
import http from 'node:http';

const port = Number(process.argv[2]);
const body = JSON.stringify({ pong: true, service: 'echo', note: 'a small answer, like a health check' });
const server = http.createServer((req, res) => {
  if (req.url?.startsWith('/echo/ping')) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening on ${port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
