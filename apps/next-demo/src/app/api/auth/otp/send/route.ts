import { createSendHandler } from '@tingting-auth/next-auth';
import { engine } from '@/lib/otp';

export const POST = createSendHandler(engine, { trustProxy: process.env.TRUST_PROXY === '1' });
