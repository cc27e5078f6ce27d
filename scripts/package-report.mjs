// Prints what scripts/package.sh produced: each function's runtime, memory and artifact, and each zip's size packed
// and unpacked (Lambda's limits: 50 MB zipped, 250 MB unzipped).
//   node scripts/package-report.mjs STAGE
import { readFileSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { basename } from 'node:path';

const stage = process.argv[2] ?? 'dev';
const template = JSON.parse(readFileSync('.serverless/cloudformation-template-update-stack.json', 'utf8'));
const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;

const unzipped = (zip) =>
  execFileSync('unzip', ['-Zt', zip], { encoding: 'utf8' }).match(/, (\d+) bytes uncompressed/)?.[1] ?? '0';

console.log(`\npackage: stage ${stage} → .serverless/cloudformation-template-update-stack.json`);
console.log('function                runtime          memory  artifact');
for (const [id, resource] of Object.entries(template.Resources)) {
  if (resource.Type !== 'AWS::Lambda::Function') continue;
  const p = resource.Properties;
  console.log(`${p.FunctionName.replace(/^.*?-.*?-/, '').padEnd(24)}${p.Runtime.padEnd(17)}${String(p.MemorySize).padStart(6)}  ${basename(p.Code.S3Key)}`);
}
console.log('\nzip                     packed      unpacked');
for (const zip of new Set(Object.values(template.Resources)
  .filter((r) => r.Type === 'AWS::Lambda::Function')
  .map((r) => basename(r.Properties.Code.S3Key)))) {
  const path = `.serverless/${zip}`;
  console.log(`${zip.padEnd(24)}${mib(statSync(path).size).padEnd(12)}${mib(Number(unzipped(path)))}`);
}
