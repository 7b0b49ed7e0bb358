import { createTingTingSender, type OTPSender, TingTingClient } from '@tingting-auth/core';
import type { FakeTingTing } from '@tingting-auth/testing';

/** The engine's sender through the real TingTing client, against the fake server over HTTP. */
export function fakeSender(fake: FakeTingTing): OTPSender {
  return createTingTingSender(new TingTingClient({ apiToken: fake.apiToken, baseURL: fake.url }));
}

/** The `connect.sid` cookie value in a response's `Set-Cookie` headers. */
export function sessionCookie(headers: Record<string, unknown>): string | undefined {
  const raw = headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  for (const cookie of list as string[]) {
    const match = /^connect\.sid=([^;]+)/.exec(cookie);
    if (match) return match[1];
  }
  return undefined;
}
