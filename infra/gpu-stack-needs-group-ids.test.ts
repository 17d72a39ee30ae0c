import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as pulumi from '@pulumi/pulumi';
import { readStackConfig } from './config.ts';
import { PROJECT, projectDefaults } from './mocked-stack.ts';

test('a GPU stack without the host video and render GIDs is refused', () => {
  pulumi.runtime.setAllConfig({ ...projectDefaults(), [`${PROJECT}:gpu`]: 'vulkan' });
  assert.throws(() => readStackConfig(new pulumi.Config(PROJECT)), /videoGid/);
});

test('an unknown gpu mode is refused', () => {
  pulumi.runtime.setAllConfig({ ...projectDefaults(), [`${PROJECT}:gpu`]: 'cuda' });
  assert.throws(() => readStackConfig(new pulumi.Config(PROJECT)), /gpu/);
});
