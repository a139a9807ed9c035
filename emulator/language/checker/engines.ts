import { EngineDeclaration, EngineItem, MasterDeclaration, Submit, Transaction } from '../ast';
import { constantValue } from '../evaluate';
import { engineItemsOf } from '../engineItems';
import { transactionOption } from '../grammarTable';
import { SmmuVersion } from '../schema';
import { hex } from '../../util/u64';
import { CheckContext, versionOf } from './context';
import { checkExpression, constantNumber } from './expressions';
import { CheckedStream, checkStream, smrMatches } from './streams';
import { checkExistsOn } from './versionRule';

const pasidOption = transactionOption('pasid');

const MAX_TRANSACTION_BYTES = 4096n;
const MAX_REPEAT = 1n << 32n;

function addLabel(transaction: Transaction, context: CheckContext): void {
  if (!transaction.label) return;
  const list = context.labels.get(transaction.label.text) ?? [];
  list.push(transaction);
  context.labels.set(transaction.label.text, list);
}

function checkTransaction(transaction: Transaction, inRepeat: boolean, version: SmmuVersion | undefined, context: CheckContext): void {
  const scope = { kind: 'engine', inRepeat } as const;
  if (transaction.address) checkExpression(transaction.address, scope, context);
  if (transaction.size) {
    checkExpression(transaction.size, scope, context);
    const size = constantValue(transaction.size);
    if (typeof size === 'bigint' && (size < 1n || size > MAX_TRANSACTION_BYTES)) {
      context.sink.error('transaction-size', transaction.size.range, `a transaction moves 1 to 4096 bytes (an AXI burst never crosses 4K), not ${size}`);
    }
    const address = transaction.address ? constantValue(transaction.address) : undefined;
    if (typeof size === 'bigint' && typeof address === 'bigint' && size <= MAX_TRANSACTION_BYTES && (address & 0xfffn) + size > 0x1000n) {
      context.sink.warning('transaction-crosses-page', transaction.range, `${hex(address)} + ${size} bytes crosses a 4K page boundary: only the first page is translated`);
    }
  }
  for (const option of transaction.options) {
    if (option.kind === 'pasid') {
      if (version) checkExistsOn(pasidOption, 'option', { word: 'pasid', version, owner: 'the engine', smmu: undefined }, option.range, context.sink);
      if (option.value) checkExpression(option.value, scope, context);
    } else if (option.kind === 'value') {
      if (transaction.access === 'read') context.sink.error('value-on-read', option.range, "'value' gives the data of a write; a read has none");
      if (option.value) checkExpression(option.value, scope, context);
    } else if (option.kind === 'exec' && transaction.access === 'write') {
      context.sink.error('exec-on-write', option.range, "'exec' marks an instruction fetch, which is a read");
    }
  }
  addLabel(transaction, context);
}

/**
 * `submit N pagetable NAME`: the CP writes the table into the TTBR0 of its GPU's context
 * bank, so the table must belong to the domain the engine's master is attached to.
 */
function checkSubmitPagetable(submit: Submit, master: MasterDeclaration | undefined, context: CheckContext): void {
  if (!submit.pagetable) return;
  const table = context.symbols.resolve('pagetable', submit.pagetable, context.sink)?.declaration;
  const attached = master ? context.settings.get(master)?.name('domain')?.text : undefined;
  if (!table?.domain || !master || attached === undefined || table.domain.text === attached) return;
  context.sink.error(
    'submit-pagetable-domain',
    submit.pagetable.range,
    `pagetable '${submit.pagetable.text}' is a table of domain '${table.domain.text}', but master '${master.name?.text}' is attached to domain '${attached}': the CP can only switch the TTBR0 of its own context bank`,
    [{ range: table.domain.range, message: 'the pagetable\'s domain' }],
  );
}

function checkItems(items: readonly EngineItem[], version: SmmuVersion | undefined, master: MasterDeclaration | undefined, context: CheckContext): void {
  for (const { item, enclosing } of engineItemsOf(items)) {
    switch (item.kind) {
      case 'transaction':
        checkTransaction(item, enclosing.some((block) => block.kind === 'repeat'), version, context);
        break;
      case 'wait':
        constantNumber(item.cycles, "'wait'", context);
        break;
      case 'repeat': {
        const count = constantNumber(item.count, "the repeat count", context);
        if (count !== undefined && count > MAX_REPEAT && item.count) {
          context.sink.error('bad-value', item.count.range, `a repeat runs at most 2^32 times, not ${count}`);
        }
        break;
      }
      case 'submit':
        constantNumber(item.id, 'the submit id', context);
        checkSubmitPagetable(item, master, context);
        break;
    }
  }
}

/** The stream an engine issues on: its own `stream`, else its master's first. */
export function engineStream(engine: EngineDeclaration, masterStreams: readonly CheckedStream[]): bigint | undefined {
  return engine.streams[0]?.id?.value ?? masterStreams[0]?.id;
}

export function checkEngine(engine: EngineDeclaration, streamsOf: Map<MasterDeclaration, CheckedStream[]>, context: CheckContext): void {
  const master = engine.name ? context.symbols.resolve('master', engine.name.master, context.sink)?.declaration : undefined;
  const version = master ? versionOf(context, context.smmuOf.get(master)) : undefined;
  const masterStreams = master ? (streamsOf.get(master) ?? []) : [];
  const [first, ...extra] = engine.streams;
  for (const node of extra) context.sink.error('duplicate-setting', node.range, 'an engine issues on one stream');
  if (first) {
    const stream = checkStream(first, version, context);
    if (stream && first.mask) context.sink.error('stream-mask-engine', first.mask.range, 'an engine issues on one StreamID; masks belong to a master\'s SMRs');
    if (stream && master && masterStreams.length > 0 && !masterStreams.some((s) => smrMatches(s, stream.id))) {
      context.sink.error('engine-stream', first.range, `stream ${hex(stream.id)} is not a stream of master '${master.name?.text}'`, masterStreams.map((s) => ({ range: s.node.range, message: 'a stream of the master' })));
    }
  }
  checkItems(engine.body, version, master, context);
}
