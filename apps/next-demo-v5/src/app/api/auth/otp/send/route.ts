import { createSendHandler } from '@tingting-auth/next-auth/v5';
import { engine } from '@/lib/otp';

export const POST = createSendHandler(engine, { trustProxy: process.env.TRUST_PROXY === '1' });
