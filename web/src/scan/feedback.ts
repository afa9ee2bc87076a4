/** A beep and a buzz on each read: a short high tone when it is good, two low ones when it is a duplicate or refused. */

let audio: AudioContext | null = null;

function context(): AudioContext | null {
  try {
    const Ctor = window.AudioContext ?? (window as Window & { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctor) return null;
    audio ??= new Ctor();
    if (audio.state === 'suspended') void audio.resume();
    return audio;
  } catch {
    return null;
  }
}

function tone(ctx: AudioContext, frequency: number, startIn: number, seconds: number): void {
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = 'square';
  osc.frequency.value = frequency;
  const t = ctx.currentTime + startIn;
  gain.gain.setValueAtTime(0.0001, t);
  gain.gain.exponentialRampToValueAtTime(0.2, t + 0.01);
  gain.gain.exponentialRampToValueAtTime(0.0001, t + seconds);
  osc.connect(gain).connect(ctx.destination);
  osc.start(t);
  osc.stop(t + seconds + 0.02);
}

function vibrate(pattern: number | number[]): void {
  try {
    navigator.vibrate?.(pattern);
  } catch {
    // not allowed here (no user gesture yet, or an iframe)
  }
}

/** Creates or resumes the audio output from a user gesture (tap, key), so beeps from camera reads are heard later. */
export function primeFeedback(): void {
  context();
}

export function feedback(kind: 'ok' | 'warn'): void {
  const ctx = context();
  if (kind === 'ok') {
    if (ctx) tone(ctx, 1760, 0, 0.09);
    vibrate(60);
  } else {
    if (ctx) {
      tone(ctx, 330, 0, 0.12);
      tone(ctx, 330, 0.18, 0.12);
    }
    vibrate([80, 60, 80]);
  }
}
