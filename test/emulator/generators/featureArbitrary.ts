import fc from 'fast-check';
import { scenarioArbitrary } from './scenarioArbitrary';
import { RenderedScenario, renderSystem } from './systemRender';
import { systemShapeArbitrary } from './systemShape';

/**
 * Random valid scenarios of every feature, each with the features it uses: SMMUv2 alone
 * (the older generator), one SMMUv3 (STALL_MODEL, queue sizes, PASIDs, PRI), and systems
 * of up to three SMMUs of either version with VFIO containers.
 */

export type GeneratedScenario = RenderedScenario;

const v2: fc.Arbitrary<GeneratedScenario> = scenarioArbitrary.map((text) => ({ text, features: ['v2'] }));
const v3 = systemShapeArbitrary({ smmus: { minLength: 1, maxLength: 1 }, versions: 'v3', containers: { minLength: 0, maxLength: 0 } }).map(renderSystem);
const systems = systemShapeArbitrary({ smmus: { minLength: 1, maxLength: 3 }, versions: 'any', containers: { minLength: 0, maxLength: 2 } }).map(renderSystem);
const containers = systemShapeArbitrary({ smmus: { minLength: 1, maxLength: 2 }, versions: 'any', containers: { minLength: 1, maxLength: 2 } }).map(renderSystem);

export const featureScenarioArbitrary: fc.Arbitrary<GeneratedScenario> = fc.oneof(
  { weight: 1, arbitrary: v2 },
  { weight: 3, arbitrary: v3 },
  { weight: 2, arbitrary: systems },
  { weight: 1, arbitrary: containers },
);
