import type { SideName, WorkloadProfile, WorkloadSession } from '../../workloads/types.js';

/** One side's profile, or null; a profile that fails is a warning, never the benchmark's failure. */
export async function profileSide(
  session: WorkloadSession | undefined,
  side: SideName,
  log: (line: string) => void,
  warnings: string[],
  name: string,
): Promise<WorkloadProfile | null> {
  if (!session?.profile) return null;
  try {
    const profile = await session.profile();
    if (profile && !profile.available)
      log(`[${name}] ${side}: no profile (${profile.reason ?? 'unavailable'})`);
    for (const [part, why] of Object.entries(profile?.available ? (profile.failedParts ?? {}) : {}))
      log(`[${name}] ${side}: profile kept without its ${part} part (${why})`);
    return profile;
  } catch (cause) {
    warnings.push(`${side}: the profiled iteration failed: ${(cause as Error).message}`);
    return null;
  }
}
