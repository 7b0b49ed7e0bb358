export { startFakeTingTing } from './fake-server.js';
export { startFakeNotes } from './notes.js';
export { startFakeTimbr } from './timbr.js';
export type {
  Delivery,
  FakeEndpoint,
  FakeRequest,
  FakeTingTing,
  FakeTingTingOptions,
  Fault,
  FaultKind,
  Outbox,
  RedirectedRequest,
} from './types.js';
export type {
  FakeAccount,
  FakeAccountInput,
  FakeNotes,
  FakeNotesOptions,
  FakeTimbr,
  FakeTimbrOptions,
  FakeTokenStats,
  FakeUpstream,
  FakeUpstreamOptions,
  NotesEndpoint,
  PerBranchDelay,
  PresentedRefreshToken,
  RefreshOutcome,
  RotationMode,
  TimbrEndpoint,
  TimbrTeamToken,
  TokenLifetimes,
} from './upstream-types.js';
