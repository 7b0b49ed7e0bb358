/**
 * The verify routes both end-to-end files mount: plain, with `failureRedirect` +
 * `failureMessage`, and with `failWithError` and an error handler that answers the status.
 */
import type { Express, NextFunction, Request, Response } from 'express';
import type passport from 'passport';

export function mountVerifyRoutes(
  app: Pick<Express, 'post'>,
  authenticator: passport.PassportStatic['Passport']['prototype'],
): void {
  app.post(
    '/auth/verify',
    authenticator.authenticate('tingting'),
    (req: Request, res: Response) => {
      res.json({ user: req.user });
    },
  );
  app.post(
    '/auth/verify-form',
    authenticator.authenticate('tingting', {
      successRedirect: '/account',
      failureRedirect: '/sign-in',
      failureMessage: true,
    }),
  );
  app.post(
    '/auth/verify-api',
    authenticator.authenticate('tingting', { failWithError: true }),
    (req: Request, res: Response) => {
      res.json({ user: req.user });
    },
    (
      error: { name: string; status?: number },
      _req: Request,
      res: Response,
      _next: NextFunction,
    ) => {
      res.status(error.status ?? 500).json({ error: error.name });
    },
  );
}
