import fc from 'fast-check';
import { RenderedScenario, renderSystem } from './systemRender';
import { systemShapeArbitrary } from './systemShape';

/**
 * Random valid scenarios of every feature, each with the features it uses: SMMUv2 alone,
 * one SMMUv3 (STALL_MODEL, queue sizes, PASIDs, PRI), and systems of up to three SMMUs of
 * either version with VFIO containers.
 */

export type GeneratedScenario = RenderedScenario;

const none = { minLength: 0, maxLength: 0 };
const v2 = systemShapeArbitrary({ smmus: { minLength: 1, maxLength: 2 }, versions: 'v2', containers: none, unmap: true }).map(renderSystem);
const v3 = systemShapeArbitrary({ smmus: { minLength: 1, maxLength: 1 }, versions: 'v3', containers: none, unmap: true }).map(renderSystem);
const systems = systemShapeArbitrary({ smmus: { minLength: 1, maxLength: 3 }, versions: 'any', containers: { minLength: 0, maxLength: 2 }, unmap: true }).map(renderSystem);
const containers = systemShapeArbitrary({ smmus: { minLength: 1, maxLength: 2 }, versions: 'any', containers: { minLength: 1, maxLength: 2 }, unmap: true }).map(renderSystem);

export const featureScenarioArbitrary: fc.Arbitrary<GeneratedScenario> = fc.oneof(
  { weight: 1, arbitrary: v2 },
  { weight: 3, arbitrary: v3 },
  { weight: 2, arbitrary: systems },
  { weight: 1, arbitrary: containers },
);
