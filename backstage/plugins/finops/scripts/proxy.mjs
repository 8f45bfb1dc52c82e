// Stands for the Backstage backend: its proxy forwards /api/proxy/finops/* to the FinOps API with
// the caller's Authorization header (what `credentials: forward` does), and its auth service
// (scripts/fake-backstage.mjs) signs the dev app's users in and publishes the keys that the API,
// under api.auth mode backstage with base_url this backend, verifies their tokens with.
// Usage: node scripts/proxy.mjs <port> <api base URL> [allowed origin]
import http from 'node:http';
import { createFakeBackstage } from './fake-backstage.mjs';

const [port = '7007', apiBase = 'http://127.0.0.1:8000', origin = '*'] = process.argv.slice(2);
const PREFIX = '/api/proxy/finops';
const FORWARDED = ['authorization', 'content-type', 'accept'];
const backstage = createFakeBackstage(`http://127.0.0.1:${port}`);

function cors(response) {
  response.setHeader('access-control-allow-origin', origin);
  response.setHeader('access-control-allow-headers', 'authorization, content-type, accept');
  response.setHeader('access-control-allow-methods', 'GET, POST, DELETE, OPTIONS');
}

const server = http.createServer((request, response) => {
  cors(response);
  if (request.method === 'OPTIONS') {
    response.writeHead(204).end();
    return;
  }
  if (backstage.handle(request, response)) return;
  if (!request.url?.startsWith(`${PREFIX}/`)) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not a proxy endpoint\n');
    return;
  }
  const target = new URL(request.url.slice(PREFIX.length), apiBase);
  const headers = Object.fromEntries(
    FORWARDED.filter(name => request.headers[name]).map(name => [name, request.headers[name]]),
  );
  const upstream = http.request(target, { method: request.method, headers }, answer => {
    const passed = Object.fromEntries(
      Object.entries(answer.headers).filter(([name]) => !name.startsWith('access-control-')),
    );
    response.writeHead(answer.statusCode ?? 502, passed);
    answer.pipe(response);
  });
  upstream.on('error', error => {
    response.writeHead(503, { 'content-type': 'application/problem+json' });
    response.end(JSON.stringify({
      type: 'about:blank', title: 'FinOps API unreachable', status: 503,
      detail: `the proxy could not reach the FinOps API: ${error.message}`,
    }));
  });
  request.pipe(upstream);
});

server.listen(Number(port), '127.0.0.1', () => {
  console.log(`FinOps proxy: http://127.0.0.1:${port}${PREFIX} -> ${apiBase}; Backstage auth: ${backstage.issuer}`);
});
