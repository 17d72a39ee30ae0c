// Pulumi entry point (Pulumi.yaml `main: infra/`): the exports below are the stack outputs.
import { fileURLToPath } from 'node:url';
import { readStackConfig } from './config.ts';
import { readObservabilityFiles } from './observability-files.ts';
import { createStack } from './stack.ts';

const outputs = createStack(readStackConfig(), readObservabilityFiles(fileURLToPath(new URL('../dashboards', import.meta.url))));

export const gatewayUrl = outputs.gatewayUrl;
export const gatewayImage = outputs.gatewayImage;
export const gatewayReplicas = outputs.gatewayReplicas;
export const alertReceiver = outputs.alertReceiver;
export const gatewayWebSocketUrl = outputs.gatewayWebSocketUrl;
export const grafanaUrl = outputs.grafanaUrl;
export const gatewayApiKeys = outputs.gatewayApiKeys;
export const grafanaAdminPassword = outputs.grafanaAdminPassword;
