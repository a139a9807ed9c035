import fc from 'fast-check';
import { renderSystem } from './systemRender';
import { systemShapeArbitrary } from './systemShape';

/**
 * Random valid SMMUv2 scenarios whose page tables only grow, for the property tests that
 * walk the final tables to check what completed earlier.
 */
export const scenarioArbitrary: fc.Arbitrary<string> = systemShapeArbitrary({
  versions: 'v2',
  smmus: { minLength: 1, maxLength: 2 },
  containers: { minLength: 0, maxLength: 0 },
  unmap: false,
}).map((shape) => renderSystem(shape).text);
