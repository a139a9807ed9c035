/**
 * The kernel's constants in time units (IOVA_FQ_TIMEOUT's 10 ms, drm/msm's 500 ms stall
 * cooldown) meet the emulator's virtual clock here: one cycle stands for a microsecond.
 */
export const cyclesPerMillisecond = 1000;

/** drm/msm's stall cooldown (adreno_fault_handler: `stall_reenable_time = ktime_add_ms(ktime_get(), 500)`), in ms. */
export const msmStallCooldown = 500;

/** A cycle as dmesg prints the time since boot: `[    0.000036]`. */
export function dmesgTimestamp(cycle: number): string {
  const seconds = Math.floor(cycle / (cyclesPerMillisecond * 1000));
  const micros = cycle % (cyclesPerMillisecond * 1000);
  return `[${String(seconds).padStart(5, ' ')}.${String(micros).padStart(6, '0')}]`;
}
