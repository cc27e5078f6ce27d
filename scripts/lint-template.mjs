// Lints the packaged CloudFormation template with cfn-lint and fails on anything that is not a known false positive.
//   node scripts/lint-template.mjs [.serverless/cloudformation-template-update-stack.json]
// 1. The npm cfn-lint (pinned in package.json; 1.9.7 is what npm serves here) always. Its resource specification
//    predates several properties CloudFormation has since added, so it calls them invalid; each such property is
//    listed below by resource type and property path. It has no rule ids: the message identifies the rule.
// 2. Python's cfn-lint too when the machine has it (its specification is current); filtered by rule id and path.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.serverless/cloudformation-template-update-stack.json';
const template = JSON.parse(readFileSync(file, 'utf8'));
const typeOf = (logicalId) => template.Resources[logicalId]?.Type;

// Properties CloudFormation added after cfn-lint 1.9.7's specification: "X is not a valid property of Type".
const newerProperties = {
  'AWS::Lambda::Function': ['Architectures'],
  'AWS::Lambda::EventSourceMapping': ['FunctionResponseTypes', 'MaximumRetryAttempts', 'BisectBatchOnFunctionError', 'DestinationConfig', 'ScalingConfig'],
  'AWS::SQS::Queue': ['SqsManagedSseEnabled'],
  'AWS::S3::Bucket': ['OwnershipControls'],
  'AWS::Cognito::UserPool': ['AccountRecoverySetting'],
  'AWS::Cognito::UserPoolClient': ['PreventUserExistenceErrors'],
  'AWS::ApiGateway::RestApi': ['Tags'],
};

function npmFalsePositive({ resource, message }) {
  const [, logicalId, , property] = resource.split(' > ');
  const type = typeOf(logicalId);
  if (message === `${property} is not a valid property of ${type}` && newerProperties[type]?.includes(property)) return true;
  // osls writes an empty Policy on the RestApi when none is configured; CloudFormation accepts it.
  return resource === 'Resources > ApiGatewayRestApi > Properties > Policy' && message === "Expecting a JSON object, got ''";
}

// Python cfn-lint: rule id and where it may occur.
const pythonFalsePositives = [
  // serverless-iam-roles-per-function adds DependsOn on the role a function already reaches through GetAtt.
  { rule: 'W3005', path: /^Resources\/\w+LambdaFunction\/DependsOn\/\d+$/ },
  // The alarm email is a stage parameter, known at package time: its condition is constant by design.
  { rule: 'W8003', path: /^Conditions\/HasAlarmEmail\/Fn::Not\/0$/ },
];

let unexpected = 0;
const require = createRequire(import.meta.url);
const npm = require('cfn-lint').validateFile(file, { guessParameters: [] });
let filtered = 0;
for (const level of ['crit', 'warn']) {
  for (const error of npm.errors[level]) {
    if (npmFalsePositive(error)) { filtered++; continue; }
    unexpected++;
    console.log(`cfn-lint (npm) ${level}: ${error.resource}: ${error.message}`);
  }
}
console.log(`cfn-lint (npm 1.9.7): ${npm.errors.crit.length + npm.errors.warn.length} findings, ${filtered} known false positives`);

let python;
try {
  python = execFileSync('cfn-lint', ['--version'], { encoding: 'utf8', env: { ...process.env, PATH: process.env.PATH.split(':').filter((p) => !p.includes('node_modules')).join(':') } }).trim();
} catch {
  console.log('cfn-lint (Python): not on this machine; skipped');
}
if (python) {
  let output;
  try {
    output = execFileSync('cfn-lint', ['-t', file, '--format', 'json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (error) {
    output = error.stdout; // it exits non-zero whenever it finds anything
  }
  const findings = JSON.parse(output || '[]');
  let known = 0;
  for (const finding of findings) {
    const path = finding.Location.Path.join('/');
    if (pythonFalsePositives.some((f) => f.rule === finding.Rule.Id && f.path.test(path))) { known++; continue; }
    unexpected++;
    console.log(`${python} ${finding.Rule.Id}: ${path}: ${finding.Message}`);
  }
  console.log(`${python}: ${findings.length} findings, ${known} known false positives`);
}

if (unexpected) {
  console.error(`lint-template: ${unexpected} finding(s) in ${file}`);
  process.exit(1);
}
console.log('lint-template: clean');
