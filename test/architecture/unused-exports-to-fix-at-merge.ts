// TEMPORARY (lead's merge): unused exports in files still being changed on another branch. Empty before landing.
export const UNUSED_EXPORTS_TO_FIX_AT_MERGE: string[] = [
  'science/tf-backend.ts: BackendName',
];
