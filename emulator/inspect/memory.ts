/** The emulated physical address space, as memory requests and data watches bound it. */
export { PA_LIMIT } from '../memory/physicalMemory';
