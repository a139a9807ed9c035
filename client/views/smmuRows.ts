import { SmmuSummary, StreamSummary } from '../../debug-adapter/protocol';

/** `SMMUv2 · 1 context bank in use`, `SMMUv3 · 2 streams`. */
export function smmuDescription(smmu: SmmuSummary): string {
  if (smmu.version === 'v3') {
    const streams = smmu.streams.length;
    return `SMMUv3 · ${streams} stream${streams === 1 ? '' : 's'}`;
  }
  const banks = smmu.contextBanks.length;
  return `SMMU${smmu.version} · ${banks} context bank${banks === 1 ? '' : 's'} in use`;
}

/** `nic · CD 0 dev_dom, CD 5 app_mm · 3 waiting`. */
export function streamDescription(stream: StreamSummary): string {
  const cds = stream.cds.length === 0 ? stream.config : stream.cds.map((cd) => `CD ${cd.ssid} ${cd.domain}`).join(', ');
  return `${stream.master} · ${cds}${stream.stalled > 0 ? ` · ${stream.stalled} waiting` : ''}`;
}
