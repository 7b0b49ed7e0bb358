/**
 * createSessionSwap: which revocable sessions end when a browser signs in or out, for each order
 * of the host's events (regenerate failed, saved, save failed after regenerate, abandoned with or
 * without the app's claim, sign-out), over recording sessions: each ended at most once, never
 * the new cookie session's, failures ignored on sign-in and surfaced on sign-out.
 */
import { describe, expect, it } from 'vitest';
import { createSessionSwap, type SwapSession } from '../../src/protocol/index.js';

type Held = SwapSession & { key: string };

/** Sessions that record the ids they are asked to end, in order; `failing` ids reject. */
function recorder(failing: string[] = []) {
  const ended: string[] = [];
  const session = (sid: string, key = 'k'): Held => ({
    key,
    sid,
    end: async (id: string) => {
      ended.push(id);
      if (failing.includes(id)) throw new Error('store down');
      return true;
    },
  });
  return { ended, session };
}

describe('createSessionSwap: signing in', () => {
  it('saved after regenerate: the held sessions end, in order, the new one is kept', async () => {
    const { ended, session } = recorder();
    const swap = createSessionSwap({
      held: [session('old'), session('other')],
      fresh: session('new'),
    });
    expect(swap.state).toBe('open');
    swap.regenerated();
    await swap.saved();
    expect(ended).toEqual(['old', 'other']);
    expect(swap.state).toBe('kept');
    // Settled: nothing later ends anything (each once, never the new one).
    await swap.saved();
    await swap.abandoned();
    expect(ended).toEqual(['old', 'other']);
    expect(swap.state).toBe('kept');
  });

  it('never ends a held session with the new id, nor one the new cookie session names', async () => {
    const { ended, session } = recorder();
    const named = session('named', 'b');
    const swap = createSessionSwap({
      held: [session('new', 'a'), named, session('gone', 'c')],
      fresh: session('new'),
    });
    swap.regenerated();
    await swap.saved((held) => held.key === 'b' && held.sid === 'named');
    expect(ended).toEqual(['gone']);
  });

  it('regenerate failed: the new session ends, the held ones are kept', async () => {
    const { ended, session } = recorder();
    const swap = createSessionSwap({ held: [session('old')], fresh: session('new') });
    await swap.abandoned();
    expect(ended).toEqual(['new']);
    expect(swap.state).toBe('ended');
    // Settled: a later save (express-session's own, after the failure) ends nothing.
    await swap.abandoned();
    await swap.saved();
    expect(ended).toEqual(['new']);
    expect(swap.state).toBe('ended');
  });

  it('save failed after regenerate: the new session ends, then the held ones', async () => {
    const { ended, session } = recorder();
    const swap = createSessionSwap({
      held: [session('old'), session('other')],
      fresh: session('new'),
    });
    swap.regenerated();
    await swap.abandoned();
    expect(ended).toEqual(['new', 'old', 'other']);
    expect(swap.state).toBe('ended');
    await swap.abandoned();
    await swap.saved();
    expect(ended).toEqual(['new', 'old', 'other']);
  });

  it('failures to end are ignored on sign-in, and every session is still tried', async () => {
    const { ended, session } = recorder(['new', 'old']);
    const swap = createSessionSwap({
      held: [session('old'), session('other')],
      fresh: session('new'),
    });
    swap.regenerated();
    await expect(swap.abandoned()).resolves.toBeUndefined();
    expect(ended).toEqual(['new', 'old', 'other']);
    const kept = recorder(['old']);
    const saved = createSessionSwap({ held: [kept.session('old'), kept.session('other')] });
    saved.regenerated();
    await expect(saved.saved()).resolves.toBeUndefined();
    expect(kept.ended).toEqual(['old', 'other']);
  });

  it('claimed before regenerate: nothing ends and it stays open; a claim after regenerate does not count', async () => {
    const { ended, session } = recorder();
    const swap = createSessionSwap({ held: [session('old')], fresh: session('new') });
    await swap.abandoned(() => true);
    expect(ended).toEqual([]);
    expect(swap.state).toBe('open');
    await swap.abandoned(() => false);
    expect(ended).toEqual(['new']);

    const late = recorder();
    const regenerated = createSessionSwap({
      held: [late.session('old')],
      fresh: late.session('new'),
    });
    regenerated.regenerated();
    await regenerated.abandoned(() => true);
    expect(late.ended).toEqual(['new', 'old']);
  });

  it('no new revocable session: abandoning ends only what regenerate put out of reach', async () => {
    const { ended, session } = recorder();
    const swap = createSessionSwap({ held: [session('old')] });
    await swap.abandoned();
    expect(ended).toEqual([]);
    const again = createSessionSwap({ held: [session('old')] });
    again.regenerated();
    await again.abandoned();
    expect(ended).toEqual(['old']);
  });
});

describe('createSessionSwap: signing out', () => {
  it('ends every held session in order', async () => {
    const { ended, session } = recorder();
    const swap = createSessionSwap({ held: [session('a'), session('b')] });
    await swap.signedOut();
    expect(ended).toEqual(['a', 'b']);
    expect(swap.state).toBe('ended');
    await swap.signedOut();
    expect(ended).toEqual(['a', 'b']);
  });

  it('the first failure rejects and the rest are not tried; a retry resumes at the failed one', async () => {
    const failing = ['b'];
    const { ended, session } = recorder(failing);
    const swap = createSessionSwap({ held: [session('a'), session('b'), session('c')] });
    await expect(swap.signedOut()).rejects.toThrow('store down');
    expect(ended).toEqual(['a', 'b']);
    expect(swap.state).toBe('open');
    failing.length = 0;
    await swap.signedOut();
    expect(ended).toEqual(['a', 'b', 'b', 'c']);
  });
});
