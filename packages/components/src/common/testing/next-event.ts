/** The next `name` event on `el`, typed by HTMLElementEventMap (open-wc's oneEvent types every event as CustomEvent). */
export function nextEvent<K extends keyof HTMLElementEventMap>(el: EventTarget, name: K): Promise<HTMLElementEventMap[K]> {
  return new Promise((resolve) => el.addEventListener(name, (e) => resolve(e as HTMLElementEventMap[K]), { once: true }));
}
