import { createDemoOTP, type DemoOTP } from 'next-demo-shared/otp';

/** This app's OTP engine and embedded fake, one per server process (see `createDemoOTP`). */
export const demo: DemoOTP = createDemoOTP('next-demo-v5');
