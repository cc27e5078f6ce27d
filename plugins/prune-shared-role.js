'use strict';

// osls always compiles the shared role IamRoleLambdaExecution and grants it read access to every function's queues
// and streams, even when serverless-iam-roles-per-function has given each function a role of its own. Left in place,
// that unused role would hold the union of every function's permissions; this removes it once nothing refers to it.
// List it after serverless-iam-roles-per-function.
class PruneSharedRolePlugin {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:finalize': () => this.prune() };
  }

  prune() {
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate.Resources;
    const shared = this.serverless.getProvider('aws').naming.getRoleLogicalId();
    if (!resources[shared]) return;
    const others = Object.entries(resources).filter(([id]) => id !== shared);
    if (others.some(([, resource]) => JSON.stringify({ ...resource, DependsOn: undefined }).includes(`"${shared}"`))) return;
    delete resources[shared];
    for (const [, resource] of others) {
      if (Array.isArray(resource.DependsOn)) resource.DependsOn = resource.DependsOn.filter((id) => id !== shared);
      else if (resource.DependsOn === shared) delete resource.DependsOn;
    }
  }
}

module.exports = PruneSharedRolePlugin;
