#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { COMMON_FLAGS, commonOptions, runBin, stopOnSignals, whole } from './cli-parts.js';
import { startFakeTingTing } from './fake-server.js';
import type { FakeTingTingOptions } from './types.js';

const USAGE = `Usage: tingting-fake [options]

Starts a fake TingTing API server and prints every OTP it "delivers".

Options:
  --port <n>          port to listen on (default 4010; 0 picks a free one)
  --host <host>       host to listen on (default 127.0.0.1)
  --api-token <t>     fixed API token for the account (default: random)
  --email <e>         account email (default dev@example.com)
  --password <p>      account password (default dev-password)
  --sms-credits <n>   starting SMS credits (default 100)
  --phone-credits <n> starting phone credits (default 100)
  --page-size <n>     page size of the sent-OTP list (default 10)
  --rotation <mode>   refresh cookie: none | rotate | rotate-detect-reuse (default none)
  --grace-seconds <n> a rotated refresh cookie still works this long (default 0)
  --access-seconds <n>  access cookie lifetime (default 86400)
  --refresh-seconds <n> refresh cookie lifetime (default 604800)
  --verbose           also print one line per request
  -h, --help          show this help`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...COMMON_FLAGS,
      'api-token': { type: 'string' },
      'sms-credits': { type: 'string' },
      'phone-credits': { type: 'string' },
      'page-size': { type: 'string' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const sms = whole('sms-credits', values['sms-credits']);
  const phone = whole('phone-credits', values['phone-credits']);
  const pageSize = whole('page-size', values['page-size']);
  const options: FakeTingTingOptions = {
    ...commonOptions(values, 4010),
    ...(values['api-token'] === undefined ? {} : { apiToken: values['api-token'] }),
    ...(values.email === undefined && values.password === undefined
      ? {}
      : {
          account: {
            email: values.email ?? 'dev@example.com',
            password: values.password ?? 'dev-password',
          },
        }),
    credits: { ...(sms === undefined ? {} : { sms }), ...(phone === undefined ? {} : { phone }) },
    ...(pageSize === undefined ? {} : { pageSize }),
  };
  const fake = await startFakeTingTing(options);
  // This is a local development tool: showing the credentials is its purpose.
  process.stdout.write(
    [
      `tingting-fake listening on ${fake.url}`,
      `  base URL:  ${fake.url}/api/v1/`,
      `  API token: ${fake.apiToken}`,
      `  login:     ${fake.account.email} / ${fake.account.password}`,
      '  Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  fake.outbox.subscribe((delivery) => {
    const voice = delivery.voice === undefined ? '' : ` (${delivery.voice})`;
    process.stdout.write(
      `[delivery #${delivery.id}] ${delivery.channel}${voice} to ${delivery.number}: code ${delivery.otp} | ${JSON.stringify(delivery.message)}\n`,
    );
  });
  stopOnSignals(fake);
}

runBin('tingting-fake', main);
