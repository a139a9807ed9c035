import { granuleOfBytes } from '../../pgtable/granule';
import { VfioDeclaration, DomainDeclaration, HandlerDeclaration, HandlerStatement, MasterDeclaration, pageResponses, PageResponse, ResponseStatement, StallResponse } from '../ast';
import { PriResponse, resumeActionOf } from '../../smmu/v3/commands';
import { linuxS1Cd } from '../../smmu/v3/cd';
import { masterStallOf } from './attach';
import { CheckContext, versionOf } from './context';
import { openEnds } from './handlers';
import { BlockSettings } from './settings';
import { placedMasters, v3Attachment } from './v3Attachments';
import { CheckedContainer } from './vfio';
import { knownSmmuKind } from '../../smmu/kinds';
import { hasChange } from '../../kernel/versions';
import { hex } from '../../util/u64';

/**
 * SMMUv3 checks that need more than one block: whether a handler's faults can reach it, and
 * how its responses are sent; a domain's output size against CD.IPS. (PASID traffic is
 * checked in pasidTraffic.ts.) What they say follows the emulator (emulator/smmu/v3,
 * emulator/kernel/iopf.ts), which follows Linux's arm-smmu-v3 driver.
 */

/** A master whose faults on a domain reach the IOMMU core: as its attached domain or at a PASID. */
interface DomainUser {
  master: MasterDeclaration;
  pri: boolean;
  /** Linux's master->stall_enabled (attach.ts `masterStallOf`). Else its CDs have S=0. */
  stalls: boolean;
}

/**
 * Who uses each domain: the masters attached at start (as the machine attaches them: to
 * their own domain, or by a vfio container, `placed`), at their `domain` and at each
 * `pasid N -> NAME`; an unattached master's STE aborts everything, so its bindings are never
 * used. A placed master's own domain is a container's, which no handler can be on.
 */
export function domainUsers(
  masters: readonly MasterDeclaration[],
  placed: ReadonlySet<MasterDeclaration>,
  context: Pick<CheckContext, 'settings' | 'symbols' | 'smmuOf' | 'ownAttached'>,
): Map<DomainDeclaration, DomainUser[]> {
  const domainOf = (name: string | undefined): DomainDeclaration | undefined => (name === undefined ? undefined : context.symbols.get('domain', name)?.declaration);
  const users = new Map<DomainDeclaration, DomainUser[]>();
  for (const master of masters) {
    const attachment = v3Attachment(master, context, placed);
    if (!attachment) continue;
    const user = { master, pri: context.settings.get(master)?.flag('pri') ?? false, stalls: masterStallOf(master, context)?.stalls ?? false };
    const own = 'own' in attachment ? attachment.own : undefined;
    for (const domain of [own, ...master.pasids.map((b) => domainOf(b.domain?.text))]) {
      if (!domain) continue;
      const list = users.get(domain) ?? [];
      if (!list.includes(user)) list.push(user);
      users.set(domain, list);
    }
  }
  return users;
}

/**
 * How Linux sends a handler's answer (kernel/iopf.ts): a stall gets CMD_RESUME, where
 * arm_smmu_page_response maps SUCCESS to retry and INVALID/FAILURE to abort; a page request
 * group gets CMD_PRI_RESP, where the scenario's retry/terminate/abort read as
 * Success/InvalidRequest/ResponseFailure.
 */
const priResponseOfStall: Record<StallResponse, PriResponse> = { retry: 'success', terminate: 'invalid', abort: 'failure' };
const priResponseNames: Record<PriResponse, string> = { success: 'Success', invalid: 'InvalidRequest', failure: 'ResponseFailure' };

function isPageResponse(response: ResponseStatement['response']): response is PageResponse {
  return (pageResponses as readonly string[]).includes(response);
}

function responses(statements: readonly HandlerStatement[]): ResponseStatement[] {
  return statements.flatMap((s): ResponseStatement[] => {
    if (s.kind === 'response') return [s];
    if (s.kind === 'if') return [...responses(s.then), ...responses(s.otherwise ?? [])];
    return [];
  });
}

function names(users: readonly DomainUser[]): string {
  return `${users.length === 1 ? 'master' : 'masters'} ${users.map((u) => `'${u.master.name?.text ?? '?'}'`).join(', ')}`;
}

/** The function that enables IOPF for a master on `kernel` (kernelBehaviours.smmuV3IopfAtAttach). */
function iopfCheck(kernel: CheckContext['kernel']): string {
  return hasChange(kernel, 'smmuV3IopfAtAttach') ? 'arm_smmu_enable_iopf' : 'arm_smmu_master_iopf_supported';
}

/**
 * A master with more than one StreamID never gets IOPF (kernel/iopf.ts `iopfRefusal`): the
 * handler never sees its stalls (or page request groups); the core answers them at once
 * with the master's first StreamID, so a stall on any other stream is never resumed.
 */
function warnNoIopf(user: DomainUser, handlerName: string, context: CheckContext): void {
  const master = user.master;
  const first = master.streams[0]?.id?.value;
  const at = first === undefined ? '' : ` ${hex(first)}`;
  const answered = user.pri
    ? `its page request groups. The IOMMU core answers each with CMD_PRI_RESP to its first StreamID${at} (master->streams[0])`
    : `its stalls. The IOMMU core aborts each with CMD_RESUME to its first StreamID${at} (master->streams[0]), so a stall on any other stream is never resumed`;
  context.sink.warning(
    'iopf-multiple-streams',
    master.name?.range ?? master.range,
    `on Linux ${context.kernel} ${iopfCheck(context.kernel)} enables IOPF only for a master with exactly one StreamID, and master '${master.name?.text ?? '?'}' has ${master.streams.length}: handler '${handlerName}' never sees ${answered}`,
  );
}

/** Whether an SMMUv3 hands page requests to the IOMMU core (`pri-handling iopf`); upstream it denies them. */
function priReachesIopf(domain: DomainDeclaration, context: CheckContext): boolean {
  const smmu = context.smmuOf.get(domain)?.declaration;
  return (smmu && context.settings.get(smmu)?.word('pri-handling')) === 'iopf';
}

/** A handler on a domain of an SMMUv3: can any fault reach it, and what do its responses become. */
function checkV3Handler(handler: HandlerDeclaration, domain: DomainDeclaration, users: readonly DomainUser[], context: CheckContext): void {
  const on = handler.domain;
  const settings = context.settings.get(domain);
  if (!on || !settings) return;
  const domainName = domain.name?.text ?? '?';
  const handlerName = handler.name?.text ?? '?';
  const smmu = context.smmuOf.get(domain)?.name ?? '?';
  const pri = users.filter((u) => u.pri);
  const priReaching = priReachesIopf(domain, context) ? pri : [];
  const priUsers = priReaching.filter((u) => u.master.streams.length === 1);
  const stalling = users.filter((u) => !u.pri && u.stalls);
  const stallUsers = stalling.filter((u) => u.master.streams.length === 1);
  for (const user of [...stalling, ...priReaching]) if (user.master.streams.length > 1) warnNoIopf(user, handlerName, context);
  if (priReaching.length === 0 && pri.length > 0) {
    context.sink.warning(
      'pri-denied',
      on.range,
      `handler '${handlerName}' never sees the page requests of ${names(pri)}: upstream arm-smmu-v3 (every release, Linux ${context.kernel} too) logs "unexpected PRI request received" and denies each group (CMD_PRI_RESP PRI_RESP_DENY); 'pri-handling iopf' on smmu '${smmu}' runs the never-merged iopf path instead`,
    );
  }
  if (stallUsers.length === 0 && priUsers.length === 0) {
    if (stalling.length > 0 || pri.length > 0) return;
    context.sink.warning(
      'handler-never-runs',
      on.range,
      `handler '${handlerName}' never runs: no master using domain '${domainName}' stalls (CD.S=0: Linux writes CD.S from each master's stall_enabled) on SMMUv3 '${smmu}', whose event records arm_smmu_evtq_thread only prints, and no PRI master uses it to send page requests`,
    );
    return;
  }
  checkOpenEnds(handler, stallUsers.length > 0, context);
  for (const statement of responses(handler.body)) {
    const response = statement.response;
    if (isPageResponse(response) && stallUsers.length > 0) {
      context.sink.report(
        'hint',
        'response-mapping',
        statement.range,
        `on a stall of ${names(stallUsers)}, '${response}' is sent as CMD_RESUME ${resumeActionOf(response)} (Linux's arm_smmu_page_response: SUCCESS → retry, INVALID and FAILURE → abort)`,
      );
    } else if (!isPageResponse(response) && priUsers.length > 0) {
      context.sink.report(
        'hint',
        'response-mapping',
        statement.range,
        `on a page request group of ${names(priUsers)}, '${response}' is sent as CMD_PRI_RESP ${priResponseNames[priResponseOfStall[response]]} (retry → Success, terminate → InvalidRequest, abort → ResponseFailure)`,
      );
    }
  }
}

/**
 * On an SMMUv3 the IOMMU core runs every handler from a workqueue, whatever its `context`,
 * and a path that returns without an answer sends nothing: the stalled transaction, or the
 * device waiting on its page request group, waits for ever.
 */
function checkOpenEnds(handler: HandlerDeclaration, stalls: boolean, context: CheckContext): void {
  const name = handler.name;
  if (!name) return;
  const what = stalls ? 'the stalled transaction stays stalled and the master hangs' : 'the page request group is never answered and the device waits for it';
  for (const end of openEnds(handler.body, name.range)) {
    const where = end === name.range ? 'its end' : `line ${context.lines.lineOf(end.start)}`;
    context.sink.warning('no-response', end, `a path through handler '${name.text}' reaches ${where} without a response: ${what}`);
  }
}

/** CD.IPS encodes only some output sizes: the CD Linux writes (and the emulator's encoder) refuses the others. */
function checkOutputSize(domain: DomainDeclaration, settings: BlockSettings, context: CheckContext): void {
  const oas = Number(settings.number('oas'));
  try {
    linuxS1Cd({ ias: Number(settings.number('ias')), oas, tg0: granuleOfBytes(Number(settings.number('granule'))).tg0, ttb0: 0n, asid: 1, stall: false, record: false, abort: false });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const at = settings.node('oas')?.value?.range ?? domain.name?.range ?? domain.range;
    context.sink.error('oas-ips', at, `oas ${oas} has no CD.IPS encoding: on an SMMUv3 the output address size is 32, 36, 40, 42, 44 or 48 bits`);
  }
}

/**
 * `fault stall|terminate` in an SMMUv3 domain or container: Linux has no per-domain stall
 * choice there. CD.S is master->stall_enabled — the master's dma-can-stall (`can-stall`)
 * under STALL_MODEL stall, every master under force-stall, none under no-stall — per master
 * from 6.10, and before that the stall_enabled of the first master attached. The run
 * follows Linux and ignores the setting.
 */
export function checkV3FaultSetting(owner: DomainDeclaration | VfioDeclaration, settings: BlockSettings, context: CheckContext): void {
  const smmu = context.smmuOf.get(owner);
  const written = settings.node('fault');
  if (!smmu?.declaration || !written || !knownSmmuKind(versionOf(context, smmu))?.stallModel) return;
  const source = hasChange(context.kernel, 'smmuV3CdStallPerMaster')
    ? "CD.S is each master's stall_enabled"
    : 'the domain takes stall_enabled from the first master attached to it, and a master that differs is refused';
  context.sink.warning(
    'fault-per-master',
    written.value?.range ?? written.range,
    `on Linux ${context.kernel} an SMMUv3 domain has no stall setting of its own: ${source} (its dma-can-stall, 'can-stall', under the STALL_MODEL of smmu '${smmu.name}'), so 'fault ${settings.word('fault')}' is ignored`,
  );
}

/** Runs after the vfio containers are placed: a master they attached uses the domains it binds at its PASIDs. */
export function checkSmmuV3(
  declarations: { domains: readonly DomainDeclaration[]; masters: readonly MasterDeclaration[]; handlers: readonly HandlerDeclaration[]; containers: readonly CheckedContainer[] },
  context: CheckContext,
): void {
  const kindOf = (domain: DomainDeclaration) => knownSmmuKind(versionOf(context, context.smmuOf.get(domain)));
  for (const domain of declarations.domains) {
    const settings = context.settings.get(domain);
    if (settings && kindOf(domain)?.contextDescriptors) checkOutputSize(domain, settings, context);
  }
  const users = domainUsers(declarations.masters, placedMasters(declarations.containers), context);
  for (const handler of declarations.handlers) {
    const domain = handler.domain ? context.symbols.get('domain', handler.domain.text)?.declaration : undefined;
    if (domain && kindOf(domain)?.faultsToIopfWorkqueue) checkV3Handler(handler, domain, users.get(domain) ?? [], context);
  }
}
