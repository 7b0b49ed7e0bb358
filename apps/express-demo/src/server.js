/** `pnpm demo` / `pnpm --filter express-demo start`: run the demo on PORT (default 3000). */
import { createDemo } from './app.js';
import { serve } from './serve.js';

serve(await createDemo(), { name: 'express-demo', port: Number(process.env.PORT ?? 3000) });
