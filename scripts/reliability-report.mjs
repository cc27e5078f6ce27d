// Merges the figures the reliability scenarios recorded (one JSON part each, named section.scenario.json) into
// artifacts/reliability/results.json in the shape, and prints them as one table.
// Usage: node scripts/reliability-report.mjs <parts dir> <results.json> <scale> <wall seconds>
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

const [partsDir, resultsFile, scale, wallSeconds] = process.argv.slice(2);
const parts = readdirSync(partsDir).filter((f) => f.endsWith('.json')).sort()
  .map((f) => ({ section: f.split('.')[0], scenario: f.split('.').slice(1, -1).join('.'), figures: JSON.parse(readFileSync(path.join(partsDir, f), 'utf8')) }));
const inSection = (name) => parts.filter((p) => p.section === name);

// Sections whose scenarios add up: the totals, and each scenario's own figures beside them.
const summed = (name, keys) => {
  const scenarios = inSection(name);
  const totals = Object.fromEntries(keys.map((k) => [k, scenarios.reduce((sum, p) => sum + (p.figures[k] ?? 0), 0)]));
  return { ...totals, scenarios: Object.fromEntries(scenarios.map((p) => [p.scenario, p.figures])) };
};

const git = (args) => { try { return execSync(`git ${args}`, { encoding: 'utf8' }).trim(); } catch { return null; } };
const results = {
  machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}`,
  commit: git('rev-parse --short HEAD'),
  date: new Date().toISOString(),
  scale,
  wallSeconds: Number(wallSeconds),
  load: inSection('load')[0]?.figures ?? null,
  faults: inSection('faults').map((p) => p.figures),
  hostile: summed('hostile', ['cases', 'serverErrors', 'writesOnRejected']),
  access: summed('access', ['checks', 'leaks']),
};
writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n');

const rows = [];
if (results.load) {
  const l = results.load;
  rows.push(['load', `${l.invoices} invoices, ${l.paid} paid, ${l.charges} charges, ${l.doubleCharges} double, ${l.undecided} undecided, ${l.duplicateEmails} duplicate emails, ${l.throughputPerSecond}/s`]);
}
for (const f of results.faults) rows.push([`fault: ${f.name}`, `${f.passed ? 'passed' : 'FAILED'}: ${f.detail.split('; HTTP answers')[0]}`]);
for (const [name, h] of Object.entries(results.hostile.scenarios)) {
  rows.push([`hostile: ${name}`, `${h.cases} cases, ${h.serverErrors} server errors` + (h.writesOnRejected === undefined ? '' : `, ${h.writesOnRejected} writes on rejected input`)]);
}
for (const [name, a] of Object.entries(results.access.scenarios)) rows.push([`access: ${name}`, `${a.checks} checks, ${a.leaks} leaks`]);
const width = Math.max(8, ...rows.map((r) => r[0].length));
console.log(`\nreliability (${scale}, ${results.wallSeconds} s, ${results.commit}, ${results.machine})`);
for (const [name, figures] of rows) console.log(`  ${name.padEnd(width)}  ${figures}`);
console.log(`\nwritten: ${resultsFile}`);
