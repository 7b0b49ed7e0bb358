'use client';

import { signOut } from 'next-auth/react';
import type { ReactNode } from 'react';

export function SignOutButton(): ReactNode {
  return (
    <button type="button" onClick={() => signOut({ redirectTo: '/signin' })}>
      Sign out
    </button>
  );
}
