'use strict';

// Stage settings (throttling per stage and per route) belong in the template, but osls creates the stage implicitly
// through AWS::ApiGateway::Deployment.StageName, and the Deployment gets a new logical id on every package, so
// resources/extensions cannot reach it. This turns the implicit stage into an explicit AWS::ApiGateway::Stage
// (ApiGatewayStage) that carries custom.apiGatewayStage.methodSettings.
// A stack first deployed without this plugin already has the stage: delete the stage once (or deploy a new stack).
class ApiGatewayStagePlugin {
  constructor(serverless) {
    this.serverless = serverless;
    serverless.configSchemaHandler.defineCustomProperties({
      type: 'object',
      properties: {
        apiGatewayStage: {
          type: 'object',
          properties: {
            methodSettings: { type: 'array', items: { type: 'object' } },
            dependsOn: { type: 'array', items: { type: 'string' } },
          },
          additionalProperties: false,
        },
      },
    });
    this.hooks = { 'before:package:finalize': () => this.addStage() };
  }

  addStage() {
    const config = (this.serverless.service.custom || {}).apiGatewayStage;
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    const deploymentIds = Object.keys(template.Resources).filter((id) => template.Resources[id].Type === 'AWS::ApiGateway::Deployment');
    if (!config || deploymentIds.length !== 1) return;
    const deployment = template.Resources[deploymentIds[0]];
    const stageName = deployment.Properties.StageName;
    delete deployment.Properties.StageName;
    // Gateway responses are part of what a deployment publishes.
    deployment.DependsOn = [...new Set([...[].concat(deployment.DependsOn || []), ...(config.dependsOn || [])])];
    template.Resources[this.serverless.getProvider('aws').naming.getStageLogicalId()] = {
      Type: 'AWS::ApiGateway::Stage',
      Properties: {
        RestApiId: deployment.Properties.RestApiId,
        DeploymentId: { Ref: deploymentIds[0] },
        StageName: stageName,
        MethodSettings: config.methodSettings || [],
      },
    };
  }
}

module.exports = ApiGatewayStagePlugin;
