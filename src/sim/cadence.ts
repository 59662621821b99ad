/** Index tick cadence of the embedded simulator and of a generated replay day (clock ms). */
export const SIM_TICK_MS = 250;
