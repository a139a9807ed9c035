import { scenarioHex } from './device';
import { line } from './result';

/** A domain's default `ias` 48: four levels, 0 to 3, with the 4 KiB granule. */
export const IAS = 48n;
/** The PA behind a mapped IOVA, which the log does not say: 1 GiB-aligned, so any leaf can map it. */
const PA = 0x8000_0000n;

/** Bytes a leaf at `level` maps (4 KiB granule): 4K at level 3, 2M at 2, 1G at 1. */
const leafSize = (level: number): bigint => 1n << BigInt(12 + 9 * (3 - level));
const sizeText = (level: number): string => ['512G', '1G', '2M', '4K'][level] ?? '?';

/** Why no scenario shows a privileged data read taking a permission fault. */
export const PRIVILEGED_READ_ALLOWED = 'a privileged data read never takes a permission fault in a stage-1 table Linux writes: every mapping it makes is readable at EL1 (io-pgtable-arm has no read-deny bit)';
/** Why no scenario makes the walk take an address size fault. */
export const NO_ADDRESS_SIZE_FAULT = 'it needs a table or leaf address beyond the OAS, which no `map` writes (io-pgtable refuses such a PA)';

/** The access the log describes: its direction, privilege and whether it fetches an instruction. */
export interface Access {
  write: boolean;
  priv: boolean;
  exec: boolean;
}

/**
 * The domain's maps for a fault of `kind` at `level` on `iova`, each with a comment saying
 * why the walk stops there; `plvl` names what the log said (`FSYNR0.PLVL=2`).
 */
export function mapsFor(kind: 'translation' | 'access-flag' | 'permission', level: number, iova: bigint, access: Access, plvl: string): string[] {
  if (kind === 'translation') {
    if (level === 0) {
      return iova >= 1n << IAS
        ? [`  // ${plvl}: the IOVA is beyond the 48-bit input range, a level-0 translation fault (no map needed)`]
        : [`  // ${plvl}: the walk stops at level 0: nothing is mapped in the 512G that L0's entry for ${scenarioHex(iova)} covers`];
    }
    // Flip the lowest bit of the level's index: the same entries above, another one at the level.
    const bit = BigInt(12 + 9 * (3 - level));
    const neighbour = (iova ^ (1n << bit)) & ~0xfffn;
    return [
      `  // ${plvl}: the walk stops at level ${level}: a 4K page at ${scenarioHex(neighbour)} (IOVA bit ${bit} flipped) makes the`,
      `  // ${level === 1 ? 'level-0 table' : `tables of levels 0-${level - 1}`} that cover ${scenarioHex(iova)} exist, and level ${level} has no entry for it`,
      line(`  map ${scenarioHex(neighbour)} -> ${scenarioHex(PA)} size 4K rw`, 'the log does not say the PA: a plausible one'),
    ];
  }
  const size = leafSize(level);
  const start = iova & ~(size - 1n);
  const leaf = level === 3 ? 'page' : 'block';
  if (kind === 'access-flag') {
    return [
      `  // ${plvl}: a ${sizeText(level)} ${leaf} (a level-${level} leaf) covers the IOVA with AF=0 (noaf); rwx, so only AF faults`,
      line(`  map ${scenarioHex(start)} -> ${scenarioHex(PA)} size ${sizeText(level)} rwx noaf`, 'the log does not say the PA: a plausible one'),
    ];
  }
  const [perms, why] = access.exec
    ? ['rw noexec', 'not executable (IOMMU_NOEXEC: XN): the instruction fetch faults']
    : access.write
      ? ['r', 'read-only: the write faults']
      : ['rw priv', 'privileged only (AP[1]=0): the unprivileged read faults'];
  return [
    `  // ${plvl}: a ${sizeText(level)} ${leaf} (a level-${level} leaf) covers the IOVA, ${why}`,
    line(`  map ${scenarioHex(start)} -> ${scenarioHex(PA)} size ${sizeText(level)} ${perms}`, 'the log does not say the PA: a plausible one'),
  ];
}
