import { MasterDeclaration, StreamSetting } from '../ast';
import { SmmuVersion } from '../schema';
import { smmuKind } from '../../smmu/kinds';
import { hex } from '../../util/u64';
import { CheckContext, versionOf } from './context';

/** A checked stream of a master: one SMR on SMMUv2 (`mask` 0 when none), one StreamID on SMMUv3. */
export interface CheckedStream {
  node: StreamSetting;
  id: bigint;
  mask: bigint;
}

// Linux enables extended StreamIDs where the SMMU has them (sCR0.EXIDENABLE): SMR.ID [15:0]
// and SMR.MASK [31:16] are 16 bits each, and the valid bit moves to S2CR.EXIDVALID.
const SMR_ID_MAX = 0xffffn;
const SMR_MASK_MAX = 0xffffn;

/** `((sid ^ ID) & ~MASK) == 0`: whether the SMR matches a StreamID. */
export function smrMatches(stream: { id: bigint; mask: bigint }, sid: bigint): boolean {
  return ((sid ^ stream.id) & ~stream.mask & SMR_ID_MAX) === 0n;
}

/** Whether two SMRs can match the same StreamID (sGFSR.SMCF on a real SMMU-500). */
export function smrsOverlap(a: { id: bigint; mask: bigint }, b: { id: bigint; mask: bigint }): boolean {
  return ((a.id ^ b.id) & ~(a.mask | b.mask) & SMR_ID_MAX) === 0n;
}

/** Whether every StreamID `inner` matches, `outer` matches too. */
function smrCovers(outer: { id: bigint; mask: bigint }, inner: { id: bigint; mask: bigint }): boolean {
  return (inner.mask & ~outer.mask) === 0n && ((inner.id ^ outer.id) & ~outer.mask & SMR_ID_MAX) === 0n;
}

function describeStream(stream: CheckedStream): string {
  return stream.mask === 0n ? `stream ${hex(stream.id)}` : `stream ${hex(stream.id)} mask ${hex(stream.mask)}`;
}

export function checkStream(node: StreamSetting, version: SmmuVersion | undefined, context: CheckContext): CheckedStream | undefined {
  if (!node.id) return undefined;
  const kind = smmuKind(version);
  if (node.id.value > kind.streamIdMax) {
    context.sink.error('stream-range', node.id.range, `StreamID ${hex(node.id.value)} does not fit ${kind.streamIdField}`);
    return undefined;
  }
  if (node.mask) {
    if (!kind.streamMasks) {
      context.sink.error('stream-mask-v3', node.mask.range, `${kind.name} has no stream masks: a stream table entry per StreamID`);
      return undefined;
    }
    if (node.mask.value > SMR_MASK_MAX) {
      context.sink.error('stream-range', node.mask.range, `mask ${hex(node.mask.value)} does not fit the 16-bit SMR.MASK field`);
      return undefined;
    }
  }
  return { node, id: node.id.value, mask: node.mask?.value ?? 0n };
}

interface Claim {
  master: MasterDeclaration;
  stream: CheckedStream;
}

/** The SMRs programmed so far on one SMMU; most have no mask, and those are found by ID. */
class ClaimedStreams {
  private readonly exact = new Map<bigint, Claim>();
  private readonly masked: Claim[] = [];

  /** A claim of another master that can match a StreamID `stream` matches. */
  overlapping(stream: CheckedStream, master: MasterDeclaration): Claim | undefined {
    const other = (c: Claim | undefined): boolean => c !== undefined && c.master !== master && smrsOverlap(c.stream, stream);
    const candidates = stream.mask === 0n ? [this.exact.get(stream.id)] : [...this.exact.values()];
    return candidates.find(other) ?? this.masked.find(other);
  }

  add(claim: Claim): void {
    if (claim.stream.mask === 0n && !this.exact.has(claim.stream.id)) this.exact.set(claim.stream.id, claim);
    else this.masked.push(claim);
  }
}

/**
 * Checks every master's streams, then the SMRs of each SMMU against each other:
 * two masters whose SMRs can match one StreamID cannot both be programmed.
 */
export function checkMasterStreams(masters: readonly MasterDeclaration[], context: CheckContext): Map<MasterDeclaration, CheckedStream[]> {
  const streamsOf = new Map<MasterDeclaration, CheckedStream[]>();
  for (const master of masters) {
    const version = versionOf(context, context.smmuOf.get(master));
    const streams = master.streams.flatMap((node) => checkStream(node, version, context) ?? []);
    if (master.streams.length === 0 && master.name) {
      context.sink.error('no-stream', master.name.range, `master '${master.name.text}' has no stream: give it 'stream ID'`);
    }
    streamsOf.set(master, streams);
  }

  const claimedBy = new Map<unknown, ClaimedStreams>();
  for (const master of masters) {
    const smmu = context.smmuOf.get(master);
    const claimed = claimedBy.get(smmu) ?? new ClaimedStreams();
    claimedBy.set(smmu, claimed);
    for (const stream of streamsOf.get(master) ?? []) {
      const clash = claimed.overlapping(stream, master);
      if (clash) {
        const other = clash.master.name?.text ?? '?';
        const mine = `${describeStream(stream)} of master '${master.name?.text ?? '?'}'`;
        // Linux's arm_smmu_find_sme shares an entry that covers the new one (one iommu_group
        // for both devices) and refuses a partial overlap; either way these are not two masters.
        const why = smrCovers(clash.stream, stream)
          ? `is covered by ${describeStream(clash.stream)} of master '${other}': Linux would share the stream-map entry and put both masters in one iommu_group`
          : `can match the same StreamIDs as ${describeStream(clash.stream)} of master '${other}' on smmu '${smmu?.name ?? '?'}' (a stream match conflict, sGFSR.SMCF)`;
        context.sink.error('smr-conflict', stream.node.range, `${mine} ${why}`, [{ range: clash.stream.node.range, message: `${describeStream(clash.stream)} of '${other}'` }]);
        continue;
      }
      claimed.add({ master, stream });
    }
  }
  return streamsOf;
}
