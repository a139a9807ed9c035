import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shownPath } from '../../debug-adapter/scenarioErrors';

test('a scenario in cwd, or below it: from ./, which the Debug Console links from the workspace folder', () => {
  assert.equal(shownPath('/work/ws/broken.iommu', '/work/ws'), './broken.iommu');
  assert.equal(shownPath('/work/ws/gpu/broken.iommu', '/work/ws'), './gpu/broken.iommu');
});

test('a scenario outside cwd: relative all the same, never absolute', () => {
  assert.equal(shownPath('/work/other/broken.iommu', '/work/ws'), '../other/broken.iommu');
});

test('a file whose name starts with two dots is still below cwd', () => {
  assert.equal(shownPath('/work/ws/..broken.iommu', '/work/ws'), './..broken.iommu');
});
