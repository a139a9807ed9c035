import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver-protocol/node';
import { OpenScenario } from './helpers';

/*
 * The SMMUv3 diagnostics that depend on the Linux release, as the server publishes them:
 * each names the release (and the kernel function that decides).
 */

const text = (kernel: string): string => `kernel ${kernel}
smmu s { version v3 }
domain d { fault stall; map 0x0 -> 0x8000_0000 size 1M rw }
domain p { map 0x0 -> 0x9000_0000 size 1M rw }
master cam { stream 0x10; stream 0x11; domain d; can-stall }
master nic { stream 0x2; domain p; pri }
handler h on d { retry }
handler q on p { success }
`;

let doc: OpenScenario;

before(async () => {
  doc = await OpenScenario.open(text('7.1'));
});

after(() => doc.close());

async function diagnosticsOf(source: string): Promise<Diagnostic[]> {
  return (await doc.change(source)).diagnostics.filter((d) => d.code !== 'predicted-fault');
}

function warning(needle: string, occurrence: number, code: string, message: string): Diagnostic {
  return { range: doc.range(needle, occurrence), severity: DiagnosticSeverity.Warning, code, source: 'iommu', message };
}

/** A warning on the domain name after `on` in `handler q on p`. */
function onP(code: string, message: string): Diagnostic {
  return { range: { start: doc.position('on p', 3), end: doc.position('on p', 4) }, severity: DiagnosticSeverity.Warning, code, source: 'iommu', message };
}

const priDenied = (kernel: string): string =>
  `handler 'q' never sees the page requests of master 'nic': upstream arm-smmu-v3 (every release, Linux ${kernel} too) logs "unexpected PRI request received" and denies each group (CMD_PRI_RESP PRI_RESP_DENY); 'pri-handling iopf' on smmu 's' runs the never-merged iopf path instead`;

describe('SMMUv3 diagnostics by release', () => {
  test('Linux 7.1: the ignored fault line, no iopf for a two-stream master (arm_smmu_enable_iopf), PRI denied', async () => {
    assert.deepEqual(await diagnosticsOf(text('7.1')), [
      warning(
        'stall',
        0,
        'fault-per-master',
        "on Linux 7.1 an SMMUv3 domain has no stall setting of its own: CD.S is each master's stall_enabled (its dma-can-stall, 'can-stall', under the STALL_MODEL of smmu 's'), so 'fault stall' is ignored",
      ),
      warning(
        'cam',
        0,
        'iopf-multiple-streams',
        "on Linux 7.1 arm_smmu_enable_iopf enables IOPF only for a master with exactly one StreamID, and master 'cam' has 2: handler 'h' never sees its stalls. The IOMMU core aborts each with CMD_RESUME to its first StreamID 0x10 (master->streams[0]), so a stall on any other stream is never resumed",
      ),
      onP('pri-denied', priDenied('7.1')),
    ]);
  });

  test('Linux 6.6: the domain takes its first master\'s stall_enabled; IOPF is refused by arm_smmu_master_iopf_supported', async () => {
    assert.deepEqual(await diagnosticsOf(text('6.6')), [
      warning(
        'stall',
        0,
        'fault-per-master',
        "on Linux 6.6 an SMMUv3 domain has no stall setting of its own: the domain takes stall_enabled from the first master attached to it, and a master that differs is refused (its dma-can-stall, 'can-stall', under the STALL_MODEL of smmu 's'), so 'fault stall' is ignored",
      ),
      warning(
        'cam',
        0,
        'iopf-multiple-streams',
        "on Linux 6.6 arm_smmu_master_iopf_supported enables IOPF only for a master with exactly one StreamID, and master 'cam' has 2: handler 'h' never sees its stalls. The IOMMU core aborts each with CMD_RESUME to its first StreamID 0x10 (master->streams[0]), so a stall on any other stream is never resumed",
      ),
      onP('pri-denied', priDenied('6.6')),
    ]);
  });

  test('Linux 6.6 refuses a second master whose stall_enabled differs; 7.1 attaches it', async () => {
    const second = (kernel: string) => text(kernel).replace('master nic { stream 0x2; domain p; pri }', 'master nic { stream 0x2; domain d }').replace('handler q on p { success }\n', '');
    const old = await diagnosticsOf(second('6.6'));
    assert.deepEqual(
      old.filter((d) => d.code === 'attach-fails').map((d) => d.message),
      [
        "iommu_attach_device fails: on Linux 6.6 SMMUv3 domain 'd' took stall_enabled from the first master attached to it ('cam', which stalls) and master 'nic' is not 'can-stall': arm_smmu_attach_dev fails -EINVAL. The master stays unattached and its transactions fault (a VFIO container would put it in a domain of its own).",
      ],
    );
    assert.deepEqual((await diagnosticsOf(second('7.1'))).filter((d) => d.code === 'attach-fails'), []);
  });
});
