export { startFakeTingTing } from './fake-server.js';
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
