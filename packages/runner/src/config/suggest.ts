/**
 * "Did you mean" for misspelt keys and values: the closest allowed word by
 * edit distance, when it is close enough to be a likely typo.
 */

/**
 * Words people write for a key or value that has another name here. Edit
 * distance alone would turn `gpu` into `cpu` and `cmd` into `cwd`, the
 * opposite of what was meant.
 */
const SYNONYMS: ReadonlyMap<string, string> = new Map([
  ['cmd', 'command'],
  ['gpu', 'cuda'],
  ['trt', 'tensorrt'],
  ['float32', 'fp32'],
  ['float', 'fp32'],
  ['float16', 'fp16'],
  ['half', 'fp16'],
  ['bfloat16', 'bf16'],
  ['time', 'latency'],
  ['vram', 'memory'],
]);

/** At most one edit per this many characters counts as a typo (and always at least one). */
const CHARACTERS_PER_EDIT = 3;

/**
 * Edit distance (Levenshtein, with a swap of two neighbouring characters
 * counted as one edit, since `fp23` for `fp32` is one slip of the fingers).
 */
export function editDistance(a: string, b: string): number {
  // rows[i][j]: distance between the first i characters of a and the first j of b.
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const previous = rows[i - 1]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      }
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/**
 * The candidate `word` most likely meant, or undefined when none is close.
 * Case is ignored (`gpuBusy` for `gpubusy`), known synonyms win, and ties go
 * to the earlier candidate.
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const synonym = SYNONYMS.get(lower);
  if (synonym !== undefined && candidates.includes(synonym)) return synonym;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    const allowed = Math.max(1, Math.floor(candidate.length / CHARACTERS_PER_EDIT));
    if (distance <= allowed && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
