import assert from 'node:assert/strict';
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
  assert.equal(
    hoverText('kernel 6.3\nsmmu s { version v2 }\n', '6.3'),
    [
      '**kernel 6.3**: runs as Linux 6.1, the newest modelled release not newer than 6.3.',
      '',
      '- unmapping part of a block: the block is split into next-level leaves and the part is unmapped (split_blk_unmap) (until 6.13, 33729a5fc0ca ("iommu/io-pgtable-arm: Remove split on unmap behavior"))',
      "- dma-iommu's lazy flush queue (`dma lazy`): kept by dma-iommu.c: queue_iova, then fq_flush_timeout → fq_flush_iotlb → flush_iotlb_all (drivers/iommu/dma-iommu.c) (since 5.17, f7f07484542f (\"iommu/iova: Move flush queue code to iommu-dma\"))",
    ].join('\n'),
  );
  assert.equal(
    hoverText('kernel 7.1\n', 'kernel'),
    [
      '**kernel 7.1**: runs as Linux 7.1.',
      '',
      '- unmapping part of a block: refused: io-pgtable-arm warns "Unmap of a partial large IOPTE is not allowed" and unmaps nothing (since 6.13, 33729a5fc0ca ("iommu/io-pgtable-arm: Remove split on unmap behavior"))',
      "- dma-iommu's lazy flush queue (`dma lazy`): kept by dma-iommu.c: queue_iova, then fq_flush_timeout → fq_flush_iotlb → flush_iotlb_all (drivers/iommu/dma-iommu.c) (since 5.17, f7f07484542f (\"iommu/iova: Move flush queue code to iommu-dma\"))",
    ].join('\n'),
  );
  assert.equal(hoverText('kernel 5.4\n', '5.4'), '**kernel 5.4**: older than every release the model runs (5.15, 6.1, 6.6, 6.12, 7.1).');
});
