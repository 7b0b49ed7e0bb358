/** `pnpm demo:passport` / `pnpm --filter passport-demo start`: run the demo on PORT (default 3001). */
import { serve } from 'express-demo/serve';
import { createDemo } from './app.js';

serve(await createDemo(), { name: 'passport-demo', port: Number(process.env.PORT ?? 3001) });
