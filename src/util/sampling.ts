// commandstats timing: a clock read costs ~100 ns on the VMs measured (a
// tenth of a GET), so only a sample of calls is timed and usec is scaled
// from it. The first calls of each command are always timed.

const ALWAYS = 64;
const EVERY = 16;

/** Whether the call made after `calls` earlier ones is timed. */
export function timeThisCall(calls: number): boolean {
  return calls < ALWAYS || (calls & (EVERY - 1)) === 0;
}

/** Total usec estimated from the timed calls. */
export function scaledUsec(calls: number, timedCalls: number, timedUsec: number): number {
  return timedCalls === 0 ? 0 : calls === timedCalls ? timedUsec : (timedUsec * calls) / timedCalls;
}
