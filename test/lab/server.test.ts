/** `localist lab`: what it serves, what it refuses, and its one-line errors. */
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { connect, createServer } from "node:net";
import { cpSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { LAB_MODEL, startLab, type RunningLab } from "../helpers/lab.js";

/** A GET (or other method) with the path sent exactly as written: no client-side normalising. */
function fetchRaw(
  base: string,
  path: string,
  method = "GET",
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method, headers }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

let lab: RunningLab;
let model: string;
const outside = mkdtempSync(join(tmpdir(), "localist-outside-"));

before(async () => {
  // A copy of the model with a symbolic link that leads out of it, and a hidden file.
  model = mkdtempSync(join(tmpdir(), "localist-lab-model-"));
  cpSync(LAB_MODEL, model, { recursive: true });
  writeFileSync(join(outside, "secret.txt"), "secret\n");
  symlinkSync(join(outside, "secret.txt"), join(model, "link.txt"));
  symlinkSync(outside, join(model, "linked-folder"));
  writeFileSync(join(model, ".lock"), "hidden\n");
  lab = await startLab(["--model", model, "--port", "0"]);
});

after(async () => {
  await lab?.stop();
});

test("prints a localhost URL and serves the page with the cross-origin-isolation headers", async () => {
  assert.match(lab.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const page = await fetchRaw(lab.url, "/");
  assert.equal(page.status, 200);
  assert.match(page.body, /Locality Lab/);
  assert.equal(page.headers["cross-origin-opener-policy"], "same-origin");
  assert.equal(page.headers["cross-origin-embedder-policy"], "require-corp");
  const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(page.body)?.[1];
  assert.ok(script, "the page names its script");
  const js = await fetchRaw(lab.url, `/${script}`);
  assert.equal(js.status, 200);
  assert.match(String(js.headers["content-type"]), /javascript/);
});

test("serves the model folder's files", async () => {
  const pointer = await fetchRaw(lab.url, "/model/checkpoint.json");
  assert.equal(pointer.status, 200);
  const current = (JSON.parse(pointer.body) as { current: string }).current;
  const config = await fetchRaw(lab.url, `/model/${current}/config.json`);
  assert.equal(config.status, 200);
  assert.equal((JSON.parse(config.body) as { format: string }).format, "localist-lm");
  const head = await fetchRaw(lab.url, `/model/${current}/model.safetensors`, "HEAD");
  assert.equal(head.status, 200);
  assert.ok(Number(head.headers["content-length"]) > 1000);
});

test("refuses every path outside the model folder and the page", async () => {
  const refused = [
    "/model/../package.json",
    "/model/%2e%2e/package.json",
    "/model/%2E%2E%2Fpackage.json",
    "/model/..%5c..%5cpackage.json",
    "/model/%2fetc%2fpasswd",
    "/model//etc/passwd",
    "/model/checkpoints/../../../../etc/passwd",
    "/../../../etc/passwd",
    "/..%2f..%2f..%2fetc%2fpasswd",
    "/model/link.txt",
    "/model/linked-folder/secret.txt",
    "/model/.lock",
    "/model/%00",
    "/model/%E0%A4%A",
    "/model/checkpoints",
    "/model/",
  ];
  for (const path of refused) {
    const response = await fetchRaw(lab.url, path);
    assert.equal(response.status, 404, `${path} must be refused, got ${response.status}`);
    assert.doesNotMatch(response.body, /secret|root:/);
  }
});

test("is read-only", async () => {
  for (const method of ["PUT", "POST", "DELETE"]) {
    const response = await fetchRaw(lab.url, "/model/checkpoint.json", method);
    assert.equal(response.status, 405, method);
  }
});

test("a bad --model, a busy port, a bad host and no model are one line and a non-zero exit", async () => {
  const missing = runCli(["lab", "--model", join(outside, "nothing"), "--port", "0"]);
  assert.equal(missing.status, 1);
  assert.equal(missing.stdout, "");
  assert.match(missing.stderr, /^error: no model at .*nothing.*\n$/);

  const notModel = runCli(["lab", "--model", outside, "--port", "0"]);
  assert.equal(notModel.status, 1);
  assert.match(notModel.stderr, /^error: no model at [^\n]*\n$/);

  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
  const port = (busy.address() as { port: number }).port;
  try {
    const result = runCli(["lab", "--model", model, "--port", String(port)]);
    assert.equal(result.status, 1);
    assert.equal(
      result.stderr,
      `error: port ${port} on 127.0.0.1 is in use; choose another with --port\n`,
    );
  } finally {
    busy.close();
  }

  const host = runCli([
    "lab",
    ...["--model", model, "--port", "0", "--host", "203.0.113.7", "--expose"],
  ]);
  assert.equal(host.status, 1);
  assert.match(host.stderr, /^error: cannot listen on 203\.0\.113\.7:0[^\n]*\n$/);

  const none = runCli(["lab"], { cwd: outside });
  assert.equal(none.status, 1);
  assert.equal(
    none.stderr,
    "error: no model to serve: give one with --model DIR, or run 'localist demo' to make ./localist-demo/model\n",
  );

  const port70000 = runCli(["lab", "--model", model, "--port", "70000"]);
  assert.equal(port70000.status, 2);
  assert.match(port70000.stderr, /^error: [^\n]*port[^\n]*\n$/);
});

test("without --model it serves ./localist-demo/model", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "localist-lab-cwd-"));
  cpSync(LAB_MODEL, join(cwd, "localist-demo", "model"), { recursive: true });
  const demo = await startLab(["--port", "0"], cwd);
  try {
    const response = await fetchRaw(demo.url, "/model/checkpoint.json");
    assert.equal(response.status, 200);
  } finally {
    await demo.stop();
  }
});

test("lists the model's servable files for the page, and tells the page where the list is", async () => {
  const listing = await fetchRaw(lab.url, "/model-files.json");
  assert.equal(listing.status, 200);
  const { files } = JSON.parse(listing.body) as { files: string[] };
  assert.ok(files.includes("checkpoint.json"));
  assert.ok(files.some((f) => /^checkpoints\/step-\d+-[0-9a-f]+\/model\.safetensors$/.test(f)));
  for (const hidden of [".lock", "link.txt", "linked-folder/secret.txt"])
    assert.ok(!files.includes(hidden), `${hidden} is not listed`);
  const page = await fetchRaw(lab.url, "/");
  assert.match(page.body, /<meta name="localist-model" content="model-files\.json" \/>/);
});

test("answers 421 to a foreign Host header (DNS rebinding), 200 to localhost and IP addresses", async () => {
  const port = new URL(lab.url).port;
  for (const host of ["evil.example", `evil.example:${port}`, "127.0.0.1.evil.example", "[::1"]) {
    const response = await fetchRaw(lab.url, "/model/checkpoint.json", "GET", { Host: host });
    assert.equal(response.status, 421, host);
    assert.match(response.body, /^misdirected request: /);
  }
  for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, "LOCALHOST", `[::1]:${port}`]) {
    const response = await fetchRaw(lab.url, "/model/checkpoint.json", "GET", { Host: host });
    assert.equal(response.status, 200, host);
  }
  // An empty Host header, and none at all (HTTP/1.0), as a raw socket sends them.
  for (const head of ["GET / HTTP/1.1\r\nHost:\r\n", "GET / HTTP/1.0\r\n"]) {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => socket.end(`${head}\r\n`));
      let text = "";
      socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });
    assert.match(reply, /^HTTP\/1\.[01] 421 /, JSON.stringify(head));
  }
});

test("an empty host is a usage error, and beyond loopback needs --expose and warns", async () => {
  const empty = runCli(["lab", "--model", model, "--port", "0", "--host", ""]);
  assert.equal(empty.status, 2);
  assert.equal(empty.stderr, "error: --host needs a value (ADDRESS), got ''\n");
  for (const host of ["0.0.0.0", "::", "192.0.2.1"]) {
    const wide = runCli(["lab", "--model", model, "--port", "0", "--host", host]);
    assert.equal(wide.status, 2, wide.stderr);
    assert.match(
      wide.stderr,
      /^error: --host \S+ would serve the model folder beyond this machine; add --expose if that is meant, or use --host 127\.0\.0\.1\n$/,
    );
  }
  const exposed = await startLab([
    "--model",
    model,
    "--port",
    "0",
    "--host",
    "0.0.0.0",
    "--expose",
  ]);
  try {
    // The warning is written before the URL, so it is there once the URL is.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.match(
      exposed.stderr(),
      /^warning: the Lab is exposed on http:\/\/0\.0\.0\.0:\d+\/: anyone who can reach this address can read the page and every file of the model folder \S+\n$/,
    );
    const response = await fetchRaw(
      exposed.url.replace("0.0.0.0", "127.0.0.1"),
      "/model/checkpoint.json",
    );
    assert.equal(response.status, 200);
  } finally {
    await exposed.stop();
  }
});
