import { createSendHandler } from '@tingting-auth/next-auth/v5';
import { demo } from '@/lib/otp';

export const POST = createSendHandler(demo.getEngine, {
  trustProxy: process.env.TRUST_PROXY === '1',
});
