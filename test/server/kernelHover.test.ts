import assert from 'node:assert/strict';
import { behavioursOf } from '../../emulator/kernel/versions';
import { test } from 'node:test';
import { MarkupContent } from 'vscode-languageserver-protocol/node';
import { Analysis } from '../../server/analysis';
import { hover } from '../../server/hover';
import { scenarioUri } from './helpers';

function hoverText(text: string, at: string): string | undefined {
  const analysis = new Analysis(scenarioUri, 1, text);
  const found = hover(analysis, analysis.positionAt(text.indexOf(at)));
  return (found?.contents as MarkupContent | undefined)?.value;
}

test('hover on `kernel X.Y`: the release it runs as, and what that selects, with the commits', () => {
  // Every behaviour of versions.ts, in its order, as that release has it (kernelVersions.test.ts checks the words).
  assert.equal(
    hoverText('kernel 6.3\nsmmu s { version v2 }\n', '6.3'),
    ['**kernel 6.3**: runs as Linux 6.1, the newest modelled release not newer than 6.3.', '', ...behavioursOf('6.1').map((b) => `- ${b}`)].join('\n'),
  );
  assert.match(hoverText('kernel 6.3\n', '6.3') ?? '', /\n- unmapping part of a block: the block is split into next-level leaves and the part is unmapped \(split_blk_unmap\) \(until 6\.13, 33729a5fc0ca/);
  assert.equal(hoverText('kernel 7.1\n', 'kernel'), ['**kernel 7.1**: runs as Linux 7.1.', '', ...behavioursOf('7.1').map((b) => `- ${b}`)].join('\n'));
  assert.match(hoverText('kernel 7.1\n', 'kernel') ?? '', /\n- SMMUv2 RESUME of a stalled context fault: arm_smmu_context_fault writes FSR back, then RESUME from report_iommu_fault's return: -EAGAIN \(retry\) retries, anything else terminates; a workqueue handler answers too late \(since 6\.16, 3053a2c5086d/);
  assert.equal(hoverText('kernel 5.4\n', '5.4'), '**kernel 5.4**: older than every release the model runs (5.15, 6.1, 6.6, 6.12, 7.1).');
});
