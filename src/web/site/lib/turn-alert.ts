/**
 * The "tell me when it is my turn" option of the waiting page: a sound, a vibration and a system
 * notification, so a person can put the phone down while waiting. Everything is opt-in; the
 * browser's permission prompt only appears after the person ticks the box.
 */
const STORAGE_KEY = 'yeyak.turnAlert';

let audio: AudioContext | null = null;

export function alertWanted(): boolean {
  try {
    return localStorage.getItem(STORAGE_KEY) === '1';
  } catch {
    return false;
  }
}

/** Called from the checkbox's change (a user gesture, which browsers require for sound and prompts). */
export async function setAlertWanted(wanted: boolean): Promise<void> {
  try {
    localStorage.setItem(STORAGE_KEY, wanted ? '1' : '0');
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  if (!wanted) return;
  try {
    audio ??= new AudioContext();
    await audio.resume();
  } catch {
    audio = null;
  }
  if ('Notification' in window && Notification.permission === 'default') await Notification.requestPermission().catch(() => 'denied');
}

function beep(): void {
  if (!audio) return;
  const now = audio.currentTime;
  for (const start of [0, 0.35, 0.7]) {
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.setValueAtTime(0.25, now + start);
    gain.gain.exponentialRampToValueAtTime(0.001, now + start + 0.3);
    tone.connect(gain).connect(audio.destination);
    tone.start(now + start);
    tone.stop(now + start + 0.3);
  }
}

/** It is the person's turn: sound, vibration and a notification (each only where available and wanted). */
export function announceTurn(title: string, body: string): void {
  if (!alertWanted()) return;
  beep();
  navigator.vibrate?.([400, 150, 400, 150, 400]);
  if ('Notification' in window && Notification.permission === 'granted' && document.visibilityState !== 'visible') {
    try {
      new Notification(title, { body, tag: 'yeyak-turn' });
    } catch {
      // Some mobile browsers allow notifications only from a service worker; the sound still plays.
    }
  }
}
