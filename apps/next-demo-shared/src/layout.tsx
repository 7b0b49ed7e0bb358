import type { ReactNode } from 'react';
import './globals.css';

/** The demos' root layout (one card); each app sets its own `metadata`, naming its next-auth. */
export function RootLayout({ children }: { children: ReactNode }): ReactNode {
  return (
    <html lang="en">
      <body>
        <main>{children}</main>
      </body>
    </html>
  );
}
