// How much of a run's history one history document shows: a wide run (thousands of keys) would
// otherwise be millions of cells built in the store, sent over and laid out as text. No vscode import,
// so the benchmarks measure with the same figures.

/** Keys a history document shows at most: the first by name (a run of 2,000 keys shows 100). */
export const MAX_COLUMNS = 100;
/** Cells (rows × keys) a history document renders at most: its rows are cut to fit. */
export const MAX_CELLS = 1_000_000;
