import { DomainDeclaration } from '../ast';
import { CheckContext } from './context';
import { BlockSettings } from './settings';

/** Whether a domain's SMMU is qcom's Adreno SMMU (`impl qcom-adreno`). */
export function onAdrenoSmmu(domain: DomainDeclaration, context: CheckContext): boolean {
  const smmu = context.smmuOf.get(domain)?.declaration;
  return (smmu && context.settings.get(smmu)?.word('impl')) === 'qcom-adreno';
}

/** qcom_adreno_smmu_write_sctlr sets SCTLR.HUPCF on every context bank: a written `hupcf off` does not reach the register. */
export function checkAdrenoDomain(domain: DomainDeclaration, settings: BlockSettings, context: CheckContext): void {
  const hupcf = settings.node('hupcf');
  if (!hupcf?.value || settings.word('hupcf') !== 'off' || !onAdrenoSmmu(domain, context)) return;
  context.sink.warning(
    'hupcf-adreno',
    hupcf.value.range,
    "qcom's Adreno SMMU sets SCTLR.HUPCF on every context bank (qcom_adreno_smmu_write_sctlr, \"to keep the GPU from hanging\"): 'hupcf off' is overridden and later transactions translate while a fault is outstanding",
  );
}
