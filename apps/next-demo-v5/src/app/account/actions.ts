'use server';

import { redirect } from 'next/navigation';
import { auth } from '@/auth';
import { sessions } from '@/lib/sessions';

/** The signed-in number; re-read here: a server action is a public endpoint. */
async function signedInPhone(): Promise<string> {
  const session = await auth();
  const phone = (session?.user as { phone?: string } | undefined)?.phone;
  if (!phone) redirect('/signin?callbackUrl=/account');
  return phone;
}

/** "Sign out this one": end one of the number's sessions by its public id. */
export async function endOne(form: FormData): Promise<void> {
  const phone = await signedInPhone();
  const id = form.get('id');
  if (typeof id === 'string') await sessions.endById(phone, id);
  redirect('/account');
}

/** "Sign out everywhere": end every session of the number, this one included. */
export async function endAll(): Promise<void> {
  await sessions.endAll(await signedInPhone());
  redirect('/signin');
}
