// Records, with nock's own recorder, a GET and a POST made with node's http
// module against the server at process.argv[2] (a base URL with a path
// prefix), and writes what nock.recorder.play() returns, as JSON, to
// process.argv[3]. Run by import_test.go with NODE_PATH pointing at a
// node_modules that holds nock.
'use strict';
const http = require('http');
const fs = require('fs');
const nock = require('nock');

const base = process.argv[2].replace(/\/$/, '');
const out = process.argv[3];

function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(base + path, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
    }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

(async () => {
  nock.recorder.rec({ output_objects: true, dont_print: true });
  await call('GET', '/repos/octo-org/hello-world/pulls/42');
  await call('POST', '/repos/octo-org/hello-world/issues/42/comments', JSON.stringify({ body: 'hi' }));
  await call('GET', '/repos/octo-org/hello-world/pulls/42');
  const recorded = nock.recorder.play();
  nock.restore();
  fs.writeFileSync(out, JSON.stringify(recorded, null, 2) + '\n');
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
