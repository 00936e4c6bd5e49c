/** This package's version, from its package.json (scripts/sync-versions.mjs writes this file). */
export const VERSION = '0.0.0';
