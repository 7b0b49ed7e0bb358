'use client';

import { signIn } from 'next-auth/react';
import {
  SignInForm as SharedSignInForm,
  type SignInFormProps,
} from 'next-demo-shared/sign-in-form';
import type { ReactNode } from 'react';

/** The shared form, signing in through this app's next-auth v5. */
export function SignInForm(props: Omit<SignInFormProps, 'signIn'>): ReactNode {
  return <SharedSignInForm {...props} signIn={signIn} />;
}
