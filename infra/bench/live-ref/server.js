// The reference broadcaster for infra/bench/live.sh: what a Node developer writes with `ws` to push one
// message to every connected websocket. Each client gets a `subscribed` message when it connects; a POST
// of a comment (JSON) to /broadcast wraps it as the node's `comment-posted` message would be, encodes it
// once and sends it to every open client. GET /memory answers process.memoryUsage() after a full GC
// (when run with --expose-gc), for the benchmark's memory figures.
//   node server.js PORT
'use strict';
const http = require('http');
const { WebSocketServer, WebSocket } = require('ws');

const port = Number(process.argv[2] || 18090);
const thread = 'live-fanout';
let position = 0;

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/broadcast') {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      position += 1;
      const message = JSON.stringify({ type: 'comment-posted', thread, position, payload });
      let sent = 0;
      for (const client of wss.clients) {
        if (client.readyState === WebSocket.OPEN) {
          client.send(message);
          sent += 1;
        }
      }
      res.writeHead(202, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ sent, position }));
    });
  } else if (req.method === 'GET' && req.url === '/memory') {
    if (global.gc) global.gc();
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ clients: wss.clients.size, ...process.memoryUsage() }));
  } else {
    res.writeHead(404);
    res.end();
  }
});

const wss = new WebSocketServer({ server });
wss.on('connection', (ws) => {
  ws.on('error', () => ws.terminate());
  ws.send(JSON.stringify({ type: 'subscribed', thread, position, payload: { resumed: true } }));
});

server.listen(port, '127.0.0.1', () => console.log(`live-ref: listening on 127.0.0.1:${port}`));
