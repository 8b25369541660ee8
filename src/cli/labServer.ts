/**
 * The Lab's local server: the built page (dist/lab) and one model folder's files, read-only. A
 * request can name only a regular file inside those two folders: `..`, encoded separators, hidden
 * files and symbolic links that lead outside are refused, whatever the URL says. Every response
 * carries the cross-origin-isolation headers that multithreaded Wasm (SharedArrayBuffer) needs.
 *
 * Exposure: the server answers only requests whose Host header names it as it is reached without
 * a DNS name chosen by someone else (localhost, an IP address, the host it was bound to, this
 * machine's name), with 421 otherwise: a web page that rebinds its own DNS name to 127.0.0.1 would
 * otherwise read the model through the visitor's browser. Binding beyond loopback is the command's
 * decision (`--expose`, ./lab.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createReadStream, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { isIP } from "node:net";
import { hostname } from "node:os";
import { extname, join, sep } from "node:path";
import { LocalistError } from "../engine/errors.js";

/** Where the model's files appear in the page's URL space. */
export const MODEL_PREFIX = "/model/";
/** The list of the model's files, which the page reads instead of probing for files (no 404s). */
export const MODEL_LISTING = "/model-files.json";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".safetensors": "application/octet-stream",
};

/** Headers on every response: isolation (COOP/COEP/CORP), no sniffing, no caching of a model that may change. */
const HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
  "X-Content-Type-Options": "nosniff",
  "Cache-Control": "no-store",
};

/** Whether `host` (a --host value) names only this machine's loopback interface. */
export function isLoopback(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (name === "localhost" || name === "::1") return true;
  const v4 = name.replace(/^::ffff:/, "");
  return isIP(v4) === 4 && v4.startsWith("127.");
}

/** The host name of a Host header, without its port or IPv6 brackets, lower-cased. */
function headerHost(header: string): string {
  const value = header.trim().toLowerCase();
  if (value.startsWith("[")) {
    const end = value.indexOf("]");
    return end < 0 ? "" : value.slice(1, end);
  }
  return value.replace(/:\d*$/, "");
}

/**
 * Whether a request's Host header names this server in a way no web page can forge by DNS
 * rebinding: localhost, an IP address, the host it was bound to, or this machine's name.
 */
export function hostAllowed(header: string | undefined, bound: string): boolean {
  if (header === undefined || header === "") return false;
  const name = headerHost(header);
  if (name === "") return false;
  if (name === "localhost" || isIP(name) !== 0) return true;
  return name === headerHost(bound) || name === hostname().toLowerCase();
}

/**
 * The file that the URL path `relative` (already split from its prefix, still percent-encoded)
 * names inside `root`, or undefined when it names nothing servable there.
 */
export function confinedFile(root: string, relative: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    return undefined;
  }
  // Separators and NULs that arrive encoded are refused rather than interpreted.
  if (decoded.includes("\0") || decoded.includes("\\")) return undefined;
  const parts = decoded.split("/");
  if (parts.some((part) => part === "" || part.startsWith("."))) return undefined;
  let real: string;
  try {
    real = realpathSync(join(root, ...parts));
  } catch {
    return undefined;
  }
  // realpath resolves symbolic links: whatever they point at must still be inside the root.
  if (!real.startsWith(root + sep)) return undefined;
  try {
    if (!statSync(real).isFile()) return undefined;
  } catch {
    return undefined;
  }
  return real;
}

/** Every file the server would serve from the model folder, as paths relative to it. */
export function modelFiles(root: string, prefix = ""): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(join(root, prefix), { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const relative = `${prefix}${entry.name}`;
    if (entry.isDirectory()) found.push(...modelFiles(root, `${relative}/`));
    else if (confinedFile(root, relative.split("/").map(encodeURIComponent).join("/")))
      found.push(relative);
  }
  return found.sort();
}

/** The page, told where the model's listing is: a static copy of the page has no such tag. */
function pageWithModel(file: string): Buffer {
  const html = readFileSync(file, "utf8");
  const tag = `<meta name="localist-model" content="${MODEL_LISTING.slice(1)}" />`;
  return Buffer.from(html.replace("</head>", `    ${tag}\n  </head>`));
}

function send(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { ...HEADERS, "Content-Type": "text/plain; charset=utf-8" });
  response.end(`${text}\n`);
}

function sendBody(
  response: ServerResponse,
  request: IncomingMessage,
  type: string,
  body: Buffer,
): void {
  response.writeHead(200, { ...HEADERS, "Content-Type": type, "Content-Length": body.length });
  response.end(request.method === "HEAD" ? undefined : body);
}

function handle(
  request: IncomingMessage,
  response: ServerResponse,
  roots: { page: string; model: string; host: string },
): void {
  if (!hostAllowed(request.headers.host, roots.host))
    return send(
      response,
      421,
      "misdirected request: this Lab answers to localhost, an IP address or the host it listens on, not to this Host header",
    );
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.setHeader("Allow", "GET, HEAD");
    return send(response, 405, "read-only: GET and HEAD only");
  }
  const path = (request.url ?? "/").split(/[?#]/)[0];
  if (path === MODEL_LISTING)
    return sendBody(
      response,
      request,
      "application/json; charset=utf-8",
      Buffer.from(JSON.stringify({ files: modelFiles(roots.model) })),
    );
  if (path === "/" || path === "/index.html") {
    const page = confinedFile(roots.page, "index.html");
    if (page === undefined) return send(response, 404, "not found");
    return sendBody(response, request, TYPES[".html"], pageWithModel(page));
  }
  let file: string | undefined;
  if (path.startsWith(MODEL_PREFIX))
    file = confinedFile(roots.model, path.slice(MODEL_PREFIX.length));
  else if (path.startsWith("/")) file = confinedFile(roots.page, path.slice(1));
  if (file === undefined) return send(response, 404, "not found");
  response.writeHead(200, {
    ...HEADERS,
    "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
    "Content-Length": statSync(file).size,
  });
  if (request.method === "HEAD") return void response.end();
  createReadStream(file).pipe(response);
}

export interface LabServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** The real path of a folder, or a one-line error naming what it is for. */
function realFolder(path: string, what: string): string {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    throw new LocalistError(`${what} ${path} does not exist`);
  }
  if (!statSync(real).isDirectory()) throw new LocalistError(`${what} ${path} is not a folder`);
  return real;
}

/** Serves `page` and `model` on host:port (0 = any free port); one-line errors for a busy port. */
export async function startLabServer(options: {
  page: string;
  model: string;
  host: string;
  port: number;
}): Promise<LabServer> {
  const roots = {
    page: realFolder(options.page, "the Lab page"),
    model: realFolder(options.model, "model folder"),
    host: options.host,
  };
  const server = createServer((request, response) => {
    try {
      handle(request, response, roots);
    } catch {
      if (!response.headersSent) send(response, 500, "cannot read the file");
      else response.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const where = `${options.host}:${options.port}`;
      if (error.code === "EADDRINUSE")
        reject(
          new LocalistError(
            `port ${options.port} on ${options.host} is in use; choose another with --port`,
          ),
        );
      else if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND")
        reject(
          new LocalistError(
            `cannot listen on ${where}: no such local address; give --host 127.0.0.1 or this machine's address`,
          ),
        );
      else if (error.code === "EACCES")
        reject(
          new LocalistError(
            `cannot listen on ${where}: permission denied; choose a port above 1023`,
          ),
        );
      else reject(new LocalistError(`cannot listen on ${where}: ${error.message}`));
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
