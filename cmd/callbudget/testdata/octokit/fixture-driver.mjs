// Replays one @octokit/fixtures scenario's requests with @octokit/rest, in
// its order, against GITHUB_API_URL (callbudget run's replay server), and
// checks each answer's status against the fixture's. A request the fixture
// recorded as the target of a redirect is not made again: fetch follows
// the 3xx itself. Prints "N requests" (what the client asked for) on
// success; exits 1 naming the first mismatch.
//
// Usage: node fixture-driver.mjs normalized-fixture.json
import { readFileSync } from "node:fs";
import { Octokit } from "@octokit/rest";

const entries = JSON.parse(readFileSync(process.argv[2], "utf8"));
const octokit = new Octokit({
  auth: process.env.GITHUB_TOKEN,
  baseUrl: process.env.GITHUB_API_URL,
  request: { retries: 0 },
  log: { debug() {}, info() {}, warn() {}, error() {} },
});

let asked = 0;
for (let i = 0; i < entries.length; i++) {
  const e = entries[i];
  const headers = {};
  for (const [k, v] of Object.entries(e.reqheaders || {})) {
    if (k === "accept" || k === "content-type") headers[k] = String(v);
  }
  const opts = { method: e.method.toUpperCase(), url: e.path, headers };
  if (e.body !== "" && e.body !== undefined) opts.data = e.body;
  let status;
  try {
    status = (await octokit.request(opts)).status;
  } catch (err) {
    if (err.status === undefined) {
      console.error(`${opts.method} ${e.path}: ${err.message}`);
      process.exit(1);
    }
    status = err.status;
  }
  asked++;
  let want = e.status;
  if (want >= 300 && want < 400 && i + 1 < entries.length) {
    want = entries[++i].status; // fetch followed the redirect: the next entry
  }
  if (status !== want) {
    console.error(`${opts.method} ${e.path}: status ${status}, the fixture recorded ${want}`);
    process.exit(1);
  }
}
console.log(`${asked} requests`);
