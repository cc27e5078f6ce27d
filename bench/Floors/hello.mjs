// The Node.js hello floor: the smallest honest Lambda custom runtime, the same loop as HelloAot (next, then a fixed
// "{}" on response), run as `node bench/Floors/hello.mjs` with AWS_LAMBDA_RUNTIME_API set. No logging, no JSON.
// node:http with one keep-alive socket rather than global fetch: node:http is in Node's startup snapshot, while the
// first fetch loads and compiles undici, which costs init time a floor must not carry (and undici adds per-request
// work that node:http does not).
import http from "node:http";

const runtimeApi = process.env.AWS_LAMBDA_RUNTIME_API;
if (!runtimeApi) {
  process.stderr.write("AWS_LAMBDA_RUNTIME_API is not set\n");
  process.exit(2);
}
const [host, port] = runtimeApi.split(":");
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const body = Buffer.from("{}");
const base = "/2018-06-01/runtime/invocation/";

function call(method, path, payload) {
  return new Promise((resolve, reject) => {
    const request = http.request({ host, port, method, path, agent, headers: payload ? { "content-type": "application/json", "content-length": payload.length } : {} }, (response) => {
      response.on("data", () => {}).on("end", () => resolve(response)).on("error", reject);
    });
    request.on("error", reject);
    request.end(payload);
  });
}

for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));

try {
  for (;;) {
    const next = await call("GET", base + "next");
    if (next.statusCode === 500) process.exit(0); // the environment is going away: the documented reaction is to exit
    if (next.statusCode !== 200) throw new Error(`next: ${next.statusCode}`);
    const response = await call("POST", base + next.headers["lambda-runtime-aws-request-id"] + "/response", body);
    if (response.statusCode !== 202) throw new Error(`response: ${response.statusCode}`);
  }
} catch (error) {
  // The Runtime API closed the connection or is gone: the environment ended.
  if (["ECONNRESET", "ECONNREFUSED", "EPIPE"].includes(error.code)) process.exit(0);
  throw error;
}
